import KokoroPhonemizer

/// Picks the phonemizer for a language: the first registered one that handles it, and
/// reads the user lexicon's words its way before any built-in dictionary.
public struct PhonemizerRouter: Sendable {
    public let phonemizers: [any Phonemizer]
    /// Why a phonemizer could not be set up (reported when a language needs it).
    public let unavailable: PhonemizerError?
    /// Users' pronunciations (nil: none).
    public let lexicon: LexiconStore?

    public init(phonemizers: [any Phonemizer], unavailable: PhonemizerError? = nil, lexicon: LexiconStore? = nil) {
        self.phonemizers = phonemizers
        self.unavailable = unavailable
        self.lexicon = lexicon
    }

    public func phonemizer(for language: Language) throws -> any Phonemizer {
        if let match = phonemizers.first(where: { $0.languages.contains(language) }) { return match }
        throw unavailable ?? PhonemizerError.unsupportedLanguage(language)
    }

    /// Changes whenever the lexicon does: phonemes cached under another generation are stale.
    public var lexiconGeneration: Int { lexicon?.current().generation ?? 0 }

    public func phonemize(_ text: String, language: Language) throws -> String {
        let phonemizer = try phonemizer(for: language)
        return try phonemizer.phonemize(try marked(text, language: language, by: phonemizer)?.text ?? text, language: language)
    }

    public func phonemizeWords(_ text: String, language: Language, normalization: NormalizationOptions = .standard) throws -> PhonemizedText {
        let phonemizer = try phonemizer(for: language)
        guard let marked = try marked(text, language: language, by: phonemizer) else {
            return try phonemizer.phonemizeWords(text, language: language, normalization: normalization)
        }
        let read = try phonemizer.phonemizeWords(marked.text, language: language, normalization: normalization)
        return PhonemizedText(phonemes: read.phonemes, sources: read.sources.map { $0.map(marked.originalRange) })
    }

    private func marked(_ text: String, language: Language, by phonemizer: any Phonemizer) throws -> MarkedText? {
        try lexicon?.current().lexicon.marking(text, language: language) { try phonemizer.phonemize($0, language: language) }
    }
}
