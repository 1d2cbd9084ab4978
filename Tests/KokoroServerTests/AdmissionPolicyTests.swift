import Foundation
import Hummingbird
import HummingbirdTesting
import KokoroEngine
import ServiceLifecycle
import Synchronization
import Logging
import Testing
@testable import KokoroServer

/// A busy machine is not an overloaded server: a second request waits a moment for the one
/// session and is served; a flood is still refused in milliseconds.
@Suite("Admission policy", .serialized)
struct AdmissionPolicyTests {
    /// One slow stand-in session measured at 0.8 s per audio second: one stream fits in
    /// real time. The second request used to get "503 at capacity (1 synthesizing, 0
    /// queued)"; it now waits for the first to end and is served.
    @Test(.timeLimit(.minutes(2))) func aSecondRequestWaitsAndIsServed() async throws {
        let engine = KokoroEngine(planner: try sharedEngine.get().planner, sessions: [SlowSession()], audioCacheBytes: 0)
        await engine.scheduler.setWarmupRealTimeFactor(0.8)
        // A generous wait: the test machine is busy with every other suite.
        let app = try makeApp({ $0.forecastAdmission = true; $0.queueTimeoutSeconds = 60 }, state: ServerState(readyEngine: engine))
        try await app.test(.live) { client in
            let first = try RawHTTPClient(port: try #require(client.port))
            let body = #"{"input":"This keeps the only session busy for a second or two.","response_format":"pcm"}"#
            first.postSpeech(body, close: true)
            _ = await first.read(atLeast: 200)
            // The first listener keeps reading to the end, as a player does.
            let reading = Task { await first.read(atLeast: .max) }
            try await client.execute(uri: "/v1/audio/speech", method: .post, body: json(["input": "Me too.", "response_format": "pcm"])) { response in
                #expect(response.status == .ok)
                #expect(response.body.readableBytes > 10_000)
            }
            _ = await reading.value
            first.close()
        }
    }

    /// Beyond the queue, a refusal is immediate: the queue holds one, and the third is a 503
    /// with Retry-After while the second still waits (it did not wait for a slot itself).
    @Test(.timeLimit(.minutes(1))) func aFloodIsStillRefusedAtOnce() async throws {
        let engine = KokoroEngine(planner: try sharedEngine.get().planner, sessions: [SlowSession()], audioCacheBytes: 0)
        await engine.scheduler.setWarmupRealTimeFactor(0.8)
        let app = try makeApp({ $0.maxQueuedRequests = 1; $0.queueTimeoutSeconds = 20 }, state: ServerState(readyEngine: engine))
        try await app.test(.live) { client in
            let port = try #require(client.port)
            let body = #"{"input":"\#(String(repeating: "This keeps the only session busy. ", count: 20))","response_format":"pcm"}"#
            let first = try RawHTTPClient(port: port)
            first.postSpeech(body)
            _ = await first.read(atLeast: 200)
            let second = try RawHTTPClient(port: port)
            second.postSpeech(body)
            while try await queuedRequests(client) != 1 { try await Task.sleep(for: .milliseconds(20)) }
            try await client.execute(uri: "/v1/audio/speech", method: .post, body: json(["input": "Me three."])) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(Int(response.headers[.retryAfter] ?? "") ?? 0 >= 1)
            }
            #expect(try await queuedRequests(client) == 1)
            #expect(try await activeRequests(client) == 1)
            first.close(reset: true)
            second.close(reset: true)
        }
    }

    /// A wait that runs out is a 503 too, naming the wait.
    @Test(.timeLimit(.minutes(1))) func aWaitThatRunsOutIsA503() async throws {
        let gate = AdmissionGate(maxActive: 1, maxQueued: 4)
        let slot = try await gate.enter(limit: 1, timeout: .zero)
        let start = ContinuousClock.now
        await #expect(throws: APIError.self) { try await gate.enter(limit: 1, timeout: .milliseconds(300)) }
        #expect(start.duration(to: .now) >= .milliseconds(300))
        #expect(await gate.queued == 0)
        await gate.leave(slot, after: nil)
        #expect(await gate.active == 0)
    }

    /// A wait that recent requests say cannot end in time is a 503 at once, with the time
    /// the request in progress likely still takes; one that can end in time waits and gets
    /// the slot.
    @Test(.timeLimit(.minutes(1))) func aWaitThatCannotEndInTimeIsRefusedAtOnce() async throws {
        let gate = AdmissionGate(maxActive: 1, maxQueued: 4)
        await gate.leave(try await gate.enter(), after: 50)
        let long = try await gate.enter()
        let start = ContinuousClock.now
        do {
            try await gate.enter(timeout: .seconds(20))
            Issue.record("a request waited for a slot held by one likely to take 50 s")
        } catch let error as APIError {
            #expect(Int(error.headers[.retryAfter] ?? "") ?? 0 >= 49)
            #expect(error.message.contains("no request in progress is likely to end within the 20 s"))
        }
        #expect(start.duration(to: .now) < .seconds(10))
        await gate.leave(long, after: 0.1)
        await gate.leave(try await gate.enter(), after: 0.1)
        await gate.leave(try await gate.enter(), after: 0.1)
        let short = try await gate.enter()
        let waiting = Task { try await gate.enter(timeout: .seconds(20)) }
        while await gate.queued == 0 { try await Task.sleep(for: .milliseconds(10)) }
        await gate.leave(short, after: 0.1)
        await gate.leave(try await waiting.value, after: nil)
        #expect(await gate.active == 0)
    }
}

/// SIGTERM drains: `/ready` says 503 at once, new work is refused, what runs finishes, and
/// only then does the service group (and the process) end.
@Suite("Drain")
struct DrainTests {
    @Test(.timeLimit(.minutes(1))) func shutdownWaitsForRunningWorkAndRefusesNew() async throws {
        let state = ServerState(readyEngine: try sharedEngine.get())
        let gate = AdmissionGate(maxActive: 2, maxQueued: 0)
        let slot = try await gate.enter()
        let drain = DrainService(state: state, gate: gate, gracePeriod: .seconds(30), logger: Logger(label: "test"))
        let group = ServiceGroup(configuration: .init(services: [drain], logger: Logger(label: "test")))
        let ended = Atomic<Int>.Box()
        let running = Task {
            try await group.run()
            ended.value.store(1, ordering: .relaxed)
        }
        try await Task.sleep(for: .milliseconds(100))
        await group.triggerGracefulShutdown()
        while state.phase != .draining { try await Task.sleep(for: .milliseconds(10)) }
        let app = try makeApp(state: state)
        try await app.test(.router) { client in
            try await client.execute(uri: "/ready", method: .get) { #expect($0.status == .serviceUnavailable) }
            try await client.execute(uri: "/health", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/v1/audio/speech", method: .post, body: json(["input": "Too late."])) { response in
                #expect(response.status == .serviceUnavailable)
                #expect((errorBody(response.body)["message"] as? String ?? "").contains("shutting down"))
            }
        }
        // The request still running holds the shutdown until it ends.
        try await Task.sleep(for: .milliseconds(300))
        #expect(ended.value.load(ordering: .relaxed) == 0)
        await gate.leave(slot, after: nil)
        try await running.value
        #expect(ended.value.load(ordering: .relaxed) == 1)
    }
}

/// Requests waiting for a slot now (GET /v1/stats).
func queuedRequests(_ client: some TestClientProtocol) async throws -> Int? {
    try await client.execute(uri: "/v1/stats", method: .get) { (decodeJSON($0.body)["queue"] as? [String: Any])?["queued"] as? Int }
}
