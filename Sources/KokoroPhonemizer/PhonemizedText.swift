import Foundation

/// Phonemes together with the words of the text they read: what word timestamps are made of.
///
/// Each space-separated word of `phonemes` (`PhonemizedText.words(of:)`, the one definition
/// every stage counts words by) has the range of the input text it reads, so "$5" read
/// "fˈIv dˈɑləɹz" gives both phoneme words the range of "$5".
public struct PhonemizedText: Sendable, Equatable {
    public var phonemes: String
    /// For each word of `phonemes`, in order, the UTF-8 offsets of the text it reads (nil:
    /// none known).
    public var sources: [Range<Int>?]

    public init(phonemes: String, sources: [Range<Int>?]) {
        precondition(sources.count == Self.words(of: phonemes).count, "one source per phoneme word")
        self.phonemes = phonemes
        self.sources = sources
    }

    /// Appends `other` after a space or, not `spaced`, glued to the last word (as "." to the
    /// word before it), whose source then covers both.
    public mutating func append(_ other: PhonemizedText, spaced: Bool) {
        let added = other.phonemes.trimmingCharacters(in: .whitespaces)
        guard !added.isEmpty else { return }
        let current = phonemes.trimmingCharacters(in: .whitespaces)
        guard !current.isEmpty else {
            self = PhonemizedText(phonemes: added, sources: other.sources)
            return
        }
        if spaced {
            phonemes = current + " " + added
            sources += other.sources
        } else {
            phonemes = current + added
            let last = sources.removeLast(), first = other.sources[0]
            sources.append(last.flatMap { last in first.map { min(last.lowerBound, $0.lowerBound)..<max(last.upperBound, $0.upperBound) } } ?? last ?? first)
            sources += other.sources.dropFirst()
        }
    }

    /// The words of a phoneme string: runs between spaces.
    public static func words(of phonemes: some StringProtocol) -> [Substring] {
        Substring(phonemes).split(separator: " ", omittingEmptySubsequences: true)
    }

    /// `phonemes` of `text` matched word for word with the text's whitespace-separated words
    /// when their counts agree; otherwise every phoneme word reads the whole text, so timings
    /// fall back to the text as one span rather than to guessed words.
    public static func aligningWords(_ phonemes: String, with text: String) -> PhonemizedText {
        let count = words(of: phonemes).count
        let spans = wordSpans(of: text)
        if spans.count == count { return PhonemizedText(phonemes: phonemes, sources: spans) }
        let whole = spans.first.map { $0.lowerBound..<spans.last!.upperBound }
        return PhonemizedText(phonemes: phonemes, sources: Array(repeating: whole, count: count))
    }

    /// The UTF-8 offsets of the whitespace-separated words of `text`.
    public static func wordSpans(of text: String) -> [Range<Int>] {
        var spans: [Range<Int>] = []
        var start: Int?
        for (offset, byte) in text.utf8.enumerated() {
            let space = byte == 0x20 || (byte >= 0x09 && byte <= 0x0D)
            if space, let begun = start {
                spans.append(begun..<offset)
                start = nil
            } else if !space, start == nil {
                start = offset
            }
        }
        if let begun = start { spans.append(begun..<text.utf8.count) }
        return spans
    }
}
