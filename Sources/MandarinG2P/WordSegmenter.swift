import Foundation

/// Chinese words, the way jieba 0.42.1 cuts them in its default ("accurate", HMM on) mode.
///
/// Tones and readings are looked up per word (多音字 such as 行 or 还 depend on it), so the
/// segmentation must match the one misaki's phonemes were made with: a DAG of every
/// dictionary word starting at each character, the route of maximal summed log frequency
/// through it, and runs of single characters that form no dictionary word handed to the
/// HMM (`HMMSegmenter`), which may join them into new words.
struct WordSegmenter: Sendable {
    /// Frequencies of dictionary words; nodes without a value are only prefixes (jieba's 0).
    private let frequencies: ScalarTrie<Int>
    private let logTotal: Double
    private let hmm: HMMSegmenter

    /// Reads jieba's `dict.txt` (`word frequency [tag]` per line). Like jieba, a word listed
    /// twice keeps its last frequency but counts both toward the total.
    init(dictionary url: URL, hmm: HMMSegmenter) throws {
        let data = try Data(contentsOf: url)
        var trie = ScalarTrie<Int>(capacity: 650_000)
        var total = 0
        try data.withUnsafeBytes { raw in
            let bytes = raw.bindMemory(to: UInt8.self)
            var line = 1
            var start = 0
            while start < bytes.count {
                var end = start
                while end < bytes.count && bytes[end] != UInt8(ascii: "\n") { end += 1 }
                if let (word, frequency) = Self.entry(UnsafeBufferPointer(rebasing: bytes[start..<end])) {
                    trie.insert(word.unicodeScalars.lazy.map(\.value), value: frequency)
                    total += frequency
                } else {
                    throw MandarinDataError.malformed(url.path, line: line)
                }
                start = end + 1
                line += 1
            }
        }
        frequencies = trie
        logTotal = log(Double(total))
        self.hmm = hmm
    }

    /// One line's word and frequency: its first two space-separated fields, once trimmed.
    private static func entry(_ line: UnsafeBufferPointer<UInt8>) -> (String, Int)? {
        let isSpace = { (byte: UInt8) in byte == 0x20 || (0x09...0x0D).contains(byte) }
        guard let first = line.firstIndex(where: { !isSpace($0) }),
              let space = line[first...].firstIndex(of: UInt8(ascii: " ")) else { return nil }
        var frequency = 0
        var end = space + 1
        while end < line.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(line[end]) {
            frequency = frequency * 10 + Int(line[end] - UInt8(ascii: "0"))
            end += 1
        }
        guard end > space + 1, end == line.count || isSpace(line[end]) else { return nil }
        return (String(decoding: UnsafeBufferPointer(rebasing: line[first..<space]), as: UTF8.self), frequency)
    }

    /// The words of `text` as ranges of its scalars.
    ///
    /// misaki hands jieba only runs of U+4E00–U+9FFF; jieba's word characters stop at U+9FD5,
    /// so the few code points above it come out one per word, as in jieba.
    func cut(_ text: [UInt32]) -> [Range<Int>] {
        var words: [Range<Int>] = []
        var start = 0
        while start < text.count {
            guard Self.isWordCharacter(text[start]) else {
                words.append(start..<start + 1)
                start += 1
                continue
            }
            var end = start
            while end < text.count && Self.isWordCharacter(text[end]) { end += 1 }
            cutBlock(text, start..<end, into: &words)
            start = end
        }
        return words
    }

    /// jieba's `re_han_default` for the Chinese part: U+4E00–U+9FD5.
    private static func isWordCharacter(_ scalar: UInt32) -> Bool { (0x4E00...0x9FD5).contains(scalar) }

    /// jieba's `__cut_DAG`: the best route, with runs of single characters joined and, when
    /// the run is no dictionary word, re-cut by the HMM.
    private func cutBlock(_ text: [UInt32], _ block: Range<Int>, into words: inout [Range<Int>]) {
        let route = bestRoute(text, block)
        var run: Range<Int>?
        func flushRun() {
            guard let pending = run else { return }
            run = nil
            if pending.count == 1 {
                words.append(pending)
            } else if (frequency(of: text[pending]) ?? 0) == 0 {
                words.append(contentsOf: hmm.cut(text, pending))
            } else {
                words.append(contentsOf: pending.map { $0..<$0 + 1 })
            }
        }
        var x = block.lowerBound
        while x < block.upperBound {
            let y = route[x - block.lowerBound] + 1
            if y - x == 1 {
                run = (run?.lowerBound ?? x)..<y
            } else {
                flushRun()
                words.append(x..<y)
            }
            x = y
        }
        flushRun()
    }

    /// jieba's `get_DAG` and `calc`: for each position, the end (inclusive) of the word that
    /// starts the most probable segmentation of the rest. Ties go to the longer word, as
    /// Python's `max` over `(logp, end)` tuples does.
    private func bestRoute(_ text: [UInt32], _ block: Range<Int>) -> [Int] {
        let n = block.count
        var ends = [Int](repeating: 0, count: n)
        var scores = [Double](repeating: 0, count: n + 1)
        for index in stride(from: n - 1, through: 0, by: -1) {
            let k = block.lowerBound + index
            var best: (score: Double, end: Int)?
            func consider(end: Int, frequency: Int) {
                let score = log(Double(frequency)) - logTotal + scores[end - block.lowerBound + 1]
                if let current = best, (current.score, current.end) > (score, end) { return }
                best = (score, end)
            }
            var node = ScalarTrie<Int>.root
            var i = k
            while i < block.upperBound, let next = frequencies.child(of: node, text[i]) {
                node = next
                if let frequency = frequencies.value(at: node), frequency != 0 { consider(end: i, frequency: frequency) }
                i += 1
            }
            // A character that starts no word is a word of its own, of frequency 1 (`or 1`).
            if best == nil { consider(end: k, frequency: 1) }
            ends[index] = best!.end
            scores[index] = best!.score
        }
        return ends
    }

    private func frequency(of word: ArraySlice<UInt32>) -> Int? {
        frequencies.node(for: word).flatMap { frequencies.value(at: $0) }
    }
}
