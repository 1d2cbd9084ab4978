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
            out = Self.wavHeader(sampleRate: rate, dataBytes: nil)
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
            return Self.wavHeader(sampleRate: rate, dataBytes: pending.count) + pending
        case .streaming(let rate) where !headerSent:
            return Self.wavHeader(sampleRate: rate, dataBytes: nil)
        default:
            return []
        }
    }

    /// The canonical 44-byte header; `dataBytes == nil` means unknown length.
    static func wavHeader(sampleRate: Int, dataBytes: Int?) -> [UInt8] {
        func le32(_ v: UInt32) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 24)] }
        func le16(_ v: UInt16) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8)] }
        let dataSize = dataBytes.map { UInt32(clamping: $0) } ?? 0xFFFF_FFFF
        let riffSize = dataBytes.map { UInt32(clamping: $0 + 36) } ?? 0xFFFF_FFFF
        let rate = UInt32(sampleRate)
        return Array("RIFF".utf8) + le32(riffSize) + Array("WAVE".utf8)
            + Array("fmt ".utf8) + le32(16) + le16(1) + le16(1) + le32(rate) + le32(rate * 2) + le16(2) + le16(16)
            + Array("data".utf8) + le32(dataSize)
    }
}
