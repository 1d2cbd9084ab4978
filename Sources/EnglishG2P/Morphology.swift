/// Inflections of words the dictionaries lack but whose stem they know: misaki's -s, -ed
/// and -ing rules, with the voicing and epenthesis English spelling hides
/// (cats /s/, dogs /z/, horses /ᵻz/; walked /t/, played /d/, wanted /ᵻd/; US flapping).
extension Lexicon {
    /// Vowels and /ɹ/ before which a US /t/ flaps (wanted → wˈɑnɾᵻd).
    private static let flappingPredecessors: Set<Character> = Set("AIOWYiuæɑəɛɪɹʊʌ")

    func pluralS(_ stem: String) -> String? {
        guard let last = stem.last else { return nil }
        if "ptkfθ".contains(last) { return stem + "s" }
        if "szʃʒʧʤ".contains(last) { return stem + (british ? "ɪ" : "ᵻ") + "z" }
        return stem + "z"
    }

    func stemS(_ word: String, tag: String?, stress: Double?, context: TokenContext?) -> (String, Int)? {
        guard word.count >= 3, word.hasSuffix("s") else { return nil }
        let stem: String
        if !word.hasSuffix("ss"), isKnown(String(word.dropLast())) {
            stem = String(word.dropLast())
        } else if word.hasSuffix("'s") || (word.count > 4 && word.hasSuffix("es") && !word.hasSuffix("ies")),
                  isKnown(String(word.dropLast(2))) {
            stem = String(word.dropLast(2))
        } else if word.count > 4, word.hasSuffix("ies"), isKnown(String(word.dropLast(3)) + "y") {
            stem = String(word.dropLast(3)) + "y"
        } else {
            return nil
        }
        guard let (ps, rating) = lookup(stem, tag: tag, stress: stress, context: context), let s = pluralS(ps) else { return nil }
        return (s, rating)
    }

    func pastEd(_ stem: String) -> String? {
        guard let last = stem.last else { return nil }
        if "pkfθʃsʧ".contains(last) { return stem + "t" }
        if last == "d" { return stem + (british ? "ɪ" : "ᵻ") + "d" }
        if last != "t" { return stem + "d" }
        if british || stem.count < 2 { return stem + "ɪd" }
        if Self.flappingPredecessors.contains(stem[stem.index(stem.endIndex, offsetBy: -2)]) {
            return stem.dropLast() + "ɾᵻd"
        }
        return stem + "ᵻd"
    }

    func stemEd(_ word: String, tag: String?, stress: Double?, context: TokenContext?) -> (String, Int)? {
        guard word.count >= 4, word.hasSuffix("d") else { return nil }
        let stem: String
        if !word.hasSuffix("dd"), isKnown(String(word.dropLast())) {
            stem = String(word.dropLast())
        } else if word.count > 4, word.hasSuffix("ed"), !word.hasSuffix("eed"), isKnown(String(word.dropLast(2))) {
            stem = String(word.dropLast(2))
        } else {
            return nil
        }
        guard let (ps, rating) = lookup(stem, tag: tag, stress: stress, context: context), let ed = pastEd(ps) else { return nil }
        return (ed, rating)
    }

    func participleIng(_ stem: String) -> String? {
        guard let last = stem.last else { return nil }
        if british {
            if last == "ə" || last == "ː" { return nil }
        } else if stem.count > 1, last == "t", Self.flappingPredecessors.contains(stem[stem.index(stem.endIndex, offsetBy: -2)]) {
            return stem.dropLast() + "ɾɪŋ"
        }
        return stem + "ɪŋ"
    }

    func stemIng(_ word: String, tag: String?, stress: Double?, context: TokenContext?) -> (String, Int)? {
        guard word.count >= 5, word.hasSuffix("ing") else { return nil }
        let base = String(word.dropLast(3))
        let stem: String
        if word.count > 5, isKnown(base) {
            stem = base
        } else if isKnown(base + "e") {
            stem = base + "e"
        } else if word.count > 5, Self.hasDoubledConsonantBeforeIng(word), isKnown(String(base.dropLast())) {
            stem = String(base.dropLast())
        } else {
            return nil
        }
        guard let (ps, rating) = lookup(stem, tag: tag, stress: stress, context: context), let ing = participleIng(ps) else { return nil }
        return (ing, rating)
    }

    /// running, stopping, picking: the doubled letter belongs to the ending, not the stem.
    private static func hasDoubledConsonantBeforeIng(_ word: String) -> Bool {
        if word.hasSuffix("cking") { return true }
        let chars = Array(word.utf8.suffix(5))
        guard chars.count == 5 else { return false }
        return chars[0] == chars[1] && "bcdgklmnprstvxz".utf8.contains(chars[0])
    }
}
