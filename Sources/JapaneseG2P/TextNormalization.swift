import KokoroPhonemizer
import Foundation

/// cutlet's clean-up of the text before MeCab reads it (`Cutlet._normalize_text` in misaki
/// 0.9.4's misaki/cutlet.py): a wave dash before a digit is read から (a range), the small
/// katakana of the Ainu extensions become ordinary katakana, Unicode NFKC folds full-width
/// Latin and half-width katakana, and each run of digits becomes its hiragana reading after a
/// space (so MeCab starts a word there). Every scalar keeps the part of the input it came from.
enum TextNormalization {
    static func normalize(_ text: SourcedText) -> SourcedText {
        var marked = SourcedText()
        let input = text.scalars
        for (index, scalar) in input.enumerated() {
            if (scalar == "〜" || scalar == "～"), index + 1 < input.count, isDecimalDigit(input[index + 1]) {
                marked.append("から".unicodeScalars, source: text.sources[index])
            } else {
                marked.append(phoneticExtensions[scalar] ?? scalar, source: text.sources[index])
            }
        }
        return spellingOutDigits(folded(marked))
    }

    /// NFKC, then mojimoji's `zen_to_han(kana=False)`, which after NFKC changes only three
    /// curly quotes (its `han_to_zen` for kana changes nothing NFKC has not already changed).
    /// Normalized a character (grapheme cluster) at a time, since NFKC composes only within one.
    private static func folded(_ text: SourcedText) -> SourcedText {
        var out = SourcedText()
        var start = 0
        for character in text.string {
            let range = start..<start + character.unicodeScalars.count
            start = range.upperBound
            if character.unicodeScalars.count == 1, isStable(character.unicodeScalars.first!) {
                out.append(character.unicodeScalars.first!, source: text.sources[range.lowerBound])
                continue
            }
            // Foundation's NFKC leaves a half-width voiced mark decomposed (ｶﾞ → カ + U+3099
            // where Python gives ガ); composing once more gives Python's NFKC.
            let normalized = String(character).precomposedStringWithCompatibilityMapping.precomposedStringWithCanonicalMapping
            out.append(normalized.unicodeScalars.map { latinQuotes[$0] ?? $0 }, source: text.source(of: range)!)
        }
        return out
    }

    /// Printable ASCII, kana, ー, the common ideographs, 、。「」『』: unchanged by NFKC when
    /// alone in their character, which most are; a fast path, as Foundation's NFKC is slow.
    private static func isStable(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x20...0x7E, 0x3041...0x3096, 0x30A1...0x30FA, 0x30FC, 0x4E00...0x9FFF, 0x3001...0x3002, 0x300C...0x300F: true
        default: false
        }
    }

    /// Python's `\d`: any decimal digit (Unicode Nd), full-width ones included.
    private static func isDecimalDigit(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.numericType == .decimal
    }

    /// Katakana Phonetic Extensions (U+31F0–U+31FF) to the katakana they are small forms of.
    private static let phoneticExtensions: [Unicode.Scalar: Unicode.Scalar] = Dictionary(
        uniqueKeysWithValues: zip("ㇰㇱㇲㇳㇴㇵㇶㇷㇸㇹㇺㇻㇼㇽㇾㇿ".unicodeScalars, "クシストヌハヒフヘホムラリルレロ".unicodeScalars)
    )

    private static let latinQuotes: [Unicode.Scalar: Unicode.Scalar] = ["‘": "`", "’": "'", "”": "\""]

    /// Each run of ASCII digits as `" " + reading`. (misaki's `\d+` also takes other scripts'
    /// digits, and then fails on them; here they are left to MeCab.)
    private static func spellingOutDigits(_ text: SourcedText) -> SourcedText {
        var out = SourcedText()
        var runStart: Int?
        for index in 0...text.scalars.count {
            if index < text.scalars.count && ("0"..."9").contains(text.scalars[index]) {
                if runStart == nil { runStart = index }
                continue
            }
            if let start = runStart {
                let digits = String(String.UnicodeScalarView(text.scalars[start..<index]))
                out.append((" " + NumberReading.hiragana(digits)).unicodeScalars, source: text.source(of: start..<index)!)
                runStart = nil
            }
            if index < text.scalars.count { out.append(text.scalars[index], source: text.sources[index]) }
        }
        return out
    }
}
