import Foundation
import KokoroPhonemizer

/// Rewrites what misaki has no reading for into words it reads well, following
/// Kokoro-FastAPI's normalizer: e-mail addresses, URLs, dates, units after numbers, clock
/// times, scores, versions, amounts with magnitudes, phone numbers, fractions, yen, Roman
/// numerals, and abbreviations the dictionaries lack. Numbers themselves stay digits:
/// misaki's own number reader says them the way Kokoro was trained to hear them.
struct TextNormalizer {
    /// Numeric dates whose order is ambiguous (03/04/2025) are day/month, as in British
    /// English; otherwise month/day, as in American English.
    var dayFirst = false
    /// The classes a request wants rewritten (Kokoro-FastAPI's `normalization_options`).
    var options = NormalizationOptions.standard

    func normalize(_ text: String) -> String {
        guard options.normalize else { return text }
        var text = text
        let bytes = Set(text.utf8)
        if options.emails, bytes.contains(UInt8(ascii: "@")) { text = Self.email.apply(text) }
        if options.urls {
            if bytes.contains(UInt8(ascii: "/")) || (bytes.contains(UInt8(ascii: "w")) && text.contains("www.")) {
                text = Self.url.apply(text)
            }
            if Self.hasDotBeforeLowercase(text) { text = Self.domain.apply(text) }
        }
        if options.optionalPlurals, bytes.contains(UInt8(ascii: "(")) { text = Self.optionalPlural.apply(text) }
        // 0xE2 leads the UTF-8 of the en and em dashes.
        if bytes.contains(UInt8(ascii: "-")) || bytes.contains(0xE2) { text = Self.calendarRange.apply(text) }
        if bytes.contains(where: { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
            text = Self.weekdayBeforeDate.apply(text)
            text = Self.isoDate.apply(text)
            text = (dayFirst ? Self.dayFirstDate : Self.monthFirstDate).apply(text)
            text = Self.monthThenDay.apply(text)
            text = Self.dayThenMonth.apply(text)
            if options.phones { text = Self.phone.apply(text) }
            text = Self.timeRange.apply(text)
            text = Self.hourWithMeridiem.apply(text)
            text = Self.time.apply(text)
            text = Self.ratio.apply(text)
            text = Self.prefixedVersion.apply(text)
            text = Self.namedVersion.apply(text)
            text = Self.dottedVersion.apply(text)
            text = Self.currencyMagnitude.apply(text)
            text = Self.plainMagnitude.apply(text)
            text = Self.yen.apply(text)
            text = Self.fraction.apply(text)
            if options.units { text = Self.units.apply(text) }
            text = Self.hashNumber.apply(text)
        }
        if bytes.contains(UInt8(ascii: ".")), Self.mayHaveAbbreviation(text) { text = Self.abbreviation.apply(text) }
        if Self.mayHaveRomanNumeral(text) { text = Self.romanNumeral.apply(text) }
        return text
    }

    /// Kokoro-FastAPI's optional plural: "file(s)" is read "files".
    private static let optionalPlural = PatternRewrite(#"\b([A-Za-z]+)\(s\)"#) { groups in groups[1]! + "s" }

    /// Cheap checks that spare most sentences the regular expressions.
    private static func hasDotBeforeLowercase(_ text: String) -> Bool {
        var previousWasDot = false
        for byte in text.utf8 {
            if previousWasDot, byte >= UInt8(ascii: "a"), byte <= UInt8(ascii: "z") { return true }
            previousWasDot = byte == UInt8(ascii: ".")
        }
        return false
    }

    private static func mayHaveAbbreviation(_ text: String) -> Bool {
        text.split(separator: " ").contains { word in
            let core = word.drop { !$0.isLetter }.prefix { $0.isLetter }
            guard core.endIndex < word.endIndex, word[core.endIndex] == "." else { return false }
            return core == "St" || abbreviationWords[core + "."] != nil
        }
    }

    private static func mayHaveRomanNumeral(_ text: String) -> Bool {
        text.split(separator: " ").contains { word in
            let core = word.drop { !$0.isLetter }.prefix { $0.isLetter }
            return !core.isEmpty && core != "I" && core.allSatisfy { "IVXLC".contains($0) }
        }
    }

    private static let email = PatternRewrite(#"\b([A-Za-z0-9._%+-]+)@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})\b"#) { groups in
        groups[1]!.replacingOccurrences(of: ".", with: " dot ") + " at " + groups[2]!.replacingOccurrences(of: ".", with: " dot ")
    }

    private static let url = PatternRewrite(#"\b(?:(https?)://)?(www\.)?([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)((?:/[^\s]*?)?)(?=[.,;:!?)]*(?:\s|$))"#, caseInsensitive: true) { groups in
        guard groups[1] != nil || groups[2] != nil else { return nil }
        var words: [String] = []
        if let scheme = groups[1] { words.append(scheme.lowercased()) }
        if groups[2] != nil { words.append("www") }
        words.append(groups[3]!.replacingOccurrences(of: ".", with: " dot "))
        let path = groups[4] ?? ""
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            words.append("slash")
            words.append(part.replacingOccurrences(of: ".", with: " dot ").replacingOccurrences(of: "-", with: " dash ")
                .replacingOccurrences(of: "_", with: " underscore "))
        }
        return words.joined(separator: " ")
    }

    /// Bare domains (example.com) with a common top-level domain.
    private static let domain = PatternRewrite(#"(?<!@)\b([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.(?:com|org|net|edu|gov|io|co|uk|us|ca|de|fr|au|info|ai|app|dev))\b(?![\w@])"#) { groups in
        groups[1]!.replacingOccurrences(of: ".", with: " dot ")
    }

    /// 555-123-4567, (555) 123-4567, +1 555 123 4567: digits read one by one, in groups.
    private static let phone = PatternRewrite(#"(?<![\d.])(\+\d{1,2}[ .-]?)?(\(\d{3}\)|\d{3})[ .-]?(\d{3})[.-](\d{4})(?![\d])"#) { groups in
        var parts: [String] = []
        if let country = groups[1] { parts.append(country.filter(\.isASCIIDigit).map(String.init).joined(separator: " ")) }
        for group in groups[2...4] { parts.append(group!.filter(\.isASCIIDigit).map(String.init).joined(separator: " ")) }
        return parts.joined(separator: ", ")
    }

    /// am, p.m., PM: the letter, the point after it, and whether the sentence may end there.
    static let meridiemPattern = #"([AaPp])\.?[Mm]\b(\.?)(?=(\s*$|\s+[A-Z])?)"#

    /// "a.m." or "p.m." from `meridiemPattern`'s groups starting at `index`, with a second
    /// point when the written one also ended the sentence ("at 5 pm. Then"): the
    /// abbreviation's own point would otherwise swallow the sentence's end.
    static func meridiem(_ groups: [String?], at index: Int) -> String {
        let endsSentence = groups[index + 1] == "." && groups[index + 2] != nil
        return groups[index]!.lowercased() + ".m." + (endsSentence ? "." : "")
    }

    /// 9:45 AM → 9 45 a.m.; 10:00 → 10 o'clock; 9:05 → 9 oh 5.
    private static let time = PatternRewrite(#"\b(\d{1,2}):(\d{2})(?!\d)(?::(\d{2}))?(?:\s?"# + meridiemPattern + ")?") { groups in
        guard let hour = Int(groups[1]!), hour < 25, let minute = Int(groups[2]!), minute < 60 else { return nil }
        var words = [String(hour)]
        if minute == 0 {
            if groups[4] == nil, groups[3] == nil { words.append("o'clock") }
        } else if minute < 10 {
            words += ["oh", String(minute)]
        } else {
            words.append(String(minute))
        }
        if let seconds = groups[3].flatMap({ Int($0) }) {
            words += ["and", String(seconds), seconds == 1 ? "second" : "seconds"]
        }
        if groups[4] != nil { words.append(meridiem(groups, at: 4)) }
        return words.joined(separator: " ")
    }

    private static let yen = PatternRewrite(#"¥\s?(\d[\d,]*(?:\.\d+)?)"#) { groups in "\(groups[1]!) yen" }

    /// 1/2 → one half, 3/4 → three quarters, 2/3 → two thirds.
    private static let fraction = PatternRewrite(#"(?<![\d/])(\d{1,3})/(\d{1,2})(?![\d/])"#) { groups in
        guard let numerator = Int(groups[1]!), let denominator = Int(groups[2]!), denominator > 1 else { return nil }
        var name: String
        switch denominator {
        case 2: name = numerator == 1 ? "half" : "halves"
        case 4: name = "quarter"
        default: name = NumberWords.ordinal(denominator)
        }
        if numerator != 1, denominator != 2 { name += "s" }
        return "\(NumberWords.cardinal(numerator)) \(name)"
    }

    /// Units matched in any case ("KM", "Mhz").
    private static let unitNames: [String: String] = [
        "mm": "millimeter", "cm": "centimeter", "km": "kilometer", "ft": "foot",
        "yd": "yard", "mi": "mile", "mg": "milligram", "kg": "kilogram", "lb": "pound", "lbs": "pound",
        "oz": "ounce", "ms": "millisecond", "sec": "second", "min": "minute", "hr": "hour",
        "ml": "milliliter", "kph": "kilometer per hour", "km/h": "kilometer per hour",
        "mph": "mile per hour", "m/s": "meter per second", "°c": "degree Celsius", "°f": "degree Fahrenheit",
        "hz": "hertz", "khz": "kilohertz", "mhz": "megahertz", "ghz": "gigahertz", "kw": "kilowatt",
        "kb": "kilobyte", "mb": "megabyte", "gb": "gigabyte", "tb": "terabyte",
        "kb/s": "kilobyte per second", "mb/s": "megabyte per second", "gb/s": "gigabyte per second",
        "kbps": "kilobit per second", "mbps": "megabit per second", "gbps": "gigabit per second", "px": "pixel",
    ]

    /// Units that are letters or words in another case or spelling, matched only as written:
    /// "M" is a million, "G" a generation (5G), "A" a grade, "v" versus, "IN" a state.
    private static let exactUnitNames: [String: String] = [
        "m": "meter", "g": "gram", "h": "hour", "l": "liter", "L": "liter", "W": "watt", "V": "volt",
        "s": "second", "in": "inch",
    ]

    /// What may follow "in" for it to be inches: the end, punctuation, or a dimension
    /// ("6 in x 4 in", "12 in long"); anything else makes it the preposition ("5 in the box").
    private static let inchFollowers: Set<String> = ["x", "×", "by", "long", "wide", "tall", "high", "deep", "thick"]

    /// Units only right after a number, and not after a score or a time's colon ("5:4 in").
    private static let units = PatternRewrite(
        #"(?<![\w.:])(-?\d[\d,]*(?:\.\d+)?)(\s?)((?i:"# + alternation(of: unitNames.keys) + #")|"#
            + alternation(of: exactUnitNames.keys) + #")(?![\w/°])(?=\s*(\S?)(\w*))"#
    ) { groups in
        let number = groups[1]!
        let symbol = groups[3]!
        guard var name = exactUnitNames[symbol] ?? unitNames[symbol.lowercased()] else { return nil }
        // "1990s" and "80s" are decades, and a lone "s" after a space is seconds.
        if symbol == "s", groups[2]!.isEmpty { return nil }
        if symbol == "in" {
            let next = groups[4]! + groups[5]!
            let isEnd = next.isEmpty || groups[4]!.first.map { $0.isPunctuation && $0 != "-" } == true
            guard isEnd || inchFollowers.contains(next.lowercased()) else { return nil }
        }
        // Lowercase b is bits; "Mb", "kb" as written in networking.
        if name.hasSuffix("byte") || name.contains("byte "), symbol.hasSuffix("b") || symbol.contains("b/") {
            name = name.replacingOccurrences(of: "byte", with: "bit")
        }
        if number != "1" {
            var words = name.split(separator: " ").map(String.init)
            words[0] = plural(words[0])
            name = words.joined(separator: " ")
        }
        return "\(number) \(name)"
    }

    /// A regular expression matching any of `symbols`, longest first, so "km" is not read
    /// as "k" and a stray "m", nor "Sept" as "Sep" and a "t".
    static func alternation<S: Sequence<String>>(of symbols: S) -> String {
        symbols.sorted { $0.count > $1.count }.map { NSRegularExpression.escapedPattern(for: $0) }.joined(separator: "|")
    }

    private static func plural(_ word: String) -> String {
        switch word {
        case "foot": "feet"
        case "inch": "inches"
        case "hertz", "kilohertz", "megahertz", "gigahertz", "Celsius", "Fahrenheit": word
        default: word + "s"
        }
    }

    private static let hashNumber = PatternRewrite(#"#(\d)"#) { groups in "number \(groups[1]!)" }

    private static let abbreviationWords: [String: String] = [
        "Ave.": "Avenue", "Blvd.": "Boulevard", "Rd.": "Road", "Jr.": "Junior", "Sr.": "Senior",
        "Prof.": "Professor", "Gen.": "General", "Capt.": "Captain", "Lt.": "Lieutenant", "Col.": "Colonel",
        "Gov.": "Governor", "Sgt.": "Sergeant", "Rev.": "Reverend", "Hon.": "Honorable", "Mt.": "Mount",
        "Ft.": "Fort", "Jan.": "January", "Feb.": "February", "Aug.": "August", "Sept.": "September",
        "Oct.": "October", "Nov.": "November", "Dec.": "December", "Inc.": "Incorporated", "Ltd.": "Limited",
        "Corp.": "Corporation", "Dept.": "Department", "approx.": "approximately",
    ]

    /// St. is Saint before a name and Street after one.
    private static let abbreviation = PatternRewrite(#"\b(St|Ave|Blvd|Rd|Jr|Sr|Prof|Gen|Capt|Lt|Col|Gov|Sgt|Rev|Hon|Mt|Ft|Jan|Feb|Aug|Sept|Oct|Nov|Dec|Inc|Ltd|Corp|Dept|approx)\.(\s+[A-Z])?"#) { groups in
        let next = groups[2] ?? ""
        if groups[1] == "St" { return (next.isEmpty ? "Street" : "Saint") + next }
        guard let word = abbreviationWords[groups[1]! + "."] else { return nil }
        return word + next
    }

    private static let numeralContexts: Set<String> = ["chapter", "book", "part", "volume", "act", "scene", "section", "article", "war", "phase", "type", "level", "psalm", "canto", "appendix", "class", "stage", "round"]

    /// Chapter IV → Chapter four; Henry VIII → Henry the eighth. Only after such a word,
    /// so the pronoun I and ordinary capitals stay as they are.
    private static let romanNumeral = PatternRewrite(#"\b([A-Z][a-z]+)\s+([IVXLC]+)\b(?!['’])"#) { groups in
        let previous = groups[1]!
        guard let value = romanValue(groups[2]!) else { return nil }
        if numeralContexts.contains(previous.lowercased()) { return "\(previous) \(NumberWords.cardinal(value))" }
        guard groups[2]!.count > 1 else { return nil }
        return "\(previous) the \(NumberWords.ordinal(value))"
    }

    /// The value of a canonically written Roman numeral (so "IIII" or "VX" are not numerals).
    static func romanValue(_ text: String) -> Int? {
        let values: [Character: Int] = ["I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000]
        var total = 0
        let digits = text.compactMap { values[$0] }
        guard digits.count == text.count, !digits.isEmpty else { return nil }
        for (i, value) in digits.enumerated() {
            if i + 1 < digits.count, value < digits[i + 1] { total -= value } else { total += value }
        }
        guard total > 0, total < 4000, roman(total) == text else { return nil }
        return total
    }

    private static func roman(_ value: Int) -> String {
        let table: [(Int, String)] = [(1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
                                      (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]
        var value = value
        var result = ""
        for (amount, symbol) in table {
            while value >= amount { result += symbol; value -= amount }
        }
        return result
    }
}
