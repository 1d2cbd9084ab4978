import Testing
@testable import KokoroEngine

/// The pool as a value, without the model or the scheduler: which sessions a piece may take,
/// what a run teaches the cost model, and a session's replacement.
@Suite("Session pool")
struct SessionPoolTests {
    let start = ContinuousClock.now
    func at(_ seconds: Double) -> ContinuousClock.Instant { start + .seconds(seconds) }
    func session() -> any SpeechSynthesizer { TimedSession(log: .init()) }
    func run(_ id: UInt64, at seconds: Double, tokens: Int = 10) -> SessionPool.Run {
        SessionPool.Run(id: id, stream: nil, start: at(seconds), tokens: tokens)
    }

    @Test func theLatencySessionIsFirstAndServesLatencyModeAlone() {
        let pool = SessionPool(throughput: [session(), session()], latency: session())
        #expect(pool.sessions.map(\.role) == [.latency, .throughput, .throughput])
        #expect(pool.sessions(of: .latency) == [0])
        #expect(pool.sessions(of: .throughput) == [1, 2])
        // Without a latency session, latency mode runs the first throughput session alone.
        #expect(SessionPool(throughput: [session(), session()], latency: nil).sessions(of: .latency) == [0])
    }

    @Test func aPieceTakesAFreeSessionOfTheModeWithinItsConcurrencyAndNotAKeptOne() {
        var pool = SessionPool(throughput: [session(), session()], latency: session())
        #expect(pool.free(in: .throughput, concurrency: 2, kept: 0) == [1, 2])
        #expect(pool.free(in: .throughput, concurrency: 2, kept: 1) == [2])
        _ = pool.start(run(1, at: 0), on: 1, mode: .throughput)
        #expect(pool.free(in: .throughput, concurrency: 2, kept: 0) == [2])
        // One run at once: none while one runs.
        #expect(pool.free(in: .throughput, concurrency: 1, kept: 0).isEmpty)
        // The run and a kept session fill a mode of two.
        #expect(pool.free(in: .throughput, concurrency: 2, kept: 1).isEmpty)
        // The latency session is the overflow while the pool serves throughput, and not the other way round.
        #expect(pool.overflow(outside: .throughput) == 0)
        #expect(pool.overflow(outside: .latency) == 2)
    }

    @Test func aModeFreesWhenItsFirstRunLikelyEnds() {
        var pool = SessionPool(throughput: [session(), session()], latency: nil)
        #expect(pool.freesIn(.throughput, now: at(0)) { _, tokens in Double(tokens) } == 0)
        _ = pool.start(run(1, at: 0, tokens: 5), on: 0, mode: .throughput)
        _ = pool.start(run(2, at: 1, tokens: 5), on: 1, mode: .throughput)
        #expect(pool.freesIn(.throughput, now: at(2)) { _, tokens in Double(tokens) } == 3)
        // A run over its estimate frees now, not in the past.
        #expect(pool.freesIn(.throughput, now: at(9)) { _, tokens in Double(tokens) } == 0)
    }

    /// A throughput run teaches the cost only when it spent most of its time beside another
    /// (plans are made for runs side by side); a run beside the other role's never does.
    @Test func aRunTeachesTheCostOnlyWhenItRanAsPlanned() {
        var pool = SessionPool(throughput: [session(), session()], latency: session())
        _ = pool.start(run(1, at: 0), on: 1, mode: .throughput)
        _ = pool.start(run(2, at: 1), on: 2, mode: .throughput)
        pool.accountSharing(now: at(2))
        // Run 1: 2 s, 1 s of it shared; run 2: 1 s, all shared.
        #expect(!pool.teachesCost(1, seconds: 2))
        #expect(pool.teachesCost(2, seconds: 1))
        _ = pool.finish(2, after: 1)
        // The latency session starting beside a throughput run crowds both, and is an overflow.
        _ = pool.start(run(3, at: 2), on: 0, mode: .throughput)
        #expect(pool.sessions[0].overflow && pool.sessions[0].crowded && pool.sessions[1].crowded)
        #expect(!pool.teachesCost(0, seconds: 1))
    }

    @Test func aFinishedRunCountsAndAReplacedSessionStartsAfresh() {
        var pool = SessionPool(throughput: [session()], latency: nil)
        _ = pool.start(run(1, at: 0), on: 0, mode: .throughput)
        #expect(pool.runningCount == 1 && pool.runs.map(\.id) == [1])
        #expect(pool.finish(0, after: 0.5).isEmpty)
        #expect(pool.runningCount == 0 && pool.sessions[0].runs == 1 && pool.sessions[0].busySeconds == 0.5)
        pool.retire(0)
        #expect(pool.free(in: .throughput, concurrency: 1, kept: 0).isEmpty)
        pool.release(0)
        pool.reinstate(0, model: nil)
        // Not rebuilt: out of the pool for good.
        #expect(pool.free(in: .throughput, concurrency: 1, kept: 0).isEmpty)
        pool.reinstate(0, model: session())
        #expect(pool.free(in: .throughput, concurrency: 1, kept: 0) == [0])
        #expect(pool.sessions[0].generation == 1 && pool.sessions[0].runs == 0)
    }
}
