import Foundation

/// misaki's `map_punctuation`: Chinese punctuation to the ASCII marks (and curly quotes)
/// in Kokoro's vocabulary, with the space after it that separates the next word's phonemes.
enum Punctuation {
    /// Book-title and corner brackets become quotes. No replacement contains another mark,
    /// so one pass does what misaki's chain of `str.replace` does.
    static let replacements: [Unicode.Scalar: String] = [
        "、": ", ", "，": ", ", "。": ". ", "．": ". ", "！": "! ", "：": ": ", "；": "; ", "？": "? ",
        "«": " “", "»": "” ", "《": " “", "》": "” ", "「": " “", "」": "” ", "【": " “", "】": "” ",
        "（": " (", "）": ") ",
    ]

    /// Replaces code points, as Python does, not Swift's characters: a mark followed by a
    /// combining mark is one `Character` and would otherwise be missed.
    static func map(_ text: String) -> String {
        var mapped = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if let replacement = replacements[scalar] {
                mapped.append(contentsOf: replacement.unicodeScalars)
            } else {
                mapped.append(scalar)
            }
        }
        return String(mapped).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
