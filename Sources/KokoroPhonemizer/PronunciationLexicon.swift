import Foundation

/// Users' own pronunciations, per language: a word read with given phonemes
/// (`"Kokoro": "/kˈOkəɹO/"`) or as another spelling (`"nginx": "engine x"`).
///
/// Applied before any built-in dictionary by marking the words up as a user would by hand
/// (`[Kokoro](/kˈOkəɹO/)`), so every phonemizer that reads inline markup honours it and
/// word timings still point at the words as written. Words match whole and ignoring case;
/// words already inside markup are left alone. Languages written without spaces (Japanese,
/// Mandarin) have no whole words to match.
public struct PronunciationLexicon: Sendable, Equatable {
    public enum Reading: Sendable, Equatable {
        case phonemes(String)
        case respelling(String)
    }

    public struct Entry: Sendable, Equatable {
        /// The word as the user wrote it.
        public let word: String
        public let reading: Reading
    }

    /// Bounds that keep matching cheap and the file a lexicon, not a second text.
    public static let maxEntries = 10_000
    public static let maxWordLength = 64
    public static let maxReadingLength = 256

    /// Entries by language, keyed by the word lowercased.
    public private(set) var entries: [Language: [String: Entry]] = [:]

    public init() {}

    public var count: Int { entries.values.reduce(0) { $0 + $1.count } }

    /// Reads `{"en-us": {"word": "/phonemes/" or "respelling", …}, …}`; phonemes are checked
    /// against `vocabulary` when given.
    public init(json: Data, vocabulary: PhonemeVocabulary?) throws(LexiconError) {
        let table: [String: [String: String]]
        do {
            table = try JSONDecoder().decode([String: [String: String]].self, from: json)
        } catch {
            throw .notLexicon
        }
        guard table.values.reduce(0, { $0 + $1.count }) <= Self.maxEntries else { throw .tooManyEntries(Self.maxEntries) }
        for (code, words) in table.sorted(by: { $0.key < $1.key }) {
            guard let language = Language(code: code) else { throw .unknownLanguage(code) }
            for (word, value) in words.sorted(by: { $0.key < $1.key }) {
                try add(word: word, value: value, language: language, vocabulary: vocabulary)
            }
        }
    }

    private mutating func add(word: String, value: String, language: Language, vocabulary: PhonemeVocabulary?) throws(LexiconError) {
        guard !word.isEmpty, word.count <= Self.maxWordLength, word.contains(where: { $0.isLetter || $0.isNumber }),
              !word.contains(where: { $0.isWhitespace || Self.markupCharacters.contains($0) }) else {
            throw .invalidWord(word)
        }
        let reading: Reading
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        if trimmed.count > 1, trimmed.first == "/", trimmed.last == "/" {
            let phonemes = trimmed.dropFirst().dropLast().trimmingCharacters(in: .whitespaces)
            guard !phonemes.isEmpty, phonemes.count <= Self.maxReadingLength,
                  !phonemes.contains(where: { Self.markupCharacters.contains($0) || $0 == "/" }) else {
                throw .invalidReading(word: word, value)
            }
            if let unknown = vocabulary?.unknownSymbols(in: phonemes), !unknown.isEmpty {
                throw .unknownSymbols(word: word, unknown.map { String($0) })
            }
            reading = .phonemes(phonemes)
        } else {
            guard !trimmed.isEmpty, trimmed.count <= Self.maxReadingLength,
                  trimmed.contains(where: { $0.isLetter || $0.isNumber }),
                  !trimmed.contains(where: { Self.markupCharacters.contains($0) }) else {
                throw .invalidReading(word: word, value)
            }
            reading = .respelling(trimmed)
        }
        let key = word.lowercased()
        guard entries[language]?[key] == nil else { throw .duplicate(word) }
        entries[language, default: [:]][key] = Entry(word: word, reading: reading)
    }

    /// The lexicon as the JSON it is read from, keys sorted.
    public func json() -> Data {
        var table: [String: [String: String]] = [:]
        for (language, words) in entries {
            for entry in words.values {
                table[language.rawValue, default: [:]][entry.word] = switch entry.reading {
                case .phonemes(let phonemes): "/\(phonemes)/"
                case .respelling(let respelling): respelling
                }
            }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(table)) ?? Data("{}".utf8)
    }

    /// `text` with every word the lexicon knows marked up with its phonemes (a respelling
    /// is phonemized with `phonemize`); nil when no word matched.
    public func marking(_ text: String, language: Language, phonemize: (String) throws -> String) rethrows -> MarkedText? {
        guard let words = entries[language], !words.isEmpty else { return nil }
        let utf8 = Array(text.utf8)
        var matches: [(range: Range<Int>, phonemes: String)] = []
        for segment in InlineMarkup.parse(text) where segment.control == nil && !Self.isLinkLabel(segment.source, in: utf8) {
            for range in Self.wordRanges(in: segment.text) {
                guard let (entry, word) = Self.lookup(range.shifted(by: segment.source.lowerBound), of: utf8, in: words) else { continue }
                let phonemes = switch entry.reading {
                case .phonemes(let phonemes): phonemes
                case .respelling(let respelling): try phonemize(respelling)
                }
                guard !phonemes.isEmpty, !phonemes.contains(where: { Self.markupCharacters.contains($0) }) else { continue }
                matches.append((word, phonemes))
            }
        }
        guard !matches.isEmpty else { return nil }
        return MarkedText(original: utf8, marks: matches)
    }

    /// Characters that would end or open markup, so never inside a word or reading.
    static let markupCharacters: Set<Character> = ["[", "]", "(", ")"]

    /// The entry for the word at `range`, and the part of it the entry reads: the whole
    /// run, else the run without the punctuation around it ("nginx." is "nginx").
    private static func lookup(_ range: Range<Int>, of utf8: [UInt8], in words: [String: Entry]) -> (Entry, Range<Int>)? {
        if let entry = words[String(decoding: utf8[range], as: UTF8.self).lowercased()] { return (entry, range) }
        let edges: Set<UInt8> = [UInt8(ascii: "."), UInt8(ascii: "'"), UInt8(ascii: "-"), UInt8(ascii: "_")]
        var core = range
        while !core.isEmpty, edges.contains(utf8[core.lowerBound]) { core = (core.lowerBound + 1)..<core.upperBound }
        while !core.isEmpty, edges.contains(utf8[core.upperBound - 1]) { core = core.lowerBound..<(core.upperBound - 1) }
        guard !core.isEmpty, core != range, let entry = words[String(decoding: utf8[core], as: UTF8.self).lowercased()] else { return nil }
        return (entry, core)
    }

    /// A parsed segment that is the text of a link whose target was not understood.
    private static func isLinkLabel(_ range: Range<Int>, in utf8: [UInt8]) -> Bool {
        range.lowerBound > 0 && utf8[range.lowerBound - 1] == UInt8(ascii: "[")
            && range.upperBound < utf8.count && utf8[range.upperBound] == UInt8(ascii: "]")
    }

    /// UTF-8 ranges of runs of letters, digits and the marks words carry inside them.
    static func wordRanges(in text: String) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var start: Int?
        var offset = 0
        for character in text {
            let inWord = character.isLetter || character.isNumber || "'-_.".contains(character)
            if inWord, start == nil { start = offset }
            if !inWord, let begun = start {
                ranges.append(begun..<offset)
                start = nil
            }
            offset += character.utf8.count
        }
        if let begun = start { ranges.append(begun..<offset) }
        return ranges
    }
}

/// Text with words marked up, and the way back from its offsets to the original's.
public struct MarkedText: Sendable, Equatable {
    public let text: String
    /// Where bytes were inserted, as (offset in `text`, length), in order.
    private let insertions: [Range<Int>]

    init(original: [UInt8], marks: [(range: Range<Int>, phonemes: String)]) {
        var output: [UInt8] = []
        var insertions: [Range<Int>] = []
        var cursor = 0
        func insert(_ string: String) {
            insertions.append(output.count ..< output.count + string.utf8.count)
            output += string.utf8
        }
        for mark in marks {
            output += original[cursor..<mark.range.lowerBound]
            insert("[")
            output += original[mark.range]
            insert("](/\(mark.phonemes)/)")
            cursor = mark.range.upperBound
        }
        output += original[cursor...]
        text = String(decoding: output, as: UTF8.self)
        self.insertions = insertions
    }

    /// The original text's offsets of a range of `text` (the range's parts that were
    /// inserted map to where they were inserted).
    public func originalRange(_ range: Range<Int>) -> Range<Int> {
        let lower = originalOffset(range.lowerBound), upper = originalOffset(range.upperBound)
        return lower..<max(lower, upper)
    }

    private func originalOffset(_ offset: Int) -> Int {
        var shift = 0
        for insertion in insertions {
            if insertion.upperBound <= offset {
                shift += insertion.count
            } else {
                if insertion.lowerBound < offset { shift += offset - insertion.lowerBound }
                break
            }
        }
        return offset - shift
    }
}

extension Range<Int> {
    func shifted(by offset: Int) -> Range<Int> { (lowerBound + offset)..<(upperBound + offset) }
}

/// Why a lexicon was refused.
public enum LexiconError: Error, Equatable, CustomStringConvertible {
    case notLexicon
    case unknownLanguage(String)
    case invalidWord(String)
    case invalidReading(word: String, String)
    case unknownSymbols(word: String, [String])
    case duplicate(String)
    case tooManyEntries(Int)
    case unreadable(String, String)
    case notConfigured

    public var description: String {
        switch self {
        case .notLexicon:
            #"a lexicon is a JSON object of languages, each an object of words: {"en-us": {"Kokoro": "/kˈOkəɹO/", "nginx": "engine x"}} (phonemes between slashes, else a respelling)"#
        case .unknownLanguage(let code):
            "unknown language \(code) in the lexicon; use one of \(Language.allCases.map(\.rawValue).joined(separator: ", "))"
        case .invalidWord(let word):
            "lexicon word \"\(word)\" is not one word: 1-\(PronunciationLexicon.maxWordLength) characters with a letter or digit, no spaces or brackets"
        case .invalidReading(let word, let value):
            "the reading of \"\(word)\" (\"\(value)\") is neither /phonemes/ nor a respelling: 1-\(PronunciationLexicon.maxReadingLength) characters with a letter, no brackets, phonemes without slashes inside"
        case .unknownSymbols(let word, let symbols):
            "the phonemes of \"\(word)\" use symbols outside Kokoro's vocabulary: \(symbols.joined(separator: " ")); use only the symbols `kokoro phonemize` prints"
        case .duplicate(let word):
            "\"\(word)\" is in the lexicon twice for one language (words match ignoring case); keep one"
        case .tooManyEntries(let limit):
            "the lexicon has more than \(limit) entries; keep the words Kokoro misreads"
        case .unreadable(let path, let why):
            "cannot read the lexicon \(path): \(why)"
        case .notConfigured:
            "no lexicon file: start the server with --lexicon FILE (or KOKORO_LEXICON) to keep one"
        }
    }
}
