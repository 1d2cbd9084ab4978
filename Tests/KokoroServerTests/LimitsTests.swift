import Foundation
import Hummingbird
import HummingbirdTesting
import KokoroEngine
import Testing
@testable import KokoroServer

/// What one request may cost, and what it may leave behind, is bounded; going over a bound
/// is a clear 4xx before any work.
@Suite("Request limits")
struct LimitsTests {
    /// 400 pauses of 30 s (3.3 hours of silence) once took 2.6 GB: now a 413 naming the
    /// length and the way to raise the limit, before anything is synthesized.
    @Test func aRequestOverTheAudioLimitIsRefusedBeforeAnyWork() async throws {
        let app = try makeApp()
        try await app.test(.router) { client in
            let input = String(repeating: "[pause:30s]", count: 400)
            try await client.execute(uri: "/v1/audio/speech", method: .post, body: json(["input": input, "stream": false])) { response in
                #expect(response.status == .contentTooLarge)
                let error = errorBody(response.body)
                #expect(error["code"] as? String == "audio_too_long")
                let message = error["message"] as? String ?? ""
                #expect(message.contains("200.0 min") && message.contains("--max-audio-seconds"), "\(message)")
            }
        }
    }

    /// Speech counts too, estimated from the phonemes.
    @Test func speechCountsTowardTheAudioLimit() throws {
        var planner = try sharedEngine.get().planner
        planner.maxAudioSeconds = 10
        let sentence = "The quick brown fox jumps over the lazy dog near the riverbank. "
        #expect(throws: EngineError.self) {
            try planner.plan(.init(text: String(repeating: sentence, count: 4), voice: "af_heart"))
        }
        #expect(try planner.plan(.init(text: sentence, voice: "af_heart")).estimatedAudioSeconds < 10)
    }

    /// The 60,000-term blend from the hardening issue: a 400 at once, with a short message.
    @Test func aHugeBlendIsA400() async throws {
        let app = try makeApp()
        try await app.test(.router) { client in
            let voice = Array(repeating: "af_heart", count: 60_000).joined(separator: "+")
            try await client.execute(uri: "/v1/audio/speech", method: .post, body: json(["input": "Hello.", "voice": voice])) { response in
                #expect(response.status == .badRequest)
                let error = errorBody(response.body)
                #expect(error["code"] as? String == "invalid_voice")
                #expect((error["message"] as? String ?? "").count < 300)
            }
        }
    }

    /// The developer routes obey the same input limit as speech, and can be switched off.
    @Test func developerRoutesHaveTheSameLimitsAndCanBeOff() async throws {
        let long = String(repeating: "word ", count: 30)
        try await makeInMemoryApp { $0.maxInputCharacters = 100 }.test(.router) { client in
            try await client.execute(uri: "/dev/phonemize", method: .post, body: json(["input": long])) { response in
                #expect(response.status == .contentTooLarge)
            }
            try await client.execute(uri: "/dev/generate_from_phonemes", method: .post, body: json(["phonemes": long])) { response in
                #expect(response.status == .contentTooLarge)
                #expect(errorBody(response.body)["param"] as? String == "phonemes")
            }
            try await client.execute(uri: "/dev/phonemize", method: .post, body: json(["input": "Short."])) { #expect($0.status == .ok) }
        }
        try await makeInMemoryApp { $0.devRoutes = false }.test(.router) { client in
            try await client.execute(uri: "/dev/phonemize", method: .post, body: json(["input": "Short."])) { #expect($0.status == .notFound) }
            try await client.execute(uri: "/v1/audio/voices", method: .get) { #expect($0.status == .ok) }
        }
    }

    /// Prometheus gets one series per route that exists; every other path shares `unmatched`.
    @Test func unmatchedPathsShareOneMetricsLabel() async throws {
        let app = try makeInMemoryApp()
        try await app.test(.router) { client in
            for index in 0..<5 {
                try await client.execute(uri: "/no-such-path-\(index)", method: .get) { #expect($0.status == .notFound) }
            }
            try await client.execute(uri: "/metrics", method: .get) { response in
                let text = String(buffer: response.body)
                #expect(!text.contains("no-such-path"))
                #expect(text.contains(#"kokoro_requests_total{route="unmatched",status="404"} 5"#))
            }
        }
    }

    /// The authentication scheme is case-insensitive, as HTTP says.
    @Test func theBearerSchemeIsCaseInsensitive() async throws {
        let app = try makeInMemoryApp { $0.apiKeys = ["sk-one"] }
        try await app.test(.router) { client in
            for header in ["bearer sk-one", "BEARER sk-one", "Bearer  sk-one"] {
                try await client.execute(uri: "/v1/models", method: .get, headers: [.authorization: header]) { #expect($0.status == .ok, "\(header)") }
            }
            try await client.execute(uri: "/v1/models", method: .get, headers: [.authorization: "Basic sk-one"]) { #expect($0.status == .unauthorized) }
        }
    }
}
