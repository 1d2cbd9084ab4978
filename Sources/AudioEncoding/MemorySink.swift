import CFFmpeg

/// The bytes a muxer writes through its AVIOContext.
///
/// Streaming sinks are not seekable, so muxers write forward only and every
/// byte can be handed out at once. Finished-file sinks are seekable so muxers
/// can go back and fill in what they learn at the end (FLAC STREAMINFO, the
/// MP3 Xing frame); their bytes are handed out only by the final `take()`.
final class MemorySink {
    private var bytes: [UInt8] = []
    private var position = 0
    let seekable: Bool

    init(seekable: Bool) {
        self.seekable = seekable
    }

    func write(_ data: UnsafeBufferPointer<UInt8>) {
        let end = position + data.count
        if end > bytes.count { bytes.append(contentsOf: repeatElement(0, count: end - bytes.count)) }
        bytes.replaceSubrange(position..<end, with: data)
        position = end
    }

    /// `lseek` semantics plus FFmpeg's AVSEEK_SIZE query; -1 when impossible.
    func seek(to offset: Int64, whence: Int32) -> Int64 {
        let flags = whence & ~AVSEEK_FORCE
        if flags == AVSEEK_SIZE { return Int64(bytes.count) }
        let base: Int
        switch flags {
        case SEEK_SET: base = 0
        case SEEK_CUR: base = position
        case SEEK_END: base = bytes.count
        default: return -1
        }
        let target = base + Int(offset)
        guard target >= 0 else { return -1 }
        position = target
        return Int64(target)
    }

    /// Hands out everything written so far and starts over.
    func take() -> [UInt8] {
        defer {
            bytes.removeAll(keepingCapacity: true)
            position = 0
        }
        return bytes
    }
}

func memorySinkWrite(_ opaque: UnsafeMutableRawPointer?, _ buffer: UnsafeMutablePointer<UInt8>?, _ size: Int32) -> Int32 {
    guard let opaque, let buffer, size > 0 else { return 0 }
    Unmanaged<MemorySink>.fromOpaque(opaque).takeUnretainedValue().write(UnsafeBufferPointer(start: buffer, count: Int(size)))
    return size
}

func memorySinkSeek(_ opaque: UnsafeMutableRawPointer?, _ offset: Int64, _ whence: Int32) -> Int64 {
    guard let opaque else { return -1 }
    return Unmanaged<MemorySink>.fromOpaque(opaque).takeUnretainedValue().seek(to: offset, whence: whence)
}
