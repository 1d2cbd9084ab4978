import KokoroPhonemizer

/// Picks the phonemizer for a language: the first registered one that handles it.
public struct PhonemizerRouter: Sendable {
    public let phonemizers: [any Phonemizer]
    /// Why a phonemizer could not be set up (reported when a language needs it).
    public let unavailable: PhonemizerError?

    public init(phonemizers: [any Phonemizer], unavailable: PhonemizerError? = nil) {
        self.phonemizers = phonemizers
        self.unavailable = unavailable
    }

    public func phonemizer(for language: Language) throws -> any Phonemizer {
        if let match = phonemizers.first(where: { $0.languages.contains(language) }) { return match }
        throw unavailable ?? PhonemizerError.unsupportedLanguage(language)
    }

    public func phonemize(_ text: String, language: Language) throws -> String {
        try phonemizer(for: language).phonemize(text, language: language)
    }

    public func phonemizeWords(_ text: String, language: Language) throws -> PhonemizedText {
        try phonemizer(for: language).phonemizeWords(text, language: language)
    }
}
