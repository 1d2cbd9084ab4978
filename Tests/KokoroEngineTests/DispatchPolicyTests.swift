import Foundation
import Testing
@testable import KokoroEngine

/// The one dispatch policy, on its own and as the scheduler and the forecast follow it.
@Suite("Dispatch policy")
struct DispatchPolicyTests {
    let policy = DispatchPolicy(dueSoonMargin: 1, overflowSlowdown: 2)

    /// Each rule, as a table: (piece, pool, decision).
    @Test(arguments: [
        // Due now, a free session: it runs.
        (DispatchPolicy.Piece(priority: .listener(dueIn: 0), runSeconds: 0.3), DispatchPolicy.Pool(freeSessions: 1, occupied: true), DispatchPolicy.Decision.session),
        // Due in 20 s (soon from 20 - 1 - 0.6 s on): it leaves the last free session, and says when it may take it.
        (.init(priority: .listener(dueIn: 20), runSeconds: 0.3), .init(freeSessions: 1, occupied: true), .wait(dueSoonIn: 18.4)),
        // ... but not the second to last, nor on an idle pool.
        (.init(priority: .listener(dueIn: 20), runSeconds: 0.3), .init(freeSessions: 2, occupied: true), .session),
        (.init(priority: .listener(dueIn: 20), runSeconds: 0.3), .init(freeSessions: 1, occupied: false), .session),
        // A long next run makes a short piece due sooner: lead 2 × 3 + 0.3 - 1 = 5.3 s.
        (.init(priority: .listener(dueIn: 6), runSeconds: 0.3, audioSeconds: 1, nextRunSeconds: 3), .init(freeSessions: 1, occupied: true), .session),
        // Background work only on an idle pool, whatever is free.
        (.init(priority: .background, runSeconds: 0.3), .init(freeSessions: 3, occupied: true), .wait(dueSoonIn: nil)),
        (.init(priority: .background, runSeconds: 0.3), .init(freeSessions: 1, occupied: false), .session),
        // A first piece with every session busy: the overflow when it ends sooner there
        // (0.5 × 2 < 4 + 0.5), else it waits (0.5 × 2 > 0.2 + 0.5); other pieces never overflow.
        (.init(priority: .listener(dueIn: 0), runSeconds: 0.5, opensStream: true), .init(freeSessions: 0, occupied: true, overflowFree: true, modeFreesIn: 4), .overflow),
        (.init(priority: .listener(dueIn: 0), runSeconds: 0.5, opensStream: true), .init(freeSessions: 0, occupied: true, overflowFree: true, modeFreesIn: 0.2), .wait(dueSoonIn: nil)),
        (.init(priority: .listener(dueIn: 0), runSeconds: 0.5), .init(freeSessions: 0, occupied: true, overflowFree: true, modeFreesIn: 4), .wait(dueSoonIn: nil)),
        (.init(priority: .listener(dueIn: 0), runSeconds: 0.5, opensStream: true), .init(freeSessions: 0, occupied: true, overflowFree: false, modeFreesIn: 4), .wait(dueSoonIn: nil)),
    ])
    func decides(piece: DispatchPolicy.Piece, pool: DispatchPolicy.Pool, decision: DispatchPolicy.Decision) {
        let decided = policy.decide(piece, pool: pool)
        if case .wait(let expected?) = decision, case .wait(let actual?) = decided {
            #expect(abs(expected - actual) < 1e-9)
        } else {
            #expect(decided == decision)
        }
    }

    /// ORT's buffers: a run that would take the runs in progress past the budget waits, even
    /// due now with a session free; within it, it runs; alone, it runs whatever its size.
    @Test func aRunThatWouldPassTheMemoryBudgetWaitsUnlessAlone() {
        let budget = 256 << 20
        let sentence = DispatchPolicy.Piece(priority: .listener(dueIn: 0), runSeconds: 3, bufferBytes: 165 << 20)
        let window = DispatchPolicy.Piece(priority: .listener(dueIn: 0), runSeconds: 0.3, bufferBytes: 45 << 20)
        let beside = DispatchPolicy.Pool(freeSessions: 1, occupied: true, bufferBytesInUse: 165 << 20, bufferBudget: budget)
        #expect(policy.decide(sentence, pool: beside) == .waitForMemory)
        #expect(policy.decide(window, pool: beside) == .session)
        var long = sentence
        long.bufferBytes = 700 << 20
        #expect(policy.decide(long, pool: DispatchPolicy.Pool(freeSessions: 1, occupied: true, bufferBudget: budget)) == .session)
    }

    @Test func listenersGoEarliestDeadlineFirstThenBackgroundWork() {
        let order: [DispatchPolicy.Priority] = [.background, .listener(dueIn: 5), .listener(dueIn: -1), .listener(dueIn: 0.5)]
        #expect(order.sorted { $0.precedes($1) } == [.listener(dueIn: -1), .listener(dueIn: 0.5), .listener(dueIn: 5), .background])
    }

    /// Where a piece arriving at a busy pool goes.
    enum Placement: Equatable, CustomStringConvertible {
        case pool, overflow, waits
        var description: String { "\(self == .pool ? "pool" : self == .overflow ? "overflow" : "waits")" }
    }

    /// One scenario: `sessions` throughput sessions (and a latency one as the overflow, if
    /// `overflow`), `busy` of them running `busyTokens`-token runs, and a piece of `tokens`
    /// due in `dueIn` seconds (nil: a stream's first piece, due at once).
    struct Scenario: Sendable, CustomStringConvertible {
        var sessions: Int
        var overflow: Bool
        var busy: Int
        var busyTokens: Int
        var tokens: Int
        var dueIn: Double?
        var description: String {
            "\(sessions) sessions\(overflow ? " + overflow" : ""), \(busy) busy for \(busyTokens) tokens, \(tokens) tokens due \(dueIn.map { "in \($0) s" } ?? "now (first piece)")"
        }
    }

    /// The live scheduler and the admission forecast decide the same for each scenario: the
    /// forecast, built from the scheduler's own load as admission builds it, starts the piece
    /// at once exactly when the scheduler does, on the same kind of session. (Runs are costed
    /// at 0.1 s of the pool per second of audio, so 3,000 tokens keep a session busy for
    /// about half a minute by the estimate and 2 tokens for about 0.1 s.)
    @Test(.timeLimit(.minutes(1)), arguments: [
        Scenario(sessions: 2, overflow: false, busy: 1, busyTokens: 3000, tokens: 10, dueIn: 20),
        Scenario(sessions: 2, overflow: false, busy: 1, busyTokens: 3000, tokens: 10, dueIn: 0),
        Scenario(sessions: 3, overflow: false, busy: 1, busyTokens: 3000, tokens: 10, dueIn: 20),
        Scenario(sessions: 2, overflow: false, busy: 0, busyTokens: 0, tokens: 10, dueIn: 20),
        Scenario(sessions: 2, overflow: true, busy: 2, busyTokens: 3000, tokens: 3, dueIn: nil),
        Scenario(sessions: 2, overflow: true, busy: 2, busyTokens: 2, tokens: 40, dueIn: nil),
        Scenario(sessions: 2, overflow: true, busy: 2, busyTokens: 3000, tokens: 3, dueIn: 0),
    ])
    func theSchedulerAndTheForecastAgree(scenario: Scenario) async throws {
        let gates = GatedSession.Gates()
        let latency = GatedSession.Gates()
        let scheduler = DeadlineScheduler(sessions: (0..<scenario.sessions).map { _ in GatedSession(gates: gates) },
                                          latencySession: scenario.overflow ? GatedSession(gates: latency) : nil,
                                          policy: .throughput, holdLimit: .seconds(60))
        await scheduler.setWarmupRealTimeFactor(0.1)
        let style = ArraySlice([Float](repeating: 0, count: 256))
        let placement = try await withThrowingTaskGroup(of: Void.self) { group -> Placement in
            for id in 1...max(1, scenario.busy) where scenario.busy > 0 {
                group.addTask {
                    _ = try await scheduler.synthesize(tokens: [Int64](repeating: Int64(id), count: scenario.busyTokens), style: style, speed: 1, deadline: .now)
                }
                await gates.waitUntilStarted(Int64(id))
            }
            // The forecast, as admission builds it from the scheduler's load at this moment.
            let (forecast, _) = await scheduler.admissionForecast()
            let stream = AdmissionForecast.Stream(id: 9, playbackEnd: scenario.dueIn, firstAudioDue: 0,
                                                  pieces: [.init(tokens: scenario.tokens, audioSeconds: 1)])
            let predicted: Placement = forecast.play([stream]).started[9].map { $0.at < 0.01 ? ($0.overflow ? .overflow : .pool) : .waits } ?? .waits
            let piece = Int64(9)
            group.addTask {
                _ = try await scheduler.synthesize(tokens: [Int64](repeating: piece, count: scenario.tokens), style: style, speed: 1,
                                                   deadline: .now + .seconds(scenario.dueIn ?? 0), opensStream: scenario.dueIn == nil)
            }
            while await scheduler.statistics.waiting == 0, !gates.started.withLock({ $0.contains(piece) }), !latency.started.withLock({ $0.contains(piece) }) {
                await Task.yield()
            }
            let live: Placement = gates.started.withLock { $0.contains(piece) } ? .pool : latency.started.withLock { $0.contains(piece) } ? .overflow : .waits
            #expect(live == predicted, "\(scenario): the scheduler \(live), the forecast \(predicted)")
            for id in Int64(1)...9 {
                gates.open(id)
                latency.open(id)
            }
            try await group.waitForAll()
            return live
        }
        // Each scenario's expected placement, so agreement on a wrong answer fails too.
        let expected: Placement = switch (scenario.sessions, scenario.busy, scenario.busyTokens, scenario.dueIn) {
        case (2, 1, _, 20): .waits
        case (_, 2, 3000, nil): .overflow
        case (_, 2, 2, nil), (_, 2, _, 0): .waits
        default: .pool
        }
        #expect(placement == expected, "\(scenario)")
    }
}
