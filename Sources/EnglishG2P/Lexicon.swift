import Foundation

/// What the words to the right of a word tell its pronunciation: whether the next sound
/// is a vowel (nil at a clause end) and whether the next word is "to".
struct TokenContext: Sendable {
    var futureVowel: Bool?
    var futureTo = false
}

/// Dictionary look-up with misaki's rules: case variants, tagged homographs, the special
/// function words, and spelling out of acronyms. Ratings say how trustworthy a result is
/// (4 gold, 3 silver or derived), which decides nothing here but is kept for inline marks.
struct Lexicon: Sendable {
    let british: Bool
    private let golds: [String: LexiconEntry]
    private let silvers: [String: LexiconEntry]

    static let symbols: [String: String] = ["%": "percent", "&": "and", "+": "plus", "@": "at"]
    private static let addSymbols: [String: String] = [".": "dot", "/": "slash"]

    init(directory: URL, british: Bool) throws {
        let prefix = british ? "gb" : "us"
        let gold = directory.appendingPathComponent("\(prefix)_gold.json")
        let silver = directory.appendingPathComponent("\(prefix)_silver.json")
        for file in [gold, silver] where !FileManager.default.fileExists(atPath: file.path) {
            throw LexiconError.missing(file.path)
        }
        // The two files are independent; parsing them side by side halves start-up.
        nonisolated(unsafe) var loaded: [Result<[String: LexiconEntry], Error>] = [.success([:]), .success([:])]
        DispatchQueue.concurrentPerform(iterations: 2) { index in
            loaded[index] = Result { try LexiconFile.load(index == 0 ? gold : silver) }
        }
        self.british = british
        golds = try loaded[0].get()
        silvers = try loaded[1].get()
    }

    /// misaki grows its dictionaries with Title-case and lowercase twins; resolving the twin
    /// at look-up time gives the same answers without doubling the tables at start-up.
    private static func find(_ word: String, in table: [String: LexiconEntry]) -> LexiconEntry? {
        if let entry = table[word] { return entry }
        guard word.count >= 2 else { return nil }
        let lower = word.lowercased()
        if lower == word {
            let capital = word.capitalizedFirst
            return capital == word ? nil : table[capital]
        }
        return word == lower.capitalizedFirst ? table[lower] : nil
    }

    func gold(_ word: String) -> LexiconEntry? { Self.find(word, in: golds) }
    func silver(_ word: String) -> LexiconEntry? { Self.find(word, in: silvers) }
    func inDictionary(_ word: String) -> Bool { gold(word) != nil || silver(word) != nil }

    /// A gold entry's untagged pronunciation (for words misaki hard-codes by name).
    func goldDefault(_ word: String) -> String? {
        switch gold(word) {
        case .word(let ps): ps
        case .tagged(let tags): tags["DEFAULT"] ?? nil
        case nil: nil
        }
    }

    func goldTagged(_ word: String, _ tag: String) -> String? {
        if case .tagged(let tags) = gold(word), let ps = tags[tag] { return ps }
        return goldDefault(word)
    }

    /// Whether the word's pronunciation depends on its part of speech (not only on whether
    /// a clause ends after it).
    func isPartOfSpeechHomograph(_ word: String) -> Bool {
        guard case .tagged(let tags) = gold(word) else { return false }
        return tags.keys.contains { $0 != "DEFAULT" && $0 != "None" }
    }

    static func parentTag(_ tag: String) -> String {
        if tag.hasPrefix("VB") { return "VERB" }
        if tag.hasPrefix("NN") { return "NOUN" }
        if tag.hasPrefix("ADV") || tag.hasPrefix("RB") { return "ADV" }
        if tag.hasPrefix("ADJ") || tag.hasPrefix("JJ") { return "ADJ" }
        return tag
    }

    /// Spells a word out letter by letter, stressing the last letter (`FBI` → ɛfbiˈI).
    func spelled(_ word: String) -> (String, Int)? {
        var ps = ""
        for c in word where c.isLetter {
            guard case .word(let letter) = gold(String(c).uppercased()), String(c).uppercased().count == 1 else { return nil }
            ps += letter
        }
        return (Stress.promotingLastSecondary(Stress.apply(ps, 0)), 3)
    }

    func lookup(_ word: String, tag: String?, stress: Double?, context: TokenContext?) -> (String, Int)? {
        var word = word
        var isProperNoun = false
        if word == word.uppercased(), gold(word) == nil {
            word = word.lowercased()
            isProperNoun = tag == "NNP"
        }
        var entry = gold(word)
        var rating = 4
        if entry == nil, !isProperNoun {
            entry = silver(word)
            rating = 3
        }
        var ps: String?
        switch entry {
        case .word(let value): ps = value
        case .tagged(let tags):
            var key = tag
            if let context, context.futureVowel == nil, tags["None"] != nil {
                key = "None"
            } else if let tag, tags[tag] == nil {
                key = Self.parentTag(tag)
            }
            if let key, let tagged = tags[key] {
                ps = tagged
            } else {
                ps = tags["DEFAULT"] ?? nil
            }
        case nil: ps = nil
        }
        if ps == nil || (isProperNoun && !ps!.contains(Stress.primary)) {
            if let spelled = spelled(word) { return spelled }
        }
        guard let ps else { return nil }
        return (Stress.apply(ps, stress), rating)
    }

    /// misaki's hand-written function words and symbols, which the dictionaries get wrong
    /// in running speech (reduced "a", "the" before vowels, "to" before vowels…).
    func specialCase(_ word: String, tag: String, stress: Double?, context: TokenContext) -> (String, Int)? {
        if tag == "ADD", let name = Self.addSymbols[word] {
            return lookup(name, tag: nil, stress: -0.5, context: context)
        }
        if let name = Self.symbols[word] {
            return lookup(name, tag: nil, stress: nil, context: context)
        }
        if word.isDottedInitials {
            return spelled(word)
        }
        switch word {
        case "a", "A":
            return (tag == "DT" ? "ɐ" : "ˈA", 4)
        case "am", "Am", "AM":
            if tag.hasPrefix("NN") { return spelled(word) }
            if context.futureVowel == nil || word != "am" || (stress ?? 0) > 0 { return goldDefault("am").map { ($0, 4) } }
            return ("ɐm", 4)
        case "an", "An", "AN":
            if word == "AN", tag.hasPrefix("NN") { return spelled(word) }
            return ("ɐn", 4)
        case "I" where tag == "PRP":
            return ("ˌI", 4)
        case "by", "By", "BY":
            if Self.parentTag(tag) == "ADV" { return ("bˈI", 4) }
        case "to", "To", "TO":
            guard word != "TO" || tag == "TO" || tag == "IN" else { break }
            switch context.futureVowel {
            case nil: return goldDefault("to").map { ($0, 4) }
            case false?: return ("tə", 4)
            case true?: return ("tʊ", 4)
            }
        case "in", "In", "IN":
            guard word != "IN" || tag != "NNP" else { break }
            return ((context.futureVowel == nil || tag != "IN" ? "ˈ" : "") + "ɪn", 4)
        case "the", "The", "THE":
            guard word != "THE" || tag == "DT" else { break }
            return (context.futureVowel == true ? "ði" : "ðə", 4)
        case "used", "Used", "USED":
            if (tag == "VBD" || tag == "JJ"), context.futureTo { return goldTagged("used", "VBD").map { ($0, 4) } }
            return goldDefault("used").map { ($0, 4) }
        default:
            break
        }
        if tag == "IN", word.lowercased() == "vs" || word.lowercased() == "vs." {
            return lookup("versus", tag: nil, stress: nil, context: context)
        }
        return nil
    }

    func isKnown(_ word: String) -> Bool {
        if inDictionary(word) || Self.symbols[word] != nil { return true }
        guard !word.isEmpty, word.allSatisfy(\.isASCIILetter) else { return false }
        if word.count == 1 { return true }
        if word == word.uppercased(), gold(word.lowercased()) != nil { return true }
        let rest = word.dropFirst()
        return rest == rest.uppercased()
    }

    /// misaki's order: special cases, then the word or its lowercase twin, then possessive
    /// apostrophes, then inflections of a known stem.
    func word(_ word: String, tag: String, stress: Double?, context: TokenContext) -> (String, Int)? {
        if let special = specialCase(word, tag: tag, stress: stress, context: context) { return special }
        var word = word
        let lower = word.lowercased()
        if word.count > 1, word != lower, tag != "NNP" || word.count > 7,
           word.allSatisfy({ $0 == "'" || $0.isLetter }), !inDictionary(word),
           word == word.uppercased() || word.dropFirst() == word.dropFirst().lowercased(),
           inDictionary(lower) || stemS(lower, tag: tag, stress: stress, context: context) != nil
            || stemEd(lower, tag: tag, stress: stress, context: context) != nil
            || stemIng(lower, tag: tag, stress: stress, context: context) != nil {
            word = lower
        }
        if isKnown(word) { return lookup(word, tag: tag, stress: stress, context: context) }
        if word.hasSuffix("s'"), isKnown(String(word.dropLast(2)) + "'s") {
            return lookup(String(word.dropLast(2)) + "'s", tag: tag, stress: stress, context: context)
        }
        if word.hasSuffix("'"), isKnown(String(word.dropLast())) {
            return lookup(String(word.dropLast()), tag: tag, stress: stress, context: context)
        }
        if let s = stemS(word, tag: tag, stress: stress, context: context) { return s }
        if let ed = stemEd(word, tag: tag, stress: stress, context: context) { return ed }
        return stemIng(word, tag: tag, stress: stress ?? 0.5, context: context)
    }
}

enum LexiconError: Error, CustomStringConvertible {
    case missing(String)
    var description: String {
        switch self {
        case .missing(let path): "misaki dictionary \(path) is missing; run scripts/setup.sh to install it"
        }
    }
}

extension String {
    /// Python's `str.capitalize`: first letter upper, the rest lower.
    var capitalizedFirst: String {
        guard let first else { return self }
        return first.uppercased() + dropFirst().lowercased()
    }

    /// `p.m.`, `U.S.`, `e.g`: letters in runs of at most two, separated by dots.
    var isDottedInitials: Bool {
        guard utf8.contains(UInt8(ascii: ".")) else { return false }
        var trimmed = Substring(self)
        while trimmed.first == "." { trimmed = trimmed.dropFirst() }
        while trimmed.last == "." { trimmed = trimmed.dropLast() }
        guard trimmed.contains(".") else { return false }
        let parts = split(separator: ".", omittingEmptySubsequences: false)
        return parts.allSatisfy { $0.allSatisfy(\.isLetter) } && parts.contains { !$0.isEmpty }
            && parts.allSatisfy { $0.count < 3 }
    }
}

extension Character {
    var isASCIILetter: Bool { isASCII && isLetter }
}
