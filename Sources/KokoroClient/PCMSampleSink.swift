import Foundation

/// Where decoded samples go (`kokoro say --play -o FILE` encodes them into the file).
public protocol SampleSink: AnyObject {
    func write(_ samples: [Float]) throws
    func finish() throws
}

/// Bare 16-bit little-endian PCM decoded to samples as it arrives, for a local encoder: the
/// server sends PCM for the player, the file is encoded here. A sample split across two
/// writes is carried to the next.
public final class PCMSampleSink: AudioByteSink {
    private let output: any SampleSink
    private var carry: UInt8?

    public init(_ output: any SampleSink) {
        self.output = output
    }

    public func write(_ bytes: Data) throws {
        var samples: [Float] = []
        samples.reserveCapacity(bytes.count / 2 + 1)
        var low = carry
        carry = nil
        for byte in bytes {
            if let first = low {
                samples.append(Float(Int16(bitPattern: UInt16(first) | UInt16(byte) << 8)) / 32767)
                low = nil
            } else {
                low = byte
            }
        }
        carry = low
        if !samples.isEmpty { try output.write(samples) }
    }

    public func finish() throws {
        try output.finish()
    }

    public func abandon() {}
}
