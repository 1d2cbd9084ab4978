import Foundation

/// Receives a response's bytes in order, on one queue. `finish` runs after the last byte;
/// `abandon` after a failure (remove partial files, stop players).
public protocol AudioByteSink: AnyObject {
    func write(_ bytes: Data) throws
    func finish() throws
    func abandon()
}

/// Why a sink could not take the audio.
public enum SinkError: Error, CustomStringConvertible, Equatable {
    /// A write or a player failed; the message names the cause and the fix.
    case failed(String)
    /// The reader of standard output went away (`| head`): stop quietly, as a pipeline member should.
    case readerGone

    public var description: String {
        switch self {
        case .failed(let message): message
        case .readerGone: "the reader of standard output went away"
        }
    }
}

/// Standard output, as it arrives.
public final class StandardOutputSink: AudioByteSink {
    public init() {}

    public func write(_ bytes: Data) throws {
        try bytes.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) in
            var offset = 0
            while offset < buffer.count {
                let count = Foundation.write(STDOUT_FILENO, buffer.baseAddress! + offset, buffer.count - offset)
                if count >= 0 {
                    offset += count
                } else if errno == EINTR {
                    continue
                } else if errno == EPIPE {
                    throw SinkError.readerGone
                } else {
                    throw SinkError.failed("cannot write to standard output: \(String(cString: strerror(errno)))")
                }
            }
        }
    }

    public func finish() throws {}
    public func abandon() {}
}

/// Several sinks fed the same bytes (the player and the file).
public final class TeeSink: AudioByteSink {
    private let sinks: [any AudioByteSink]

    public init(_ sinks: [any AudioByteSink]) {
        self.sinks = sinks
    }

    public func write(_ bytes: Data) throws {
        for sink in sinks { try sink.write(bytes) }
    }

    public func finish() throws {
        for sink in sinks { try sink.finish() }
    }

    public func abandon() {
        for sink in sinks { sink.abandon() }
    }
}
