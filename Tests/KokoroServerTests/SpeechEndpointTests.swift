import AudioEncoding
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import KokoroServer

@Suite("POST /v1/audio/speech", .serialized)
struct SpeechEndpointTests {
    @Test(arguments: AudioFormat.allCases)
    func everyFormatStreamsAndDecodesAsTheFile(format: AudioFormat) async throws {
        let app = try makeApp()
        try await app.test(.router) { client in
            var streamed: [UInt8] = []
            var finished: [UInt8] = []
            for stream in [true, false] {
                try await client.execute(uri: "/v1/audio/speech", method: .post, headers: [.contentType: "application/json"],
                                         body: json(["model": "tts-1", "input": "Hello there. This is a test.", "voice": "af_heart",
                                                     "response_format": format.rawValue, "stream": stream])) { response in
                    #expect(response.status == .ok)
                    #expect(response.headers[.contentType] == format.contentType)
                    if stream {
                        #expect(response.headers[.accelBuffering] == "no")
                        streamed = Array(response.body.readableBytesView)
                    } else {
                        let duration = try #require(response.headers[.audioDuration].flatMap(Double.init))
                        #expect(duration > 1 && duration < 4)
                        #expect(response.headers[.generationTime].flatMap(Double.init) ?? 0 > 0)
                        #expect(response.headers[.realTimeFactor] != nil)
                        #expect(response.headers[.contentLength] == String(response.body.readableBytes))
                        finished = Array(response.body.readableBytesView)
                    }
                }
            }
            switch format {
            case .pcm:
                // The same samples, byte for byte, streamed or whole.
                #expect(streamed == finished)
                #expect(Double(streamed.count) / 48_000 > 1)
                return
            case .wav:
                // Only the header differs: the streamed one cannot know the length.
                #expect(streamed.dropFirst(44) == finished.dropFirst(44))
            default:
                break
            }
            let streamedProbe = try Probe(streamed, fileExtension: format.fileExtension)
            let finishedProbe = try Probe(finished, fileExtension: format.fileExtension)
            #expect(streamedProbe.channels == 1)
            #expect(streamedProbe.sampleRate == (format == .opus ? 48_000 : 24_000))
            #expect(streamedProbe.codec == finishedProbe.codec)
            #expect(streamedProbe.duration > 1 && streamedProbe.duration < 4.5, "\(streamedProbe.duration)")
            #expect(abs(streamedProbe.duration - finishedProbe.duration) < 0.1, "\(streamedProbe.duration) vs \(finishedProbe.duration)")
        }
    }

    @Test func acceptsLegacyFieldsAndOpenAIVoices() async throws {
        let app = try makeApp()
        try await app.test(.router) { client in
            try await client.execute(uri: "/v1/audio/speech", method: .post,
                                     body: json(["text": "Hi there.", "voice": "nova", "format": "wav", "stream": false])) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "audio/wav")
                #expect(Array(response.body.readableBytesView.prefix(4)) == Array("RIFF".utf8))
            }
            try await client.execute(uri: "/audio/speech", method: .post,
                                     body: json(["input": "Open WebUI.", "voice": "af_bella(2)+af_sky(1)", "response_format": "pcm"])) { response in
                #expect(response.status == .ok)
                #expect(response.body.readableBytes > 24_000)
            }
        }
    }

    @Test func speedIsClampedAndReported() async throws {
        let app = try makeApp()
        try await app.test(.router) { client in
            try await client.execute(uri: "/v1/audio/speech", method: .post,
                                     body: json(["input": "Quick.", "speed": 3.5, "response_format": "pcm", "stream": false])) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.speedClamped]?.contains("applied=2.0") == true)
            }
        }
    }

    @Test func badRequestsGetOpenAIShapedErrors() async throws {
        let app = try makeApp { $0.maxInputCharacters = 100 }
        try await app.test(.router) { client in
            let cases: [(ByteBuffer, HTTPResponse.Status, String?)] = [
                (ByteBuffer(string: "{not json"), .badRequest, nil),
                (json(["voice": "af_heart"]), .badRequest, "input"),
                (json(["input": "   "]), .badRequest, "input"),
                (json(["input": "Hi", "response_format": "ogg-vorbis"]), .badRequest, "response_format"),
                (json(["input": "Hi", "speed": 9]), .badRequest, "speed"),
                (json(["input": "Hi", "speed": "fast"]), .badRequest, "speed"),
                (json(["input": "Hi", "model": "whisper-1"]), .badRequest, "model"),
                (json(["input": "Hi", "voice": "af_bella+"]), .badRequest, "voice"),
                (json(["input": "Hi", "voice": "../../etc/passwd"]), .badRequest, "voice"),
                (json(["input": "Hi", "lang": "klingon"]), .badRequest, "lang"),
                (json(["input": String(repeating: "a", count: 101)]), .contentTooLarge, "input"),
            ]
            for (body, status, param) in cases {
                try await client.execute(uri: "/v1/audio/speech", method: .post, body: body) { response in
                    #expect(response.status == status, "\(String(buffer: body))")
                    let error = errorBody(response.body)
                    #expect(error["param"] as? String == param, "\(String(buffer: body))")
                }
            }
            try await client.execute(uri: "/v1/audio/speech", method: .post, body: json(["input": "Hi", "voice": "af_hart"])) { response in
                #expect(response.status == .notFound)
                let error = errorBody(response.body)
                #expect((error["message"] as? String)?.contains("af_heart") == true)
                #expect(error["code"] as? String == "voice_not_found")
            }
        }
    }

    @Test func inlinePauseIsExactSilence() async throws {
        let app = try makeApp()
        try await app.test(.router) { client in
            try await client.execute(uri: "/v1/audio/speech", method: .post,
                                     body: json(["input": "[pause:1.5s]", "response_format": "pcm", "stream": false])) { response in
                #expect(response.status == .ok)
                #expect(Array(response.body.readableBytesView) == [UInt8](repeating: 0, count: 72_000))
            }
        }
    }
}

/// `/dev/captioned_speech`: audio with its words' timings, as Kokoro-FastAPI's clients read them.
@Suite("Captioned speech")
struct CaptionedSpeechTests {
    static func words(_ object: [String: Any]) -> [(word: String, start: Double, end: Double)] {
        (object["timestamps"] as? [[String: Any]] ?? []).compactMap { word in
            guard let text = word["word"] as? String, let start = word["start_time"] as? Double, let end = word["end_time"] as? Double else { return nil }
            return (text, start, end)
        }
    }

    @Test func aWholeResponseHasTheAudioAndEveryWord() async throws {
        let app = try makeApp()
        try await app.test(.router) { client in
            try await client.execute(uri: "/dev/captioned_speech", method: .post,
                                     body: json(["input": "It costs $5 today.", "response_format": "pcm", "stream": false])) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/json")
                let object = try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
                #expect(object["audio_format"] as? String == "pcm")
                let audio = try #require((object["audio"] as? String).flatMap { Data(base64Encoded: $0) })
                let seconds = Double(audio.count) / 48_000
                let words = Self.words(object)
                #expect(words.map(\.word) == ["It", "costs", "$5", "today."])
                for (word, next) in zip(words, words.dropFirst()) { #expect(word.start < next.start && word.end <= next.start) }
                #expect((words.last?.end ?? .infinity) <= seconds)
            }
        }
    }

    /// Streamed (the default): one JSON object per line, each with its audio and the words
    /// that end in it; together, the whole response's.
    @Test func aStreamIsOneObjectPerLine() async throws {
        let app = try makeApp()
        try await app.test(.router) { client in
            let text = "Lines come as the audio is made. Each has its words."
            try await client.execute(uri: "/dev/captioned_speech", method: .post, body: json(["input": text, "response_format": "mp3"])) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/x-ndjson")
                let lines = String(buffer: response.body).split(separator: "\n")
                let objects = lines.compactMap { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] }
                #expect(objects.count == lines.count && lines.count > 1)
                #expect(objects.allSatisfy { $0["audio_format"] as? String == "mp3" && $0["audio"] is String })
                #expect(objects.flatMap(Self.words).map(\.word) == text.split(separator: " ").map(String.init))
            }
            try await client.execute(uri: "/dev/captioned_speech", method: .post, body: json(["input": "Hi.", "stream_format": "sse"])) { response in
                #expect(response.status == .badRequest)
                #expect(errorBody(response.body)["param"] as? String == "stream_format")
            }
        }
    }
}

/// OpenAI's newer fields: Server-Sent Events, `instructions`, and its newest voice names.
@Suite("OpenAI's streaming events and newer fields")
struct ServerSentEventsTests {
    /// `stream_format: "sse"`: `speech.audio.delta` events whose base64 audio, joined, is
    /// the response format's stream, `speech.audio.timestamps` events with every word, then
    /// `speech.audio.done` with the usage.
    @Test func audioArrivesAsEventsThenUsage() async throws {
        let app = try makeApp()
        try await app.test(.router) { client in
            try await client.execute(uri: "/v1/audio/speech", method: .post,
                                     body: json(["input": "Events, please.", "response_format": "pcm", "stream_format": "sse", "voice": "marin"])) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/event-stream")
                let events = String(buffer: response.body).components(separatedBy: "\n\n").filter { !$0.isEmpty }.map { event -> [String: Any] in
                    #expect(event.hasPrefix("data: "))
                    return (try? JSONSerialization.jsonObject(with: Data(event.dropFirst(6).utf8))) as? [String: Any] ?? [:]
                }
                let deltas = events.dropLast().filter { $0["type"] as? String == "speech.audio.delta" }
                let timestamps = events.dropLast().filter { $0["type"] as? String == "speech.audio.timestamps" }
                #expect(!deltas.isEmpty && deltas.count + timestamps.count == events.count - 1)
                let words = timestamps.flatMap { $0["timestamps"] as? [[String: Any]] ?? [] }
                #expect(words.compactMap { $0["word"] as? String } == ["Events,", "please."])
                let audio = deltas.compactMap { ($0["audio"] as? String).flatMap { Data(base64Encoded: $0) } }.reduce(Data(), +)
                let seconds = Double(audio.count) / 48_000
                #expect(seconds > 0.5 && seconds < 5)
                let done = try #require(events.last)
                #expect(done["type"] as? String == "speech.audio.done")
                let usage = done["usage"] as? [String: Int] ?? [:]
                #expect((usage["input_tokens"] ?? 0) > 5)
                #expect(abs(Double(usage["output_tokens"] ?? 0) - seconds * 40) <= 1)
                #expect(usage["total_tokens"] == (usage["input_tokens"] ?? 0) + (usage["output_tokens"] ?? 0))
            }
            try await client.execute(uri: "/v1/audio/speech", method: .post, body: json(["input": "Hi.", "stream_format": "video"])) { response in
                #expect(response.status == .badRequest)
                #expect(errorBody(response.body)["param"] as? String == "stream_format")
            }
        }
    }

    /// `instructions` are accepted and never silently ignored: a header says so.
    @Test func instructionsAreDeclaredIgnored() async throws {
        // "cedar" is OpenAI's name for am_fenrir.
        let app = try makeInMemoryApp(service: InMemorySpeechService(voices: ["af_heart", "am_fenrir"]))
        try await app.test(.router) { client in
            try await client.execute(uri: "/v1/audio/speech", method: .post,
                                     body: json(["input": "Hi.", "response_format": "pcm", "instructions": "Speak like a pirate.", "voice": "cedar"])) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.instructionsIgnored]?.contains("cannot follow") == true)
            }
            try await client.execute(uri: "/v1/audio/speech", method: .post, body: json(["input": "Hi.", "response_format": "pcm"])) { response in
                #expect(response.headers[.instructionsIgnored] == nil)
            }
        }
    }
}

/// Mandarin and Japanese voices read misaki's phonemes for their language, never espeak's gibberish.
@Suite struct CJKLanguageTests {
    /// Japanese voices read misaki's kana-based phonemes (MeCab readings), not kanji as "Chinese letter".
    @Test func japaneseVoicesSpeakMisakisPhonemes() async throws {
        let app = try makeApp()
        try await app.test(.router) { client in
            try await client.execute(uri: "/dev/phonemize", method: .post, body: json(["input": "そうなの？", "voice": "jf_alpha"])) { response in
                #expect(response.status == .ok)
                #expect(decodeJSON(response.body)["phonemes"] as? String == "soː na no?")
            }
            let body = json(["input": "今日は良い天気です。", "voice": "jf_alpha", "response_format": "wav", "stream": false])
            try await client.execute(uri: "/v1/audio/speech", method: .post, body: body) { response in
                #expect(response.status == .ok)
                let seconds = Double(response.headers[.audioDuration] ?? "") ?? 0
                #expect(seconds > 1 && seconds < 6, "\(seconds) s")
            }
        }
    }

    /// Mandarin voices read misaki's phonemes (segmented pinyin with tone arrows), sentence
    /// by sentence at the full-width stops.
    @Test func mandarinVoicesSpeakMisakisPhonemes() async throws {
        let app = try makeApp()
        try await app.test(.router) { client in
            let text = "今天天气很好。我们去公园吧！"
            try await client.execute(uri: "/dev/phonemize", method: .post, body: json(["input": text, "voice": "zf_xiaobei"])) { response in
                #expect(response.status == .ok)
                let body = decodeJSON(response.body)
                #expect(body["phonemes"] as? String == "ʨi→ntʰjɛ→ntʰjɛ→nʨʰi↘ xə↓n xau↓. wo↓mən ʨʰy↘ kʊ→ŋɥɛ↗n pa!")
                #expect((body["segments"] as? [Any])?.count == 2)
            }
            let body = json(["input": text, "voice": "zf_xiaobei", "response_format": "wav", "stream": false])
            try await client.execute(uri: "/v1/audio/speech", method: .post, body: body) { response in
                #expect(response.status == .ok)
                let seconds = Double(response.headers[.audioDuration] ?? "") ?? 0
                #expect(seconds > 1.5 && seconds < 8, "\(seconds) s")
            }
        }
    }
}
