import Foundation

/// Numbers whose reading depends on what is written around them: amounts with a magnitude
/// ("$7.5M", "13B parameters"), scores and ratios ("5:4"), and version strings ("v2.4.1").
extension TextNormalizer {
    private static let magnitudes: [String: String] = [
        "K": "thousand", "k": "thousand", "M": "million", "m": "million", "MM": "million", "mn": "million",
        "B": "billion", "b": "billion", "bn": "billion", "Bn": "billion", "BN": "billion", "T": "trillion", "tn": "trillion",
        "thousand": "thousand", "million": "million", "billion": "billion", "trillion": "trillion",
    ]
    private static let currencyNames: [String: String] = ["$": "dollars", "£": "pounds", "€": "euros", "¥": "yen"]

    /// $7.5M → 7.5 million dollars; €2.3bn, £40K, $6.1 billion. The currency moves after
    /// the magnitude, where it is said, and the amount reads as a plain number (misaki's
    /// money reading would give "seven dollars and five cents").
    static let currencyMagnitude = PatternRewrite(
        #"([$£€¥])\s?(\d[\d,]*(?:\.\d+)?)\s?(K|k|MM|M|mn|m|bn|Bn|BN|B|b|tn|T|(?i:thousand|million|billion|trillion))(?![\w'’])"#
    ) { groups in
        guard let magnitude = magnitudes[groups[3]!.lowercased()] ?? magnitudes[groups[3]!] else { return nil }
        return "\(groups[2]!) \(magnitude) \(currencyNames[groups[1]!]!)"
    }

    /// Words after which a number with a letter is a label (seat 14B, Apartment 2B).
    private static let labelWords: Set<String> = [
        "apartment", "apt", "room", "seat", "gate", "suite", "unit", "flat", "platform", "row", "floor", "level",
        "terminal", "bus", "route", "flight", "form", "page", "figure", "fig", "chapter", "section", "table",
        "grade", "class", "model", "type", "size", "vitamin", "highway", "interstate", "no", "number", "block", "building",
    ]

    /// 13B parameters → 13 billion parameters; 500K users, 1.5M downloads, 2.3bn people.
    /// Written against the number (13 B is a letter); K needs 10 or more or a decimal, since
    /// 4K and 5K read as letters; a label's number keeps its letter.
    static let plainMagnitude = PatternRewrite(
        #"(?:\b([A-Za-z]+)(\.?\s+))?(?<![\w.,/#$£€¥-])(\d[\d,]*(?:\.\d+)?)(K|k|M|B|bn|T)(?![\w'’])"#
    ) { groups in
        let previous = groups[1].map { $0 + groups[2]! } ?? ""
        let number = groups[3]!, suffix = groups[4]!
        if let word = groups[1], labelWords.contains(word.lowercased()) { return nil }
        if suffix.lowercased() == "k", !number.contains("."), let value = Int(number), value < 10 { return nil }
        return "\(previous)\(number) \(magnitudes[suffix]!)"
    }

    /// 5:4 → 5 to 4: a score or a ratio, where a clock time would need two digits of
    /// minutes (the time rewrite has already taken those). After a capitalised word
    /// ("Genesis 1:1") it is a reference, and left alone.
    static let ratio = PatternRewrite(#"(?:\b([A-Za-z]+)(\s+))?(?<![\w.,:/])(\d{1,3}):(\d{1,3})(?![\d:]|[.,]\d)"#) { groups in
        if let word = groups[1], word.first!.isUppercase { return nil }
        let previous = groups[1].map { $0 + groups[2]! } ?? ""
        return "\(previous)\(groups[3]!) to \(groups[4]!)"
    }

    /// The parts of a version said one by one with "point" between them: 3.10 is "three
    /// point ten", not a decimal, and a leading zero is "oh" (24.04 → twenty-four point oh four).
    private static func spokenVersion(_ version: String) -> String {
        version.split(separator: ".").map { part in
            part.count > 1 && part.first == "0" ? "oh " + part.dropFirst() : String(part)
        }.joined(separator: " point ")
    }

    /// v2.4.1 → version 2 point 4 point 1; v2 → version 2. A capital V only before a dotted
    /// version, since V8 and V2 are names.
    static let prefixedVersion = PatternRewrite(#"\b([vV])(\d+(?:\.\d+)*)(?![\w]|\.\d)"#) { groups in
        guard groups[1] == "v" || groups[2]!.contains(".") else { return nil }
        return "version " + spokenVersion(groups[2]!)
    }

    /// version 3.10 → version 3 point 10; ver. 2.1 → version 2 point 1.
    static let namedVersion = PatternRewrite(#"\b([Vv]ersion|[Vv]er\.)\s+(\d+(?:\.\d+)+)(?![\w]|\.\d)"#) { groups in
        let word = groups[1]!.hasPrefix("V") ? "Version" : "version"
        return "\(word) \(spokenVersion(groups[2]!))"
    }

    /// Swift 6.3.1 → Swift 6 point 3 point 1: three dotted numbers are a version (dates were
    /// read before; IP addresses have four parts and stay as they are).
    static let dottedVersion = PatternRewrite(#"(?<![\w.])(\d+\.\d+\.\d+)(?![\w]|\.\d)"#) { groups in
        spokenVersion(groups[1]!)
    }
}
