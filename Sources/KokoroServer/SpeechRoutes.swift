import AudioEncoding
import Foundation
import HTTPTypes
import Hummingbird
import KokoroEngine
import KokoroPhonemizer
import Logging

/// `/v1/audio/speech` and the developer routes: HTTP in, engine calls, audio out.
struct SpeechRoutes: Sendable {
    let state: ServerState
    let configuration: ServerConfiguration
    let admission: Admission
    var metrics: ServerMetrics { admission.metrics }

    /// Request bodies larger than this are refused before parsing.
    static let maxBodyBytes = 1 << 20

    static func decode<T: Decodable>(_ type: T.Type, from request: Request, limit: Int = maxBodyBytes) async throws -> T {
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: limit)
        } catch {
            throw APIError(.contentTooLarge, "request body over \(limit) bytes", param: "input", code: "input_too_large")
        }
        do {
            return try JSONDecoder().decode(T.self, from: Data(buffer.readableBytesView))
        } catch let error as APIError {
            throw error
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            let field = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw APIError.badRequest("field `\(field)` has the wrong type: \(context.debugDescription)", param: field)
        } catch {
            throw APIError.badRequest("the body is not valid JSON: send {\"input\": \"text\", \"voice\": \"af_heart\"}")
        }
    }

    /// A speech request read, checked and admitted: what `/v1/audio/speech` and
    /// `/dev/captioned_speech` answer from.
    private struct Admitted {
        let body: SpeechBody
        let format: AudioFormat
        let pipe: AudioPipe
        let headers: HTTPFields
        let inputTokens: Int
    }

    private func admit(_ request: Request, context: KokoroRequestContext) async throws -> Admitted {
        let received = ContinuousClock.now
        let engine = try state.requireEngine()
        let body = try await Self.decode(SpeechBody.self, from: request)
        try body.validateModel()
        let format = try body.format()
        _ = try body.sendsEvents()
        try checkLength(body.input)
        let speed: RequestedSpeed
        let language: Language?
        do {
            speed = try RequestedSpeed(body.speed ?? 1)
            language = try body.lang.map(Language.parse)
        } catch {
            throw APIError.from(error)
        }
        let voice = VoiceCatalog.resolveAliases(body.voice ?? configuration.defaultVoice ?? engine.defaultVoice, known: engine.hasVoice)
        // Streamed or not, the same pieces (the stream decodes to exactly the whole file's
        // audio), due at the pace of playback: a whole file alone is made at full speed, and
        // under load it never takes the machine from a stream about to run dry.
        let speechRequest = SpeechRequest(text: body.input, voice: voice, speed: speed.applied, language: language,
                                          useCache: !(body.noCache ?? false), realTime: true, normalization: body.normalization)
        let ticket = try await admission.admit(engine, arrival: received) { try await $0.plan(speechRequest) }
        var headers: HTTPFields = [.contentType: format.contentType]
        if let instructions = body.instructions, !instructions.allSatisfy(\.isWhitespace) {
            headers[.instructionsIgnored] = "Kokoro cannot follow style instructions; the text is read in the voice's own style"
        }
        if speed.isClamped {
            headers[.speedClamped] = "requested=\(speed.requested); applied=\(speed.applied); model range \(EngineError.speedRange.lowerBound)-\(EngineError.speedRange.upperBound)"
        }
        let pipe = AudioPipe(engine: engine, ticket: ticket, format: format, received: received, inputCharacters: body.input.count,
                             metrics: metrics, logger: context.logger, connection: context.channel,
                             stallTimeout: .seconds(configuration.stallTimeoutSeconds))
        return Admitted(body: body, format: format, pipe: pipe, headers: headers, inputTokens: ticket.job.tokenCount)
    }

    func speech(_ request: Request, context: KokoroRequestContext) async throws -> Response {
        let admitted = try await admit(request, context: context)
        var headers = admitted.headers
        if try admitted.body.sendsEvents() {
            return serverSentEvents(admitted.pipe, headers: headers, inputTokens: admitted.inputTokens)
        }
        guard admitted.body.stream ?? true else {
            let result = try await admitted.pipe.collect()
            headers[.audioDuration] = String(format: "%.3f", result.audioSeconds)
            headers[.generationTime] = String(format: "%.3f", result.elapsedSeconds)
            headers[.realTimeFactor] = String(format: "%.4f", result.elapsedSeconds / max(result.audioSeconds, 0.001))
            headers[.contentLength] = String(result.bytes.count)
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: result.bytes)))
        }
        headers[.accelBuffering] = "no"
        headers[.cacheControl] = "no-cache"
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            try await admitted.pipe.pump { bytes, _ in
                guard !bytes.isEmpty else { return }
                try await writer.write(ByteBuffer(bytes: bytes))
            }
            try await writer.finish(nil)
        })
    }

    /// A word's timing as Kokoro-FastAPI's clients read it, in seconds to the millisecond.
    struct Timestamp: Encodable {
        let word: String
        let start_time: Double
        let end_time: Double

        init(_ timing: WordTiming) {
            word = timing.word
            start_time = (timing.start * 1000).rounded() / 1000
            end_time = (timing.end * 1000).rounded() / 1000
        }
    }

    /// Audio with word timestamps in Kokoro-FastAPI's shape: one JSON object
    /// `{audio (base64), audio_format, timestamps: [{word, start_time, end_time}]}`, or with
    /// `stream` (the default, as there) one such object per line as the audio is made, each
    /// with the words that end in its audio. Times are seconds from the start of the audio.
    func captionedSpeech(_ request: Request, context: KokoroRequestContext) async throws -> Response {
        let admitted = try await admit(request, context: context)
        guard try !admitted.body.sendsEvents() else {
            throw APIError.badRequest("stream_format sse is for /v1/audio/speech (its events carry the timestamps); this route answers JSON",
                                      param: "stream_format")
        }
        struct Captioned: Encodable {
            let audio: String
            let audio_format: String
            let timestamps: [Timestamp]
        }
        let format = admitted.format.rawValue
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var headers = admitted.headers
        guard admitted.body.stream ?? true else {
            let result = try await admitted.pipe.collect()
            headers[.contentType] = "application/json"
            let json = try encoder.encode(Captioned(audio: Data(result.bytes).base64EncodedString(), audio_format: format,
                                                    timestamps: result.words.map(Timestamp.init)))
            headers[.contentLength] = String(json.count)
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: json)))
        }
        headers[.contentType] = "application/x-ndjson"
        headers[.accelBuffering] = "no"
        headers[.cacheControl] = "no-cache"
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            try await admitted.pipe.pump { bytes, words in
                let line = try encoder.encode(Captioned(audio: Data(bytes).base64EncodedString(), audio_format: format,
                                                        timestamps: words.map(Timestamp.init)))
                try await writer.write(ByteBuffer(bytes: line + [UInt8(ascii: "\n")]))
            }
            try await writer.finish(nil)
        })
    }

    /// OpenAI's Server-Sent Events: each piece of encoded audio as a `speech.audio.delta`
    /// event (base64), followed by a `speech.audio.timestamps` event with the words that end
    /// in the audio so far (ours: OpenAI's clients skip event types they do not know), then
    /// `speech.audio.done` with the usage: input tokens are the phoneme tokens the model
    /// read, output tokens the 25 ms frames of audio it made.
    private func serverSentEvents(_ stream: AudioPipe, headers: HTTPFields, inputTokens: Int) -> Response {
        var headers = headers
        headers[.contentType] = "text/event-stream"
        headers[.accelBuffering] = "no"
        headers[.cacheControl] = "no-cache"
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            let samples = try await stream.pump { bytes, words in
                if !bytes.isEmpty {
                    let event = #"data: {"type":"speech.audio.delta","audio":""# + Data(bytes).base64EncodedString() + "\"}\n\n"
                    try await writer.write(ByteBuffer(string: event))
                }
                if !words.isEmpty {
                    let timestamps = String(decoding: try encoder.encode(words.map(Timestamp.init)), as: UTF8.self)
                    try await writer.write(ByteBuffer(string: #"data: {"type":"speech.audio.timestamps","timestamps":"# + timestamps + "}\n\n"))
                }
            }
            let frames = Int((Double(samples) / Double(SentenceFrames.samplesPerFrame)).rounded(.up))
            let done = #"data: {"type":"speech.audio.done","usage":{"input_tokens":\#(inputTokens),"output_tokens":\#(frames),"total_tokens":\#(inputTokens + frames)}}"# + "\n\n"
            try await writer.write(ByteBuffer(string: done))
            try await writer.finish(nil)
        })
    }

    /// Inputs over `--max-input` characters are refused before anything else.
    private func checkLength(_ input: String, field: String = "input") throws {
        guard input.count <= configuration.maxInputCharacters else {
            throw APIError(.contentTooLarge, "\(field) is \(input.count) characters; the limit is \(configuration.maxInputCharacters) (split the text or raise --max-input)",
                           param: field, code: "input_too_large")
        }
    }

    struct PhonemizeBody: Decodable {
        let input: String
        let voice: String?
        let language: String?
        let normalization_options: SpeechBody.NormalizationBody?
        enum CodingKeys: String, CodingKey, CaseIterable { case input, voice, language, normalization_options }
    }

    struct PhonemizeResult: Encodable {
        struct Segment: Encodable {
            let phonemes: String
            let tokens: [Int64]
        }
        let phonemes: String
        let tokens: [Int64]
        let language: String
        let segments: [Segment]
    }

    /// Text → phonemes and tokens, and the segments a streamed request would be cut into.
    func phonemize(_ request: Request, context: some RequestContext) async throws -> Response {
        let engine = try state.requireEngine()
        let body = try await Self.decode(PhonemizeBody.self, from: request)
        try checkLength(body.input)
        let voice = body.voice ?? configuration.defaultVoice ?? engine.defaultVoice
        do {
            let language = try body.language.map(Language.parse) ?? Language(voiceName: voice) ?? .americanEnglish
            // Exactly what synthesis would use: the planned pieces, and their concatenation;
            // phonemized in a slot, like speech.
            let slot = try await admission.slot(engine)
            defer { Task { await slot.release(after: nil) } }
            let request = SpeechRequest(text: body.input, voice: voice, language: language,
                                        normalization: body.normalization_options?.options ?? .standard)
            let job = try await engine.plan(request)
            let segments: [PhonemizeResult.Segment] = job.segments.compactMap {
                guard case .speech(let phonemes, let tokens, _, _) = $0 else { return nil }
                return .init(phonemes: phonemes, tokens: tokens)
            }
            return try jsonResponse(PhonemizeResult(phonemes: segments.map(\.phonemes).joined(separator: " "),
                                                    tokens: segments.flatMap(\.tokens),
                                                    language: language.rawValue, segments: segments))
        } catch {
            throw APIError.from(error)
        }
    }

    struct PhonemesBody: Decodable {
        let phonemes: String
        let voice: String?
        let speed: Double?
        let response_format: String?
        enum CodingKeys: String, CodingKey, CaseIterable { case phonemes, voice, speed, response_format }
    }

    /// Phonemes → audio, bypassing the phonemizer (for checking pronunciations).
    func generateFromPhonemes(_ request: Request, context: KokoroRequestContext) async throws -> Response {
        let received = ContinuousClock.now
        let engine = try state.requireEngine()
        let body = try await Self.decode(PhonemesBody.self, from: request)
        guard let format = AudioFormat(rawValue: (body.response_format ?? "wav").lowercased()) else {
            throw APIError.badRequest("unsupported response_format", param: "response_format")
        }
        try checkLength(body.phonemes, field: "phonemes")
        let voice = VoiceCatalog.resolveAliases(body.voice ?? configuration.defaultVoice ?? engine.defaultVoice, known: engine.hasVoice)
        let speed: Float
        do {
            speed = try RequestedSpeed(body.speed ?? 1).applied
        } catch {
            throw APIError.from(error)
        }
        let ticket = try await admission.admit(engine, arrival: received) { try await $0.plan(phonemes: body.phonemes, voice: voice, speed: speed) }
        let result = try await AudioPipe(engine: engine, ticket: ticket, format: format, received: received,
                                         inputCharacters: body.phonemes.count, metrics: metrics, logger: context.logger,
                                         connection: context.channel, stallTimeout: .seconds(configuration.stallTimeoutSeconds)).collect()
        return Response(status: .ok, headers: [.contentType: format.contentType, .contentLength: String(result.bytes.count)],
                        body: .init(byteBuffer: ByteBuffer(bytes: result.bytes)))
    }
}

func jsonResponse<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) throws -> Response {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return Response(status: status, headers: [.contentType: "application/json"],
                    body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(value))))
}
