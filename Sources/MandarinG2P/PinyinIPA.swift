/// misaki's pinyin → IPA mapping (misaki/transcription.py, from pinyin-to-ipa) with its
/// `retone` arrows, as the legacy `ZHG2P` emits it.
///
/// misaki keeps the first variant of each mapping (`h` → x, `r` → ɻ, `er` → ɚ), turns the
/// syllabic `ɻ̩`/`ɹ̩` of zhi/zi into `ɨ`, writes the tone right after the syllable's vowel
/// (`jɛ→n`, not `jɛn→`) and finally strips the non-syllabic mark U+032F (`ai̯` → `ai`);
/// the tables below are already in that final form.
enum PinyinIPA {
    /// The phonemes of one syllable (the neutral tone has no arrow); nil for a final misaki
    /// has no mapping for (`er`, `ê` after an initial), where misaki raises.
    static func phonemes(of syllable: PinyinSyllable) -> String? {
        let arrow = toneArrows[syllable.tone] ?? ""
        switch syllable.parts {
        case .whole(let letters):
            return wholeSyllables[letters].map { $0 + arrow }
        case .regular(let initial, let final):
            let head = initial.flatMap { initials[$0] } ?? ""
            let apical = final == "i" && ["zh", "ch", "sh", "r", "z", "c", "s"].contains(initial ?? "")
            guard let vowel = apical ? ("ɨ", "") : finals[final] else { return nil }
            return head + vowel.0 + arrow + vowel.1
        }
    }

    static let toneArrows: [Int: String] = [1: "→", 2: "↗", 3: "↓", 4: "↘"]

    static let initials: [String: String] = [
        "b": "p", "c": "ʦʰ", "ch": "ꭧʰ", "d": "t", "f": "f", "g": "k", "h": "x", "j": "ʨ", "k": "kʰ", "l": "l",
        "m": "m", "n": "n", "p": "pʰ", "q": "ʨʰ", "r": "ɻ", "s": "s", "sh": "ʂ", "t": "tʰ", "x": "ɕ", "z": "ʦ", "zh": "ꭧ",
    ]

    /// Each final split where the tone goes: (up to and with the vowel, the coda after it).
    static let finals: [String: (String, String)] = [
        "a": ("a", ""), "ai": ("ai", ""), "an": ("a", "n"), "ang": ("a", "ŋ"), "ao": ("au", ""),
        "e": ("ɤ", ""), "ei": ("ei", ""), "en": ("ə", "n"), "eng": ("ə", "ŋ"),
        "i": ("i", ""), "ia": ("ja", ""), "ian": ("jɛ", "n"), "iang": ("ja", "ŋ"), "iao": ("jau", ""), "ie": ("je", ""),
        "in": ("i", "n"), "iou": ("jou", ""), "ing": ("i", "ŋ"), "iong": ("jʊ", "ŋ"), "ong": ("ʊ", "ŋ"), "ou": ("ou", ""),
        "u": ("u", ""), "uei": ("wei", ""), "ua": ("wa", ""), "uai": ("wai", ""), "uan": ("wa", "n"), "uen": ("wə", "n"),
        "uang": ("wa", "ŋ"), "ueng": ("wə", "ŋ"), "uo": ("wo", ""), "o": ("wo", ""),
        "ü": ("y", ""), "üe": ("ɥe", ""), "üan": ("ɥɛ", "n"), "ün": ("y", "n"),
    ]

    /// Interjections and syllabic consonants.
    static let wholeSyllables: [String: String] = [
        "io": "jɔ", "ê": "ɛ", "er": "ɚ", "o": "ɔ", "hm": "hm", "hng": "hŋ", "m": "m", "n": "n", "ng": "ŋ",
    ]
}
