import Foundation

/// cn2an 0.5.24's `An2Cn`: Arabic digits to Chinese numerals, in its "low" (一百二十三)
/// and "direct" (一二三, for years) modes.
///
/// Kokoro's Mandarin voices were trained on text whose digits misaki first spelled out
/// this way, so the quirks are kept: no 一 before a leading 十 (十二, but 一百一十二),
/// 零 for internal runs of zeros, at most 16 integer digits, 16 decimal places.
enum ChineseNumerals {
    struct Unreadable: Error {}

    static let digits: [Character] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"]
    /// The unit after the digit at each place, counted from the right.
    static let units = ["", "十", "百", "千", "万", "十", "百", "千", "亿", "十", "百", "千", "万", "十", "百", "千"]

    /// "low" mode: `-12.5` → 负十二点五. Throws where cn2an does (then misaki keeps the digits).
    static func low(_ number: String) throws -> String {
        let (sign, body) = try signed(number)
        let parts = body.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2 else { throw Unreadable() }
        var text = try integer(parts[0])
        if parts.count == 2 {
            let decimals = parts[1].prefix(16)
            if !decimals.isEmpty { text += "点" }
            text += String(decimals.map(digit))
        }
        return sign + text
    }

    /// "direct" mode: every digit on its own, `2024` → 二零二四.
    static func direct(_ number: String) throws -> String {
        let (sign, body) = try signed(number)
        return sign + String(body.map { $0 == "." ? "点" : digit($0) })
    }

    /// Full-width digits made ASCII (cn2an's preprocessing), checked, and the sign split off.
    private static func signed(_ number: String) throws -> (String, Substring) {
        let ascii = String(number.unicodeScalars.map { scalar -> Character in
            (0xFF01...0xFF5E).contains(scalar.value) ? Character(UnicodeScalar(scalar.value - 0xFEE0)!) : Character(scalar)
        })
        guard !ascii.isEmpty, ascii.allSatisfy({ "0123456789.-".contains($0) }) else { throw Unreadable() }
        return ascii.first == "-" ? ("负", ascii.dropFirst()) : ("", Substring(ascii))
    }

    private static func digit(_ character: Character) -> Character { digits[character.wholeNumberValue ?? 0] }

    /// cn2an's `__integer_convert`, including its clean-up of zeros and units.
    private static func integer(_ text: Substring) throws -> String {
        guard !text.isEmpty, text.allSatisfy(\.isASCIIDigit) else { throw Unreadable() }
        let trimmed = text.drop { $0 == "0" }
        let number = trimmed.isEmpty ? "0" : trimmed
        guard number.count <= units.count else { throw Unreadable() }
        var out = ""
        for (i, character) in number.enumerated() {
            let place = number.count - i - 1
            if character != "0" {
                out += String(digit(character)) + units[place]
            } else {
                if place % 4 == 0 { out += "零" + units[place] }
                if i > 0 && out.last != "零" { out += "零" }
            }
        }
        for (from, to) in [("零零", "零"), ("零万", "万"), ("零亿", "亿"), ("亿万", "亿")] {
            out = out.replacingOccurrences(of: from, with: to)
        }
        out = String(out.drop { $0 == "零" }.reversed().drop { $0 == "零" }.reversed())
        // 一亿零三千 → 一亿三千: cn2an drops the 零 between 万/亿 and a thousands digit.
        out = out.replacingOccurrences(of: "([万亿])零([一二三四五六七八九壹贰叁肆伍陆柒捌玖][千仟])", with: "$1$2",
                                       options: .regularExpression)
        if out.hasPrefix("一十") { out.removeFirst() }
        return out.isEmpty ? "零" : out
    }
}

private extension Character {
    var isASCIIDigit: Bool { isASCII && isWholeNumber }
}
