import Foundation
import KokoroVoices

/// A voice's decoder statistics at each anchor style row, and the rules that turn them into
/// the vector one sentence is decoded with: every window of the sentence gets the same
/// vector, so windows join as if the sentence were decoded whole.
public struct VoiceStatistics: Sendable, Equatable {
    public let anchors: [Int]
    /// Per anchor, its statistics vector.
    public let rows: [[Float]]

    public init(anchors: [Int], rows: [[Float]]) {
        precondition(anchors.count == rows.count && !rows.isEmpty && Set(rows.map(\.count)).count == 1)
        self.anchors = anchors
        self.rows = rows
    }

    /// The statistics for a sentence given style row `row`: interpolated in log row between
    /// the anchors around it, clamped to the outer anchors.
    public func statistics(forStyleRow row: Int) -> [Float] {
        let clamped = Double(min(max(row, anchors[0]), anchors[anchors.count - 1]))
        guard let upper = anchors.firstIndex(where: { Double($0) >= clamped }), upper > 0 else { return rows[0] }
        let lower = upper - 1
        let t = Float(log(clamped / Double(anchors[lower])) / log(Double(anchors[upper]) / Double(anchors[lower])))
        return zip(rows[lower], rows[upper]).map { (1 - t) * $0 + t * $1 }
    }

    /// A blend's statistics: the weighted sum of its voices', per anchor. Only for positive
    /// weights summing to one (a subtracted voice could make a variance negative); measured on
    /// a 50/50 blend, 3.23 dB log-mel from its whole decode against 3.04 for its own calibration.
    public static func blend(_ terms: [(statistics: VoiceStatistics, weight: Float)]) -> VoiceStatistics? {
        guard let first = terms.first, terms.allSatisfy({ $0.weight > 0 && $0.statistics.anchors == first.statistics.anchors }) else {
            return nil
        }
        let rows = first.statistics.rows.indices.map { anchor in
            var sum = [Float](repeating: 0, count: first.statistics.rows[anchor].count)
            for (statistics, weight) in terms {
                for (index, value) in statistics.rows[anchor].enumerated() { sum[index] += weight * value }
            }
            return sum
        }
        return VoiceStatistics(anchors: first.statistics.anchors, rows: rows)
    }

    /// Reads a voice's file: row i is the style row `anchors[i]` it was calibrated with, then
    /// its statistics. nil when the file is for other style rows (another voice, another pack)
    /// or another layout: the voice is then calibrated anew.
    public init?(_ array: NPYArray, calibration: DecoderCalibration, voice: VoiceStyle) {
        let width = VoiceStyle.width
        guard array.shape == [calibration.anchors.count, width + calibration.count] else { return nil }
        let stride = width + calibration.count
        var rows: [[Float]] = []
        for (index, anchor) in calibration.anchors.enumerated() {
            let row = array.values[index * stride ..< (index + 1) * stride]
            guard row.prefix(width).elementsEqual(voice.row(anchor)) else { return nil }
            rows.append(Array(row.dropFirst(width)))
        }
        self.init(anchors: calibration.anchors, rows: rows)
    }

    /// The file `init(_:calibration:voice:)` reads.
    public func array(voice: VoiceStyle) -> NPYArray {
        NPYArray(shape: [anchors.count, VoiceStyle.width + rows[0].count],
                 values: zip(anchors, rows).flatMap { Array(voice.row($0)) + $1 })
    }

    /// Bytes held, for caches.
    public var byteCount: Int { rows.count * rows[0].count * MemoryLayout<Float>.size }
}
