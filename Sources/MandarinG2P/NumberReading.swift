import KokoroPhonemizer
import Foundation

/// cn2an's `transform(text, "an2cn")`, misaki's first step: digits become Chinese numerals
/// before segmentation, so 12世纪 is read 十二世纪 and 2024年 二零二四年.
///
/// The passes run in cn2an's order, each over the previous one's output: ranges before a
/// measure word (3-5个 → 三到五个), dates (years digit by digit), fractions (1/2 → 二分之一),
/// percentages, degrees Celsius, then any remaining number. The patterns are cn2an's, run by
/// ICU, whose `\d` is Unicode's decimal digits like Python's; a number cn2an cannot read
/// (too long, not ASCII or full-width) is left as it was, as cn2an does.
enum NumberReading {
    /// The numerals stand for the digits they replace.
    static func spellOut(_ text: SourcedText) -> SourcedText {
        var text = text
        text = replaceEach(range, in: text) { range in
            let ends = range.split(separator: "-", maxSplits: 1).map(String.init)
            return try ChineseNumerals.low(ends[0]) + "到" + ChineseNumerals.low(ends[1])
        }
        text = replaceEach(date, in: text) { date in
            // cn2an keeps the year it has read when the month or day then fails (٣月).
            let withYear = try replaceAll(year, in: date, with: ChineseNumerals.direct)
            return (try? replaceAll(digits, in: withYear, with: ChineseNumerals.low)) ?? withYear
        }
        text = replaceEach(fraction, in: text) { fraction in
            let parts = try replaceAll(digits, in: fraction, with: ChineseNumerals.low).split(separator: "/")
            return parts[1] + "分之" + parts[0]
        }
        text = replaceEach(percent, in: text) { "百分之" + (try ChineseNumerals.low(String($0.dropLast()))) }
        text = replaceEach(celsius, in: text) { try ChineseNumerals.low(String($0.dropLast())) + "摄氏度" }
        return replaceEach(number, in: text, with: ChineseNumerals.low)
    }

    /// The measure words after which cn2an reads `a-b` as a range.
    static let measureWords = "斤|克|千克|公斤|吨|米|厘米|毫米|公里|升|毫升|元|角|分|个|只|条|张|块|瓶|杯|份|本|辆|台|匹|头|位|亩|小时|分钟|秒|天|半"

    private static let range = try! NSRegularExpression(pattern: #"\d+(\.\d+)?-\d+(\.\d+)?(?=("# + measureWords + "))")
    private static let date = try! NSRegularExpression(pattern: #"(\d{2,4}年)?(\d{1,2}月)?(\d{1,2}日)?"#)
    private static let year = try! NSRegularExpression(pattern: #"\d+(?=年)"#)
    private static let digits = try! NSRegularExpression(pattern: #"\d+"#)
    private static let fraction = try! NSRegularExpression(pattern: #"\d+/\d+"#)
    private static let percent = try! NSRegularExpression(pattern: #"-?(\d+\.)?\d+%"#)
    private static let celsius = try! NSRegularExpression(pattern: #"\d+℃"#)
    private static let number = try! NSRegularExpression(pattern: #"-?(\d+\.)?\d+"#)

    /// Each match replaced by `transform` of it, or kept when that throws (cn2an's
    /// `__sub_util` catches, warns and returns its input).
    private static func replaceEach(_ regex: NSRegularExpression, in text: SourcedText,
                                    with transform: (String) throws -> String) -> SourcedText {
        replaceAll(regex, in: text) { (try? transform($0)) ?? $0 }
    }

    /// Every match replaced by `transform` of it; the first failure fails them all (a fraction
    /// with one unreadable number is kept as written).
    private static func replaceAll(_ regex: NSRegularExpression, in text: String,
                                   with transform: (String) throws -> String) throws -> String {
        try replaceAll(regex, in: SourcedText(text), with: transform).string
    }

    /// The replacement of a match stands for everything the match stood for.
    private static func replaceAll(_ regex: NSRegularExpression, in text: SourcedText,
                                   with transform: (String) throws -> String) rethrows -> SourcedText {
        let string = text.string
        let source = string as NSString
        // ICU reports UTF-16 offsets; SourcedText counts scalars.
        var scalarIndex = [Int](repeating: 0, count: source.length + 1)
        var utf16Offset = 0
        for (index, scalar) in text.scalars.enumerated() {
            for _ in 0..<UTF16.width(scalar) {
                scalarIndex[utf16Offset] = index
                utf16Offset += 1
            }
        }
        scalarIndex[source.length] = text.scalars.count
        var result = SourcedText()
        var last = 0
        for match in regex.matches(in: string, range: NSRange(location: 0, length: source.length)) {
            let matched = scalarIndex[match.range.location]..<scalarIndex[match.range.location + match.range.length]
            result.append(text, last..<matched.lowerBound)
            if let origin = text.source(of: matched) {
                result.append(try transform(source.substring(with: match.range)).unicodeScalars, source: origin)
            }
            last = matched.upperBound
        }
        result.append(text, last..<text.scalars.count)
        return result
    }
}
