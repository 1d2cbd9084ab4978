/// 16-bit little-endian mono PCM, bare (OpenAI's `pcm`) or in WAV.
final class PCMEncoder: AudioEncoder {
    enum Header {
        /// Sizes set to 0xFFFFFFFF, as streaming WAV writers do, because the
        /// length is unknown when the header must go out; decoders read to EOF.
        case streaming(sampleRate: Int)
        /// Exact sizes; needs every sample before the header can be written.
        case exact(sampleRate: Int)
    }

    private let header: Header?
    private var pending: [UInt8] = []
    private var headerSent = false
    private var finished = false

    init(header: Header?) {
        self.header = header
    }

    func encode(_ samples: [Float]) throws -> [UInt8] {
        guard !finished else { throw AudioEncodingError.alreadyFinished }
        var out: [UInt8] = []
        if case .streaming(let rate) = header, !headerSent {
            out = WAVHeader.bytes(sampleRate: rate, dataBytes: nil)
            headerSent = true
        }
        out.reserveCapacity(out.count + samples.count * 2)
        for sample in samples {
            let value = UInt16(bitPattern: Int16((clipped(sample) * 32767).rounded()))
            out.append(UInt8(value & 0xFF))
            out.append(UInt8(value >> 8))
        }
        if case .exact = header {
            pending += out
            return []
        }
        return out
    }

    func finish() throws -> [UInt8] {
        guard !finished else { throw AudioEncodingError.alreadyFinished }
        finished = true
        switch header {
        case .exact(let rate):
            defer { pending = [] }
            return WAVHeader.bytes(sampleRate: rate, dataBytes: pending.count) + pending
        case .streaming(let rate) where !headerSent:
            return WAVHeader.bytes(sampleRate: rate, dataBytes: nil)
        default:
            return []
        }
    }
}
