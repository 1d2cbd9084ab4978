import Foundation
import Hummingbird
import HummingbirdTesting
import KokoroEngine
import Logging
import ServiceLifecycle
import Testing
@testable import KokoroServer

@Suite("GET /v1/stats reports what happened")
struct StatsTests {
    @Test func figuresMatchWhatTheTestDid() async throws {
        // An engine of its own: other suites run in parallel and would move the shared caches.
        let engine = try KokoroEngine(configuration: .init(session: .init(intraOpThreads: 2), calibratesVoices: false))
        let app = try makeApp(state: ServerState(readyEngine: engine))
        try await app.test(.router) { client in
            func stats() async throws -> [String: Any] {
                try await client.execute(uri: "/v1/stats", method: .get) { decodeJSON($0.body) }
            }
            let before = try await stats()
            let requests = try #require(before["requests"] as? [String: Any])
            #expect(requests["requests_completed"] as? Int == 0)

            var audio = 0.0
            for noCache in [false, false, true] {
                try await client.execute(uri: "/v1/audio/speech", method: .post,
                                         body: json(["input": "Repeat this.", "response_format": "pcm", "stream": false, "no_cache": noCache])) { response in
                    #expect(response.status == .ok)
                    audio += Double(response.headers[.audioDuration] ?? "") ?? 0
                }
            }
            try await client.execute(uri: "/v1/audio/speech", method: .post, body: json(["input": ""])) { _ in }

            let after = try await stats()
            let report = try #require(after["requests"] as? [String: Any])
            #expect(report["requests_completed"] as? Int == 3)
            #expect(abs((report["audio_seconds_total"] as? Double ?? 0) - audio) < 0.01)
            let ttfa = try #require(report["ttfa_seconds"] as? [String: [String: Any]])
            // Two requests ran the model (the first, and the one with no_cache); one was a cache hit.
            #expect(ttfa["short"]?["count"] as? Int == 2)
            #expect(ttfa["medium"]?["count"] as? Int == 0)
            #expect((report["ttfa_cache_hit_seconds"] as? [String: Any])?["count"] as? Int == 1)
            #expect((report["real_time_factor"] as? [String: Any])?["count"] as? Int == 3)

            let caches = try #require(after["caches"] as? [String: [String: Any]])
            // One piece: looked up twice (miss, hit); the no_cache request did not look.
            #expect(caches["audio"]?["hits"] as? Int == 1)
            #expect(caches["audio"]?["misses"] as? Int == 1)
            #expect(caches["audio"]?["entries"] as? Int == 1)
            // One sentence phonemized three times: one miss, then hits.
            #expect(caches["phoneme"]?["misses"] as? Int == 1)
            #expect(caches["phoneme"]?["hits"] as? Int == 2)

            let memory = try #require(after["memory"] as? [String: Any])
            let resident = try #require(memory["resident_mb"] as? Double)
            #expect(resident > 50 && (memory["peak_mb"] as? Double ?? 0) >= resident)
            // Two of the three requests ran the model, each its sentence's front and at least
            // one decoder run (how many windows follows the decoder's pace, learned from runs);
            // the cache served the other.
            let scheduler = try #require(after["scheduler"] as? [String: Any])
            let runs = scheduler["runs"] as? Int ?? 0
            #expect(runs >= 4)
            #expect(scheduler["running"] as? Int == 0 && scheduler["waiting"] as? Int == 0)
            #expect((scheduler["utilization"] as? Double ?? 0) > 0)
            let sessions = try #require(scheduler["sessions"] as? [[String: Any]])
            #expect(sessions.count == 1 && sessions[0]["runs"] as? Int == runs)
            #expect((sessions[0]["utilization"] as? Double ?? 0) > 0)
            let optimizer = try #require(scheduler["optimizer"] as? [String: Any])
            #expect(optimizer["mode"] as? String == "latency")
            #expect((optimizer["modes"] as? [String: [String: Any]])?["latency"]?["runs"] as? Int == runs)
            #expect((after["arena"] as? [String: Any])?["shrink_after_each_run"] is Bool)
            let queue = try #require(after["queue"] as? [String: Any])
            #expect(queue["active"] as? Int == 0)
            #expect((after["warmup"] as? [String: Any])?["status"] as? String == "ready")
        }
    }

    /// Over its limit with the model idle, the watchdog rebuilds both sessions; requests
    /// before and after are served, and the rebuild shows in the stats.
    @Test func memoryWatchdogRebuildsIdleSessions() async throws {
        let engine = try KokoroEngine(configuration: .init(session: .init(intraOpThreads: 1), sessions: 2, optimizerPolicy: .throughput, calibratesVoices: false))
        var settings = MemoryWatchdog.Settings(limitMB: 1)
        settings.cooldownSeconds = 3600
        let watchdog = MemoryWatchdog(settings: settings)
        let app = try makeApp(state: ServerState(readyEngine: engine))
        try await app.test(.router) { client in
            let speak = {
                try await client.execute(uri: "/v1/audio/speech", method: .post,
                                         body: json(["input": "Still here.", "response_format": "pcm", "no_cache": true])) { response in
                    #expect(response.status == .ok && response.body.readableBytes > 24_000)
                }
            }
            try await speak()
            let resident = try #require(MemoryMonitor.residentAndPeakMB()?.0)
            let action = try #require(await watchdog.check(residentMB: resident, engine: engine))
            #expect(action.sessions_rebuilt == 2 && action.resident_before_mb == resident)
            // Within the cool-down it does not act again.
            #expect(await watchdog.check(residentMB: resident, engine: engine) == nil)
            try await speak()
            let statistics = await engine.scheduler.statistics
            #expect(statistics.recycled_sessions == 2 && statistics.sessions.map(\.generation) == [1, 1])
            #expect(await watchdog.report.actions.count == 1)
        }
    }

    /// A stop does not wait out the memory monitor's interval between samples (it held every
    /// server stop up to five seconds).
    @Test(.timeLimit(.minutes(1))) func aStopEndsTheMemoryMonitorsWait() async throws {
        let logger = Logger(label: "test")
        let monitor = MemoryMonitor(interval: .seconds(3600), logger: logger)
        let group = ServiceGroup(services: [monitor], logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            // Its first sample taken, it is in its hour's wait (a stop before that proves nothing).
            while monitor.report()?.samples ?? 0 == 0 { try await Task.sleep(for: .milliseconds(5)) }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    @Test func refusedRequestsAreCounted() async throws {
        let metrics = ServerMetrics()
        let app = try makeInMemoryApp({ $0.maxConcurrentRequests = 1; $0.maxQueuedRequests = 0 },
                                      service: InMemorySpeechService(runTime: .milliseconds(200)), metrics: metrics)
        try await app.test(.live) { client in
            let raw = try await busySpeech(client, repeating: "Busy for a while. ", count: 30, bytes: 1000)
            for _ in 0..<2 {
                try await client.execute(uri: "/v1/audio/speech", method: .post, body: json(["input": "No room."])) { #expect($0.status == .serviceUnavailable) }
            }
            raw.close()
        }
        #expect(metrics.statistics.report().requests_refused == 2)
    }
}
