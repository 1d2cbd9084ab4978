import Foundation

/// Dates, weekdays and clock ranges as a person reads them aloud: numeric dates become the
/// written form misaki already reads well ("July 14th, 2025" with the year in pairs), day
/// numbers after a month become ordinals, and abbreviated names are spelled out where the
/// context shows they are names of days or months (so "Sat", "Wed" and "Mar" the words stay).
extension TextNormalizer {
    static let monthNames = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
                             "October", "November", "December"]
    private static let weekdayNames = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

    /// Every spelling of a month, full or abbreviated, to its number.
    private static let months: [String: Int] = {
        var table: [String: Int] = [:]
        for (index, name) in monthNames.enumerated() {
            table[name] = index + 1
            table[String(name.prefix(3))] = index + 1
        }
        table["Sept"] = 9
        return table
    }()

    private static let weekdays: [String: String] = {
        var table: [String: String] = [:]
        for name in weekdayNames {
            table[name] = name
            table[String(name.prefix(3))] = name
        }
        for (short, name) in [("Tues", "Tuesday"), ("Thur", "Thursday"), ("Thurs", "Thursday")] { table[short] = name }
        return table
    }()

    private static let monthPattern = "(?:" + alternation(of: months.keys) + ")"
    private static let weekdayPattern = "(?:" + alternation(of: weekdays.keys) + ")"

    /// "July 14th, 2025" (month first) or "the 14th of July 2025" (day first).
    private static func spokenDate(month: Int, day: Int, year: String?, dayFirst: Bool) -> String {
        let name = monthNames[month - 1]
        if dayFirst { return "the \(ordinalDigits(day)) of \(name)" + (year.map { " \($0)" } ?? "") }
        return "\(name) \(ordinalDigits(day))" + (year.map { ", \($0)" } ?? "")
    }

    /// 1 → 1st, 12 → 12th, 22 → 22nd: digits misaki reads as an ordinal.
    static func ordinalDigits(_ n: Int) -> String {
        let suffix: String
        switch (n % 10, n % 100) {
        case (_, 11...13): suffix = "th"
        case (1, _): suffix = "st"
        case (2, _): suffix = "nd"
        case (3, _): suffix = "rd"
        default: suffix = "th"
        }
        return "\(n)\(suffix)"
    }

    private static func isValidDate(month: Int, day: Int) -> Bool {
        let lengths = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        return (1...12).contains(month) && day >= 1 && day <= lengths[month - 1]
    }

    /// A numeric year as it is read: four digits from 1000 to 2999, or two after a slash.
    private static func isYear(_ text: String) -> Bool {
        guard let value = Int(text) else { return false }
        return text.count == 2 || (1000...2999).contains(value)
    }

    /// 2025-07-14, 2025/07/14: year, month, day in every locale.
    static let isoDate = PatternRewrite(#"(?<![\d./-])(\d{4})([-/.])(\d{1,2})\2(\d{1,2})(?![\d/-]|\.\d)"#) { groups in
        guard isYear(groups[1]!), let month = Int(groups[3]!), let day = Int(groups[4]!),
              isValidDate(month: month, day: day) else { return nil }
        return spokenDate(month: month, day: day, year: groups[1]!, dayFirst: false)
    }

    /// 07/14/2025, 14.07.2025, 7-14-2025, 7/14/25. Dots are always day first; slashes and
    /// hyphens follow the locale unless one field is over 12. Two-digit years only with slashes.
    private static let numericDatePattern = #"(?<![\d./-])(\d{1,2})([-/.])(\d{1,2})\2(\d{4}|\d{2})(?![\d/-]|\.\d)"#

    private static func numericDate(_ groups: [String?], dayFirst: Bool) -> String? {
        guard let first = Int(groups[1]!), let second = Int(groups[3]!), isYear(groups[4]!) else { return nil }
        let separator = groups[2]!
        if groups[4]!.count == 2, separator != "/" { return nil }
        var dayFirst = separator == "." || dayFirst
        if first > 12, second <= 12 { dayFirst = true } else if second > 12, first <= 12 { dayFirst = false }
        let (month, day) = dayFirst ? (second, first) : (first, second)
        guard isValidDate(month: month, day: day) else { return nil }
        return spokenDate(month: month, day: day, year: groups[4]!, dayFirst: dayFirst)
    }

    static let monthFirstDate = PatternRewrite(numericDatePattern) { numericDate($0, dayFirst: false) }
    static let dayFirstDate = PatternRewrite(numericDatePattern) { numericDate($0, dayFirst: true) }

    /// What may follow "July 4" for the 4 to be a day of the month rather than a count
    /// ("In June 30 people came"): a year, punctuation, the end, a dash, or a word that
    /// cannot be counted.
    private static let afterDay = #"(?=\s*(?:[,.;:!?)]|$)|\s+(?:\d{4}\b|(?:at|and|or|to|through|until|till|in|on|is|was|will|we|I|he|she|they|you|it|the)\b)|\s?[–—-])"#

    /// July 14 → July 14th; Jan 5, 2025 → January 5th, 2025; July 14–16 → July 14th to 16th.
    static let monthThenDay = PatternRewrite(
        #"\b("# + monthPattern + #")\.?\s+(\d{1,2})(?:st|nd|rd|th)?(?:\s?[–—-]\s?(\d{1,2})(?:st|nd|rd|th)?)?(?![\d:]|[.,]\d)"# + afterDay
    ) { groups in
        guard let month = months[groups[1]!], let day = Int(groups[2]!), isValidDate(month: month, day: day) else { return nil }
        var words = "\(monthNames[month - 1]) \(ordinalDigits(day))"
        if let last = groups[3].flatMap({ Int($0) }) {
            guard last > day, isValidDate(month: month, day: last) else { return nil }
            words += " to \(ordinalDigits(last))"
        }
        return words
    }

    /// 14 July 2025 → the 14th of July 2025; "the 14th of July" is already read well.
    static let dayThenMonth = PatternRewrite(
        #"(?<![\w.,:/-])(?<!the )(\d{1,2})(?:st|nd|rd|th)?\s+("# + monthPattern + #")\b(\.?)(?=(\s*$)|\s*[,.;:!?)]|,?\s+\d{4}\b)"#
    ) { groups in
        guard let month = months[groups[2]!], let day = Int(groups[1]!), isValidDate(month: month, day: day) else { return nil }
        // An abbreviation's point is dropped, unless it also ends the text; a full name's ends the sentence.
        let point = groups[2]!.count > 4 || groups[4] != nil ? groups[3]! : ""
        return "the \(ordinalDigits(day)) of \(monthNames[month - 1])" + point
    }

    /// "Tue, Jul 14" and "Sat 12 Apr": a weekday abbreviation is a weekday before a date.
    static let weekdayBeforeDate = PatternRewrite(
        #"\b("# + weekdayPattern + #")\.?(?=,?\s+(?:"# + monthPattern + #"\b|\d{1,2}(?:[/.-]\d|\s+"# + monthPattern + #"\b)))"#
    ) { groups in weekdays[groups[1]!] }

    /// Mon–Fri → Monday to Friday, Jan-Mar → January to March: two days or two months with a
    /// dash between them are a range, read with "to".
    static let calendarRange = PatternRewrite(
        #"\b(?:("# + weekdayPattern + #")\.?\s?[–—-]\s?("# + weekdayPattern + #")|("# + monthPattern + #")\.?\s?[–—-]\s?("#
            + monthPattern + #"))\b(\.(?!\s*$))?"#
    ) { groups in
        if let from = groups[1], let to = groups[2] { return "\(weekdays[from]!) to \(weekdays[to]!)" }
        return "\(monthNames[months[groups[3]!]! - 1]) to \(monthNames[months[groups[4]!]! - 1])"
    }

    /// 9am–5pm, 9:00-17:00, 9–11 a.m.: a dash between clock times is "to". Plain number
    /// ranges (pages 10-12) are left alone: one side must have minutes or a.m./p.m.
    static let timeRange = PatternRewrite(
        #"(?<![\d:.,/-])(\d{1,2}(?::\d{2})?)(\s?[AaPp]\.?[Mm]\b\.?)?\s?[–—-]\s?(\d{1,2}(?::\d{2})?)(\s?[AaPp]\.?[Mm]\b\.?)?(?![\d:/-])"#
    ) { groups in
        let clock = [groups[1]!, groups[3]!]
        guard groups[2] != nil || groups[4] != nil || clock.contains(where: { $0.contains(":") }),
              clock.allSatisfy({ Int($0.prefix { $0 != ":" }).map { $0 <= 24 } ?? false }) else { return nil }
        return "\(groups[1]!)\(groups[2] ?? "") to \(groups[3]!)\(groups[4] ?? "")"
    }

    /// 9am → 9 a.m.; 5 PM → 5 p.m. (times with minutes are the time rewrite's).
    static let hourWithMeridiem = PatternRewrite(#"(?<![\d:.,])(\d{1,2})\s?"# + meridiemPattern) { groups in
        guard let hour = Int(groups[1]!), (1...12).contains(hour) else { return nil }
        return "\(hour) \(meridiem(groups, at: 2))"
    }
}
