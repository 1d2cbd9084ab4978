import KokoroPhonemizer
import Synchronization

/// A phonemizer built on first use, so start-up does not pay for languages nobody asks for
/// (the British lexicon is as large as the American one).
public final class LazyPhonemizer: Phonemizer {
    public let languages: Set<Language>
    private let make: @Sendable () throws -> any Phonemizer
    private let built = Mutex<(any Phonemizer)?>(nil)

    public init(languages: Set<Language>, make: @escaping @Sendable () throws -> any Phonemizer) {
        self.languages = languages
        self.make = make
    }

    public func phonemize(_ text: String, language: Language) throws -> String {
        try phonemizer().phonemize(text, language: language)
    }

    public func phonemizeWords(_ text: String, language: Language) throws -> PhonemizedText {
        try phonemizer().phonemizeWords(text, language: language)
    }

    public func phonemizeWords(_ text: String, language: Language, normalization: NormalizationOptions) throws -> PhonemizedText {
        try phonemizer().phonemizeWords(text, language: language, normalization: normalization)
    }

    private func phonemizer() throws -> any Phonemizer {
        try built.withLock { built in
            if let phonemizer = built { return phonemizer }
            let phonemizer = try make()
            built = phonemizer
            return phonemizer
        }
    }
}
