/// Turns one response's samples into one continuous encoded stream.
///
/// A single encoder must see the whole response: codecs carry state (overlap,
/// priming, bit reservoir) across frames, so gluing separately encoded chunks
/// produces clicks and files that decoders reject. Instances are not shared
/// between tasks, but as non-`Sendable` values returned fresh by
/// ``makeEncoder(_:sampleRate:streaming:)`` they can be handed to another task.
public protocol AudioEncoder: AnyObject {
    /// Encodes mono float samples in [-1, 1] (clipped otherwise) and returns the
    /// bytes that can be sent now, possibly none.
    func encode(_ samples: [Float]) throws -> [UInt8]
    /// Flushes the codec and writes the container's trailer; the encoder
    /// accepts nothing afterwards.
    func finish() throws -> [UInt8]
}

/// Creates the encoder for one response.
///
/// - Parameter streaming: `true` emits bytes from every `encode` call, with
///   container fields that cannot be known yet left open (WAV sizes, FLAC
///   total samples); `false` holds everything until `finish()` and writes a
///   complete file (exact WAV sizes, FLAC STREAMINFO with sample count and
///   MD5, an MP3 Xing/LAME frame so decoders trim the encoder delay).
public func makeEncoder(_ format: AudioFormat, sampleRate: Int = 24_000, streaming: Bool) throws -> any AudioEncoder {
    guard sampleRate > 0 else { throw AudioEncodingError.invalidSampleRate(sampleRate) }
    switch format {
    case .pcm: return PCMEncoder(header: nil)
    case .wav: return PCMEncoder(header: streaming ? .streaming(sampleRate: sampleRate) : .exact(sampleRate: sampleRate))
    case .mp3, .opus, .aac, .flac:
        return try FFmpegEncoder(CodecChoice(format), sampleRate: sampleRate, streaming: streaming)
    }
}

/// Encodes a complete utterance into a finished file in one call.
public func encodeAll(samples: [Float], format: AudioFormat, sampleRate: Int = 24_000) throws -> [UInt8] {
    let encoder = try makeEncoder(format, sampleRate: sampleRate, streaming: false)
    return try encoder.encode(samples) + encoder.finish()
}

public enum AudioEncodingError: Error, Equatable, CustomStringConvertible {
    case invalidSampleRate(Int)
    /// The FFmpeg libraries found were built without this encoder or muxer.
    case encoderUnavailable(String)
    case muxerUnavailable(String)
    /// An FFmpeg call failed; `message` is FFmpeg's own text for `code`.
    case ffmpeg(call: String, code: Int32, message: String)
    case alreadyFinished

    public var description: String {
        switch self {
        case .invalidSampleRate(let rate):
            "invalid sample rate \(rate) Hz: pass the model's rate (24000 for Kokoro)"
        case .encoderUnavailable(let name):
            "FFmpeg has no '\(name)' encoder: use Debian's libavcodec59 (or libavcodec-extra59), which includes libmp3lame, libopus, aac and flac; check with `ffmpeg -encoders`"
        case .muxerUnavailable(let name):
            "FFmpeg has no '\(name)' muxer: use Debian's libavformat59; check with `ffmpeg -muxers`"
        case .ffmpeg(let call, let code, let message):
            "\(call) failed: \(message) (FFmpeg error \(code))"
        case .alreadyFinished:
            "the encoder was already finished: create a new encoder for each response"
        }
    }
}

/// Clips to [-1, 1] so out-of-range model output saturates instead of
/// wrapping around in integer formats; NaN becomes silence.
@inline(__always)
func clipped(_ sample: Float) -> Float {
    sample.isNaN ? 0 : min(max(sample, -1), 1)
}
