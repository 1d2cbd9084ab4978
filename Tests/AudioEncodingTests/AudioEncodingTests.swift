import Testing
@testable import AudioEncoding

private let tone = tremoloTone()

/// Streams `samples` through one encoder in uneven chunks, keeping each call's output.
private func streamed(_ format: AudioFormat, _ samples: [Float]) throws -> [[UInt8]] {
    let encoder = try makeEncoder(format, streaming: true)
    return try unevenChunks(samples).map { try encoder.encode($0) } + [encoder.finish()]
}

struct LossyAndLosslessCodecs {
    /// codec name ffprobe reports, sample rate it reports, allowed duration error.
    static let expectations: [(AudioFormat, String, Int, Double)] = [
        // Lossy codecs add encoder delay and frame padding when nothing tells the decoder to trim it.
        (.mp3, "mp3", 24_000, 0.1),
        // Ogg Opus always decodes at 48 kHz (RFC 7845; ffmpeg's Ogg demuxer sets 48000);
        // the 24 kHz input rate is kept in the OpusHead, checked separately.
        (.opus, "opus", 48_000, 0.01),
        (.aac, "aac", 24_000, 0.1),
        (.flac, "flac", 24_000, 0),
        (.wav, "pcm_s16le", 24_000, 0),
    ]

    @Test(arguments: expectations)
    func streamedAndFinishedFilesDecodeToTheSameTone(_ format: AudioFormat, codec: String, rate: Int, tolerance: Double) throws {
        let chunks = try streamed(format, tone)
        let whole = try encodeAll(samples: tone, format: format)
        let stream = try Decoded(chunks.flatMap { $0 }, format: format.fileExtension)
        let file = try Decoded(whole, format: format.fileExtension)

        for decoded in [stream, file] {
            #expect(decoded.codec == codec)
            #expect(decoded.sampleRate == rate)
            #expect(decoded.channels == 1)
            #expect(abs(decoded.duration - 1.5) <= tolerance + 1e-9, "decoded \(decoded.duration) s")
            // The tone lasts 1.5 s whatever silence the codec pads around it.
            let crossings = zeroCrossings(decoded.samples)
            #expect(abs(crossings - 1320) <= 13, "\(crossings) zero crossings")
        }
        if tolerance == 0 {
            #expect(stream.samples == file.samples)
        }
        // Lossless formats must match exactly above; lossy ones after aligning the delay.
        let lag = bestLag(file.samples, stream.samples)
        let overlap = min(file.samples.count, stream.samples.count - max(lag, 0)) - max(-lag, 0)
        let a = file.samples[max(-lag, 0)..<(max(-lag, 0) + overlap)]
        let b = stream.samples[max(lag, 0)..<(max(lag, 0) + overlap)]
        let difference = zip(a, b).map { $0 - $1 }
        #expect(rms(difference[...]) < 1e-4 * rms(a), "streamed vs finished differ after aligning by \(lag) samples")
        // Only the MP3 file's LAME tag makes decoders drop the encoder delay.
        #expect(format == .mp3 ? lag > 0 : lag == 0)
        #expect(overlap > 33_000)
    }

    @Test(arguments: [AudioFormat.mp3, .opus, .aac, .flac, .wav, .pcm])
    func bytesLeaveWithEveryLargeChunk(_ format: AudioFormat) throws {
        let chunks = try streamed(format, tone)
        // The 24000-sample chunk (1 s) must produce output at once, not wait for finish().
        #expect(!chunks[3].isEmpty)
        if format != .aac && format != .pcm {
            // Containers with a header send it at the first call.
            #expect(!chunks[0].isEmpty)
        }
    }

    @Test func opusHeadRecordsTheInputRate() throws {
        let bytes = try encodeAll(samples: tone, format: .opus)
        let head = try #require(find(Array("OpusHead".utf8), in: bytes))
        let rate = littleEndian(bytes[(head + 12)..<(head + 16)])
        #expect(rate == 24_000)
        #expect(bytes[head + 9] == 1, "one channel")
        #expect(Array(bytes.prefix(4)) == Array("OggS".utf8))
    }

    @Test func finishedFlacKnowsItsLength() throws {
        let bytes = try encodeAll(samples: tone, format: .flac)
        // STREAMINFO: "fLaC", 4-byte block header, then total samples in the low 36 bits of bytes 13...17 (from 8).
        #expect(Array(bytes.prefix(4)) == Array("fLaC".utf8))
        let info = Array(bytes[8..<26])
        let total = littleEndian(info[13...17].reversed()) & 0xF_FFFF_FFFF
        #expect(total == tone.count)
    }

    /// Unclipped, the float codecs would carry the 4× peaks through; lossy ones
    /// still overshoot a clipped full-scale wave a little (AAC reaches ~1.2).
    @Test func clippedSamplesStillDecode() throws {
        let loud = tone.map { $0 * 4 }
        for format in AudioFormat.allCases where format != .pcm {
            let decoded = try Decoded(try encodeAll(samples: loud, format: format), format: format.fileExtension)
            #expect(decoded.samples.allSatisfy { abs($0) <= 1.5 }, "\(format)")
        }
    }

    /// 44.1 kHz is not an Opus rate, so the encoder resamples to 48 kHz and
    /// must drain the resampler's delay at the end.
    @Test func opusResamplesOtherRates() throws {
        let input = sine(hertz: 440, seconds: 1.5, sampleRate: 44_100)
        let decoded = try Decoded(try encodeAll(samples: input, format: .opus, sampleRate: 44_100), format: "ogg")
        #expect(abs(decoded.duration - 1.5) < 0.01, "decoded \(decoded.duration) s")
        #expect(abs(zeroCrossings(decoded.samples) - 1320) <= 13)
    }

    @Test func encoderMovesToAnotherTask() async throws {
        let encoder = try makeEncoder(.opus, streaming: true)
        let bytes = try await Task.detached { try encoder.encode(tone) + encoder.finish() }.value
        #expect(try Decoded(bytes, format: "ogg").codec == "opus")
    }

    @Test func errorsCarryFFmpegsExplanation() {
        #expect(throws: AudioEncodingError.ffmpeg(call: "avcodec_open2(x)", code: -22, message: "Invalid argument")) {
            try check(-22, "avcodec_open2(x)")
        }
        #expect(throws: AudioEncodingError.invalidSampleRate(0)) { try makeEncoder(.wav, sampleRate: 0, streaming: true) }
        #expect(AudioEncodingError.encoderUnavailable("libopus").description.contains("libavcodec59"))
    }

    @Test func encoderRefusesWorkAfterFinish() throws {
        let encoder = try makeEncoder(.mp3, streaming: true)
        _ = try encoder.finish()
        #expect(throws: AudioEncodingError.alreadyFinished) { try encoder.encode([0]) }
    }
}

struct RawFormats {
    @Test func pcmIsSixteenBitLittleEndianWithoutHeader() throws {
        let bytes = try encodeAll(samples: [0, 1, -1, 0.5, 2, -3, .nan], format: .pcm)
        #expect(bytes == [0x00, 0x00, 0xFF, 0x7F, 0x01, 0x80, 0x00, 0x40, 0xFF, 0x7F, 0x01, 0x80, 0x00, 0x00])
        let chunks = try streamed(.pcm, tone)
        #expect(chunks.flatMap { $0 } == pcmBytes(tone))
    }

    @Test func streamingWavHeaderLeavesSizesOpen() throws {
        let chunks = try streamed(.wav, tone)
        let bytes = chunks.flatMap { $0 }
        #expect(chunks[0].count == 44 + 2 * 1000)
        checkHeader(bytes, riffSize: 0xFFFF_FFFF, dataSize: 0xFFFF_FFFF)
        #expect(Array(bytes[44...]) == pcmBytes(tone))
    }

    @Test func finishedWavHeaderHasExactSizes() throws {
        let bytes = try encodeAll(samples: tone, format: .wav)
        #expect(bytes.count == 44 + 2 * tone.count)
        checkHeader(bytes, riffSize: UInt32(36 + 2 * tone.count), dataSize: UInt32(2 * tone.count))
        #expect(Array(bytes[44...]) == pcmBytes(tone))
    }

    @Test func emptyStreamingWavIsStillAHeader() throws {
        let encoder = try makeEncoder(.wav, streaming: true)
        #expect(try encoder.finish().count == 44)
    }

    @Test func contentTypes() {
        #expect(AudioFormat.allCases.map(\.contentType) ==
                ["audio/mpeg", "audio/ogg; codecs=opus", "audio/aac", "audio/flac", "audio/wav", "audio/pcm"])
        #expect(AudioFormat.opus.fileExtension == "ogg")
    }

    private func pcmBytes(_ samples: [Float]) -> [UInt8] {
        (try? encodeAll(samples: samples, format: .pcm)) ?? []
    }

    private func checkHeader(_ bytes: [UInt8], riffSize: UInt32, dataSize: UInt32) {
        func le32(_ at: Int) -> UInt32 { (0..<4).reduce(0) { $0 | UInt32(bytes[at + $1]) << (8 * $1) } }
        func le16(_ at: Int) -> UInt16 { UInt16(bytes[at]) | UInt16(bytes[at + 1]) << 8 }
        #expect(Array(bytes[0..<4]) == Array("RIFF".utf8))
        #expect(le32(4) == riffSize)
        #expect(Array(bytes[8..<16]) == Array("WAVEfmt ".utf8))
        #expect(le32(16) == 16)
        #expect(le16(20) == 1, "integer PCM")
        #expect(le16(22) == 1, "mono")
        #expect(le32(24) == 24_000)
        #expect(le32(28) == 48_000, "byte rate")
        #expect(le16(32) == 2, "block align")
        #expect(le16(34) == 16, "bits per sample")
        #expect(Array(bytes[36..<40]) == Array("data".utf8))
        #expect(le32(40) == dataSize)
    }
}

private func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
    guard haystack.count >= needle.count else { return nil }
    return (0...(haystack.count - needle.count)).first { haystack[$0..<($0 + needle.count)].elementsEqual(needle) }
}

private func littleEndian<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> Int {
    var value = 0
    for (index, byte) in bytes.enumerated() { value |= Int(byte) << (8 * index) }
    return value
}
