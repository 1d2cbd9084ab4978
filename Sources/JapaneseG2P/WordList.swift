import Foundation

/// misaki's Japanese word list (`misaki/data/ja_words.txt`, 147,570 words), by which its
/// cutlet joins several MeCab words into one spoken word (お + 金 → お金), so that they are
/// read together and not spaced apart.
struct WordList: Sendable {
    private let words: Set<[UInt8]>
    /// The longest word, in UTF-8 bytes: no longer join need be looked up.
    let longest: Int

    /// Words are compared byte for byte (Python compares code points), one a line, trimmed.
    init(contentsOf url: URL) throws {
        let text = try String(contentsOf: url, encoding: .utf8)
        var words = Set<[UInt8]>()
        var longest = 0
        for line in text.split(whereSeparator: \.isNewline) {
            let word = Array(line.trimmingCharacters(in: .whitespaces).utf8)
            words.insert(word)
            longest = max(longest, word.count)
        }
        self.words = words
        self.longest = longest
    }

    func contains(_ utf8: [UInt8]) -> Bool { words.contains(utf8) }
}
