/// Numbers as misaki reads them: years in pairs (nineteen eighty-four), ordinals from their
/// suffix (23rd), digit strings one by one when they follow other digits (phone numbers,
/// decimals after the point), currency amounts with their units and cents.
enum NumberReader {
    static let currencies: [Character: (unit: String, cents: String)] = [
        "$": ("dollar", "cent"), "£": ("pound", "pence"), "€": ("euro", "cent"),
    ]
    static let ordinalSuffixes: Set<String> = ["st", "nd", "rd", "th"]
    private static let suffixes = ["ing", "'d", "ed", "'s", "st", "nd", "rd", "th", "s"]

    static func isDigits<S: StringProtocol>(_ text: S) -> Bool {
        !text.isEmpty && text.allSatisfy(\.isASCIIDigit)
    }

    static func isNumber(_ word: String, isHead: Bool) -> Bool {
        guard word.contains(where: \.isASCIIDigit) else { return false }
        var body = Substring(word)
        if let suffix = suffixes.first(where: { word.hasSuffix($0) }) { body = body.dropLast(suffix.count) }
        var first = true
        for c in body {
            guard c.isASCIIDigit || c == "," || c == "." || (isHead && first && c == "-") else { return false }
            first = false
        }
        return true
    }

    /// Amounts with at most two decimals read as money; others as plain decimals.
    static func isCurrencyAmount(_ word: String) -> Bool {
        let parts = word.split(separator: ".", omittingEmptySubsequences: false)
        if parts.count == 1 { return true }
        if parts.count > 2 { return false }
        return parts[1].count < 3
    }
}

extension Lexicon {
    func number(_ text: String, currency: Character?, isHead: Bool) -> (String, Int)? {
        var word = Substring(text)
        var suffix = ""
        while let last = word.last, last.isASCII, last.isLowercase || last == "'" {
            suffix.insert(last, at: suffix.startIndex)
            word = word.dropLast()
        }
        var result: [(String, Int)] = []
        if word.hasPrefix("-") {
            if let minus = lookup("minus", tag: nil, stress: nil, context: nil) { result.append(minus) }
            word = word.dropFirst()
        }
        func extend(words: String) {
            for part in words.split(whereSeparator: { !$0.isLetter }) where part != "and" {
                let stress: Double? = part == "point" ? -2 : nil
                if let ps = lookup(String(part), tag: nil, stress: stress, context: nil) { result.append(ps) }
            }
        }
        func extend(digits: Substring) { extend(words: NumberWords.cardinal(Int(digits) ?? 0)) }
        let plain = word.replacingOccurrences(of: ",", with: "")
        if NumberReader.isDigits(word), NumberReader.ordinalSuffixes.contains(suffix), let n = Int(word) {
            extend(words: NumberWords.ordinal(n))
        } else if result.isEmpty, word.count == 4, currency.flatMap({ NumberReader.currencies[$0] }) == nil,
                  NumberReader.isDigits(word), let n = Int(word) {
            extend(words: NumberWords.year(n))
        } else if !isHead, !word.contains(".") {
            if plain.first == "0" || plain.count > 3 {
                for d in plain { extend(digits: Substring(String(d))) }
            } else if plain.count == 3, !plain.hasSuffix("00") {
                extend(digits: plain.prefix(1))
                if plain.dropFirst().first == "0" {
                    if let oh = lookup("O", tag: nil, stress: -2, context: nil) { result.append(oh) }
                    extend(digits: plain.suffix(1))
                } else {
                    extend(digits: plain.suffix(2))
                }
            } else {
                extend(digits: Substring(plain))
            }
        } else if word.filter({ $0 == "." }).count > 1 || !isHead {
            for part in plain.split(separator: ".", omittingEmptySubsequences: true) {
                if part.first == "0" || (part.count != 2 && part.dropFirst().contains { $0 != "0" }) {
                    for d in part { extend(digits: Substring(String(d))) }
                } else {
                    extend(digits: part)
                }
            }
        } else if let currency, let units = NumberReader.currencies[currency], NumberReader.isCurrencyAmount(String(word)) {
            let parts = plain.split(separator: ".", omittingEmptySubsequences: false)
            var pairs: [(Int, String)] = [(Int(parts[0]) ?? 0, units.unit)]
            if parts.count > 1 { pairs.append((Int(parts[1]) ?? 0, units.cents)) }
            if pairs.count > 1 {
                if pairs[1].0 == 0 { pairs = [pairs[0]] } else if pairs[0].0 == 0 { pairs = [pairs[1]] }
            }
            for (index, (amount, unit)) in pairs.enumerated() {
                if index > 0, let and = lookup("and", tag: nil, stress: nil, context: nil) { result.append(and) }
                extend(words: NumberWords.cardinal(amount))
                let spoken = abs(amount) != 1 && unit != "pence"
                    ? stemS(unit + "s", tag: nil, stress: nil, context: nil)
                    : lookup(unit, tag: nil, stress: nil, context: nil)
                if let spoken { result.append(spoken) }
            }
        } else if NumberReader.isDigits(plain), let n = Int(plain) {
            extend(words: NumberReader.ordinalSuffixes.contains(suffix) ? NumberWords.ordinal(n) : NumberWords.cardinal(n))
        } else if plain.hasPrefix(".") {
            extend(words: "point " + plain.dropFirst().map { NumberWords.cardinal(Int(String($0)) ?? 0) }.joined(separator: " "))
        } else {
            extend(words: NumberWords.decimal(plain))
        }
        guard !result.isEmpty else { return nil }
        let ps = result.map(\.0).joined(separator: " ")
        let rating = result.map(\.1).min() ?? 3
        switch suffix {
        case "s", "'s": return pluralS(ps).map { ($0, rating) }
        case "ed", "'d": return pastEd(ps).map { ($0, rating) }
        case "ing": return participleIng(ps).map { ($0, rating) }
        default: return (ps, rating)
        }
    }
}
