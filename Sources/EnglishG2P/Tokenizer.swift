/// Splits text into words and marks the way spaCy's English tokenizer does, which is what
/// misaki's rules expect: leading and trailing punctuation, clitics (`n't`, `'s`, `'ll`),
/// and dashes become tokens of their own; abbreviations keep their periods.
enum Tokenizer {
    private static let prefixMarks: Set<Character> = ["\"", "'", "(", "[", "{", "“", "‘", "¿", "¡", "$", "£", "€", "¥", "#", "*", "<", "«", "…", "—", "–", "~"]
    private static let suffixMarks: Set<Character> = ["\"", "'", ")", "]", "}", "”", "’", ",", ";", ":", "!", "?", "%", "…", "*", ">", "»", "—", "–", "~", "."]
    private static let clitics = ["n't", "n’t", "'s", "’s", "'ll", "’ll", "'re", "’re", "'ve", "’ve", "'d", "’d", "'m", "’m", "'S", "N'T", "'LL", "'RE", "'VE", "'D", "'M"]
    /// Abbreviations whose period is part of the word.
    static let abbreviations: Set<String> = [
        "Mr.", "Mrs.", "Ms.", "Dr.", "St.", "Jr.", "Sr.", "Mt.", "Ft.", "Gen.", "Gov.", "Col.", "Capt.", "Lt.", "Sgt.",
        "Rev.", "Prof.", "Hon.", "Inc.", "Ltd.", "Co.", "Corp.", "Bros.", "No.", "Esq.", "Etc.", "etc.", "vs.", "Vs.",
        "Jan.", "Feb.", "Mar.", "Apr.", "Jun.", "Jul.", "Aug.", "Sep.", "Sept.", "Oct.", "Nov.", "Dec.",
        "Ave.", "Blvd.", "Rd.", "Dept.", "Univ.", "Assn.", "Bros.", "approx.", "dept.", "est.", "fig.", "vol.",
    ]

    static func tokenize(_ text: String) -> [Token] {
        var tokens: [Token] = []
        for chunk in text.split(whereSeparator: \.isWhitespace) {
            let start = tokens.count
            split(chunk, into: &tokens)
            if tokens.count > start { tokens[tokens.count - 1].spaceAfter = true }
        }
        if !tokens.isEmpty { tokens[tokens.count - 1].spaceAfter = false }
        return tokens
    }

    private static func split(_ chunk: Substring, into tokens: inout [Token]) {
        var rest = chunk
        while let first = rest.first, prefixMarks.contains(first), rest.count > 1 || !first.isLetter {
            let run = markRun(rest, from: rest.startIndex)
            tokens.append(Token(text: String(rest[..<run])))
            rest = rest[run...]
        }
        var suffixes: [String] = []
        while !rest.isEmpty, !isWhole(rest) {
            if let last = rest.last, suffixMarks.contains(last), last != "." || rest.count == 1 || !rest.dropLast().contains(".") || rest.hasSuffix("..") {
                if last == ".", rest.hasSuffix("...") {
                    suffixes.append("...")
                    rest = rest.dropLast(3)
                } else if last == "'" || last == "’", rest.count > 2, rest.dropLast().last == "s" || rest.dropLast().last == "S" {
                    break
                } else {
                    suffixes.append(String(last))
                    rest = rest.dropLast()
                }
            } else if rest.utf8.contains(where: { $0 == UInt8(ascii: "'") || $0 >= 0x80 }),
                      let clitic = clitics.first(where: { rest.hasSuffix($0) && rest.count > $0.count }) {
                suffixes.append(clitic)
                rest = rest.dropLast(clitic.count)
            } else {
                break
            }
        }
        if !rest.isEmpty { splitInfixes(rest, into: &tokens) }
        for suffix in suffixes.reversed() { tokens.append(Token(text: suffix)) }
    }

    /// A word the tokenizer must not cut: an abbreviation, or initials like `U.S.` and `p.m.`.
    private static func isWhole(_ word: Substring) -> Bool {
        if abbreviations.contains(String(word)) { return true }
        if word.count == 2, word.first!.isUppercase, word.last == "." { return true }
        guard word.count > 2, word.last == ".", word.dropLast().contains(".") else { return false }
        return word.allSatisfy { $0 == "." || $0.isLetter } && !word.contains("..")
    }

    private static func markRun(_ text: Substring, from index: Substring.Index) -> Substring.Index {
        let mark = text[index]
        var end = text.index(after: index)
        if mark == "." || mark == "-" {
            while end < text.endIndex, text[end] == mark { end = text.index(after: end) }
        }
        return end
    }

    /// Dashes and ellipses inside a chunk separate words (`yes—no`, `well--known`).
    private static func splitInfixes(_ word: Substring, into tokens: inout [Token]) {
        var start = word.startIndex
        var i = word.startIndex
        while i < word.endIndex {
            let c = word[i]
            var end: Substring.Index?
            if c == "—" || c == "–" || c == "…" {
                end = word.index(after: i)
            } else if c == ":", i > word.startIndex, word[word.index(before: i)].isLetter,
                      word.index(after: i) < word.endIndex, word[word.index(after: i)].isLetter {
                end = word.index(after: i)
            } else if c == "-", word[word.index(after: i)...].hasPrefix("-") {
                end = markRun(word, from: i)
            } else if c == ".", word[i...].hasPrefix("..."), i > word.startIndex {
                end = markRun(word, from: i)
            }
            if let end {
                if start < i { tokens.append(Token(text: String(word[start..<i]))) }
                tokens.append(Token(text: String(word[i..<end])))
                start = end
                i = end
            } else {
                i = word.index(after: i)
            }
        }
        if start < word.endIndex { tokens.append(Token(text: String(word[start...]))) }
    }

    /// misaki's second split of a token into pieces it can look up: letters (with inner
    /// apostrophes), numbers (with inner commas and points), camelCase humps, and single marks.
    static func subtokenize(_ word: String) -> [String] {
        if isPlainWord(word) { return [word] }
        let chars = Array(word)
        var pieces: [String] = []
        var i = 0
        func isApostrophe(_ c: Character) -> Bool { c == "'" || c == "‘" || c == "’" }
        if chars.first.map(isApostrophe) == true {
            var j = 0
            while j < chars.count, isApostrophe(chars[j]) { j += 1 }
            pieces.append(String(chars[0..<j]))
            i = j
        }
        while i < chars.count {
            let c = chars[i]
            if c.isUppercase, i + 2 < chars.count, chars[i + 1].isUppercase, chars[i + 2].isLowercase {
                pieces.append(String(c))
                i += 1
            } else if let end = numberEnd(chars, i) {
                pieces.append(String(chars[i..<end]))
                i = end
            } else if c == "-" || c == "_" {
                var j = i
                while j < chars.count, chars[j] == "-" || chars[j] == "_" { j += 1 }
                pieces.append(String(chars[i..<j]))
                i = j
            } else if isApostrophe(c) {
                var j = i
                while j < chars.count, isApostrophe(chars[j]) { j += 1 }
                if j - i >= 2 || j == chars.count { pieces.append(String(chars[i..<j])) }
                i = j
            } else if c.isLetter {
                var j = i
                var split: Int?
                while j < chars.count {
                    if chars[j].isLetter {
                        if split == nil, chars[j].isLowercase, j + 1 < chars.count, chars[j + 1].isUppercase { split = j + 1 }
                        j += 1
                    } else if isApostrophe(chars[j]), j + 1 < chars.count, chars[j + 1].isLetter {
                        j += 2
                    } else {
                        break
                    }
                }
                let end = split ?? j
                pieces.append(String(chars[i..<end]))
                i = end
            } else {
                pieces.append(String(c))
                i += 1
            }
        }
        return pieces
    }

    /// Most tokens are one lowercase or Title-case ASCII word, which is its own only piece.
    private static func isPlainWord(_ word: String) -> Bool {
        var first = true
        for byte in word.utf8 {
            let lower = byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")
            let upper = byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z")
            guard lower || (first && upper) else { return false }
            first = false
        }
        return !first
    }

    /// `(?:^-)?(?:\d?[,.]?\d)+`: digits with single inner commas or points, and a leading
    /// minus only at the start of the token.
    private static func numberEnd(_ chars: [Character], _ start: Int) -> Int? {
        var i = start
        if i == 0, chars[i] == "-" { i += 1 }
        var matched = false
        while true {
            var j = i
            if j < chars.count, chars[j].isASCIIDigit { j += 1 }
            if j < chars.count, chars[j] == "," || chars[j] == "." { j += 1 }
            guard j < chars.count, chars[j].isASCIIDigit else {
                if i < chars.count, chars[i].isASCIIDigit {
                    i += 1
                    matched = true
                }
                break
            }
            i = j + 1
            matched = true
        }
        return matched ? i : nil
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
