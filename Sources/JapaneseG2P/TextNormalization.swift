import Foundation

/// cutlet's clean-up of the text before MeCab reads it (`Cutlet._normalize_text` in misaki
/// 0.9.4's misaki/cutlet.py): a wave dash before a digit is read から (a range), the small
/// katakana of the Ainu extensions become ordinary katakana, Unicode NFKC folds full-width
/// Latin and half-width katakana, and each run of digits becomes its hiragana reading after a
/// space (so MeCab starts a word there).
enum TextNormalization {
    static func normalize(_ text: String) -> String {
        var scalars: [Unicode.Scalar] = []
        let input = Array(text.unicodeScalars)
        for (index, scalar) in input.enumerated() {
            if (scalar == "〜" || scalar == "～"), index + 1 < input.count, isDecimalDigit(input[index + 1]) {
                scalars += "から".unicodeScalars
            } else {
                scalars.append(phoneticExtensions[scalar] ?? scalar)
            }
        }
        // Foundation's NFKC leaves a half-width voiced mark decomposed (ｶﾞ → カ + U+3099 where
        // Python gives ガ); composing once more gives Python's NFKC.
        let folded = String(String.UnicodeScalarView(scalars))
            .precomposedStringWithCompatibilityMapping.precomposedStringWithCanonicalMapping
        return spellingOutDigits(folded.unicodeScalars.map { latinQuotes[$0] ?? $0 })
    }

    /// Python's `\d`: any decimal digit (Unicode Nd), full-width ones included.
    private static func isDecimalDigit(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.numericType == .decimal
    }

    /// Katakana Phonetic Extensions (U+31F0–U+31FF) to the katakana they are small forms of.
    private static let phoneticExtensions: [Unicode.Scalar: Unicode.Scalar] = Dictionary(
        uniqueKeysWithValues: zip("ㇰㇱㇲㇳㇴㇵㇶㇷㇸㇹㇺㇻㇼㇽㇾㇿ".unicodeScalars, "クシストヌハヒフヘホムラリルレロ".unicodeScalars)
    )

    /// What mojimoji's `zen_to_han(kana=False)` still changes after NFKC: three curly quotes.
    /// (Its `han_to_zen` for kana changes nothing NFKC has not already changed.)
    private static let latinQuotes: [Unicode.Scalar: Unicode.Scalar] = ["‘": "`", "’": "'", "”": "\""]

    /// Each run of ASCII digits as `" " + reading`. (misaki's `\d+` also takes other scripts'
    /// digits, and then fails on them; here they are left to MeCab.)
    private static func spellingOutDigits(_ scalars: [Unicode.Scalar]) -> String {
        var out = ""
        var digits = ""
        for scalar in scalars {
            if ("0"..."9").contains(scalar) {
                digits.unicodeScalars.append(scalar)
                continue
            }
            if !digits.isEmpty {
                out += " " + NumberReading.hiragana(digits)
                digits = ""
            }
            out.unicodeScalars.append(scalar)
        }
        if !digits.isEmpty { out += " " + NumberReading.hiragana(digits) }
        return out
    }
}
