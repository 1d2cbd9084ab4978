/// One pinyin syllable taken apart the way misaki's `pinyin_to_ipa` sees it through pypinyin:
/// the tone, and either a whole-syllable reading (interjections such as `er`, `ê`, `o`;
/// syllabic nasals such as `m`, `ng`, `hng`) or the strict initial and final of the
/// 《汉语拼音方案》 (`yu` → final `ü`, `gui` → `g` + `uei`, `jun` → `j` + `ün`).
struct PinyinSyllable: Equatable, Sendable {
    enum Parts: Equatable, Sendable {
        /// An interjection or syllabic consonant, read whole (misaki checks these first).
        case whole(String)
        /// `initial` is nil for syllables with a zero initial (`ai`, `wu`, `yi`).
        case regular(initial: String?, final: String)
    }

    /// 1–4, or 5 for the neutral tone (pypinyin's `neutral_tone_with_five`).
    let tone: Int
    let parts: Parts

    /// Reads a tone-marked syllable from pypinyin's dictionaries (`zhōng`, `lüè`, `ḿ`, `ê̄`);
    /// nil when pypinyin would find no valid final (misaki raises there).
    init?(marked: String) {
        var letters = ""
        var tone = 5
        for scalar in marked.unicodeScalars {
            if let (base, mark) = Self.toneMarks[scalar] {
                letters.unicodeScalars.append(base)
                tone = mark
            } else if let mark = Self.combiningToneMarks[scalar] {
                tone = mark
            } else {
                letters.unicodeScalars.append(scalar)
            }
        }
        self.tone = tone
        if Self.wholeSyllables.contains(letters) {
            parts = .whole(letters)
            return
        }
        let initial = Self.strictInitials.first { letters.hasPrefix($0) }
        guard let final = Self.final(of: letters) else { return nil }
        parts = .regular(initial: initial, final: final)
    }

    /// pypinyin's `get_finals(strict=True)`: restore the written-away parts of the final,
    /// drop the strict initial, and when that leaves no valid final, drop `y`/`w` instead.
    private static func final(of syllable: String) -> String? {
        let restored = restoredFinal(syllable)
        for initials in [strictInitials, strictInitials + ["y", "w"]] {
            let initial = initials.first { restored.hasPrefix($0) } ?? ""
            let final = String(restored.dropFirst(initial.count))
            if finals.contains(final) { return final }
        }
        return nil
    }

    /// pypinyin's `convert_finals`: y/w spellings of a zero initial (`yu` → `ü`, `wei` → `uei`),
    /// `ju qu xu` → `jü qü xü`, and `-iu -ui -un` → `-iou -uei -uen`.
    private static func restoredFinal(_ syllable: String) -> String {
        var s = syllable
        if let first = s.first, first == "y" || first == "w" {
            let rest = s.dropFirst()
            let restored: String
            switch (first, rest.first) {
            case ("y", "u"): restored = "ü" + rest.dropFirst()
            case ("y", "i"), ("w", "u"): restored = String(rest)
            default: restored = (first == "y" ? "i" : "u") + rest
            }
            if finals.contains(restored) { s = restored }
        }
        if let first = s.first, "jqx".contains(first), s.dropFirst().first == "u" {
            s = String(first) + "ü" + s.dropFirst(2)
        }
        // `^[a-z]+iu$`, `[a-z]+ui$`, `[a-z]+un$`: only after an initial.
        for (written, full) in [("iu", "iou"), ("ui", "uei"), ("un", "uen")] where s.hasSuffix(written) {
            let before = s.dropLast(2)
            let spelled = written == "iu" ? !before.isEmpty && before.allSatisfy(\.isASCIILowercaseLetter)
                : before.last?.isASCIILowercaseLetter == true
            if spelled { s = before + full }
        }
        return s
    }

    /// Tone-marked letters and the tone they carry (pypinyin's `phonetic_symbol`).
    private static let toneMarks: [Unicode.Scalar: (Unicode.Scalar, Int)] = {
        var marks: [Unicode.Scalar: (Unicode.Scalar, Int)] = [:]
        for (base, marked) in [("a", "āáǎà"), ("e", "ēéěè"), ("o", "ōóǒò"), ("i", "īíǐì"), ("u", "ūúǔù"), ("ü", "ǖǘǚǜ")] {
            for (tone, scalar) in marked.unicodeScalars.enumerated() { marks[scalar] = (base.unicodeScalars.first!, tone + 1) }
        }
        for (scalar, base, tone) in [("ń", "n", 2), ("ň", "n", 3), ("ǹ", "n", 4), ("ḿ", "m", 2), ("ế", "ê", 2), ("ề", "ê", 4)] {
            marks[scalar.unicodeScalars.first!] = (base.unicodeScalars.first!, tone)
        }
        return marks
    }()

    /// Combining marks on `m` and `ê`, which have no precomposed form for every tone.
    private static let combiningToneMarks: [Unicode.Scalar: Int] = ["\u{0304}": 1, "\u{0301}": 2, "\u{030C}": 3, "\u{0300}": 4]

    /// misaki's `INTERJECTIONS` and `SYLLABIC_CONSONANTS`.
    private static let wholeSyllables: Set<String> = ["io", "ê", "er", "o", "hm", "hng", "m", "n", "ng"]

    /// In pypinyin's order, which `startswith` depends on (`zh` before `z`).
    static let strictInitials = ["b", "p", "m", "f", "d", "t", "n", "l", "g", "k", "h", "j", "q", "x",
                                 "zh", "ch", "sh", "r", "z", "c", "s"]

    /// pypinyin's `_FINALS`.
    static let finals: Set<String> = ["i", "u", "ü", "a", "ia", "ua", "o", "uo", "e", "ie", "üe", "ai", "uai", "ei", "uei",
                                      "ao", "iao", "ou", "iou", "an", "ian", "uan", "üan", "en", "in", "uen", "ün",
                                      "ang", "iang", "uang", "eng", "ing", "ueng", "ong", "iong", "er", "ê"]
}

private extension Character {
    var isASCIILowercaseLetter: Bool { isASCII && isLowercase && isLetter }
}
