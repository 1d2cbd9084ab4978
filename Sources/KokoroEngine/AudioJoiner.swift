import Foundation

/// Trims the silence the model leaves around each piece and joins pieces with pauses that
/// follow the punctuation, so a long text sounds like one reading rather than stitched clips.
public struct AudioJoiner: Sendable {
    public var sampleRate: Int
    /// Frames quieter than this (relative to the piece's loudest frame) count as silence.
    public var silenceThresholdDB: Float = -42
    /// Kept before the first and after the last audible frame, so onsets and decays survive.
    public var margin: Double = 0.03

    public init(sampleRate: Int = KokoroModel.sampleRate) { self.sampleRate = sampleRate }

    /// The audible part of `samples`, with short fades at the cut edges (no clicks).
    public func trim(_ samples: [Float]) -> [Float] {
        let frame = sampleRate / 100
        guard samples.count > frame else { return samples }
        let frameCount = samples.count / frame
        var energies = [Float](repeating: 0, count: frameCount)
        for index in 0..<frameCount {
            var sum: Float = 0
            for sample in samples[index * frame ..< (index + 1) * frame] { sum += sample * sample }
            energies[index] = sum / Float(frame)
        }
        guard let loudest = energies.max(), loudest > 0 else { return [] }
        let threshold = loudest * powf(10, silenceThresholdDB / 10)
        guard let first = energies.firstIndex(where: { $0 >= threshold }),
              let last = energies.lastIndex(where: { $0 >= threshold }) else { return [] }
        let marginSamples = Int(margin * Double(sampleRate))
        let start = max(0, first * frame - marginSamples)
        let end = min(samples.count, (last + 1) * frame + marginSamples)
        var trimmed = Array(samples[start..<end])
        let fade = min(sampleRate / 200, trimmed.count / 2)
        for index in 0..<fade {
            let gain = Float(index) / Float(fade)
            trimmed[index] *= gain
            trimmed[trimmed.count - 1 - index] *= gain
        }
        return trimmed
    }

    /// The pause after a piece ending in `phonemes`: longer after a sentence than a clause.
    public func pause(after phonemes: String) -> Int {
        let seconds: Double = switch phonemes.last {
        case "." , "!", "?", "…": 0.25
        case ",", ";", ":", "—": 0.12
        default: 0.05
        }
        return Int(seconds * Double(sampleRate))
    }
}
