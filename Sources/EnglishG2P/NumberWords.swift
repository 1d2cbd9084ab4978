/// English number names spelled the way num2words spells them (misaki reads those words
/// back through the dictionary, so "and" and hyphens must sit where num2words puts them).
enum NumberWords {
    private static let ones = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
                               "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen",
                               "seventeen", "eighteen", "nineteen"]
    private static let tens = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
    private static let scales: [(Int, String)] = [
        (1_000_000_000_000_000_000, "quintillion"), (1_000_000_000_000_000, "quadrillion"),
        (1_000_000_000_000, "trillion"), (1_000_000_000, "billion"), (1_000_000, "million"), (1_000, "thousand"),
    ]

    static func cardinal(_ n: Int) -> String {
        if n < 0 { return "minus " + cardinal(-n) }
        if n < 20 { return ones[n] }
        if n < 100 { return tens[n / 10] + (n % 10 == 0 ? "" : "-" + ones[n % 10]) }
        if n < 1000 {
            let rest = n % 100
            return ones[n / 100] + " hundred" + (rest == 0 ? "" : " and " + cardinal(rest))
        }
        for (value, name) in scales where n >= value {
            let rest = n % value
            let head = cardinal(n / value) + " " + name
            if rest == 0 { return head }
            return head + (rest < 100 ? " and " : ", ") + cardinal(rest)
        }
        return String(n)
    }

    static func ordinal(_ n: Int) -> String {
        let words = cardinal(n)
        let irregular = ["one": "first", "two": "second", "three": "third", "five": "fifth", "eight": "eighth",
                         "nine": "ninth", "twelve": "twelfth"]
        var parts = words.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        var last = parts.removeLast()
        var hyphenated = last.split(separator: "-").map(String.init)
        var tail = hyphenated.removeLast()
        if let special = irregular[tail] {
            tail = special
        } else if tail.hasSuffix("y") {
            tail = tail.dropLast() + "ieth"
        } else {
            tail += "th"
        }
        hyphenated.append(tail)
        last = hyphenated.joined(separator: "-")
        parts.append(last)
        return parts.joined(separator: " ")
    }

    /// 1984 → nineteen eighty-four, 1900 → nineteen hundred, 1905 → nineteen oh-five,
    /// 2001 → two thousand and one, 2010 → twenty ten.
    static func year(_ n: Int) -> String {
        let high = n / 100, low = n % 100
        if high == 0 || (high % 10 == 0 && low < 10) || high >= 100 { return cardinal(n) }
        let lowText = low == 0 ? "hundred" : (low < 10 ? "oh-" + cardinal(low) : cardinal(low))
        return cardinal(high) + " " + lowText
    }

    /// 3.14 → three point one four.
    static func decimal(_ text: String) -> String {
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let whole = cardinal(Int(parts[0]) ?? 0)
        guard parts.count == 2 else { return whole }
        var fraction = parts[1]
        while fraction.count > 1, fraction.last == "0" { fraction = fraction.dropLast() }
        if fraction.isEmpty { fraction = "0" }
        return whole + " point " + fraction.map { ones[Int(String($0)) ?? 0] }.joined(separator: " ")
    }
}
