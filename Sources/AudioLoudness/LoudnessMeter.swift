import CEBUR128
import Foundation

/// Integrated loudness and true peak of one mono signal, per ITU-R BS.1770 /
/// EBU R128 as measured by libebur128.
///
/// A mono signal counts as one front channel (weight 1), as ffmpeg's `ebur128`
/// and `loudnorm` filters count it, so their numbers can be compared directly.
public struct Loudness: Sendable, Equatable {
    /// LUFS; `-infinity` when everything is below the −70 LUFS absolute gate.
    public var integrated: Double
    /// dBTP; `-infinity` for digital silence.
    public var truePeak: Double

    public init(integrated: Double, truePeak: Double) {
        self.integrated = integrated
        self.truePeak = truePeak
    }

    /// The gain in dB that brings the signal to `target` LUFS without letting
    /// the true peak exceed `truePeakCeiling` dBTP: a plain gain moves both by
    /// the same amount, so the smaller of the two headrooms wins. Silence gets
    /// 0 dB rather than an infinite boost.
    public func gain(toward target: Double = -16, truePeakCeiling: Double = -1) -> Double {
        guard integrated.isFinite else { return 0 }
        let toTarget = target - integrated
        return truePeak.isFinite ? min(toTarget, truePeakCeiling - truePeak) : toTarget
    }
}

/// Accumulates samples in chunks, as synthesis produces them.
public final class LoudnessMeter {
    private var state: UnsafeMutablePointer<ebur128_state>?

    public init(sampleRate: Int = 24_000) throws {
        let mode = Int32(EBUR128_MODE_I.rawValue | EBUR128_MODE_TRUE_PEAK.rawValue)
        guard sampleRate > 0, let state = ebur128_init(1, UInt(sampleRate), mode) else {
            throw LoudnessError(call: "ebur128_init(sampleRate: \(sampleRate))", code: Int32(EBUR128_ERROR_NOMEM.rawValue))
        }
        self.state = state
    }

    deinit {
        ebur128_destroy(&state)
    }

    /// Adds float samples in [-1, 1]; out-of-range values are measured as they are.
    public func add(_ samples: [Float]) throws {
        let status = samples.withUnsafeBufferPointer { ebur128_add_frames_float(state, $0.baseAddress, $0.count) }
        try LoudnessError.check(status, "ebur128_add_frames_float")
    }

    /// The measurement over everything added so far.
    public func measurement() throws -> Loudness {
        var integrated = 0.0
        var peak = 0.0
        try LoudnessError.check(ebur128_loudness_global(state, &integrated), "ebur128_loudness_global")
        try LoudnessError.check(ebur128_true_peak(state, 0, &peak), "ebur128_true_peak")
        return Loudness(integrated: integrated, truePeak: 20 * log10(peak))
    }
}

/// Measures a whole signal at once.
public func measureLoudness(_ samples: [Float], sampleRate: Int = 24_000) throws -> Loudness {
    let meter = try LoudnessMeter(sampleRate: sampleRate)
    try meter.add(samples)
    return try meter.measurement()
}

public struct LoudnessError: Error, Equatable, CustomStringConvertible {
    public let call: String
    public let code: Int32

    public var description: String {
        let cause = switch UInt32(bitPattern: code) {
        case EBUR128_ERROR_NOMEM.rawValue: "out of memory, or an invalid sample rate"
        case EBUR128_ERROR_INVALID_MODE.rawValue: "the meter was not created with the mode this measurement needs"
        case EBUR128_ERROR_INVALID_CHANNEL_INDEX.rawValue: "no such channel"
        default: "libebur128 error"
        }
        return "\(call) failed: \(cause) (code \(code))"
    }

    static func check(_ status: Int32, _ call: String) throws {
        guard status == Int32(EBUR128_SUCCESS.rawValue) else { throw LoudnessError(call: call, code: status) }
    }
}
