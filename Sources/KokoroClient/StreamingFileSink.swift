import AudioEncoding
import Foundation

/// A file, written as the bytes arrive to `PATH.part` and renamed over `PATH` at the end,
/// so an interrupted run never leaves a truncated file under the real name. A streamed
/// WAV's open-ended sizes are filled in before the rename.
public final class StreamingFileSink: AudioByteSink {
    private let path: String
    private let partialPath: String
    private let format: AudioFormat
    private let handle: FileHandle
    private var written = 0

    public init(path: String, format: AudioFormat) throws {
        self.path = path
        self.format = format
        partialPath = path + ".part"
        guard FileManager.default.createFile(atPath: partialPath, contents: nil),
              let handle = FileHandle(forUpdatingAtPath: partialPath) else {
            throw SinkError.failed("cannot create \(partialPath): check that its folder exists and is writable")
        }
        self.handle = handle
    }

    public func write(_ bytes: Data) throws {
        do {
            try handle.write(contentsOf: bytes)
            written += bytes.count
        } catch {
            throw SinkError.failed("cannot write \(partialPath): \(error.localizedDescription); check the disk's free space")
        }
    }

    public func finish() throws {
        do {
            if format == .wav, written >= WAVHeader.size { try fixWAVSizes() }
            try handle.close()
        } catch {
            throw SinkError.failed("cannot finish \(partialPath): \(error.localizedDescription); check the disk's free space")
        }
        guard rename(partialPath, path) == 0 else {
            throw SinkError.failed("cannot rename \(partialPath) to \(path): \(String(cString: strerror(errno))); check that its folder is writable")
        }
    }

    public func abandon() {
        try? handle.close()
        try? FileManager.default.removeItem(atPath: partialPath)
    }

    /// A streamed WAV says it does not know its length; now that it is known, the header
    /// is written again with it (at the sample rate the stream's own header gave).
    private func fixWAVSizes() throws {
        try handle.seek(toOffset: 0)
        guard let header = try handle.read(upToCount: WAVHeader.size), let sampleRate = WAVHeader.sampleRate(of: [UInt8](header)) else { return }
        try handle.seek(toOffset: 0)
        try handle.write(contentsOf: WAVHeader.bytes(sampleRate: sampleRate, dataBytes: written - WAVHeader.size))
    }
}
