import Foundation

/// Cuts phoneme strings into the pieces the model hears at once: whole sentences.
///
/// Kokoro gives every piece its own sentence intonation, so a piece that ends inside a
/// sentence falls where the sentence goes on, a number cut in two is heard as two numbers,
/// and each cut adds a break. Measured with Whisper (`asr_judge.py` on 115 everyday
/// sentences), fragments of 16–64 tokens doubled the word error rate of whole sentences
/// (0.149 vs 0.070). So a sentence is never cut unless it is over the model's 510-token
/// limit, and then only at clause marks (at spaces only for a single clause over 510).
/// Short sentences are grouped up to `targetTokens`, so "Yes. I know." is read as one
/// passage; the first piece is the first sentence alone, since a stream's first audio
/// waits for it.
public struct PhonemeChunker: Sendable {
    /// The model's hard limit (its 512 positions minus the two padding tokens).
    public static let maxTokens = 510
    /// Sentences are grouped into one piece while the piece stays within this many tokens.
    public var targetTokens: Int
    /// Kokoro reads best on pieces of roughly 100–250 tokens (near 510 it rushes). The low
    /// end: a model run cannot be interrupted, so a longer piece holds a session longer
    /// while other streams wait.
    public static let defaultTargetTokens = 100

    public init(targetTokens: Int = defaultTargetTokens) {
        precondition(targetTokens > 0 && targetTokens <= Self.maxTokens)
        self.targetTokens = targetTokens
    }

    /// Marks after which a clause ends; the mark stays with the words before it.
    static let clauseMarks: Set<Character> = [",", ";", ":", "—", "…", ".", "!", "?"]

    /// Pieces of whole sentences (one symbol is one token), each within `maxTokens`.
    public func chunks(_ sentences: [String]) -> [String] {
        let sentences = sentences.map { $0.trimmingWhitespace() }.filter { !$0.isEmpty }
            .flatMap { Self.split($0, limit: Self.maxTokens) }
        var pieces: [String] = []
        var current = ""
        for sentence in sentences {
            let joined = current.isEmpty ? sentence : current + " " + sentence
            // The first piece is one sentence; later ones grow while within the target.
            if !current.isEmpty && (pieces.isEmpty || joined.unicodeScalars.count > targetTokens) {
                pieces.append(current)
                current = sentence
            } else {
                current = joined
            }
        }
        if !current.isEmpty { pieces.append(current) }
        return pieces
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
