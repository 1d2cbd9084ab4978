import Foundation
import Hummingbird
import KokoroEngine
import HummingbirdTesting
import Testing
@testable import KokoroServer

@Suite("Other endpoints, access control, overload and disconnects", .serialized)
struct ServerEndpointTests {
    @Test func voicesModelsAndProbes() async throws {
        let app = try makeApp()
        try await app.test(.router) { client in
            try await client.execute(uri: "/v1/audio/voices", method: .get) { response in
                let voices = try #require(decodeJSON(response.body)["voices"] as? [[String: String]])
                #expect(voices.count == 54)
                #expect(voices.contains(["id": "af_heart", "name": "Heart", "language": "en-us", "gender": "female"]))
                #expect(voices.contains(["id": "bm_george", "name": "George", "language": "en-gb", "gender": "male"]))
            }
            try await client.execute(uri: "/audio/voices?legacy=true", method: .get) { response in
                #expect((decodeJSON(response.body)["voices"] as? [String])?.contains("af_heart") == true)
            }
            for uri in ["/v1/models", "/audio/models"] {
                try await client.execute(uri: uri, method: .get) { response in
                    let models = try #require(decodeJSON(response.body)["data"] as? [[String: Any]])
                    #expect(Set(models.compactMap { $0["id"] as? String }) == ["kokoro", "tts-1", "tts-1-hd", "gpt-4o-mini-tts"])
                }
            }
            try await client.execute(uri: "/health", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/ready", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/status", method: .get) { response in
                let status = decodeJSON(response.body)
                #expect(status["status"] as? String == "ready")
                #expect((status["providers"] as? [String])?.contains("CPUExecutionProvider") == true)
                #expect(status["voices"] as? Int == 54)
                // Set-up calibrates the default voice: it speaks in the default windows.
                #expect(status["decoder_windows"] as? String == "15/80/16")
                #expect((status["first_window_frames"] as? Int ?? 0) >= 15)
                #expect((status["calibrated_voices"] as? [String])?.contains("af_heart") == true)
                #expect(status["calibrating_voices"] as? [String] == [])
            }
            try await client.execute(uri: "/", method: .get) { response in
                #expect(response.headers[.contentType]?.hasPrefix("text/html") == true)
                #expect(String(buffer: response.body).contains("<html"))
            }
        }
    }

    @Test func notReadyWhileLoading() async throws {
        let app = try makeApp(state: ServerState())
        try await app.test(.router) { client in
            try await client.execute(uri: "/health", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/ready", method: .get) { #expect($0.status == .serviceUnavailable) }
            try await client.execute(uri: "/v1/audio/speech", method: .post, body: json(["input": "Hi"])) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(response.headers[.retryAfter] != nil)
            }
        }
    }

    @Test func developerRoutes() async throws {
        let app = try makeApp()
        try await app.test(.router) { client in
            try await client.execute(uri: "/dev/phonemize", method: .post, body: json(["input": "Hello there, my friend. Bye."])) { response in
                let body = decodeJSON(response.body)
                #expect((body["phonemes"] as? String)?.hasPrefix("həlˈO") == true)
                #expect((body["tokens"] as? [Int])?.isEmpty == false)
                let segments = try #require(body["segments"] as? [[String: Any]])
                #expect(segments.count >= 2)
            }
            try await client.execute(uri: "/dev/generate_from_phonemes", method: .post,
                                     body: json(["phonemes": "həlˈO wˈɜɹld.", "voice": "af_heart", "response_format": "wav"])) { response in
                #expect(response.status == .ok)
                #expect(response.body.readableBytes > 20_000)
            }
            try await client.execute(uri: "/dev/generate_from_phonemes", method: .post, body: json(["phonemes": "hə#lˈO"])) { response in
                #expect(response.status == .badRequest)
                #expect((errorBody(response.body)["message"] as? String)?.contains("#") == true)
            }
        }
    }

    @Test func apiKeysGuardEverythingButProbes() async throws {
        let app = try makeInMemoryApp { $0.apiKeys = ["sk-one", "sk-two"] }
        try await app.test(.router) { client in
            try await client.execute(uri: "/health", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/ready", method: .get) { #expect($0.status == .ok) }
            for uri in ["/v1/audio/voices", "/v1/models", "/metrics"] {
                try await client.execute(uri: uri, method: .get) { response in
                    #expect(response.status == .unauthorized, "\(uri)")
                    #expect(errorBody(response.body)["code"] as? String == "invalid_api_key")
                }
            }
            try await client.execute(uri: "/v1/models", method: .get, headers: [.authorization: "Bearer sk-wrong"]) { #expect($0.status == .unauthorized) }
            try await client.execute(uri: "/v1/models", method: .get, headers: [.authorization: "Bearer sk-two"]) { #expect($0.status == .ok) }
            try await client.execute(uri: "/dev/phonemize", method: .post, headers: [.authorization: "Bearer sk-one"],
                                     body: json(["input": "Hi"])) { #expect($0.status == .ok) }
        }
        #expect(APIKeyMiddleware<BasicRequestContext>.constantTimeEqual(Array("abc".utf8), Array("abc".utf8)))
        #expect(!APIKeyMiddleware<BasicRequestContext>.constantTimeEqual(Array("abc".utf8), Array("abcd".utf8)))
    }

    @Test func corsOnlyForConfiguredOrigins() async throws {
        let app = try makeInMemoryApp { $0.corsOrigins = ["https://app.example"] }
        try await app.test(.router) { client in
            try await client.execute(uri: "/v1/models", method: .get, headers: [.origin: "https://app.example"]) { response in
                #expect(response.headers[.accessControlAllowOrigin] == "https://app.example")
            }
            try await client.execute(uri: "/v1/models", method: .get, headers: [.origin: "https://evil.example"]) { response in
                #expect(response.headers[.accessControlAllowOrigin] == nil)
            }
            try await client.execute(uri: "/v1/audio/speech", method: .options,
                                     headers: [.origin: "https://app.example", .accessControlRequestMethod: "POST"]) { response in
                #expect(response.status == .noContent)
                #expect(response.headers[.accessControlAllowMethods]?.contains("POST") == true)
            }
        }
    }

    @Test func metricsCountRequestsAndAudio() async throws {
        let metrics = ServerMetrics()
        let app = try makeApp(metrics: metrics)
        try await app.test(.router) { client in
            for _ in 0..<2 {
                try await client.execute(uri: "/v1/audio/speech", method: .post, body: json(["input": "Count me in, metrics.", "response_format": "pcm"])) { _ in }
            }
            try await client.execute(uri: "/v1/audio/speech", method: .post, body: json(["input": ""])) { _ in }
            try await client.execute(uri: "/metrics", method: .get) { response in
                let text = String(buffer: response.body)
                #expect(text.contains(#"kokoro_requests_total{route="/v1/audio/speech",status="200"} 2"#))
                #expect(text.contains(#"kokoro_requests_total{route="/v1/audio/speech",status="400"} 1"#))
                // The same text twice: the model made the first, the audio cache served the second.
                #expect(text.contains(#"kokoro_ttfa_seconds_count{length="short",cache="miss"} 1"#))
                #expect(text.contains(#"kokoro_ttfa_seconds_count{length="short",cache="hit"} 1"#))
                #expect(text.contains("kokoro_real_time_factor_count 2"))
                let audio = text.split(separator: "\n").first { $0.hasPrefix("kokoro_audio_seconds_total ") }
                #expect((audio?.split(separator: " ").last).flatMap { Double($0) } ?? 0 > 0.5)
            }
        }
    }

    /// The gauge deploy/k8s's autoscaler scales on: requests synthesizing or queued over the
    /// real-time streams the measured speed carries (0.75 / 0.1875 s of the pool per second
    /// of speech: 4), absent until the speed is measured.
    @Test func metricsExportTheFractionOfRealTimeCapacityInUse() async throws {
        let engine = KokoroEngine(planner: try sharedEngine.get().planner, sessions: [SlowSession()])
        let app = try makeApp(state: ServerState(readyEngine: engine))
        try await app.test(.live) { client in
            #expect(try await capacityGauges(client).isEmpty)
            await engine.scheduler.setWarmupRealTimeFactor(DeadlineScheduler.streamUtilization / 4)
            #expect(try await capacityGauges(client) == ["kokoro_realtime_capacity_streams": 4, "kokoro_realtime_capacity_in_use": 0])
            let long = try await busySpeech(client, repeating: "This keeps one stream synthesizing for a while. ", count: 12, bytes: 1000)
            #expect(try await activeRequests(client) == 1)
            #expect(try await capacityGauges(client) == ["kokoro_realtime_capacity_streams": 4, "kokoro_realtime_capacity_in_use": 0.25])
            long.close()
        }
    }

    /// With forecast admission, a second stream that would go ahead of a running stream's
    /// next piece while that one has under a second in hand (one slow stand-in session) is
    /// not let in: it waits for room, and when its wait runs out it is refused with
    /// Retry-After and the reason.
    @Test func aStreamThatWouldMakeAnotherStutterIsRefused() async throws {
        let engine = KokoroEngine(planner: try sharedEngine.get().planner, sessions: [SlowSession()])
        await engine.scheduler.setWarmupRealTimeFactor(0.1)
        let metrics = ServerMetrics()
        let app = try makeApp({ $0.forecastAdmission = true; $0.queueTimeoutSeconds = 0.5 }, state: ServerState(readyEngine: engine), metrics: metrics)
        try await app.test(.live) { client in
            let long = try await busySpeech(client, repeating: "This keeps the only session busy for a while. ", count: 12, bytes: 1000)
            try await client.execute(uri: "/v1/audio/speech", method: .post, body: json(["input": "Me too."])) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(Int(response.headers[.retryAfter] ?? "") ?? 0 >= 1)
                let error = errorBody(response.body)
                #expect(error["code"] as? String == "overloaded" && (error["message"] as? String ?? "").contains("retry in"))
            }
            #expect(try await activeRequests(client) == 1)
            long.close()
        }
        #expect(metrics.statistics.report().requests_refused == 1)
    }

    /// Under the configured cap, the measured speed still bounds admission: with the model
    /// measured at 0.6 s per audio second only one stream fits in real time.
    @Test func measuredCapacityRefusesWhatCannotPlayInRealTime() async throws {
        let engine = try KokoroEngine(configuration: .init(session: .init(intraOpThreads: 2)))
        await engine.scheduler.setWarmupRealTimeFactor(0.6)
        let app = try makeApp({ $0.maxConcurrentRequests = 8; $0.maxQueuedRequests = 0 }, state: ServerState(readyEngine: engine))
        try await app.test(.live) { client in
            let long = try await busySpeech(client, repeating: "This keeps the only slot busy for a while. ", count: 20, bytes: 1000)
            try await client.execute(uri: "/v1/audio/speech", method: .post, body: json(["input": "Me too."])) { response in
                #expect(response.status == .serviceUnavailable)
            }
            try await client.execute(uri: "/v1/stats", method: .get) { response in
                let capacity = (decodeJSON(response.body)["queue"] as? [String: Any])?["real_time_capacity"] as? [String: Any]
                #expect(capacity?["streams"] as? Int == 1 && capacity?["basis"] as? String == "warm-up runs")
            }
            long.close()
        }
    }

    @Test(.timeLimit(.minutes(2))) func clientDisconnectCancelsSynthesis() async throws {
        let app = try makeApp()
        try await app.test(.live) { client in
            let port = try #require(client.port)
            let raw = try RawHTTPClient(port: port)
            // About 19 minutes of speech (17,000 characters): synthesizing it all takes minutes,
            // longer than the test's time limit.
            let body = #"{"input":"\#(String(repeating: "A sentence that goes on and on to make a long request. ", count: 300))","response_format":"pcm"}"#
            raw.postSpeech(body)
            #expect(await raw.read(atLeast: 2000).count >= 2000)
            raw.close()
            // Until synthesis stops; if it ran on, the test would hit its time limit first.
            var active = 1
            while active != 0 {
                try await Task.sleep(for: .milliseconds(100))
                try await client.execute(uri: "/status", method: .get) { response in
                    active = decodeJSON(response.body)["active_requests"] as? Int ?? -1
                }
            }
            try await client.execute(uri: "/v1/audio/speech", method: .post, body: json(["input": "Still healthy.", "stream": false])) { response in
                #expect(response.status == .ok)
            }
        }
    }
}

/// The `kokoro_realtime_capacity*` gauges of GET /metrics, by name.
private func capacityGauges(_ client: some TestClientProtocol) async throws -> [String: Double] {
    try await client.execute(uri: "/metrics", method: .get) { response in
        Dictionary(String(buffer: response.body).split(separator: "\n").compactMap { line -> (String, Double)? in
            let parts = line.split(separator: " ")
            guard parts.count == 2, parts[0].hasPrefix("kokoro_realtime_capacity"), let value = Double(parts[1]) else { return nil }
            return (String(parts[0]), value)
        }, uniquingKeysWith: { first, _ in first })
    }
}
