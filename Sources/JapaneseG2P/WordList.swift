import Foundation

/// misaki's Japanese word list (`misaki/data/ja_words.txt`, 147,570 words), by which its
/// cutlet joins several MeCab words into one spoken word (お + 金 → お金), so that they are
/// read together and not spaced apart.
struct WordList: Sendable {
    private let words: Set<[UInt8]>
    /// The longest word, in UTF-8 bytes: no longer join need be looked up.
    let longest: Int

    /// One word a line, trimmed of ASCII whitespace (the file has no other); words are
    /// compared byte for byte, as Python compares code points. Read as bytes, for speed.
    init(contentsOf url: URL) throws {
        let data = try Data(contentsOf: url)
        var words = Set<[UInt8]>(minimumCapacity: 150_000)
        var longest = 0
        for line in data.split(separator: UInt8(ascii: "\n")) {
            let word = Array(line.drop { $0 <= 0x20 }.reversed().drop { $0 <= 0x20 }.reversed())
            guard !word.isEmpty else { continue }
            words.insert(word)
            longest = max(longest, word.count)
        }
        self.words = words
        self.longest = longest
    }

    func contains(_ utf8: [UInt8]) -> Bool { words.contains(utf8) }
}
