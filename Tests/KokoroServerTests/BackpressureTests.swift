import Foundation
import Hummingbird
import HummingbirdTesting
import KokoroEngine
import Synchronization
import Testing
@testable import KokoroServer

/// A stand-in model that makes ten seconds of audio per piece at once, counting its runs.
struct TalkativeSession: SpeechSynthesizer {
    let runs: Atomic<Int>.Box
    func synthesize(tokens: [Int64], style: ArraySlice<Float>, speed: Float) async throws -> [Float] {
        runs.value.add(1, ordering: .relaxed)
        return (0..<240_000).map { Float(sin(Double($0) * 0.05)) * 0.3 }
    }
}

extension Atomic where Value == Int {
    /// A shareable counter.
    final class Box: Sendable {
        let value = Atomic<Int>(0)
    }
}

@Suite("Backpressure", .serialized)
struct BackpressureTests {
    /// A client that stops reading holds the server's synthesis of its stream a few seconds
    /// ahead (the model is not run through the whole text into memory), and once a write has
    /// waited past the stall timeout its connection is closed and its slot freed.
    @Test(.timeLimit(.minutes(2))) func aStalledReaderSlowsItsStreamAndIsCutOff() async throws {
        let runs = Atomic<Int>.Box()
        let planner = try sharedEngine.get().planner
        let engine = KokoroEngine(planner: planner, sessions: [TalkativeSession(runs: runs)], audioCacheBytes: 0)
        let app = try makeApp({ $0.stallTimeoutSeconds = 2 }, state: ServerState(readyEngine: engine))
        try await app.test(.live) { client in
            let raw = try RawHTTPClient(port: try #require(client.port), receiveBuffer: 4_096)
            // Forty sentences, each its own piece: 400 s of audio, 19 MB of PCM.
            let sentences = (1...40).map { "Sentence number \($0) is here, and it is rather long on purpose." }.joined(separator: " ")
            let body = #"{"input":"\#(sentences)","response_format":"pcm","no_cache":true}"#
            raw.postSpeech(body)
            _ = await raw.read(atLeast: 200)
            // The client reads nothing more; the server is cut off within the timeout.
            let start = ContinuousClock.now
            while try await activeRequests(client) != 0 {
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(start.duration(to: .now) < .seconds(30))
            #expect(await engine.scheduler.activeStreams == 0)
            let made = runs.value.load(ordering: .relaxed)
            // What the socket buffers took, a few seconds ahead, and the piece in hand: far
            // from all forty.
            #expect(made < 20, "the model ran \(made) of 40 pieces for a client that stopped reading")
            raw.close()
        }
    }
}
