/// Text as Unicode scalars, each with the UTF-8 range of the caller's text it stands for.
///
/// A front end rewrites text before reading it (12 → 十二 or じゅうに, NFKC, 。 → ". ");
/// carrying each scalar's origin through those rewrites lets every phoneme word name the
/// part of the input it reads, which word timestamps are made of. Shared by the Mandarin and
/// Japanese G2Ps.
public struct SourcedText: Sendable {
    public private(set) var scalars: [Unicode.Scalar] = []
    public private(set) var sources: [Range<Int>] = []

    public init() {}

    /// `text` with each scalar standing for itself.
    public init(_ text: String) {
        var offset = 0
        for scalar in text.unicodeScalars {
            let width = UTF8.width(scalar)
            append(scalar, source: offset..<offset + width)
            offset += width
        }
    }

    public var string: String { String(String.UnicodeScalarView(scalars)) }

    public mutating func append(_ scalar: Unicode.Scalar, source: Range<Int>) {
        scalars.append(scalar)
        sources.append(source)
    }

    /// `text`, every scalar of it standing for `source`.
    public mutating func append(_ text: some Sequence<Unicode.Scalar>, source: Range<Int>) {
        for scalar in text { append(scalar, source: source) }
    }

    /// The scalars of `other` in `range`, with their sources.
    public mutating func append(_ other: SourcedText, _ range: Range<Int>) {
        scalars += other.scalars[range]
        sources += other.sources[range]
    }

    /// What the scalars in `range` stand for together (nil for an empty range).
    public func source(of range: Range<Int>) -> Range<Int>? {
        guard !range.isEmpty else { return nil }
        let covered = sources[range]
        return covered.map(\.lowerBound).min()!..<covered.map(\.upperBound).max()!
    }

    /// For each range of `string`'s UTF-8 bytes (on scalar boundaries), what its scalars
    /// stand for together.
    public func sources(ofUTF8 ranges: [Range<Int>]) -> [Range<Int>?] {
        // The scalar each byte belongs to, then the end.
        var scalarAt: [Int] = []
        for (index, scalar) in scalars.enumerated() { scalarAt += repeatElement(index, count: UTF8.width(scalar)) }
        scalarAt.append(scalars.count)
        return ranges.map { source(of: scalarAt[$0.lowerBound]..<scalarAt[$0.upperBound]) }
    }
}
