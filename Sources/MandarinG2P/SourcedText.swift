/// Text as Unicode scalars, each with the UTF-8 range of the caller's text it stands for.
///
/// misaki rewrites the text before it reads it (12 → 十二, 。 → ". "); carrying each
/// scalar's origin through those rewrites lets every phoneme word name the words of the
/// input it reads, which word timestamps are made of.
struct SourcedText {
    private(set) var scalars: [Unicode.Scalar] = []
    private(set) var sources: [Range<Int>] = []

    init() {}

    /// `text` with each scalar standing for itself.
    init(_ text: String) {
        var offset = 0
        for scalar in text.unicodeScalars {
            let width = UTF8.width(scalar)
            append(scalar, source: offset..<offset + width)
            offset += width
        }
    }

    var string: String { String(String.UnicodeScalarView(scalars)) }

    mutating func append(_ scalar: Unicode.Scalar, source: Range<Int>) {
        scalars.append(scalar)
        sources.append(source)
    }

    /// `text`, every scalar of it standing for `source`.
    mutating func append(_ text: String, source: Range<Int>) {
        for scalar in text.unicodeScalars { append(scalar, source: source) }
    }

    mutating func append(_ other: SourcedText, _ range: Range<Int>) {
        scalars += other.scalars[range]
        sources += other.sources[range]
    }

    /// What the scalars in `range` stand for together (nil for an empty range).
    func source(of range: Range<Int>) -> Range<Int>? {
        guard !range.isEmpty else { return nil }
        let covered = sources[range]
        return covered.map(\.lowerBound).min()!..<covered.map(\.upperBound).max()!
    }
}
