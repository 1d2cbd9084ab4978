/// misaki's regrouping of tokens into spoken words: pieces written without a space between
/// them ("well-known", "Oswald's", "1990s") form one group that is looked up as a whole
/// first; punctuation becomes the marks Kokoro knows; currency signs move onto the amount.
enum Retokenizer {
    enum Word {
        case single(Token)
        case group([Token])

        /// The word as one token, its pieces' phonemes joined (with a space between pieces
        /// that were looked up separately in mixed words like "3D" or "A/B").
        var merged: Token {
            switch self {
            case .single(let token): return token
            case .group(let tokens):
                var token = Token.merging(tokens[...])
                var ps = ""
                for piece in tokens {
                    if piece.prespace, let last = ps.last, !last.isWhitespace, piece.phonemes?.isEmpty == false { ps += " " }
                    ps += piece.phonemes ?? ""
                }
                token.phonemes = ps
                return token
            }
        }
    }

    /// Pieces that carry no sound of their own inside a word.
    static let junk: Set<Character> = ["'", ",", "-", ".", "_", "‘", "’", "/"]
    private static let clausePunctuation: Set<Character> = [";", ":", ",", ".", "!", "?", "—", "…"]
    private static let punctuation: Set<Character> = [";", ":", ",", ".", "!", "?", "—", "…", "\"", "“", "”"]
    private static let punctuationTags: Set<String> = [".", ",", "-LRB-", "-RRB-", "``", "\"\"", "''", ":", "$", "#", "NFP"]

    static func words(from tokens: [Token]) -> [Word] {
        var words: [Word] = []
        var currency: Character?
        for (i, token) in tokens.enumerated() {
            var pieces: [Token]
            if token.alias == nil, token.phonemes == nil {
                pieces = Tokenizer.subtokenize(token.text).map { text in
                    var piece = Token(text: text, tag: token.tag)
                    piece.stress = token.stress
                    piece.source = token.source
                    return piece
                }
                if pieces.isEmpty { continue }
            } else {
                pieces = [token]
            }
            pieces[pieces.count - 1].spaceAfter = token.spaceAfter
            for j in pieces.indices {
                var piece = pieces[j]
                if piece.alias != nil || piece.phonemes != nil {
                } else if piece.tag == "$", piece.text.count == 1, let sign = piece.text.first, NumberReader.currencies[sign] != nil {
                    currency = sign
                    piece.phonemes = ""
                } else if piece.tag == ":", piece.text == "-" || piece.text == "–" {
                    piece.phonemes = "—"
                } else if punctuationTags.contains(piece.tag), !piece.text.allSatisfy(\.isASCIILetter) {
                    piece.phonemes = mark(piece, after: i > 0 ? tokens[i - 1] : nil)
                } else if let sign = currency {
                    if piece.tag != "CD" {
                        currency = nil
                    } else if j + 1 == pieces.count, i + 1 == tokens.count || tokens[i + 1].tag != "CD" {
                        piece.currency = sign
                    }
                } else if j > 0, j < pieces.count - 1, piece.text == "2",
                          pieces[j - 1].text.last?.isLetter == true, pieces[j + 1].text.first?.isLetter == true {
                    piece.alias = "to"
                }
                if piece.alias != nil || piece.phonemes != nil {
                    words.append(.single(piece))
                } else if case .group(var group)? = words.last, group.last?.spaceAfter == false {
                    piece.isHead = false
                    group.append(piece)
                    words[words.count - 1] = .group(group)
                } else {
                    words.append(piece.spaceAfter ? .single(piece) : .group([piece]))
                }
            }
        }
        return words.map { if case .group(let g) = $0, g.count == 1 { .single(g[0]) } else { $0 } }
    }

    /// Straight quotes open after a space and close otherwise, as curly quotes.
    private static func mark(_ token: Token, after previous: Token?) -> String {
        switch token.tag {
        case "-LRB-": return "("
        case "-RRB-": return ")"
        case "``": return "“"
        case "''": return "”"
        case "\"\"": return previous == nil || previous!.spaceAfter ? "“" : "”"
        default: return String(token.text.filter(punctuation.contains))
        }
    }

    /// In a compound of several stressed parts misaki keeps the heavier half's stress and
    /// demotes the rest; mixed words (letters with digits or slashes) are read as separate words.
    static func resolveStress(_ group: inout [Token]) {
        let text = Token.merging(group[...]).text
        var classes = Set<Int>()
        for c in text where !junk.contains(c) { classes.insert(c.isLetter ? 0 : (c.isASCIIDigit ? 1 : 2)) }
        let prespace = text.contains(" ") || text.contains("/") || classes.count > 1
        for i in group.indices {
            if group[i].phonemes == nil {
                if i == group.count - 1, group[i].text.count == 1, clausePunctuation.contains(group[i].text.first!) {
                    group[i].phonemes = group[i].text
                } else if group[i].text.allSatisfy(junk.contains) {
                    group[i].phonemes = ""
                }
            } else if i > 0 {
                group[i].prespace = prespace
            }
        }
        if prespace { return }
        var stressed: [(hasPrimary: Bool, weight: Int, index: Int)] = []
        for (i, token) in group.enumerated() {
            guard let ps = token.phonemes, !ps.isEmpty else { continue }
            stressed.append((ps.contains(Stress.primary), Stress.weight(ps), i))
        }
        if stressed.count == 2, group[stressed[0].index].text.count == 1 {
            let i = stressed[1].index
            group[i].phonemes = Stress.apply(group[i].phonemes!, -0.5)
            return
        }
        let primaries = stressed.filter(\.hasPrimary).count
        guard stressed.count >= 2, primaries > (stressed.count + 1) / 2 else { return }
        let demoted = stressed.sorted { ($0.hasPrimary ? 1 : 0, $0.weight, $0.index) < ($1.hasPrimary ? 1 : 0, $1.weight, $1.index) }
        for entry in demoted.prefix(stressed.count / 2) {
            group[entry.index].phonemes = Stress.apply(group[entry.index].phonemes!, -0.5)
        }
    }
}

extension Token {
    /// Several pieces as one token: the text joined, the tag of the most capitalised piece.
    static func merging(_ tokens: ArraySlice<Token>) -> Token {
        var text = ""
        for (offset, token) in tokens.enumerated() {
            text += token.text
            if offset < tokens.count - 1, token.spaceAfter { text += " " }
        }
        let tagged = tokens.max { weight($0.text) < weight($1.text) } ?? tokens[tokens.startIndex]
        var merged = Token(text: text, tag: tagged.tag, spaceAfter: tokens.last?.spaceAfter ?? false)
        merged.isHead = tokens.first?.isHead ?? true
        let stresses = Set(tokens.compactMap(\.stress))
        merged.stress = stresses.count == 1 ? stresses.first : nil
        merged.currency = tokens.compactMap(\.currency).max()
        merged.source = tokens.compactMap(\.source).reduce(nil) { union, range in
            union.map { min($0.lowerBound, range.lowerBound)..<max($0.upperBound, range.upperBound) } ?? range
        }
        return merged
    }

    private static func weight(_ text: String) -> Int {
        text.reduce(0) { $0 + ($1.isLowercase || !$1.isLetter ? 1 : 2) }
    }
}
