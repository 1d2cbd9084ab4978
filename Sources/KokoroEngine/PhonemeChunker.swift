import Foundation

/// Cuts phoneme strings into the pieces the model runs on.
///
/// Kokoro accepts at most 510 tokens, but it sounds best on roughly 100–250: near 510 it
/// rushes, and a few words alone sound off. Pieces are cut at sentence ends first, then at
/// clause punctuation, then at spaces: never inside a word. Consecutive short sentences are
/// joined up to the target so the model sees natural context.
public struct PhonemeChunker: Sendable {
    /// The model's hard limit (its 512 positions minus the two padding tokens).
    public static let maxTokens = 510
    /// Preferred size of a piece.
    public var targetTokens: Int
    /// When set, the first piece is cut short (first clause, or the first few words) so the
    /// first audio of a stream arrives sooner, and the pieces after it grow from there.
    public var firstPieceTokens: Int?
    /// How much each streamed piece may grow over the one before (1–2). With several streams
    /// sharing the pool, a piece is made beside the others' pieces, so it must be well under
    /// the length of the one before: measured on 2 cores with four streams joining a second
    /// apart (`scripts/bench/streams.py --gap 1`), pieces up to 150 tokens growing by up to 2
    /// left two listeners 16 times without audio; up to 100 growing by 1.5, twice.
    public var pieceGrowth: Double = 1.5

    /// About a clause or a short sentence. A model run cannot be interrupted, so a piece
    /// holds its session for its whole length (≈1.2 s at 64 tokens on one thread beside
    /// another): shorter pieces free sessions sooner for other streams, and each session's
    /// working memory grows with the piece (≈1.6 MB per token measured); pieces still end at
    /// sentence or clause marks. At 100, with four streams joining a second apart, the
    /// paragraph's 84-token sentence came due in several streams at once, and in 1 of 10
    /// levels two listeners ran dry while those pieces waited 1.75 s for a session; at 64 no
    /// piece waited like that in 19 levels, and the least time a piece ended before its
    /// listener ran out rose from −305…+193 ms to +319…+480 ms
    /// (`scripts/bench/streams.py --gap 1 --min 4 --max 4`, `--log-level debug` run lines).
    public static let defaultTargetTokens = 64

    public init(targetTokens: Int = defaultTargetTokens, firstPieceTokens: Int? = nil) {
        precondition(targetTokens > 0 && targetTokens <= Self.maxTokens)
        self.targetTokens = targetTokens
        self.firstPieceTokens = firstPieceTokens
    }

    /// Marks after which a clause ends; the mark stays with the words before it.
    static let clauseMarks: Set<Character> = [",", ";", ":", "—", "…", ".", "!", "?"]
    static let sentenceMarks: Set<Character> = [".", "!", "?", "…"]

    /// Pieces of at most `maxTokens` symbols (one symbol is one token) from sentences' phonemes.
    ///
    /// With `firstPieceTokens` set (streaming), piece k may hold up to first × growth^k
    /// tokens (capped at the target): with growth below 1 / the model's real-time factor,
    /// each piece takes less time to synthesize than the audio already sent lasts, so a
    /// stream that starts early never runs dry.
    public func chunks(_ sentences: [String]) -> [String] {
        var queue = sentences.map { $0.trimmingWhitespace() }.filter { !$0.isEmpty }
        var pieces: [String] = []
        if let firstLimit = firstPieceTokens, !queue.isEmpty {
            // A first sentence of a word or two ("Hello!") plays for less time than the next
            // piece takes to make: start with the sentence after it too.
            if queue[0].unicodeScalars.count < Self.minimumFirstPiece, queue.count > 1 {
                queue[0] += " " + queue.remove(at: 1)
            }
            let (head, tail) = Self.splitHead(queue[0], limit: firstLimit)
            pieces.append(head)
            if let tail { queue[0] = tail } else { queue.removeFirst() }
        }
        var next = 0
        while next < queue.count {
            let limit = limit(forPiece: pieces.count)
            var current = ""
            while next < queue.count {
                let sentence = queue[next]
                let length = sentence.unicodeScalars.count
                if current.isEmpty && length > limit {
                    let parts = Self.split(sentence, limit: limit)
                    current = parts[0]
                    if parts.count > 1 { queue[next] = parts.dropFirst().joined(separator: " ") } else { next += 1 }
                    break
                }
                if !current.isEmpty && current.unicodeScalars.count + 1 + length > limit { break }
                current += current.isEmpty ? sentence : " " + sentence
                next += 1
            }
            pieces.append(current)
        }
        return pieces
    }

    /// The size limit of the piece at `index`.
    func limit(forPiece index: Int) -> Int {
        guard let first = firstPieceTokens else { return targetTokens }
        return Int(min(Double(targetTokens), Double(first) * pow(min(max(pieceGrowth, 1), 2), Double(index))))
    }

    /// Tokens below which a first piece is too short to cover the next piece's synthesis.
    static let minimumFirstPiece = 10

    /// The first clause of `text` if it fits `limit` (else its first words), and the rest.
    static func splitHead(_ text: String, limit: Int) -> (String, String?) {
        if text.unicodeScalars.count <= limit { return (text, nil) }
        let words = text.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        var head: [String] = []
        var length = 0
        for (index, word) in words.enumerated() {
            let added = (head.isEmpty ? 0 : 1) + word.unicodeScalars.count
            if !head.isEmpty && length + added > limit { break }
            head.append(word)
            length += added
            if let last = word.last, clauseMarks.contains(last), index + 1 < words.count, length >= minimumFirstPiece { break }
        }
        let rest = words.dropFirst(head.count).joined(separator: " ")
        return (head.joined(separator: " "), rest.isEmpty ? nil : rest)
    }

    /// `text` cut at clause marks, then at spaces, into parts of at most `limit` symbols,
    /// each part as long as it can be.
    static func split(_ text: String, limit: Int) -> [String] {
        guard text.unicodeScalars.count > limit else { return [text] }
        let words = text.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        // Clauses: runs of words ending with a clause mark.
        var clauses: [[String]] = [[]]
        for word in words {
            clauses[clauses.count - 1].append(word)
            if let last = word.last, clauseMarks.contains(last) { clauses.append([]) }
        }
        var parts: [String] = []
        var current: [String] = []
        var length = 0
        func flush() {
            if !current.isEmpty { parts.append(current.joined(separator: " ")) }
            current = []
            length = 0
        }
        for clause in clauses where !clause.isEmpty {
            let clauseLength = clause.reduce(-1) { $0 + 1 + $1.unicodeScalars.count }
            if clauseLength <= limit {
                if length + (current.isEmpty ? 0 : 1) + clauseLength > limit { flush() }
                length += (current.isEmpty ? 0 : 1) + clauseLength
                current += clause
                continue
            }
            // A clause longer than the limit: fill word by word.
            for word in clause {
                let wordLength = min(word.unicodeScalars.count, maxTokens)
                if length + (current.isEmpty ? 0 : 1) + wordLength > limit { flush() }
                length += (current.isEmpty ? 0 : 1) + wordLength
                current.append(String(String.UnicodeScalarView(word.unicodeScalars.prefix(maxTokens))))
            }
        }
        flush()
        return parts
    }
}
