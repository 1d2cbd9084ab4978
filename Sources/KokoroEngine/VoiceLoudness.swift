import AudioLoudness
import Foundation
import Synchronization

/// A voice's measured loudness and the gain that brings it to the target.
public struct VoiceGain: Sendable, Codable, Equatable {
    public let loudnessLUFS: Double
    public let truePeakDBTP: Double
    public let gainDB: Double
    /// `gainDB` as a multiplier, precomputed because it is applied to every sample.
    public let factor: Float

    enum CodingKeys: String, CodingKey {
        case loudnessLUFS = "loudness_lufs", truePeakDBTP = "true_peak_dbtp", gainDB = "gain_db", factor
    }

    init(measured: Loudness, target: Double, truePeakCeiling: Double) {
        loudnessLUFS = measured.integrated
        truePeakDBTP = measured.truePeak
        gainDB = measured.gain(toward: target, truePeakCeiling: truePeakCeiling)
        factor = Float(pow(10, gainDB / 20))
    }
}

public enum VoiceLoudnessError: Error, Equatable, CustomStringConvertible {
    case tooQuiet(voice: String)

    public var description: String {
        switch self {
        case .tooQuiet(let voice):
            "the calibration audio of \(voice) is silent (below the −70 LUFS gate): calibrate it with spoken audio"
        }
    }
}

/// Per-voice gains to an EBU R128 loudness target, so switching voices does not
/// jump in level.
///
/// Kokoro's voices differ by several LU, and a voice's level barely depends on
/// the text, so one calibration phrase per voice is enough; the measurements are
/// kept in `storeURL` so a restart need not synthesize them again. A lock rather
/// than an actor, because `apply` runs synchronously on every streamed piece.
public final class VoiceLoudness: Sendable {
    public let target: Double
    public let truePeakCeiling: Double
    public let peakReduction: Double
    private let storeURL: URL?
    private let limiter: SoftLimiter

    private struct State {
        /// Keys from the oldest measured to the newest, to evict from once full.
        var order: [String] = []
        var gains: [String: VoiceGain] = [:] {
            didSet {
                let meanDB = gains.isEmpty ? 0 : gains.values.reduce(0) { $0 + $1.gainDB } / Double(gains.count)
                meanFactor = Float(pow(10, meanDB / 20))
            }
        }
        /// Kept current on each calibration so `apply` does not average per piece.
        private(set) var meanFactor: Float = 1

        /// Keeps `gain` for `key`, the oldest entries out beyond `limit`.
        mutating func keep(_ gain: VoiceGain, for key: String, limit: Int) {
            order.removeAll { $0 == key }
            order.append(key)
            var gains = self.gains
            gains[key] = gain
            while order.count > limit { gains[order.removeFirst()] = nil }
            self.gains = gains
        }
    }

    /// The most voices and blends kept: every distinct blend a request names is measured
    /// and stored, so the table would otherwise grow with each new spelling of a mix.
    public let maxEntries: Int

    private let state: Mutex<State>
    /// Held across snapshot and write so concurrent calibrations cannot save an
    /// older table over a newer one, without making `apply` wait on the disk.
    private let saving = Mutex(())

    /// `peakReduction` is how many dB the limiter may take off the calibration phrase's
    /// true peak so the voice can reach `target`: Kokoro's speech peaks 14–20 dB above its
    /// loudness, so with 0 (a purely peak-bound gain) six of nine voices measured ended
    /// 1.7–5.4 LU under −16. With 6 all nine came within 0.7 LU of it, the limiter
    /// touching at most 1.3% of the samples.
    ///
    /// `storeURL` (e.g. `~/.cache/kokoro-swift/loudness.json`) holds measurements, not
    /// gains, so changing the other parameters takes effect on the stored voices too. An
    /// unreadable or corrupt store is ignored and replaced at the next calibration.
    public init(target: Double = -16, truePeakCeiling: Double = -1, peakReduction: Double = 6, storeURL: URL?, maxEntries: Int = 256) {
        self.maxEntries = max(1, maxEntries)
        self.target = target
        self.truePeakCeiling = truePeakCeiling
        self.peakReduction = peakReduction
        self.storeURL = storeURL
        limiter = SoftLimiter(ceiling: truePeakCeiling)
        state = Mutex(State())
        let stored = storeURL
            .flatMap { try? Data(contentsOf: $0) }
            .flatMap { try? JSONDecoder().decode([String: VoiceGain].self, from: $0) } ?? [:]
        let gains = stored
            .mapValues { voiceGain(Loudness(integrated: $0.loudnessLUFS, truePeak: $0.truePeakDBTP)) }
            .filter { $0.value.factor.isNormal }
        let limit = self.maxEntries
        state.withLock { state in
            for (key, gain) in gains.sorted(by: { $0.key < $1.key }) { state.keep(gain, for: key, limit: limit) }
        }
    }

    /// Measures `samples` (the voice key's rendering of a calibration phrase, a few
    /// seconds long), keeps the gain for `key` and saves the table.
    ///
    /// When saving fails the gain is still in effect; only its persistence is lost.
    @discardableResult
    public func calibrate(voice key: String, samples: [Float], sampleRate: Int = 24_000) throws -> VoiceGain {
        let measured = try measureLoudness(samples, sampleRate: sampleRate)
        guard measured.integrated.isFinite else { throw VoiceLoudnessError.tooQuiet(voice: key) }
        let gain = voiceGain(measured)
        state.withLock { $0.keep(gain, for: key, limit: maxEntries) }
        try save()
        return gain
    }

    public func gain(for key: String) -> VoiceGain? {
        state.withLock { $0.gains[key] }
    }

    public var calibrated: [String: VoiceGain] {
        state.withLock { $0.gains }
    }

    /// Brings one piece of `key`'s audio to the target and keeps it under the
    /// true-peak ceiling.
    ///
    /// A voice not calibrated yet gets the mean gain of the calibrated voices (0 dB
    /// while there are none): the caller calibrates voices in the background, and the
    /// mean is the best guess meanwhile. The limiter looks at each sample alone, so
    /// pieces of one stream can be processed separately and still join seamlessly.
    public func apply(_ samples: inout [Float], voice key: String) {
        let factor = state.withLock { $0.gains[key]?.factor ?? $0.meanFactor }
        let limiter = limiter
        samples.withUnsafeMutableBufferPointer { buffer in
            for index in buffer.indices {
                buffer[index] = limiter.limit(buffer[index] * factor)
            }
        }
    }

    private func voiceGain(_ measured: Loudness) -> VoiceGain {
        VoiceGain(measured: measured, target: target, truePeakCeiling: truePeakCeiling + peakReduction)
    }

    private func save() throws {
        guard let storeURL else { return }
        try saving.withLock { _ in
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            let data = try encoder.encode(calibrated)
            try FileManager.default.createDirectory(at: storeURL.deletingLastPathComponent(), withIntermediateDirectories: true)
            try data.write(to: storeURL, options: .atomic)
        }
    }
}

/// A memoryless soft-knee limiter: linear up to the knee, then bending smoothly
/// (continuous slope, so no click where it starts) towards an asymptote it never
/// reaches.
///
/// It brings the peaks calibration let past the ceiling, and the louder ones real
/// sentences have, under it. Memoryless, it cannot see between samples, so
/// the asymptote sits below the ceiling by the overshoot measured on what it makes
/// of loud tones, alone or over speech (near-square waves, whose true peak exceeds
/// their samples): up to 2.9 dB for tones to 3 kHz at any level. Content above
/// 3 kHz far louder than the voice, which speech does not have, can still pass it.
struct SoftLimiter: Sendable {
    let knee: Float
    /// How far above the knee the output can ever get.
    let range: Float

    init(ceiling: Double) {
        let asymptote = pow(10, Float(ceiling - Self.intersampleMargin) / 20)
        knee = pow(10, Float(ceiling - Self.intersampleMargin - Self.kneeWidth) / 20)
        range = asymptote - knee
    }

    /// dB between the ceiling and the asymptote.
    static let intersampleMargin = 3.0
    /// dB between the knee and the asymptote: narrower bends harder and distorts more.
    static let kneeWidth = 1.5

    @inline(__always)
    func limit(_ sample: Float) -> Float {
        let magnitude = abs(sample)
        guard magnitude > knee else { return sample }
        let over = magnitude - knee
        // over / (1 + over / range): slope 1 at the knee, tending to `range`.
        return Float(signOf: sample, magnitudeOf: knee + over * range / (range + over))
    }
}
