import KokoroPhonemizer
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
    /// combining mark is one `Character` and would otherwise be missed. Then trims whitespace
    /// (`str.strip`).
    static func map(_ text: SourcedText) -> SourcedText {
        var mapped = SourcedText()
        for (scalar, source) in zip(text.scalars, text.sources) {
            if let replacement = replacements[scalar] {
                mapped.append(replacement.unicodeScalars, source: source)
            } else {
                mapped.append(scalar, source: source)
            }
        }
        let kept = mapped.scalars.firstIndex { !CharacterSet.whitespacesAndNewlines.contains($0) }
            .map { first in first...mapped.scalars.lastIndex { !CharacterSet.whitespacesAndNewlines.contains($0) }! }
        var trimmed = SourcedText()
        if let kept { trimmed.append(mapped, kept.lowerBound..<kept.upperBound + 1) }
        return trimmed
    }
}
