import Foundation

/// jieba's `finalseg`: words for runs of characters its dictionary does not know.
///
/// A four-state HMM (Begin, Middle, End of a word, Single-character word) decoded with
/// Viterbi over jieba's trained log probabilities. This is what lets jieba keep names and
/// new words together, and with them their readings.
struct HMMSegmenter: Sendable {
    /// The states in jieba's iteration order, B M E S; `previous` lists who may come before each.
    private enum State: Int, CaseIterable {
        case begin, middle, end, single

        /// The letter jieba names the state by; Python breaks ties in `max` on it.
        var letter: UInt8 {
            switch self {
            case .begin: UInt8(ascii: "B")
            case .middle: UInt8(ascii: "M")
            case .end: UInt8(ascii: "E")
            case .single: UInt8(ascii: "S")
            }
        }

        var previous: [State] {
            switch self {
            case .begin: [.end, .single]
            case .middle: [.middle, .begin]
            case .end: [.begin, .middle]
            case .single: [.single, .end]
            }
        }

        init?(letter: Substring) {
            guard let state = State.allCases.first(where: { String(UnicodeScalar($0.letter)) == letter }) else { return nil }
            self = state
        }
    }

    /// jieba's `MIN_FLOAT`, the log probability of anything never seen.
    private static let never = -3.14e100

    private var start = [Double](repeating: never, count: 4)
    private var transition = [[Double]](repeating: [Double](repeating: never, count: 4), count: 4)
    private var emission = [[UInt32: Double]](repeating: [:], count: 4)

    /// Reads the TSV scripts/setup.sh makes from jieba's `prob_*.py` tables.
    init(probabilities url: URL) throws {
        let text = try String(contentsOf: url, encoding: .utf8)
        // Split as bytes: splitting the String itself would find grapheme boundaries, 10× slower.
        for (number, line) in text.utf8.split(separator: UInt8(ascii: "\n")).enumerated() {
            let fields = line.split(separator: UInt8(ascii: "\t"), omittingEmptySubsequences: false).map { Substring($0) }
            let malformed = MandarinDataError.malformed(url.path, line: number + 1)
            guard fields.count >= 3, let logp = Double(fields[fields.count - 1]), let state = State(letter: fields[1]) else {
                throw malformed
            }
            switch (fields[0], fields.count) {
            case ("start", 3):
                start[state.rawValue] = logp
            case ("trans", 4):
                guard let to = State(letter: fields[2]) else { throw malformed }
                transition[state.rawValue][to.rawValue] = logp
            case ("emit", 4):
                let scalars = fields[2].unicodeScalars
                guard scalars.count == 1 else { throw malformed }
                emission[state.rawValue][scalars.first!.value] = logp
            default:
                throw malformed
            }
        }
    }

    /// The words of `text[range]`, every character of which is in U+4E00–U+9FD5 (jieba's
    /// `finalseg.cut` for one such block).
    func cut(_ text: [UInt32], _ range: Range<Int>) -> [Range<Int>] {
        let states = viterbi(text[range])
        var words: [Range<Int>] = []
        var begin = range.lowerBound
        var next = range.lowerBound
        for (offset, state) in states.enumerated() {
            let i = range.lowerBound + offset
            switch state {
            case .begin:
                begin = i
            case .end:
                words.append(begin..<i + 1)
                next = i + 1
            case .single:
                words.append(i..<i + 1)
                next = i + 1
            case .middle:
                break
            }
        }
        if next < range.upperBound { words.append(next..<range.upperBound) }
        return words
    }

    /// The most probable state sequence; ties go to the later letter, as Python's `max`
    /// over `(probability, state)` tuples does.
    private func viterbi(_ observations: ArraySlice<UInt32>) -> [State] {
        let first = observations.first!
        var scores = State.allCases.map { start[$0.rawValue] + (emission[$0.rawValue][first] ?? Self.never) }
        var backPointers: [[State]] = []
        for observation in observations.dropFirst() {
            var nextScores = scores
            var pointers = [State](repeating: .begin, count: 4)
            for state in State.allCases {
                let emitted = emission[state.rawValue][observation] ?? Self.never
                var best: (score: Double, from: State)?
                for from in state.previous {
                    let score = scores[from.rawValue] + transition[from.rawValue][state.rawValue] + emitted
                    if let current = best, (current.score, current.from.letter) > (score, from.letter) { continue }
                    best = (score, from)
                }
                nextScores[state.rawValue] = best!.score
                pointers[state.rawValue] = best!.from
            }
            scores = nextScores
            backPointers.append(pointers)
        }
        var last: State = scores[State.single.rawValue] >= scores[State.end.rawValue] ? .single : .end
        var path = [last]
        for pointers in backPointers.reversed() {
            last = pointers[last.rawValue]
            path.append(last)
        }
        return path.reversed()
    }
}
