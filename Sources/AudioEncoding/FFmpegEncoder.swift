import CFFmpeg

/// What FFmpeg needs to know to produce one response format.
struct CodecChoice {
    let encoder: String
    let muxer: String
    let bitRate: Int64
    let codecOptions: [String: String]

    init(_ format: AudioFormat) {
        switch format {
        // 24 kHz makes this MPEG-2 Layer III, whose ceiling is 160k; 128k leaves
        // no audible artefacts on speech.
        case .mp3: self.init("libmp3lame", "mp3", 128_000)
        // libopus takes 24 kHz directly (8/12/16/24/48 kHz are native input rates),
        // so no resampling: the OpusHead then records 24000 as the input rate and
        // pre-skip/granules are still counted at 48 kHz as RFC 7845 requires.
        // 64k in "audio" mode is transparent for 24 kHz speech; "voip" at 24-32k
        // would halve the bytes at an audible cost.
        case .opus: self.init("libopus", "ogg", 64_000, ["application": "audio"])
        // FFmpeg's native AAC-LC needs more bits than libfdk for the same quality;
        // 96k mono at 24 kHz is clean.
        case .aac: self.init("aac", "adts", 96_000)
        default: self.init("flac", "flac", 0)
        }
    }

    private init(_ encoder: String, _ muxer: String, _ bitRate: Int64, _ codecOptions: [String: String] = [:]) {
        self.encoder = encoder
        self.muxer = muxer
        self.bitRate = bitRate
        self.codecOptions = codecOptions
    }
}

/// mp3, Ogg Opus, ADTS AAC and FLAC through one libavcodec encoder and one
/// libavformat muxer writing into memory.
///
/// Samples are clipped, converted to the codec's sample format (and rate, if
/// the codec cannot take the input rate) by libswresample, and queued in an
/// AVAudioFifo so any chunk size becomes the codec's fixed frame size.
final class FFmpegEncoder: AudioEncoder {
    private let sink: MemorySink
    private let streaming: Bool
    private var formatContext: UnsafeMutablePointer<AVFormatContext>?
    private var ioContext: UnsafeMutablePointer<AVIOContext>?
    private var codecContext: UnsafeMutablePointer<AVCodecContext>?
    private var resampler: OpaquePointer?
    private var fifo: OpaquePointer?
    private var frame: UnsafeMutablePointer<AVFrame>?
    private var packet: UnsafeMutablePointer<AVPacket>?
    private var nextPTS: Int64 = 0
    private var finished = false

    init(_ choice: CodecChoice, sampleRate: Int, streaming: Bool) throws {
        self.streaming = streaming
        sink = MemorySink(seekable: !streaming)
        // Every resource is owned by a property from the moment it exists, so a
        // throw below leaves deinit to free exactly what was made.
        try open(choice, sampleRate: Int32(sampleRate))
    }

    deinit {
        if let formatContext { avformat_free_context(formatContext) }
        if ioContext != nil {
            av_freep(&ioContext!.pointee.buffer)
            avio_context_free(&ioContext)
        }
        avcodec_free_context(&codecContext)
        swr_free(&resampler)
        if let fifo { av_audio_fifo_free(fifo) }
        av_frame_free(&frame)
        av_packet_free(&packet)
    }

    private func open(_ choice: CodecChoice, sampleRate: Int32) throws {
        guard let codec = avcodec_find_encoder_by_name(choice.encoder) else {
            throw AudioEncodingError.encoderUnavailable(choice.encoder)
        }
        try check(avformat_alloc_output_context2(&formatContext, nil, choice.muxer, nil), "avformat_alloc_output_context2(\(choice.muxer))")
        guard let formatContext else {
            throw AudioEncodingError.muxerUnavailable(choice.muxer)
        }

        codecContext = avcodec_alloc_context3(codec)
        frame = av_frame_alloc()
        packet = av_packet_alloc()
        guard let codecContext, frame != nil, packet != nil else { throw Self.outOfMemory("allocating the codec") }
        let codecRate = Self.codecRate(for: sampleRate, supported: codec.pointee.supported_samplerates)
        let sampleFormat = Self.sampleFormat(supported: codec.pointee.sample_fmts)
        codecContext.pointee.sample_rate = codecRate
        codecContext.pointee.sample_fmt = sampleFormat
        codecContext.pointee.time_base = AVRational(num: 1, den: codecRate)
        codecContext.pointee.bit_rate = choice.bitRate
        av_channel_layout_default(&codecContext.pointee.ch_layout, 1)
        if formatContext.pointee.oformat.pointee.flags & AVFMT_GLOBALHEADER != 0 {
            codecContext.pointee.flags |= AV_CODEC_FLAG_GLOBAL_HEADER
        }
        var options: OpaquePointer?
        defer { av_dict_free(&options) }
        for (key, value) in choice.codecOptions { av_dict_set(&options, key, value, 0) }
        try check(avcodec_open2(codecContext, codec, &options), "avcodec_open2(\(choice.encoder))")

        guard let stream = avformat_new_stream(formatContext, nil) else { throw Self.outOfMemory("adding the stream") }
        try check(avcodec_parameters_from_context(stream.pointee.codecpar, codecContext), "avcodec_parameters_from_context")
        stream.pointee.time_base = codecContext.pointee.time_base

        let bufferSize: Int32 = 4096
        guard let buffer = av_malloc(Int(bufferSize)) else { throw Self.outOfMemory("the I/O buffer") }
        ioContext = avio_alloc_context(buffer.assumingMemoryBound(to: UInt8.self), bufferSize, 1,
                                       Unmanaged.passUnretained(sink).toOpaque(),
                                       nil, memorySinkWrite, streaming ? nil : memorySinkSeek)
        guard let ioContext else {
            av_free(buffer)
            throw Self.outOfMemory("the I/O context")
        }
        formatContext.pointee.pb = ioContext
        formatContext.pointee.flags |= AVFMT_FLAG_CUSTOM_IO
        // Hand every packet to the sink as soon as it is muxed: time to first audio matters.
        formatContext.pointee.flush_packets = 1
        // No room for later tag edits (FLAC would pad its header by 8 KiB): the
        // first bytes should be audio, and nobody edits tags of speech responses.
        formatContext.pointee.metadata_header_padding = 0

        var mono = AVChannelLayout()
        av_channel_layout_default(&mono, 1)
        try check(swr_alloc_set_opts2(&resampler, &codecContext.pointee.ch_layout, sampleFormat, codecRate,
                                      &mono, AV_SAMPLE_FMT_FLT, sampleRate, 0, nil), "swr_alloc_set_opts2")
        try check(swr_init(resampler), "swr_init")
        fifo = av_audio_fifo_alloc(sampleFormat, 1, max(codecContext.pointee.frame_size, 1024))
        guard fifo != nil else { throw Self.outOfMemory("the sample FIFO") }

        try check(avformat_write_header(formatContext, nil), "avformat_write_header(\(choice.muxer))")
        avio_flush(ioContext)
    }

    func encode(_ samples: [Float]) throws -> [UInt8] {
        guard !finished else { throw AudioEncodingError.alreadyFinished }
        try convert(samples.map(clipped))
        try encodeFrames(includingPartial: false)
        try flushMuxer()
        return streaming ? sink.take() : []
    }

    func finish() throws -> [UInt8] {
        guard !finished else { throw AudioEncodingError.alreadyFinished }
        finished = true
        try convert(nil)
        try encodeFrames(includingPartial: true)
        try check(avcodec_send_frame(codecContext, nil), "avcodec_send_frame(flush)")
        try writePackets()
        try check(av_write_trailer(formatContext), "av_write_trailer")
        avio_flush(ioContext)
        return sink.take()
    }

    /// Appends converted samples to the FIFO; `nil` drains the resampler's delay.
    private func convert(_ samples: [Float]?) throws {
        let inputCount = Int32(samples?.count ?? 0)
        let capacity = swr_get_out_samples(resampler, inputCount)
        guard capacity > 0 else { return }
        let bytesPerSample = Int(av_get_bytes_per_sample(codecContext!.pointee.sample_fmt))
        var converted = [UInt8](repeating: 0, count: Int(capacity) * bytesPerSample)
        let count = converted.withUnsafeMutableBufferPointer { out -> Int32 in
            var outPlane: UnsafeMutablePointer<UInt8>? = out.baseAddress
            guard let samples else { return swr_convert(resampler, &outPlane, capacity, nil, 0) }
            return samples.withUnsafeBytes { input in
                var inPlane: UnsafePointer<UInt8>? = input.baseAddress?.assumingMemoryBound(to: UInt8.self)
                return swr_convert(resampler, &outPlane, capacity, &inPlane, inputCount)
            }
        }
        try check(count, "swr_convert")
        try converted.withUnsafeMutableBytes { bytes in
            var plane: UnsafeMutableRawPointer? = bytes.baseAddress
            try check(av_audio_fifo_write(fifo, &plane, count), "av_audio_fifo_write")
        }
    }

    /// Feeds whole codec frames from the FIFO; at the end also the remainder,
    /// padded with silence when the codec cannot take a short last frame.
    private func encodeFrames(includingPartial: Bool) throws {
        guard let codecContext, let frame else { return }
        let variableSize = codecContext.pointee.codec.pointee.capabilities & AV_CODEC_CAP_VARIABLE_FRAME_SIZE != 0
        let smallLast = codecContext.pointee.codec.pointee.capabilities & AV_CODEC_CAP_SMALL_LAST_FRAME != 0
        let frameSize = variableSize || codecContext.pointee.frame_size == 0 ? 4096 : codecContext.pointee.frame_size
        while true {
            let available = av_audio_fifo_size(fifo)
            guard available >= frameSize || (includingPartial && available > 0) else { return }
            let count = min(available, frameSize)
            frame.pointee.nb_samples = variableSize || smallLast ? count : frameSize
            frame.pointee.format = codecContext.pointee.sample_fmt.rawValue
            frame.pointee.sample_rate = codecContext.pointee.sample_rate
            try check(av_channel_layout_copy(&frame.pointee.ch_layout, &codecContext.pointee.ch_layout), "av_channel_layout_copy")
            try check(av_frame_get_buffer(frame, 0), "av_frame_get_buffer")
            defer { av_frame_unref(frame) }
            let read = frame.pointee.extended_data.withMemoryRebound(to: UnsafeMutableRawPointer?.self, capacity: 1) { planes in
                av_audio_fifo_read(fifo, planes, count)
            }
            try check(read, "av_audio_fifo_read")
            if count < frame.pointee.nb_samples {
                av_samples_set_silence(frame.pointee.extended_data, count, frame.pointee.nb_samples - count, 1,
                                       codecContext.pointee.sample_fmt)
            }
            frame.pointee.pts = nextPTS
            nextPTS += Int64(frame.pointee.nb_samples)
            try check(avcodec_send_frame(codecContext, frame), "avcodec_send_frame")
            try writePackets()
        }
    }

    private func writePackets() throws {
        guard let formatContext, let codecContext, let packet else { return }
        let stream = formatContext.pointee.streams[0]!
        while true {
            let status = avcodec_receive_packet(codecContext, packet)
            if status == cffmpeg_error_again() || status == cffmpeg_error_eof() { return }
            try check(status, "avcodec_receive_packet")
            defer { av_packet_unref(packet) }
            av_packet_rescale_ts(packet, codecContext.pointee.time_base, stream.pointee.time_base)
            packet.pointee.stream_index = 0
            try check(av_write_frame(formatContext, packet), "av_write_frame")
        }
    }

    /// Makes muxers that buffer (Ogg holds packets until a page fills, up to a
    /// second) write out what they have, so each `encode` returns all it can.
    private func flushMuxer() throws {
        guard let formatContext else { return }
        if formatContext.pointee.oformat.pointee.flags & AVFMT_ALLOW_FLUSH != 0 {
            try check(av_write_frame(formatContext, nil), "av_write_frame(flush)")
        }
        avio_flush(ioContext)
    }

    private static func codecRate(for rate: Int32, supported: UnsafePointer<Int32>?) -> Int32 {
        guard let supported else { return rate }
        var rates: [Int32] = []
        while supported[rates.count] != 0 { rates.append(supported[rates.count]) }
        if rates.contains(rate) { return rate }
        return rates.filter { $0 > rate }.min() ?? rates.max() ?? rate
    }

    /// Float formats keep the model's precision into the codec; otherwise the
    /// codec's first (preferred) format, e.g. 16-bit for FLAC.
    private static func sampleFormat(supported: UnsafePointer<AVSampleFormat>?) -> AVSampleFormat {
        guard let supported else { return AV_SAMPLE_FMT_FLT }
        var formats: [AVSampleFormat] = []
        while supported[formats.count] != AV_SAMPLE_FMT_NONE { formats.append(supported[formats.count]) }
        return formats.first { $0 == AV_SAMPLE_FMT_FLTP || $0 == AV_SAMPLE_FMT_FLT } ?? formats.first ?? AV_SAMPLE_FMT_S16
    }

    private static func outOfMemory(_ what: String) -> AudioEncodingError {
        .ffmpeg(call: what, code: -12, message: "Cannot allocate memory")
    }
}

/// Throws FFmpeg's own message for negative return codes.
@discardableResult
func check(_ status: Int32, _ call: @autoclosure () -> String) throws -> Int32 {
    guard status < 0 else { return status }
    var text = [CChar](repeating: 0, count: 256)
    av_strerror(status, &text, text.count)
    throw AudioEncodingError.ffmpeg(call: call(), code: status, message: String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
}
