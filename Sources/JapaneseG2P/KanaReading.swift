/// cutlet's reading of a word's kana in misaki's IPA (`Cutlet._get_single_mapping` in misaki
/// 0.9.4's misaki/cutlet.py), one kana at a time with its neighbours in the same word.
///
/// Small kana join the kana before them (きゃ → kʲa), っ is a glottal stop ʔ, ー lengthens
/// (ː), and ん takes the place of articulation of the kana after it (m, ŋ, ɲ, n, else ɴ).
/// Neighbours are only looked at inside one word, as cutlet does.
enum KanaReading {
    /// The IPA of `kana` (hiragana) as one word.
    static func ipa(of kana: [Unicode.Scalar]) -> String {
        var out = ""
        for index in kana.indices {
            let previous = index > kana.startIndex ? kana[index - 1] : nil
            let next = index + 1 < kana.endIndex ? kana[index + 1] : nil
            out += reading(kana[index], previous: previous, next: next)
        }
        return out
    }

    private static let smallKana: Set<Unicode.Scalar> = ["ゃ", "ゅ", "ょ", "ぁ", "ぃ", "ぅ", "ぇ", "ぉ"]
    private static let repeatMarks: Set<Unicode.Scalar> = ["〃", "々", "ゝ", "ゞ", "ヽ"]

    /// One kana's share of the word's IPA; a digraph's IPA goes to its second kana.
    private static func reading(_ kana: Unicode.Scalar, previous: Unicode.Scalar?, next: Unicode.Scalar?) -> String {
        if repeatMarks.contains(kana) { return repeatMark(kana, previous: previous) }
        if let previous, let digraph = HepburnTable.reading(previous, kana) { return digraph }
        if let next, HepburnTable.reading(kana, next) != nil { return "" }
        if let next, smallKana.contains(next) {
            // A small kana that makes no digraph with this one replaces this one's vowel.
            if kana == "っ" { return "" }
            return String(String.UnicodeScalarView((HepburnTable.reading(kana) ?? "").unicodeScalars.dropLast()))
                + (HepburnTable.reading(next) ?? "")
        }
        if smallKana.contains(kana) { return "" }
        switch kana {
        case "ー": return "ː"
        case "っ": return "ʔ"
        case "ん": return moraicNasal(before: next)
        default: return HepburnTable.reading(kana) ?? ""
        }
    }

    /// ん before m/p/b is m, before k/ɡ ŋ, before ɲ/ʨ/ʥ ɲ, before n/t/d/ɾ/z n, else ɴ; by the
    /// first letter of the next kana's own reading.
    private static func moraicNasal(before next: Unicode.Scalar?) -> String {
        guard let next, let following = HepburnTable.reading(next)?.unicodeScalars.first else { return "ɴ" }
        switch following {
        case "m", "p", "b": return "m"
        case "k", "ɡ": return "ŋ"
        case "ɲ", "ʨ", "ʥ": return "ɲ"
        case "n", "t", "d", "ɾ", "z": return "n"
        default: return "ɴ"
        }
    }

    /// ゝ repeats the kana before it (as that kana, unread, as cutlet returns it), ゞ repeats
    /// it voiced; 々 and 〃 are dropped, their span being unknown.
    private static func repeatMark(_ mark: Unicode.Scalar, previous: Unicode.Scalar?) -> String {
        guard let previous else { return "" }
        switch mark {
        case "ゝ", "ヽ": return String(previous)
        case "ゞ": return voiced(previous).flatMap { HepburnTable.reading($0) } ?? ""
        default: return ""
        }
    }

    private static let unvoiced = Array("かきくけこさしすせそたちつてとはひふへほ".unicodeScalars)
    private static let voicedKana = Array("がぎぐげござじずぜぞだぢづでどばびぶべぼ".unicodeScalars)

    /// The kana with a dakuten (か → が), if it takes one.
    private static func voiced(_ kana: Unicode.Scalar) -> Unicode.Scalar? {
        unvoiced.firstIndex(of: kana).map { voicedKana[$0] }
    }

    /// jaconv's `kata2hira`: katakana ァ–ヶ, ヽ and ヾ to their hiragana; everything else as is.
    static func hiragana(_ text: some Sequence<Unicode.Scalar>) -> [Unicode.Scalar] {
        text.map { scalar in
            switch scalar.value {
            case 0x30A1...0x30F6, 0x30FD, 0x30FE: Unicode.Scalar(scalar.value - 0x60)!
            default: scalar
            }
        }
    }
}
