/// Turns text into the phoneme string Kokoro was trained on.
///
/// This is the seam between language knowledge and synthesis: the engine only ever sees
/// phonemes, so an implementation (espeak-ng, the misaki-grade English G2P, a test double)
/// can be swapped without touching anything downstream. Words are separated by spaces and
/// punctuation Kokoro knows (`.,!?;:—…`) is kept, because the engine splits long input there.
public protocol Phonemizer: Sendable {
    /// The languages this phonemizer can handle.
    var languages: Set<Language> { get }
    /// The phonemes of `text`, which may be several sentences long.
    func phonemize(_ text: String, language: Language) throws -> String
    /// The phonemes of `text` with the part of `text` each word reads (for word timestamps).
    func phonemizeWords(_ text: String, language: Language) throws -> PhonemizedText
    /// The same, with only the rewrites of written forms `normalization` asks for.
    func phonemizeWords(_ text: String, language: Language, normalization: NormalizationOptions) throws -> PhonemizedText
}

extension Phonemizer {
    /// Words matched by count (`PhonemizedText.aligningWords`): right where the phonemizer
    /// reads each written word as one word.
    public func phonemizeWords(_ text: String, language: Language) throws -> PhonemizedText {
        PhonemizedText.aligningWords(try phonemize(text, language: language), with: text)
    }

    /// For phonemizers with no normalizer of their own to tune.
    public func phonemizeWords(_ text: String, language: Language, normalization: NormalizationOptions) throws -> PhonemizedText {
        try phonemizeWords(text, language: language)
    }
}

/// Why text could not be turned into phonemes.
public enum PhonemizerError: Error, Equatable, CustomStringConvertible {
    case unsupportedLanguage(Language)
    case espeakUnavailable(String)
    case espeakFailed(String)
    case invalidInlinePhonemes([String])

    public var description: String {
        switch self {
        case .unsupportedLanguage(let language):
            "no phonemizer for language \(language.rawValue); install espeak-ng (apt-get install libespeak-ng1 espeak-ng-data) to phonemize it"
        case .espeakUnavailable(let why):
            "espeak-ng is not available: \(why). Install it with `apt-get install libespeak-ng1 espeak-ng-data` (or `brew install espeak-ng`), or point KOKORO_ESPEAK_LIBRARY at libespeak-ng"
        case .espeakFailed(let why):
            "espeak-ng failed: \(why)"
        case .invalidInlinePhonemes(let symbols):
            "inline phonemes use symbols outside Kokoro's vocabulary: \(symbols.joined(separator: " ")); use only the symbols `kokoro phonemize` prints"
        }
    }
}
