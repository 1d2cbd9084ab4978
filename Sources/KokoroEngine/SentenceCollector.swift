import Foundation

/// Text that arrives as it is written (an assistant's answer, token by token) turned into
/// what can be spoken now: each sentence once it is complete, so its audio starts while the
/// rest is still being written, and the model still hears whole sentences.
///
/// A sentence is complete when text follows its end (`TextSegmenter` decides where
/// sentences end, abbreviations and decimals included): "Dr." or "3." alone may go on.
/// Text that runs on without a sentence end is cut after its last clause mark once it is
/// `clauseAfter` characters long, so a listener never waits for a sentence that does not end.
public struct SentenceCollector: Sendable {
    /// About fifteen seconds of speech: longer than nearly every written sentence, short
    /// enough that a run-on list or a text without punctuation is not held back for long.
    public static let clauseAfter = 240

    private var pending = ""

    public init() {}

    /// Adds `text`; returns the text now complete (nil: none yet).
    public mutating func append(_ text: String) -> String? {
        pending += text
        let sentences = TextSegmenter.sentences(pending)
        if sentences.count > 1, let last = sentences.last, let start = pending.range(of: last, options: .backwards)?.lowerBound {
            // The unfinished sentence stays as written, its spaces included: the next piece
            // may begin mid-word or with the space.
            pending = String(pending[start...])
            return sentences.dropLast().joined(separator: " ")
        }
        guard pending.count >= Self.clauseAfter,
              let cut = pending.indices.last(where: { index in
                  PhonemeChunker.clauseMarks.contains(pending[index])
                      && pending.index(after: index) < pending.endIndex && pending[pending.index(after: index)].isWhitespace
              }) else { return nil }
        let clause = pending[...cut].trimmingWhitespace()
        pending = String(pending[pending.index(after: cut)...])
        return clause.isEmpty ? nil : clause
    }

    /// The rest, once no more text will come (nil: nothing left to say).
    public mutating func finish() -> String? {
        defer { pending = "" }
        let rest = pending.trimmingWhitespace()
        return rest.isEmpty ? nil : rest
    }
}
