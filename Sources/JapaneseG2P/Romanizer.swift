import KokoroPhonemizer

/// misaki's cutlet from MeCab's words to its IPA string (`Cutlet.__call__` and
/// `_romaji_tokens` in misaki 0.9.4's misaki/cutlet.py).
///
/// Each word is read from its unidic pronunciation (`pron`, else `kana`, else as written) in
/// hiragana; consecutive words of one kind that together form an entry of misaki's word list
/// are read as one word (so that っ, ん and small kana see across them). Words are spaced
/// apart, with punctuation glued to the word before it (and opening quotes or brackets to
/// the word after), and ʔ glued to its neighbours. Words MeCab does not know come out as
/// written when ASCII, through the punctuation table when symbols, as kana when katakana,
/// and are dropped otherwise (unknown kanji), as in misaki. Each phoneme word reads the part
/// of the caller's text its MeCab words came from.
struct Romanizer: Sendable {
    let words: WordList

    /// A word as cutlet sees it: what it spells, how it reads (hiragana) and its kind:
    /// 6 for words MeCab knows and katakana, else MeCab's character class (3: symbols).
    private struct Word {
        var surface: [Unicode.Scalar]
        var kana: [Unicode.Scalar]
        var kind: UInt8
        var source: Range<Int>?
    }

    /// An output scalar and the part of the caller's text it reads.
    private typealias Sourced = (scalar: Unicode.Scalar, source: Range<Int>?)

    private static let knownKind: UInt8 = 6, symbolKind: UInt8 = 3, katakanaClass: UInt8 = 7

    /// The phonemes of MeCab's words, each word given with what it reads in the caller's text.
    func phonemes(of nodes: [(node: MeCab.Node, source: Range<Int>?)]) -> PhonemizedText {
        let words = grouped(nodes.map { node, source in
            let feature = UnidicFeature(node.feature)
            let reading = [feature.pron, feature.kana].compactMap { $0 }.first { !$0.isEmpty } ?? node.surface
            let kind = node.characterType == Self.katakanaClass || !node.isUnknown ? Self.knownKind : node.characterType
            return Word(surface: Array(node.surface.unicodeScalars), kana: KanaReading.hiragana(reading.unicodeScalars),
                        kind: kind, source: source)
        })
        var tokens: [(text: String, spaced: Bool, source: Range<Int>?)] = []
        for word in words {
            let text = Self.reading(of: word)
            var spaced = true
            if Self.isSubstring(word.surface, of: "「『«") || Self.isSubstring(text, of: "([") {
                if !tokens.isEmpty { tokens[tokens.count - 1].spaced = true }
                spaced = false
            } else if Self.isSubstring(word.surface, of: "」』»") || Self.isSubstring(text, of: "]).,?!:") {
                if !tokens.isEmpty { tokens[tokens.count - 1].spaced = false }
            } else if text == " " {
                spaced = false
            }
            tokens.append((text, spaced, word.source))
        }
        var joined: [Sourced] = []
        for token in tokens {
            // Leftover sokuon (cutlet's; misaki's reading never leaves one) is dropped.
            joined += token.text.unicodeScalars.filter { $0 != "っ" }.map { ($0, token.source) }
            if token.spaced { joined.append((" ", token.source)) }
        }
        return Self.words(of: Self.gluingGlottalStops(Self.collapsingWhitespace(joined)))
    }

    /// Runs of words of one kind joined where misaki's word list has the join: from each
    /// word, the longest such run (a single word stays alone).
    private func grouped(_ words: [Word]) -> [Word] {
        var groups: [Word] = []
        var start = 0
        while start < words.count {
            let kindEnd = words[(start + 1)...].firstIndex { $0.kind != words[start].kind } ?? words.count
            var bytes: [UInt8] = [], ends: [Int] = []
            for word in words[start..<kindEnd] {
                bytes += String(String.UnicodeScalarView(word.surface)).utf8
                guard bytes.count <= self.words.longest else { break }
                ends.append(bytes.count)
            }
            let length = ends.indices.reversed().first { self.words.contains(Array(bytes[..<ends[$0]])) }.map { $0 + 1 } ?? 1
            let group = words[start..<start + length]
            groups.append(Word(surface: group.flatMap(\.surface), kana: group.flatMap(\.kana), kind: group.first!.kind,
                               source: group.map(\.source).reduce(nil, Self.union)))
            start += length
        }
        return groups
    }

    /// One word's IPA (`_romaji_word`).
    private static func reading(of word: Word) -> String {
        if word.surface.allSatisfy(\.isASCII) { return String(String.UnicodeScalarView(word.surface)) }
        if word.kind == symbolKind {
            return word.surface.map { HepburnTable.reading($0) ?? String($0) }.joined()
        }
        guard word.kind == knownKind else { return "" }
        return KanaReading.ipa(of: word.kana)
    }

    /// Python's `needle in haystack` for strings: a substring test, true for an empty needle.
    private static func isSubstring(_ needle: [Unicode.Scalar], of haystack: String) -> Bool {
        let hay = Array(haystack.unicodeScalars)
        guard needle.count <= hay.count else { return false }
        return (0...(hay.count - needle.count)).contains { Array(hay[$0..<$0 + needle.count]) == needle }
    }

    private static func isSubstring(_ needle: String, of haystack: String) -> Bool {
        isSubstring(Array(needle.unicodeScalars), of: haystack)
    }

    /// Trimmed, every run of whitespace one space, and parentheses as « » (misaki's
    /// `re.sub(r'\s+', ' ', out.strip())` and its replaces).
    private static func collapsingWhitespace(_ text: [Sourced]) -> [Sourced] {
        var out: [Sourced] = []
        var pendingSpace: Sourced?
        for item in text {
            if isPythonSpace(item.scalar) {
                if !out.isEmpty { pendingSpace = (" ", item.source) }
                continue
            }
            if let space = pendingSpace { out.append(space) }
            pendingSpace = nil
            out.append((item.scalar == "(" ? "«" : item.scalar == ")" ? "»" : item.scalar, item.source))
        }
        return out
    }

    /// Python's `str.isspace`: Unicode White_Space and the four ASCII separators 0x1C–0x1F.
    private static func isPythonSpace(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.isWhitespace || (0x1C...0x1F).contains(scalar.value)
    }

    private static let beforeGlottalKept: Set<Unicode.Scalar> = ["!", "\"", ",", ".", ":", ";", "?", "»", "—", "…", "”"]
    private static let afterGlottalKept: Set<Unicode.Scalar> = ["\"", "«", "“"]

    /// No space before ʔ unless after punctuation, none after it unless before an opening
    /// quote: っ ends or starts a word only by MeCab's cut, so it is read with its neighbours.
    private static func gluingGlottalStops(_ text: [Sourced]) -> [Sourced] {
        text.indices.filter { index in
            guard text[index].scalar == " " else { return true }
            let previous = index > 0 ? text[index - 1].scalar : nil
            let next = index + 1 < text.count ? text[index + 1].scalar : nil
            let beforeGlottal = next == "ʔ" && !(previous.map(beforeGlottalKept.contains) ?? false)
            let afterGlottal = previous == "ʔ" && !(next.map(afterGlottalKept.contains) ?? false)
            return !(beforeGlottal || afterGlottal)
        }.map { text[$0] }
    }

    /// The space-separated words of the output, each with what its scalars read together.
    private static func words(of text: [Sourced]) -> PhonemizedText {
        var sources: [Range<Int>?] = []
        var inWord = false
        for item in text {
            if item.scalar == " " {
                inWord = false
            } else if inWord {
                sources[sources.count - 1] = union(sources[sources.count - 1], item.source)
            } else {
                sources.append(item.source)
                inWord = true
            }
        }
        return PhonemizedText(phonemes: String(String.UnicodeScalarView(text.map(\.scalar))), sources: sources)
    }

    /// The smallest range covering both.
    private static func union(_ a: Range<Int>?, _ b: Range<Int>?) -> Range<Int>? {
        guard let a, let b else { return a ?? b }
        return min(a.lowerBound, b.lowerBound)..<max(a.upperBound, b.upperBound)
    }
}
