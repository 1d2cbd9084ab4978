import Foundation
import Testing
@testable import KokoroEngine

@Suite("Stream ledger: a new stream starts when the running ones can afford it")
struct StreamLedgerTests {
    /// 0.02 s per token plus 13 tokens of overhead, as the scheduler's `RunCost` does.
    let cost = DeadlineScheduler.RunCost(secondsPerToken: 0.02)
    let start = ContinuousClock.now
    func at(_ seconds: Double) -> ContinuousClock.Instant { start + .seconds(seconds) }

    @Test func aStreamThatJustStartedKeepsANewcomerOutUntilItHasAudioInHand() throws {
        let ledger = StreamLedger(margin: 0.25)
        let first = try ledger.admit(firstTokens: 16, now: at(0), runSeconds: cost.seconds(tokens:))
        // Before its first piece it has nothing in hand.
        #expect(throws: EngineError.self) { try ledger.admit(firstTokens: 16, now: at(0.1), runSeconds: cost.seconds(tokens:)) }
        // One second sent, next piece 32 tokens: a newcomer's first piece (0.58 s) and that
        // piece (0.9 s) plus the margin need 1.73 s in hand; it has 1 s: 0.73 s short.
        ledger.sent(first, audioSeconds: 1, nextTokens: 32, now: at(0.5))
        do {
            _ = try ledger.admit(firstTokens: 16, now: at(0.5), runSeconds: cost.seconds(tokens:))
            Issue.record("admitted with 1 s in hand")
        } catch EngineError.streamsStarting(let wait) {
            #expect(abs(wait - 0.73) < 1e-9)
        }
        // Three more seconds sent while 0.9 s passed: 3.1 s in hand, next piece 60 tokens (1.46 s): room.
        ledger.sent(first, audioSeconds: 3, nextTokens: 60, now: at(1.4))
        let second = try ledger.admit(firstTokens: 16, now: at(1.4), runSeconds: cost.seconds(tokens:))
        #expect(ledger.count == 2)
        ledger.finished(first)
        ledger.finished(second)
        #expect(ledger.count == 0)
    }

    @Test func streamsWithNoModelWorkLeftOrNewcomersWithNoneNeverWait() throws {
        let ledger = StreamLedger()
        let first = try ledger.admit(firstTokens: 16, now: at(0), runSeconds: cost.seconds(tokens:))
        // A newcomer the model does not run for (nothing to synthesize) costs no one anything.
        _ = try ledger.admit(firstTokens: nil, now: at(0.1), runSeconds: cost.seconds(tokens:))
        // Its last piece sent, the first stream needs no more runs: it cannot be made late.
        ledger.sent(first, audioSeconds: 0.5, nextTokens: nil, now: at(0.6))
        _ = try ledger.admit(firstTokens: 16, now: at(0.6), runSeconds: cost.seconds(tokens:))
    }

    @Test func theDeadlineIsWhenTheListenerRunsOutOfAudio() {
        let ledger = StreamLedger()
        let id = ledger.enter(firstTokens: 16)
        #expect(ledger.deadline(id) <= .now)
        let sentAt = ContinuousClock.now
        ledger.sent(id, audioSeconds: 2, nextTokens: 40, now: sentAt)
        #expect(ledger.deadline(id) == sentAt + .seconds(2))
        ledger.sent(id, audioSeconds: 1.5, nextTokens: nil, now: sentAt + .seconds(1))
        #expect(ledger.deadline(id) == sentAt + .seconds(3.5))
    }

    /// Through the engine, on a stand-in model that makes 50 ms of audio per 20 ms token: a
    /// first piece of 16 tokens gives 0.8 s in hand, less than a newcomer's first piece and
    /// the next piece take, so a second listener cannot start then; one that waits gets in
    /// (once the first has more audio in hand, or is made).
    @Test func aSecondStreamWaitsUntilTheFirstCanAffordIt() async throws {
        let planner = try sharedEngine.get().planner
        let engine = KokoroEngine(planner: planner, sessions: [TimedSession(log: .init(), millisecondsPerToken: 20, audioPerToken: 0.05)])
        let text = (1...6).map { "Sentence number \($0) keeps the first listener busy for a while." }.joined(separator: " ")
        let first = try await engine.admit(try engine.prepare(SpeechRequest(text: text, voice: "af_heart", fastStart: true, realTime: true)))
        let second = try engine.prepare(SpeechRequest(text: "Me too, please.", voice: "af_heart", realTime: true))
        var chunks = 0
        var waiting: Task<Void, any Error>?
        for try await _ in engine.stream(first) {
            chunks += 1
            if chunks == 1 {
                await #expect(throws: EngineError.self) { try await engine.admit(second, patience: .zero) }
                waiting = Task { engine.withdraw(try await engine.admit(second)) }
            }
        }
        try await #require(waiting).value
        #expect(chunks > 2 && engine.streams.count == 0)
    }
}
