/// Digits read in hiragana, as misaki's cutlet reads them before MeCab sees the text: the
/// `Convert(number, 'hiragana')` of misaki 0.9.4's misaki/num2kana.py (itself from
/// Greatdane's Convert-Numbers-to-Japanese), with its sound changes (さんびゃく, ろっぴゃく,
/// はっせん) and its quirks kept, since Kokoro's voices learnt from its output: a lone 0 is
/// the katakana ゼロ, a 1 before 千 inside a larger number is いっせん, and leading zeros are
/// dropped. num2kana refuses more than nine digits, and misaki then fails (its refusal, an
/// English sentence with "10" in it, trips an assertion in cutlet); such runs, phone numbers
/// mostly, are read here digit by digit instead, each a word.
enum NumberReading {
    /// The reading of `digits`, a run of ASCII digits.
    static func hiragana(_ digits: String) -> String {
        var number = Array(digits.utf8).map { Int($0 - UInt8(ascii: "0")) }
        // Spaced, so that MeCab keeps each digit a word (いち に, not いちに).
        guard number.count <= 9 else { return number.map(digit).joined(separator: " ") }
        while number.count > 1 && number[0] == 0 { number.removeFirst() }
        switch number.count {
        case 1: return digit(number[0])
        case 2: return tens(number[...])
        case 3: return hundreds(number[...])
        case 4: return thousands(number[...], standAlone: true)
        default: return large(number[...])
        }
    }

    private static let digits = ["ゼロ", "いち", "に", "さん", "よん", "ご", "ろく", "なな", "はち", "きゅう"]
    private static func digit(_ d: Int) -> String { digits[d] }

    /// Two digits (num2kana's `len_two`): じゅう with 1 as 十, not いちじゅう.
    private static func tens(_ n: ArraySlice<Int>) -> String {
        let (first, second) = (n[n.startIndex], n[n.startIndex + 1])
        if first == 0 { return digit(second) }
        if first == 1 { return "じゅう" + (second == 0 ? "" : digit(second)) }
        return digit(first) + "じゅう" + (second == 0 ? "" : digit(second))
    }

    /// Three digits (`len_three`).
    private static func hundreds(_ n: ArraySlice<Int>) -> String {
        let (first, rest) = (n[n.startIndex], n.dropFirst())
        let head = switch first {
        case 1: "ひゃく"
        case 3: "さんびゃく"
        case 6: "ろっぴゃく"
        case 8: "はっぴゃく"
        default: digit(first) + "ひゃく"
        }
        if rest.allSatisfy({ $0 == 0 }) { return head }
        return head + (rest.first == 0 ? digit(rest.last!) : tens(rest))
    }

    /// Four digits (`len_four`); a leading 1 is せん standing alone, いっせん before 万 or 億.
    private static func thousands(_ n: ArraySlice<Int>, standAlone: Bool) -> String {
        let significant = n.drop { $0 == 0 }
        switch significant.count {
        case 0: return ""
        case 1: return digit(significant.first!)
        case 2: return tens(significant)
        case 3: return hundreds(significant)
        default: break
        }
        let (first, rest) = (significant.first!, significant.dropFirst())
        let head = switch first {
        case 1: standAlone ? "せん" : "いっせん"
        case 3: "さんぜん"
        case 8: "はっせん"
        default: digit(first) + "せん"
        }
        if rest.allSatisfy({ $0 == 0 }) { return head }
        return head + (rest.first == 0 ? tens(rest.dropFirst()) : hundreds(rest))
    }

    /// Five to nine digits (`len_x`): the part above the last four read with まん, or with おく
    /// and then まん when it has five digits.
    private static func large(_ n: ArraySlice<Int>) -> String {
        let high = n.dropLast(4), low = n.suffix(4)
        var out: String
        switch high.count {
        case 1: out = digit(high.first!) + "まん"
        case 2: out = tens(high) + "まん"
        case 3: out = hundreds(high) + "まん"
        case 4: out = thousands(high, standAlone: false) + "まん"
        default:
            let man = high.dropFirst()
            out = digit(high.first!) + "おく" + thousands(man, standAlone: false) + (man.allSatisfy { $0 == 0 } ? "" : "まん")
        }
        return out + thousands(low, standAlone: false)
    }
}
