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
        let energies = frameEnergies(samples[...])
        guard let loudest = energies.max(), loudest > 0 else { return samples.count > frameLength ? [] : samples }
        let threshold = threshold(loudest: loudest)
        guard let cut = headCut(energies, threshold: threshold),
              let last = energies.lastIndex(where: { $0 >= threshold }) else { return [] }
        let end = min(samples.count, (last + 1) * frameLength + marginSamples)
        return faded(Array(samples[cut..<end]), in: true, out: true)
    }

    /// How much of the silence before sound first reaches `threshold` in 10 ms `energies`
    /// is cut: all but the margin.
    private func headCut(_ energies: [Float], threshold: Float) -> Int? {
        energies.firstIndex(where: { $0 >= threshold }).map { max(0, $0 * frameLength - marginSamples) }
    }

    /// A sentence's first window without the silence before its speech, cut as `trim` cuts a
    /// whole piece (`loudest`: the window's loudest 10 ms); and the samples cut.
    public func trimHead(_ samples: [Float], loudest: Float) -> (samples: [Float], cut: Int) {
        guard loudest > 0, let cut = headCut(frameEnergies(samples[...]), threshold: threshold(loudest: loudest)) else {
            return (samples, 0)
        }
        return (faded(Array(samples[cut...]), in: true, out: false), cut)
    }

    /// A sentence's last window without the silence after its speech: cut after the last
    /// 10 ms that reach the threshold below `loudest` (the loudest 10 ms energy of the whole
    /// sentence), as `trim` cuts a whole piece. `afterSound`: the samples follow sound (the
    /// windows before), so when none of them reaches the threshold the margin after that
    /// sound is kept.
    public func trimTail(_ samples: [Float], loudest: Float, afterSound: Bool = false) -> [Float] {
        let end = soundEnd(samples, loudest: loudest).map { $0 + marginSamples } ?? (afterSound ? marginSamples : 0)
        return faded(Array(samples[..<min(samples.count, end)]), in: false, out: true)
    }

    /// Where the last 10 ms of `samples` that reach the threshold below `loudest` end; nil
    /// when none does. (A stream holds back what follows it in the window before the last,
    /// since the sentence may end there.)
    func soundEnd(_ samples: [Float], loudest: Float) -> Int? {
        let threshold = threshold(loudest: loudest)
        return frameEnergies(samples[...]).lastIndex(where: { $0 >= threshold }).map { ($0 + 1) * frameLength }
    }

    /// The loudest 10 ms energy in `samples`.
    public func loudest(_ samples: [Float]) -> Float { frameEnergies(samples[...]).max() ?? 0 }

    /// The 10 ms energy that counts as sound, `silenceThresholdDB` below `loudest`.
    func threshold(loudest: Float) -> Float { loudest * powf(10, silenceThresholdDB / 10) }

    var frameLength: Int { sampleRate / 100 }
    private var marginSamples: Int { Int(margin * Double(sampleRate)) }

    /// Mean energy of each whole 10 ms frame.
    func frameEnergies(_ samples: ArraySlice<Float>) -> [Float] {
        let frame = frameLength
        return (0 ..< samples.count / frame).map { index in
            let start = samples.startIndex + index * frame
            return samples[start ..< start + frame].reduce(0) { $0 + $1 * $1 } / Float(frame)
        }
    }

    /// `samples` with 5 ms fades at the chosen ends.
    private func faded(_ samples: [Float], in fadeIn: Bool, out fadeOut: Bool) -> [Float] {
        var samples = samples
        let fade = min(sampleRate / 200, samples.count / 2)
        for index in 0..<fade {
            let gain = Float(index) / Float(fade)
            if fadeIn { samples[index] *= gain }
            if fadeOut { samples[samples.count - 1 - index] *= gain }
        }
        return samples
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
