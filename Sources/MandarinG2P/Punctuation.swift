import Foundation

/// misaki's `map_punctuation`: Chinese punctuation to the ASCII marks (and curly quotes)
/// in Kokoro's vocabulary, with the space after it that separates the next word's phonemes.
enum Punctuation {
    /// In misaki's order; book-title and corner brackets become quotes.
    static let replacements: [(String, String)] = [
        ("、", ", "), ("，", ", "), ("。", ". "), ("．", ". "), ("！", "! "), ("：", ": "), ("；", "; "), ("？", "? "),
        ("«", " “"), ("»", "” "), ("《", " “"), ("》", "” "), ("「", " “"), ("」", "” "), ("【", " “"), ("】", "” "),
        ("（", " ("), ("）", ") "),
    ]

    static func map(_ text: String) -> String {
        var text = text
        for (from, to) in replacements { text = text.replacingOccurrences(of: from, with: to) }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
