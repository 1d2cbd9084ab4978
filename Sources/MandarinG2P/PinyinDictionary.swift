import Foundation

/// pypinyin 0.55.0's readings for a word, as `lazy_pinyin(word)` gives them to misaki.
///
/// pypinyin re-cuts each jieba word by strict forward maximum matching against its phrase
/// dictionary (`mmseg`, `no_non_phrases=True`), reads phrases from that dictionary (where the
/// neutral tones and 多音字 readings are: 孩子 → hái zi, 银行 → yín háng) and every other
/// character by its first reading in the character dictionary.
struct PinyinDictionary: Sendable {
    /// Phrase → its syllables' first readings; nodes without a value are phrase prefixes.
    private let phrases: ScalarTrie<[String]>
    /// Code point → first reading.
    private let characters: [UInt32: String]

    /// Reads pypinyin's `pinyin_dict.json` (`{"20320": "nǐ,..."}`) and `phrases_dict.json`
    /// (`{"你好": [["nǐ"], ["hǎo"]]}`).
    init(characters charactersURL: URL, phrases phrasesURL: URL) throws {
        var characters: [UInt32: String] = [:]
        characters.reserveCapacity(42_000)
        do {
            try JSONReader.read(charactersURL) { reader in
                try reader.object { reader, codePoint in
                    let readings = try reader.string()
                    guard let scalar = UInt32(codePoint), let first = readings.split(separator: ",").first else {
                        throw JSONReader.Malformed()
                    }
                    characters[scalar] = String(first)
                }
            }
        } catch is JSONReader.Malformed {
            throw MandarinDataError.malformed(charactersURL.path, line: nil)
        }
        var phrases = ScalarTrie<[String]>(capacity: 160_000)
        do {
            try JSONReader.read(phrasesURL) { reader in
                try reader.object { reader, phrase in
                    var firsts: [String] = []
                    try reader.array { reader in
                        var readings: [String] = []
                        try reader.array { readings.append(try $0.string()) }
                        guard let first = readings.first else { throw JSONReader.Malformed() }
                        firsts.append(first)
                    }
                    guard firsts.count == phrase.unicodeScalars.count else { throw JSONReader.Malformed() }
                    phrases.insert(phrase.unicodeScalars.lazy.map(\.value), value: firsts)
                }
            }
        } catch is JSONReader.Malformed {
            throw MandarinDataError.malformed(phrasesURL.path, line: nil)
        }
        self.characters = characters
        self.phrases = phrases
    }

    /// The tone-marked reading of each scalar of `word` (all of them Chinese characters);
    /// nil for a character pypinyin has no reading for.
    func readings(_ word: ArraySlice<UInt32>) -> [String?] {
        var result: [String?] = []
        result.reserveCapacity(word.count)
        for piece in segments(word) {
            if let phrase = phrases.node(for: piece).flatMap({ phrases.value(at: $0) }) {
                result.append(contentsOf: phrase)
            } else {
                result.append(contentsOf: piece.map { characters[$0] })
            }
        }
        return result
    }

    /// pypinyin's strict `mmseg` cut: the longest phrase from each position; a character that
    /// starts no phrase stands alone; and when the rest of the text is all one phrase prefix
    /// without being a phrase (nor having one at its start), every character stands alone.
    private func segments(_ text: ArraySlice<UInt32>) -> [ArraySlice<UInt32>] {
        var pieces: [ArraySlice<UInt32>] = []
        var start = text.startIndex
        while start < text.endIndex {
            var node = ScalarTrie<[String]>.root
            var longestPhrase = 0
            var end = start
            while end < text.endIndex, let next = phrases.child(of: node, text[end]) {
                node = next
                end += 1
                if phrases.value(at: node) != nil { longestPhrase = end - start }
            }
            if longestPhrase > 0 {
                pieces.append(text[start..<start + longestPhrase])
                start += longestPhrase
            } else if end < text.endIndex {
                pieces.append(text[start..<start + 1])
                start += 1
            } else {
                pieces.append(contentsOf: (start..<text.endIndex).map { text[$0..<$0 + 1] })
                start = text.endIndex
            }
        }
        return pieces
    }
}
