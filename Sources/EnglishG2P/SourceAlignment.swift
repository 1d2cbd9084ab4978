import KokoroPhonemizer

/// Where the words of normalized text came from in the text as written, so a word timestamp
/// names what the user sent ("$7.5M", "9:45") rather than the words it was read as.
///
/// Normalization rewrites spans in place and leaves the rest as it was, so the words of both
/// texts agree in order wherever nothing was rewritten: equal words are matched, and the
/// words between two matches on either side read each other (one for one when their counts
/// agree, else each normalized word reads the whole rewritten span).
enum SourceAlignment {
    /// How far ahead (in words, on either side) a rewritten span may reach before the texts
    /// agree again; beyond it the rest of the normalized text reads the rest of the source.
    static let window = 12

    /// For each whitespace-separated word of `normalized`, the UTF-8 range of `source` it reads.
    static func sources(of normalized: String, in source: String) -> [Range<Int>] {
        let targets = PhonemizedText.wordSpans(of: normalized), origins = PhonemizedText.wordSpans(of: source)
        guard !origins.isEmpty else { return [] }
        let normalizedBytes = Array(normalized.utf8), sourceBytes = Array(source.utf8)
        let normalizedWords = targets.map { normalizedBytes[$0] }, sourceWords = origins.map { sourceBytes[$0] }
        var result: [Range<Int>] = []
        result.reserveCapacity(targets.count)
        /// Normalized words `count` onwards read source words `span` (empty: the word before).
        func read(_ count: Int, _ span: Range<Int>) {
            guard count > 0 else { return }
            if span.isEmpty {
                let neighbour = origins[min(max(span.lowerBound - 1, 0), origins.count - 1)]
                result += Array(repeating: neighbour, count: count)
            } else if span.count == count {
                result += origins[span]
            } else {
                result += Array(repeating: origins[span.first!].lowerBound..<origins[span.last!].upperBound, count: count)
            }
        }
        var i = 0, j = 0
        while i < normalizedWords.count, j < sourceWords.count {
            if normalizedWords[i] == sourceWords[j] {
                result.append(origins[j])
                i += 1
                j += 1
                continue
            }
            guard let (skipNormalized, skipSource) = resync(normalizedWords, from: i, sourceWords, from: j) else { break }
            read(skipNormalized, j..<(j + skipSource))
            i += skipNormalized
            j += skipSource
        }
        read(normalizedWords.count - i, j..<sourceWords.count)
        return result
    }

    /// The nearest pair of equal words after `i` and `j` (fewest words skipped in all).
    private static func resync(_ a: [Array<UInt8>.SubSequence], from i: Int, _ b: [Array<UInt8>.SubSequence], from j: Int) -> (Int, Int)? {
        for total in 1...(2 * window) {
            for skipA in max(0, total - window)...min(total, window) {
                let skipB = total - skipA
                guard i + skipA < a.count, j + skipB < b.count else { continue }
                if a[i + skipA] == b[j + skipB] { return (skipA, skipB) }
            }
        }
        return nil
    }
}
