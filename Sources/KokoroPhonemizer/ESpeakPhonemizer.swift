import Foundation

/// Phonemizes any language espeak-ng knows, rewriting its IPA into Kokoro's symbol set the
/// way misaki (the G2P Kokoro was trained with) rewrites it: diphthongs and affricates
/// become the single letters the model learned (`a^ɪ` → `I`, `t^ʃ` → `ʧ`), and punctuation
/// is kept in place so the engine can split and the model can pause.
public struct ESpeakPhonemizer: Phonemizer {
    public let languages = Set(Language.allCases)
    private let espeak: ESpeak
    /// Checks inline phonemes (nil: unchecked).
    private let vocabulary: PhonemeVocabulary?

    public init(espeak: ESpeak, vocabulary: PhonemeVocabulary? = nil) {
        self.espeak = espeak
        self.vocabulary = vocabulary
    }

    /// Uses the process-wide espeak-ng library.
    public init(vocabulary: PhonemeVocabulary? = nil, library: String? = nil, dataPath: String? = nil) throws(PhonemizerError) {
        self.init(espeak: try ESpeak.shared(library: library, dataPath: dataPath), vocabulary: vocabulary)
    }

    /// Marks espeak would drop; they are kept verbatim between phonemized runs of words.
    static let punctuation: Set<Character> = [";", ":", ",", ".", "!", "?", "¡", "¿", "—", "…", "\"", "«", "»", "“", "”", "(", ")", "{", "}", "[", "]"]
    private static let opening: Set<Character> = ["¡", "¿", "«", "“", "(", "{", "["]

    public func phonemize(_ text: String, language: Language) throws -> String {
        try phonemizeWords(text, language: language).phonemes
    }

    /// Plain runs through espeak, words matched to them by count; inline phonemes
    /// (`[word](/phonemes/)`) verbatim, reading their word. A stress mark has no espeak
    /// equivalent: its word is read as written.
    public func phonemizeWords(_ text: String, language: Language) throws -> PhonemizedText {
        var read = PhonemizedText(phonemes: "", sources: [])
        var previous: InlineMarkup.Segment?
        for segment in InlineMarkup.parse(text) {
            let part: PhonemizedText
            if case .phonemes(let phonemes)? = segment.control {
                if let unknown = vocabulary?.unknownSymbols(in: phonemes), !unknown.isEmpty {
                    throw PhonemizerError.invalidInlinePhonemes(unknown.map { String($0) })
                }
                let words = PhonemizedText.words(of: phonemes)
                part = PhonemizedText(phonemes: words.joined(separator: " "), sources: Array(repeating: segment.source, count: words.count))
            } else {
                let plain = PhonemizedText.aligningWords(try phonemizePlain(segment.text, language: language), with: segment.text)
                part = PhonemizedText(phonemes: plain.phonemes, sources: plain.sources.map { $0.map { $0.shifted(by: segment.source.lowerBound) } })
            }
            let spaced = previous.map { $0.text.last?.isWhitespace == true || segment.text.first?.isWhitespace == true } ?? true
            read.append(part, spaced: spaced)
            previous = segment
        }
        return read
    }

    private func phonemizePlain(_ text: String, language: Language) throws -> String {
        let text = text.replacingOccurrences(of: "«", with: "“").replacingOccurrences(of: "»", with: "”")
        var output = ""
        var words = ""
        func flushWords() throws {
            let trimmed = words.trimmingCharacters(in: .whitespacesAndNewlines)
            words = ""
            guard !trimmed.isEmpty else { return }
            let phonemes = try rewrite(espeak.ipa(trimmed, voice: language.espeakVoice), language: language)
            guard !phonemes.isEmpty else { return }
            if let last = output.last, !last.isWhitespace, !Self.opening.contains(last) { output += " " }
            output += phonemes
        }
        for character in text {
            if Self.punctuation.contains(character) {
                try flushWords()
                if Self.opening.contains(character), let last = output.last, !last.isWhitespace { output += " " }
                output.append(character)
            } else {
                words.append(character)
            }
        }
        try flushWords()
        return output
    }

    /// misaki's rewrite of espeak IPA into Kokoro symbols, per language family.
    func rewrite(_ ipa: String, language: Language) -> String {
        var ps = Self.removingLanguageFlags(ipa)
        if language.isEnglish {
            return Self.rewriteEnglish(ps, british: language == .britishEnglish)
        }
        for (old, new) in Self.otherLanguages { ps = ps.replacingOccurrences(of: old, with: new) }
        return ps.replacingOccurrences(of: "^", with: "").replacingOccurrences(of: "-", with: "")
    }

    /// espeak marks switches to another language as `(en)…(fr)`; the flags are not speech.
    static func removingLanguageFlags(_ ipa: String) -> String {
        ipa.replacingOccurrences(of: #"\([a-z\-]+\)"#, with: "", options: .regularExpression)
    }

    private static let otherLanguages: [(String, String)] = [
        ("a^ɪ", "I"), ("a^ʊ", "W"), ("d^z", "ʣ"), ("d^ʒ", "ʤ"), ("e^ɪ", "A"), ("o^ʊ", "O"),
        ("s^s", "S"), ("t^s", "ʦ"), ("t^ʃ", "ʧ"), ("ɔ^ɪ", "Y"), ("ə^ʊ", "Q"),
    ]

    /// Longest first, as misaki applies them.
    private static let english: [(String, String)] = [
        ("ʔˌn\u{329}", "ʔn"), ("ʔn\u{329}", "ʔn"), ("a^ɪ", "I"), ("a^ʊ", "W"), ("d^ʒ", "ʤ"),
        ("e^ɪ", "A"), ("t^ʃ", "ʧ"), ("ɔ^ɪ", "Y"), ("ə^l", "ᵊl"), ("ʲo", "jo"), ("ʲə", "jə"),
        ("e", "A"), ("ʲ", ""), ("ɚ", "əɹ"), ("r", "ɹ"), ("x", "k"), ("ç", "k"), ("ɐ", "ə"),
        ("ɬ", "l"), ("\u{303}", ""),
    ].sorted { $0.0.unicodeScalars.count > $1.0.unicodeScalars.count }

    /// misaki's espeak fallback for English words it has no dictionary entry for.
    public static func rewriteEnglish(_ ipa: String, british: Bool) -> String {
        var ps = ipa
        for (old, new) in english { ps = ps.replacingOccurrences(of: old, with: new) }
        // A syllabic consonant (n̩) becomes a reduced vowel before it (ᵊn).
        ps = ps.replacingOccurrences(of: #"(\S)\x{0329}"#, with: "ᵊ$1", options: .regularExpression)
        ps = ps.replacingOccurrences(of: "\u{329}", with: "")
        if british {
            ps = ps.replacingOccurrences(of: "e^ə", with: "ɛː")
            ps = ps.replacingOccurrences(of: "iə", with: "ɪə")
            ps = ps.replacingOccurrences(of: "ə^ʊ", with: "Q")
        } else {
            ps = ps.replacingOccurrences(of: "o^ʊ", with: "O")
            ps = ps.replacingOccurrences(of: "ɜːɹ", with: "ɜɹ")
            ps = ps.replacingOccurrences(of: "ɜː", with: "ɜɹ")
            ps = ps.replacingOccurrences(of: "ɪə", with: "iə")
            ps = ps.replacingOccurrences(of: "ː", with: "")
        }
        ps = ps.replacingOccurrences(of: "o", with: "ɔ")
        ps = ps.replacingOccurrences(of: "ɾ", with: "T").replacingOccurrences(of: "ʔ", with: "t")
        return ps.replacingOccurrences(of: "^", with: "")
    }
}
