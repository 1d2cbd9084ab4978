/// The canonical 44-byte header of mono 16-bit PCM: the one WAV framing the encoder, the
/// client's file sink and its player share.
public enum WAVHeader {
    public static let size = 44

    /// The header for `dataBytes` of samples at `sampleRate`; nil: the length is not known
    /// yet (a stream), which the sizes say with 0xFFFFFFFF.
    public static func bytes(sampleRate: Int, dataBytes: Int?) -> [UInt8] {
        func le32(_ v: UInt32) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 24)] }
        func le16(_ v: UInt16) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8)] }
        let dataSize = dataBytes.map { UInt32(clamping: $0) } ?? 0xFFFF_FFFF
        let riffSize = dataBytes.map { UInt32(clamping: $0 + 36) } ?? 0xFFFF_FFFF
        let rate = UInt32(sampleRate)
        return Array("RIFF".utf8) + le32(riffSize) + Array("WAVE".utf8)
            + Array("fmt ".utf8) + le32(16) + le16(1) + le16(1) + le32(rate) + le32(rate * 2) + le16(2) + le16(16)
            + Array("data".utf8) + le32(dataSize)
    }

    /// The sample rate of a header `bytes` made, nil if they are not one.
    public static func sampleRate(of bytes: [UInt8]) -> Int? {
        guard bytes.count >= size, bytes[0..<4].elementsEqual("RIFF".utf8), bytes[36..<40].elementsEqual("data".utf8) else { return nil }
        return bytes[24..<28].reversed().reduce(0) { $0 << 8 | Int($1) }
    }
}
