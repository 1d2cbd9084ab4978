import Foundation

/// How the decoder's normalization and quantizer statistics are calibrated for a voice:
/// the style rows they are taken at (anchors) and, per anchor, the corpus sentences whose
/// statistics are pooled. Read from `decoder-statistics/calibration.json`, which set-up's
/// `scripts/model/calibrate_voices.py` writes; the server calibrates other voices the same
/// way, so its files and set-up's are interchangeable.
///
/// Why anchors: the statistics depend on the style row as well as the voice (Kokoro picks
/// the row by token count), and 5 anchors with 3 sentences each, whose lengths match the
/// anchor, gave the steadiest windows of the recipes tried (`scripts/model/NOTES.md`,
/// "How the statistics are calibrated": wobble 0.63 dB against 0.66–0.86 for the others).
public struct DecoderCalibration: Sendable, Equatable {
    /// Style rows (raw indices) the statistics are calibrated at, ascending.
    public let anchors: [Int]
    /// Per anchor, the corpus sentences as token ids (without the padding tokens).
    public let corpus: [[[Int64]]]
    /// Values in one statistics vector: the calibrated decoder's `statistics` input.
    public let count: Int

    public init(anchors: [Int], corpus: [[[Int64]]], count: Int) {
        self.anchors = anchors
        self.corpus = corpus
        self.count = count
    }

    public static let fileName = "calibration.json"

    public init(contentsOf url: URL) throws(EngineError) {
        struct File: Decodable {
            let format: Int
            let anchors: [Int]
            let corpus: [[[Int64]]]
            let K: Int
        }
        let file: File
        do {
            file = try JSONDecoder().decode(File.self, from: Data(contentsOf: url))
        } catch {
            throw .corruptModel(url.path, "unreadable decoder calibration (\(error.localizedDescription)); rerun scripts/setup.sh")
        }
        guard file.format == 1, !file.anchors.isEmpty, file.anchors == file.anchors.sorted(), file.anchors[0] > 0,
              file.anchors.count == file.corpus.count, file.corpus.allSatisfy({ !$0.isEmpty }), file.K > 0 else {
            throw .corruptModel(url.path, "not a format-1 decoder calibration with one corpus per anchor; rerun scripts/setup.sh")
        }
        self.init(anchors: file.anchors, corpus: file.corpus, count: file.K)
    }

    /// The corpus sentences' statistics pooled into one vector: their average weighted by
    /// frames (averaging beat concatenating: wobble 0.66 against 0.71 dB), summed in Double.
    public static func pool(_ runs: [(frames: Int, statistics: [Float])]) -> [Float] {
        let total = Double(runs.reduce(0) { $0 + $1.frames })
        guard let width = runs.first?.statistics.count, total > 0 else { return [] }
        var sums = [Double](repeating: 0, count: width)
        for run in runs {
            let weight = Double(run.frames)
            for index in 0..<width { sums[index] += weight * Double(run.statistics[index]) }
        }
        return sums.map { Float($0 / total) }
    }
}
