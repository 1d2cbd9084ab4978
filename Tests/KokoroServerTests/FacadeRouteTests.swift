import Foundation
import Hummingbird
import HummingbirdTesting
import KokoroEngine
import Testing
@testable import KokoroServer

/// Every route, error and admission path through `SpeechService`, on the in-memory
/// implementation: no model, so these run in milliseconds and say exactly what the server
/// (not the engine) does.
@Suite("Routes through the facade, without the model")
struct FacadeRouteTests {
    private func app(_ service: InMemorySpeechService, _ configure: @escaping (inout ServerConfiguration) -> Void = { _ in })
        throws -> some ApplicationProtocol {
        try makeInMemoryApp({ configuration in
            configuration.devRoutes = true
            configure(&configuration)
        }, service: service)
    }

    /// Each route of the table answers with its success status: a route added to the table
    /// and not here fails this test.
    @Test func everyRouteAnswers() async throws {
        let service = InMemorySpeechService()
        let speech: [String: Any] = ["input": "Hello there. How are you.", "response_format": "pcm"]
        let requests: [(HTTPRequest.Method, String, ByteBuffer?, HTTPResponse.Status)] = [
            (.post, "/v1/audio/speech", json(speech), .ok),
            (.post, "/audio/speech", json(speech), .ok),
            (.get, "/v1/audio/voices", nil, .ok),
            (.get, "/audio/voices", nil, .ok),
            (.get, "/v1/models", nil, .ok),
            (.get, "/audio/models", nil, .ok),
            // The service was given no lexicon file: the route says how to give one.
            (.get, "/v1/lexicon", nil, .conflict),
            (.put, "/v1/lexicon", json(["en-us": ["kokoro": "/kˈOkəɹO/"]]), .conflict),
            (.post, "/dev/phonemize", json(["input": "Hello there."]), .ok),
            (.post, "/dev/generate_from_phonemes", json(["phonemes": "həlˈO", "response_format": "pcm"]), .ok),
            (.post, "/dev/captioned_speech", json(speech.merging(["stream": false]) { $1 }), .ok),
            (.get, "/health", nil, .ok),
            (.get, "/ready", nil, .ok),
            (.get, "/status", nil, .ok),
            (.get, "/v1/stats", nil, .ok),
            (.get, "/metrics", nil, .ok),
            (.get, "/openapi.json", nil, .ok),
            (.get, "/", nil, .ok),
        ]
        try await app(service).test(.router) { client in
            for (method, uri, body, status) in requests {
                try await client.execute(uri: uri, method: method, body: body) { response in
                    #expect(response.status == status, "\(method) \(uri): \(String(buffer: response.body).prefix(200))")
                }
            }
        }
        let routes = try OpenAPITests.routes(devRoutes: true)
        #expect(Set(routes.map { "\($0.method) \($0.path)" }) == Set(requests.map { "\($0.0) \($0.1)" }))
    }

    /// The page at `/` is `Resources/index.html` as edited, compiled into the binary.
    @Test func thePageIsTheResourceFile() async throws {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/KokoroServer/Resources/index.html")
        let page = try Data(contentsOf: file)
        try await app(InMemorySpeechService()).test(.router) { client in
            try await client.execute(uri: "/", method: .get) { response in
                #expect(response.headers[.contentType] == "text/html; charset=utf-8")
                #expect(Data(response.body.readableBytesView) == page)
            }
        }
    }

    /// The audio is the service's, whole, in every delivery: a raw stream, a file with its
    /// length and timing headers, and server-sent events ending in `speech.audio.done`.
    @Test func speechIsDeliveredWhole() async throws {
        let service = InMemorySpeechService()
        let text = "One sentence. And a second one."
        // One token per character of each sentence, 600 samples of 16-bit PCM per token.
        let samples = ["One sentence", " And a second one"].reduce(0) { $0 + $1.unicodeScalars.count * 600 }
        try await app(service).test(.router) { client in
            try await client.execute(uri: "/v1/audio/speech", method: .post, body: json(["input": text, "response_format": "pcm"])) { response in
                #expect(response.status == .ok)
                #expect(response.body.readableBytes == samples * 2)
            }
            try await client.execute(uri: "/v1/audio/speech", method: .post,
                                     body: json(["input": text, "response_format": "wav", "stream": false])) { response in
                #expect(response.body.readableBytes == samples * 2 + 44)
                #expect(response.headers[.contentLength] == String(samples * 2 + 44))
                #expect(response.headers[.audioDuration] == String(format: "%.3f", Double(samples) / 24_000))
            }
            try await client.execute(uri: "/v1/audio/speech", method: .post,
                                     body: json(["input": text, "response_format": "pcm", "stream_format": "sse"])) { response in
                let events = String(buffer: response.body).components(separatedBy: "\n\n").filter { !$0.isEmpty }
                #expect(events.last?.contains(#""type":"speech.audio.done""#) == true)
                let audio = events.compactMap { event -> Data? in
                    guard let line = event.split(separator: "\n").first(where: { $0.hasPrefix("data: ") }),
                          let object = try? JSONSerialization.jsonObject(with: Data(line.dropFirst(6).utf8)) as? [String: Any],
                          object["type"] as? String == "speech.audio.delta" else { return nil }
                    return Data(base64Encoded: object["audio"] as? String ?? "")
                }
                #expect(audio.reduce(0) { $0 + $1.count } == samples * 2)
            }
        }
        #expect(service.counts.streamed == 3)
    }

    /// Each bad request is the client's error, named, with the field and no audio work.
    @Test(arguments: [
        (["input": "Hi.", "voice": "xx_nobody"], HTTPResponse.Status.notFound, "voice"),
        (["input": "   "], .badRequest, "input"),
        (["input": "Hi.", "speed": 9], .badRequest, "speed"),
        (["input": "Hi.", "response_format": "ogg-vorbis"], .badRequest, "response_format"),
        (["input": "Hi.", "lang": "tlh"], .badRequest, "lang"),
        (["input": "Hi.", "stream_format": "chunks"], .badRequest, "stream_format"),
        (["input": String(repeating: "a", count: 21)], .contentTooLarge, "input"),
    ] as [([String: any Sendable], HTTPResponse.Status, String)])
    func badRequestsAreNamed(body: [String: any Sendable], status: HTTPResponse.Status, param: String) async throws {
        let service = InMemorySpeechService()
        try await app(service, { $0.maxInputCharacters = 20 }).test(.router) { client in
            try await client.execute(uri: "/v1/audio/speech", method: .post, body: json(body)) { response in
                #expect(response.status == status)
                #expect(errorBody(response.body)["param"] as? String == param)
            }
            #expect(try await activeRequests(client) == 0)
        }
        #expect(service.counts.streamed == 0)
    }

    /// A stream the forecast refuses, while another holds the only session, is a 503 naming
    /// the wait, with Retry-After; once alone, a stream the forecast calls late is served
    /// (its session is free), not refused.
    @Test(.timeLimit(.minutes(1))) func theForecastRefusesOnlyWhatWouldMakeOthersLate() async throws {
        let service = InMemorySpeechService(runTime: .milliseconds(400))
        service.setCapacity(streams: 2)
        service.setAdmission(.refuse(retryAfter: 3))
        try await app(service, { $0.forecastAdmission = true; $0.queueTimeoutSeconds = 0.5 }).test(.live) { client in
            let port = try #require(client.port)
            let first = try RawHTTPClient(port: port)
            let body = #"{"input":"\#(String(repeating: "A sentence. ", count: 6))","response_format":"pcm"}"#
            first.postSpeech(body)
            _ = await first.read(atLeast: 200)
            try await client.execute(uri: "/v1/audio/speech", method: .post, body: json(["input": "Me too."])) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(response.headers[.retryAfter] == "3")
                #expect(errorBody(response.body)["code"] as? String == "overloaded")
            }
            first.close()
            while try await activeRequests(client) != 0 { try await Task.sleep(for: .milliseconds(20)) }
            try await client.execute(uri: "/v1/audio/speech", method: .post, body: json(["input": "Alone now."])) { response in
                #expect(response.status == .ok)
            }
        }
        #expect(service.openAdmissions == 0)
        #expect(service.counts.admitted == service.counts.withdrawn)
    }

    /// A stream the forecast does not see fitting within its queue time is refused at once,
    /// not after waiting that time out; one it sees fitting sooner waits and is served.
    @Test(.timeLimit(.minutes(1))) func aStreamThatCannotFitInItsQueueTimeIsRefusedAtOnce() async throws {
        let service = InMemorySpeechService(runTime: .milliseconds(400))
        service.setCapacity(streams: 2)
        service.setAdmission(.refuse(retryAfter: 30))
        try await app(service, { $0.forecastAdmission = true; $0.queueTimeoutSeconds = 20 }).test(.live) { client in
            let first = try RawHTTPClient(port: try #require(client.port))
            first.postSpeech(#"{"input":"\#(String(repeating: "A sentence. ", count: 20))","response_format":"pcm"}"#)
            _ = await first.read(atLeast: 200)
            let asked = ContinuousClock.now
            try await client.execute(uri: "/v1/audio/speech", method: .post, body: json(["input": "Me too."])) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(response.headers[.retryAfter] == "30")
            }
            #expect(asked.duration(to: .now) < .seconds(10))
            service.setAdmission(.refuse(retryAfter: 1))
            let waiting = Task {
                try await client.execute(uri: "/v1/audio/speech", method: .post, body: json(["input": "Me later."])) { $0.status }
            }
            try await Task.sleep(for: .seconds(1))
            service.setAdmission(.admit)
            #expect(try await waiting.value == .ok)
            first.close()
        }
    }

    /// Past the measured capacity and the queue, a refusal comes at once.
    @Test func beyondCapacityAndQueueIsAnImmediate503() async throws {
        let service = InMemorySpeechService(runTime: .milliseconds(300))
        service.setCapacity(streams: 1)
        try await app(service, { $0.maxQueuedRequests = 0 }).test(.live) { client in
            let first = try await busySpeech(client, repeating: "A sentence. ", count: 8, bytes: 200)
            try await client.execute(uri: "/v1/audio/speech", method: .post, body: json(["input": "Me too."])) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(Int(response.headers[.retryAfter] ?? "") ?? 0 >= 1)
                #expect(errorBody(response.body)["code"] as? String == "overloaded")
            }
            #expect(try await activeRequests(client) == 1)
            first.close()
        }
    }

    /// However a request ends — served, refused in planning, its stream failing midway, its
    /// client gone mid-stream — its admission is given back exactly once and nothing stays
    /// active.
    @Test(.timeLimit(.minutes(1))) func everyEndingGivesTheAdmissionBack() async throws {
        let service = InMemorySpeechService(runTime: .milliseconds(50))
        try await app(service, { $0.forecastAdmission = true }).test(.live) { client in
            try await client.execute(uri: "/v1/audio/speech", method: .post, body: json(["input": "Served. Whole.", "stream": false])) {
                #expect($0.status == .ok)
            }
            try await client.execute(uri: "/v1/audio/speech", method: .post, body: json(["input": "Hi.", "voice": "xx_nobody"])) {
                #expect($0.status == .notFound)
            }
            // Twenty seconds of work: the client is gone long before its end.
            let leaver = try await busySpeech(client, repeating: "A sentence. ", count: 400, bytes: 200)
            leaver.close(reset: true)
            while service.counts.abandoned == 0 { try await Task.sleep(for: .milliseconds(10)) }
            service.failStreams(with: RunFailed())
            try await client.execute(uri: "/v1/audio/speech", method: .post, body: json(["input": "Fails. Midway.", "stream": false])) { response in
                #expect(response.status == .internalServerError)
                #expect((errorBody(response.body)["message"] as? String ?? "").contains("synthesis failed: the run failed"))
            }
            while try await activeRequests(client) != 0 { try await Task.sleep(for: .milliseconds(10)) }
        }
        #expect(service.counts.admitted == 3)
        #expect(service.counts.withdrawn == 3)
        #expect(service.openAdmissions == 0)
    }
}

/// A model run that failed, as a stream's error.
private struct RunFailed: Error, CustomStringConvertible {
    var description: String { "the run failed" }
}
