import Foundation
import Hummingbird
import HummingbirdTesting
import KokoroEngine
import Testing
@testable import KokoroServer

/// Clients that leave at any moment give back everything they held: the admission slot and
/// the engine's ledger entry, however far their request got.
@Suite("Clients that hang up", .serialized)
struct HangUpTests {
    /// The storm from the hardening issue: thirty clients that send a speech request and
    /// close after 0 to 500 ms (three of each), gracefully or abortively. Some leave while the
    /// request is parsed, some between admission and the response head (whose body then never
    /// runs), some mid-stream. Afterwards nothing is active and the next request is served.
    @Test(.timeLimit(.minutes(2)), arguments: [false, true]) func thirtyHangUpsLeaveNothingTaken(reset: Bool) async throws {
        // An engine of its own, so the ledger counts only this test's streams.
        let engine = try KokoroEngine(configuration: .init(session: .init(intraOpThreads: 1), calibratesVoices: false))
        await engine.scheduler.setWarmupRealTimeFactor(0.1)
        let app = try makeApp({ $0.forecastAdmission = true; $0.maxConcurrentRequests = 8; $0.maxQueuedRequests = 0 },
                              state: ServerState(readyEngine: engine))
        try await app.test(.live) { client in
            let port = try #require(client.port)
            // Audio bytes, and OpenAI's Server-Sent Events (one client in three).
            let requests = [#"{"input":"A client that leaves early must not keep its place. It asks and goes.","response_format":"mp3"}"#,
                            #"{"input":"A client that leaves early must not keep its place. It asks and goes.","stream_format":"sse"}"#]
            try await withThrowingTaskGroup { group in
                for delay in [0, 1, 5, 10, 20, 50, 100, 200, 300, 500] {
                    for index in 0..<3 {
                        group.addTask {
                            let raw = try RawHTTPClient(port: port)
                            raw.postSpeech(requests[index == 2 ? 1 : 0])
                            try await Task.sleep(for: .milliseconds(delay))
                            raw.close(reset: reset)
                        }
                    }
                }
                try await group.waitForAll()
            }
            // Released within moments; a leak never is, and the time limit fails the test.
            while try await activeRequests(client) != 0 { try await Task.sleep(for: .milliseconds(100)) }
            while await engine.scheduler.activeStreams != 0 { try await Task.sleep(for: .milliseconds(100)) }
            // Served, not refused (read on a raw socket: on a test machine busy with every
            // other suite, the audio may take longer than the test client's read timeout).
            let next = try RawHTTPClient(port: port)
            let still = #"{"input":"Still serving.","response_format":"pcm"}"#
            next.postSpeech(still)
            #expect(String(decoding: await next.read(atLeast: 12).prefix(12), as: UTF8.self) == "HTTP/1.1 200")
            next.close()
        }
    }
}

@Suite("Requests whose client left")
struct ClientLeftTests {
    /// Work cancelled because its client left is nginx's 499 in the log and the metrics,
    /// never a 500 (a whole-file request whose client hung up was counted as a server error).
    @Test func cancelledWorkIsA499NotAServerError() {
        let error = APIError.from(CancellationError())
        #expect(error.status.code == 499)
        #expect(error.type == "cancelled")
    }
}

@Suite("Admission tickets")
struct AdmissionTicketTests {
    /// The slot comes back once whether the ticket is released, released twice, or dropped
    /// unreleased (a response whose body never ran).
    @Test(.timeLimit(.minutes(1))) func aTicketReleasesItsSlotExactlyOnce() async throws {
        let engine = try sharedEngine.get()
        let gate = AdmissionGate(maxActive: 2, maxQueued: 0)
        let job = try engine.prepare(SpeechRequest(text: "Hi.", voice: "af_heart"))
        let released = AdmissionTicket(slot: try await GateSlot(gate: gate, limit: 2, queueTimeout: .zero), engine: engine, job: job)
        do { _ = AdmissionTicket(slot: try await GateSlot(gate: gate, limit: 2, queueTimeout: .zero), engine: engine, job: job) }
        await released.release(after: 1)
        await released.release(after: 1)
        while await gate.active != 0 { try await Task.sleep(for: .milliseconds(10)) }
        // A slot whose request failed before it had a job is given back when dropped, too.
        do { _ = try await GateSlot(gate: gate, limit: 2, queueTimeout: .zero) }
        while await gate.active != 0 { try await Task.sleep(for: .milliseconds(10)) }
        // One release too many would take the count below zero and admit one request too many.
        try await Task.sleep(for: .milliseconds(100))
        #expect(await gate.active == 0)
    }
}
