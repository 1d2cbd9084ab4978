import Foundation
import Synchronization
import Testing
@testable import KokoroEngine

/// A stand-in session: sleeps `millisecondsPerToken` per token, returns `audioPerToken`
/// seconds of audio per token (default one), and records the order it ran pieces in and the most runs at once across all
/// sessions sharing `log`.
final class TimedSession: SpeechSynthesizer {
    final class Log: Sendable {
        let order = Mutex<[Int64]>([])
        let running = Mutex(0)
        let mostAtOnce = Mutex(0)
    }

    let log: Log
    let millisecondsPerToken: Int
    let audioPerToken: Double

    init(log: Log, millisecondsPerToken: Int = 20, audioPerToken: Double = 1) {
        self.log = log
        self.millisecondsPerToken = millisecondsPerToken
        self.audioPerToken = audioPerToken
    }

    func synthesize(tokens: [Int64], style: ArraySlice<Float>, speed: Float) async throws -> [Float] {
        let now = log.running.withLock { $0 += 1; return $0 }
        log.mostAtOnce.withLock { $0 = max($0, now) }
        log.order.withLock { $0.append(tokens[0]) }
        defer { log.running.withLock { $0 -= 1 } }
        try await Task.sleep(for: .milliseconds(millisecondsPerToken * tokens.count))
        return [Float](repeating: 0.1, count: Int(Double(KokoroModel.sampleRate * tokens.count) * audioPerToken))
    }
}

/// A stand-in session whose run of a piece (named by its first token) lasts until the test
/// opens that piece's gate. Nothing here reads the clock: a stalled machine only delays the
/// test, and a scheduler that never starts a piece fails the test at its time limit.
final class GatedSession: SpeechSynthesizer {
    final class Gates: Sendable {
        let started = Mutex<[Int64]>([])
        let opened = Mutex<Set<Int64>>([])

        func open(_ id: Int64) { _ = opened.withLock { $0.insert(id) } }

        func waitUntilStarted(_ id: Int64) async {
            while !started.withLock({ $0.contains(id) }), !Task.isCancelled { try? await Task.sleep(for: .milliseconds(2)) }
        }
    }

    let gates: Gates
    init(gates: Gates) { self.gates = gates }

    func synthesize(tokens: [Int64], style: ArraySlice<Float>, speed: Float) async throws -> [Float] {
        gates.started.withLock { $0.append(tokens[0]) }
        while !gates.opened.withLock({ $0.contains(tokens[0]) }) { try await Task.sleep(for: .milliseconds(2)) }
        return [Float](repeating: 0.1, count: KokoroModel.sampleRate)
    }
}

/// A stand-in split model whose decoder sleeps `millisecondsPerFrame` per frame decoded.
final class DecodingSession: SpeechSynthesizer {
    let millisecondsPerFrame: Int
    init(millisecondsPerFrame: Int) { self.millisecondsPerFrame = millisecondsPerFrame }

    func synthesize(tokens: [Int64], style: ArraySlice<Float>, speed: Float) async throws -> [Float] { [] }

    func perform(_ work: ModelWork) async throws -> ModelOutput {
        guard case .decode(_, let frames, _, _, _) = work else { return .audio([]) }
        try await Task.sleep(for: .milliseconds(millisecondsPerFrame * frames.count))
        return .audio([Float](repeating: 0.1, count: frames.count * SentenceFrames.samplesPerFrame))
    }
}

/// The decoder's pace that windows are planned with: where they will run, and as fast as
/// they have run there.
@Suite struct DecoderPaceTests {
    @Test func aLoneStreamPlansWithTheLatencySessionsPaceSeveralWithTheThroughputOnes() async {
        let scheduler = DeadlineScheduler(sessions: [DecodingSession(millisecondsPerFrame: 1), DecodingSession(millisecondsPerFrame: 1)],
                                          latencySession: DecodingSession(millisecondsPerFrame: 1))
        await scheduler.setDecoderPace(0.2, role: .latency)
        await scheduler.setDecoderPace(0.5, role: .throughput)
        #expect(await scheduler.pace(streams: 1) == 0.2)
        #expect(await scheduler.pace(streams: 2) == 0.5)
        let withoutLatency = DeadlineScheduler(sessions: [DecodingSession(millisecondsPerFrame: 1)])
        await withoutLatency.setDecoderPace(0.5, role: .throughput)
        #expect(await withoutLatency.pace(streams: 1) == 0.5)
    }

    /// Windows that decode slower than the warm-up did move the pace towards theirs (here at
    /// least 0.4 s per second of audio: 10 ms per 25 ms frame, sleeping at least that).
    @Test func thePaceFollowsTheWindowsDecoded() async throws {
        let scheduler = DeadlineScheduler(sessions: [DecodingSession(millisecondsPerFrame: 10)], policy: .latency)
        await scheduler.setDecoderPace(0.1, role: .throughput)
        let frames = 20
        let sentence = SentenceFrames(features: [Float](repeating: 0, count: SentenceFrames.channels * frames),
                                      f0: [Float](repeating: 100, count: 2 * frames), energy: [Float](repeating: 1, count: 2 * frames),
                                      durations: [Int64(frames)])
        for _ in 0..<5 {
            _ = try await scheduler.run(.decode(sentence, frames: 0..<frames, phase: [], style: [], statistics: nil), deadline: .now)
        }
        // 0.1 × 0.8⁵ + 0.4 × (1 − 0.8⁵) ≈ 0.30 at the least.
        #expect(await scheduler.pace(streams: 1) > 0.29)
    }
}

@Suite("Deadline scheduler and session pool")
struct SchedulerTests {
    let style = ArraySlice([Float](repeating: 0, count: 256))

    /// Gated stand-in sessions: `sessions` throughput ones sharing the returned gates, and a
    /// latency session if given its gates. A held session waits up to a minute (the tests'
    /// time limit) for its stream's next piece, so a stalled machine cannot end a hold early.
    func gatedPool(sessions: Int = 2, latency: GatedSession.Gates? = nil, policy: RealTimeOptimizer.Policy = .throughput,
                   horizon: Duration = .seconds(1)) -> (DeadlineScheduler, GatedSession.Gates) {
        let gates = GatedSession.Gates()
        let scheduler = DeadlineScheduler(sessions: (0..<sessions).map { _ in GatedSession(gates: gates) },
                                          latencySession: latency.map(GatedSession.init), policy: policy,
                                          horizon: horizon, holdLimit: .seconds(60))
        return (scheduler, gates)
    }

    @Test(.timeLimit(.minutes(1))) func earliestDeadlineRunsFirst() async throws {
        let (scheduler, gates) = gatedPool(sessions: 1, policy: .latency)
        let now = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            // Piece 1 occupies the session; 2, 3, 4 queue with deadlines in the order 4, 2, 3.
            group.addTask { _ = try await scheduler.synthesize(tokens: [1], style: style, speed: 1, deadline: now) }
            await gates.waitUntilStarted(1)
            for (id, offset) in [(Int64(2), 5.0), (3, 9.0), (4, 1.0)] {
                group.addTask { _ = try await scheduler.synthesize(tokens: [id], style: style, speed: 1, deadline: now + .seconds(offset)) }
            }
            while await scheduler.statistics.waiting < 3 { await Task.yield() }
            (Int64(1)...4).forEach(gates.open)
            try await group.waitForAll()
        }
        #expect(gates.started.withLock { $0 } == [1, 4, 2, 3])
        let statistics = await scheduler.statistics
        #expect(statistics.runs == 4 && statistics.sessions[0].runs == 4)
        #expect(statistics.waiting == 0 && statistics.running == 0)
    }

    @Test func throughputModeRunsOnePiecePerSessionAndCountsEach() async throws {
        let log = TimedSession.Log()
        let scheduler = DeadlineScheduler(sessions: [TimedSession(log: log), TimedSession(log: log)], policy: .throughput)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for id in 1...6 {
                group.addTask { _ = try await scheduler.synthesize(tokens: [Int64(id), 0, 0], style: style, speed: 1, deadline: .now) }
            }
            try await group.waitForAll()
        }
        #expect(log.mostAtOnce.withLock { $0 } == 2)
        let statistics = await scheduler.statistics
        #expect(statistics.sessions.map(\.runs).reduce(0, +) == 6)
        #expect(statistics.sessions.allSatisfy { $0.runs > 0 && $0.utilization > 0 })
        let measured = try #require(statistics.optimizer.modes["throughput"])
        #expect(measured.runs == 6)
        #expect(abs(measured.audio_seconds - 18) < 1e-9)
        #expect(statistics.optimizer.mode == .throughput && statistics.optimizer.decisions.isEmpty)
    }

    /// A throughput run teaches the cost when it spent most of its time beside another, even
    /// if it started or ended alone; a run alone throughout teaches nothing. Runs end when the
    /// test opens their gates, so a loaded machine only lengthens the moments a run is alone.
    @Test(.timeLimit(.minutes(1))) func runsSideBySideTeachTheCostAndARunAloneDoesNot() async throws {
        let (scheduler, gates) = gatedPool(horizon: .seconds(60))
        let before = await scheduler.throughputRunCost.secondsPerToken
        let piece: @Sendable (Int64) -> [Int64] = { [Int64](repeating: $0, count: 60) }
        async let alone = scheduler.synthesize(tokens: piece(1), style: style, speed: 1, deadline: .now)
        await gates.waitUntilStarted(1)
        gates.open(1)
        _ = try await alone
        #expect(await scheduler.throughputRunCost.secondsPerToken == before)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { _ = try await scheduler.synthesize(tokens: piece(2), style: style, speed: 1, deadline: .now) }
            await gates.waitUntilStarted(2)
            group.addTask { _ = try await scheduler.synthesize(tokens: piece(3), style: style, speed: 1, deadline: .now) }
            await gates.waitUntilStarted(3)
            try await Task.sleep(for: .seconds(1))
            // The first started alone and the second ends alone: neither both started and ended beside another.
            gates.open(2)
            while await scheduler.statistics.running > 1 { try await Task.sleep(for: .milliseconds(2)) }
            gates.open(3)
            try await group.waitForAll()
        }
        // Each ran a second or more: 60 tokens (+7 fixed) at 15 ms or more per token.
        let learned = await scheduler.throughputRunCost.secondsPerToken
        #expect(before > 0.03 && learned != before && learned >= 1.0 / 67)
    }

    @Test func latencyModeRunsOneAtATimeWithTwoSessions() async throws {
        let log = TimedSession.Log()
        let scheduler = DeadlineScheduler(sessions: [TimedSession(log: log), TimedSession(log: log)], policy: .latency)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for id in 1...4 {
                group.addTask { _ = try await scheduler.synthesize(tokens: [Int64(id)], style: style, speed: 1, deadline: .now) }
            }
            try await group.waitForAll()
        }
        #expect(log.mostAtOnce.withLock { $0 } == 1)
    }

    @Test func recyclingRebuildsEverySessionWithoutDroppingARun() async throws {
        let log = TimedSession.Log()
        let built = Mutex(0)
        let scheduler = DeadlineScheduler(sessions: [TimedSession(log: log), TimedSession(log: log)], policy: .throughput) { _ in
            built.withLock { $0 += 1 }
            return TimedSession(log: log)
        }
        let results = try await withThrowingTaskGroup(of: Int.self) { group in
            for id in 1...8 {
                group.addTask {
                    try await scheduler.synthesize(tokens: [Int64(id), 0, 0], style: style, speed: 1, deadline: .now).count
                }
            }
            group.addTask { await scheduler.recycleSessions() == 2 ? -1 : -2 }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(results.filter { $0 == 3 * KokoroModel.sampleRate }.count == 8)
        #expect(results.contains(-1))
        #expect(built.withLock { $0 } == 2)
        let statistics = await scheduler.statistics
        #expect(statistics.recycled_sessions == 2)
        #expect(statistics.sessions.map(\.generation) == [1, 1])
        #expect(statistics.runs == 8)
    }

    /// Work not due soon (a stream well ahead: here, due in 20 s for a run estimated at 0.3 s)
    /// starts only while another session stays free for work due soon; background work only
    /// while nothing else runs; work due now runs beside anything.
    @Test(.timeLimit(.minutes(1))) func workBeyondTheHorizonLeavesASessionFree() async throws {
        // A nil offset: background work, due for no listener.
        for (sessions, offset, together) in [(2, 20.0, false), (2, 0.0, true), (3, 20.0, true), (3, nil, false)] as [(Int, Double?, Bool)] {
            let (scheduler, gates) = gatedPool(sessions: sessions, horizon: .milliseconds(500))
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { _ = try await scheduler.synthesize(tokens: [1], style: style, speed: 1, deadline: .now) }
                await gates.waitUntilStarted(1)
                group.addTask {
                    if let offset {
                        _ = try await scheduler.synthesize(tokens: [2], style: style, speed: 1, deadline: .now + .seconds(offset))
                    } else {
                        _ = try await scheduler.runInBackground(.whole(tokens: [2], style: style, speed: 1))
                    }
                }
                while await scheduler.statistics.waiting == 0 && !gates.started.withLock({ $0.contains(2) }) { await Task.yield() }
                #expect(gates.started.withLock { $0 } == (together ? [1, 2] : [1]), "\(sessions) sessions, deadline in \(offset.map { "\($0) s" } ?? "background")")
                [1, 2].forEach(gates.open)
                try await group.waitForAll()
            }
        }
    }

    /// Two runs whose buffers together pass the memory budget do not run side by side, though
    /// a session is free for the second: it starts when the first ends.
    @Test(.timeLimit(.minutes(1))) func runsBeyondTheMemoryBudgetWaitForEachOther() async throws {
        let gates = GatedSession.Gates()
        let scheduler = DeadlineScheduler(sessions: [GatedSession(gates: gates), GatedSession(gates: gates)], policy: .throughput,
                                          bufferBudget: 3 * ArenaPolicy.bytesPerToken)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { _ = try await scheduler.synthesize(tokens: [1, 0], style: style, speed: 1, deadline: .now) }
            await gates.waitUntilStarted(1)
            group.addTask { _ = try await scheduler.synthesize(tokens: [2, 0], style: style, speed: 1, deadline: .now) }
            while await scheduler.statistics.waiting == 0 { await Task.yield() }
            #expect(gates.started.withLock { $0 } == [1])
            gates.open(1)
            await gates.waitUntilStarted(2)
            gates.open(2)
            try await group.waitForAll()
        }
        #expect(gates.started.withLock { $0 } == [1, 2])
    }

    /// A run waiting for memory is not passed by later work that fits beside the runs in
    /// progress: such work would keep the memory taken, and a stream of it starve the run.
    /// The run waiting starts when the memory is free; the work behind it, after.
    @Test(.timeLimit(.minutes(1))) func workBehindARunWaitingForMemoryWaitsToo() async throws {
        let gates = GatedSession.Gates()
        let scheduler = DeadlineScheduler(sessions: [GatedSession(gates: gates), GatedSession(gates: gates)], policy: .throughput,
                                          bufferBudget: 3 * ArenaPolicy.bytesPerToken)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { _ = try await scheduler.synthesize(tokens: [1], style: style, speed: 1, deadline: .now) }
            await gates.waitUntilStarted(1)
            group.addTask { _ = try await scheduler.synthesize(tokens: [2, 0, 0], style: style, speed: 1, deadline: .now) }
            while await scheduler.statistics.waiting == 0 { await Task.yield() }
            group.addTask { _ = try await scheduler.synthesize(tokens: [3], style: style, speed: 1, deadline: .now + .seconds(1)) }
            while await scheduler.statistics.waiting < 2, !gates.started.withLock({ $0.contains(3) }) { await Task.yield() }
            #expect(gates.started.withLock { $0 } == [1], "the later run went ahead of the one waiting for memory")
            gates.open(1)
            await gates.waitUntilStarted(2)
            gates.open(2)
            await gates.waitUntilStarted(3)
            gates.open(3)
            try await group.waitForAll()
        }
        #expect(gates.started.withLock { $0 } == [1, 2, 3])
    }

    /// A listener's run waiting for the memory a background run holds stops that run (it
    /// starts over when the pool is idle) instead of waiting for it to end.
    @Test(.timeLimit(.minutes(1))) func aRunWaitingForMemoryPreemptsBackgroundWork() async throws {
        let gates = GatedSession.Gates()
        let scheduler = DeadlineScheduler(sessions: [GatedSession(gates: gates), GatedSession(gates: gates)], policy: .throughput,
                                          bufferBudget: 3 * ArenaPolicy.bytesPerToken)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { _ = try await scheduler.runInBackground(.whole(tokens: [2, 0], style: style, speed: 1)) }
            await gates.waitUntilStarted(2)
            group.addTask { _ = try await scheduler.synthesize(tokens: [1, 0, 0], style: style, speed: 1, deadline: .now) }
            await gates.waitUntilStarted(1)
            gates.open(1)
            while gates.started.withLock({ $0.count { $0 == 2 } }) < 2 { try await Task.sleep(for: .milliseconds(2)) }
            gates.open(2)
            try await group.waitForAll()
        }
        #expect(gates.started.withLock { $0 } == [2, 1, 2])
        #expect(await scheduler.statistics.preempted_background_runs == 1)
    }

    /// Background work (a calibration probe) started while the pool was idle is terminated
    /// when listener work starts, even on another session, and runs again, whole, once the
    /// pool is idle: its owner gets its result and never sees the preemption.
    @Test(.timeLimit(.minutes(1))) func listenerWorkPreemptsABackgroundRunWhichStartsOverWhenIdle() async throws {
        let (scheduler, gates) = gatedPool(sessions: 2)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { _ = try await scheduler.runInBackground(.whole(tokens: [2], style: style, speed: 1)) }
            await gates.waitUntilStarted(2)
            group.addTask { _ = try await scheduler.synthesize(tokens: [1], style: style, speed: 1, deadline: .now) }
            await gates.waitUntilStarted(1)
            while await scheduler.statistics.running > 1 { await Task.yield() }
            #expect(await scheduler.statistics.waiting == 1, "the preempted run waits while the listener's runs")
            gates.open(1)
            while gates.started.withLock({ $0.count { $0 == 2 } }) < 2 { try await Task.sleep(for: .milliseconds(2)) }
            gates.open(2)
            try await group.waitForAll()
        }
        #expect(gates.started.withLock { $0 } == [2, 1, 2])
        let statistics = await scheduler.statistics
        #expect(statistics.preempted_background_runs == 1)
        #expect(statistics.running == 0 && statistics.waiting == 0)
    }

    /// A lone run goes to the latency session; runs that wait behind it switch the pool to
    /// throughput mode at once, where they run side by side on the throughput sessions.
    @Test(.timeLimit(.minutes(1))) func theLatencySessionRunsAloneAndWaitingRunsSpreadOverThePool() async throws {
        let latency = GatedSession.Gates()
        let (scheduler, pool) = gatedPool(latency: latency, policy: .auto)
        latency.open(1)
        _ = try await scheduler.synthesize(tokens: [1], style: style, speed: 1, deadline: .now)
        #expect(latency.started.withLock { $0 } == [1] && pool.started.withLock { $0 }.isEmpty)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for id: Int64 in 2...4 {
                group.addTask { _ = try await scheduler.synthesize(tokens: [id], style: style, speed: 1, deadline: .now) }
                await (id == 2 ? latency : pool).waitUntilStarted(id)
            }
            (Int64(2)...4).forEach { latency.open($0); pool.open($0) }
            try await group.waitForAll()
        }
        #expect(latency.started.withLock { $0 } == [1, 2])
        #expect(Set(pool.started.withLock { $0 }) == [3, 4])
        let statistics = await scheduler.statistics
        #expect(statistics.optimizer.mode == .throughput && statistics.optimizer.decisions.count == 1)
        #expect(statistics.sessions.map(\.role) == [.latency, .throughput, .throughput])
        #expect(statistics.sessions.map(\.runs) == [2, 1, 1])
    }

    /// A pool of two throughput sessions (gated by `pool`) and a latency session (gated by
    /// `latency`) in throughput mode, with both throughput sessions running pieces of
    /// `busyTokens` (ids 1 and 2) while `then` runs; then every run may end.
    func withBusyThroughputSessions(busyTokens: Int,
                                    then: @Sendable @escaping (DeadlineScheduler, _ pool: GatedSession.Gates, _ latency: GatedSession.Gates) async throws -> Void)
        async throws -> (latency: [Int64], pool: [Int64]) {
        let latency = GatedSession.Gates()
        let (scheduler, pool) = gatedPool(latency: latency)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for id: Int64 in 1...2 {
                group.addTask { _ = try await scheduler.synthesize(tokens: [Int64](repeating: id, count: busyTokens), style: style, speed: 1, deadline: .now) }
                await pool.waitUntilStarted(id)
            }
            try await then(scheduler, pool, latency)
            (Int64(1)...4).forEach { pool.open($0); latency.open($0) }
            try await group.waitForAll()
        }
        return (latency.started.withLock { $0 }, pool.started.withLock { $0 })
    }

    /// With the throughput sessions busy (for about two minutes by the cost estimate, so a
    /// stalled machine cannot make them look about to end), a stream's first piece starts at
    /// once on the idle latency session; another piece due now waits for a throughput session.
    @Test(.timeLimit(.minutes(1))) func aFirstPieceTakesAnIdleSessionOutsideTheMode() async throws {
        let order = try await withBusyThroughputSessions(busyTokens: 3000) { scheduler, pool, latency in
            async let waiter: [Float] = scheduler.synthesize(tokens: [3], style: style, speed: 1, deadline: .now)
            while await scheduler.statistics.waiting == 0 { await Task.yield() }
            let statistics = await scheduler.statistics
            #expect(statistics.waiting == 1 && statistics.sessions[0].runs == 0 && !statistics.sessions[0].running)
            latency.open(4)
            _ = try await scheduler.synthesize(tokens: [4], style: style, speed: 1, deadline: .now, opensStream: true)
            // Its time teaches the overflow's slowdown.
            #expect(await scheduler.throughputRunCost.overflowSlowdown != DeadlineScheduler.RunCost.initialOverflowSlowdown)
            (Int64(1)...3).forEach(pool.open)
            _ = try await waiter
        }
        #expect(order.latency == [4])
        #expect(order.pool.last == 3)
    }

    /// ... unless a throughput session frees soon enough (by the estimate: runs of 2 tokens)
    /// that the piece would end sooner there than on the overflow session, slowed by the runs
    /// beside it.
    @Test(.timeLimit(.minutes(1))) func aFirstPieceWaitsForASessionAboutToFree() async throws {
        let order = try await withBusyThroughputSessions(busyTokens: 2) { scheduler, pool, latency in
            async let piece: [Float] = scheduler.synthesize(tokens: [Int64](repeating: 3, count: 40), style: style, speed: 1, deadline: .now,
                                                             opensStream: true)
            while await scheduler.statistics.waiting == 0 && latency.started.withLock({ $0.isEmpty }) { await Task.yield() }
            (Int64(1)...3).forEach { pool.open($0); latency.open($0) }
            _ = try await piece
            #expect(await scheduler.throughputRunCost.overflowSlowdown == DeadlineScheduler.RunCost.initialOverflowSlowdown)
        }
        #expect(order.latency.isEmpty)
        #expect(order.pool.last == 3)
    }

    /// When a stream's piece is done, the session it ran on waits for that stream's next
    /// piece (its listener has only the audio just made) instead of going to work that was
    /// waiting with a later deadline. Runs end when the test opens their gates, so the order
    /// does not depend on how loaded the machine is.
    @Test(.timeLimit(.minutes(1))) func aStreamsNextPieceCompetesForTheSessionItsLastOneFreed() async throws {
        let (scheduler, gates) = gatedPool(horizon: .seconds(60))
        let start = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { _ = try await scheduler.synthesize(tokens: [3], style: style, speed: 1, deadline: start) }
            await gates.waitUntilStarted(3)
            group.addTask {
                _ = try await scheduler.synthesize(tokens: [1], style: style, speed: 1, deadline: start, stream: 1, next: (audio: 1, tokens: 1))
                _ = try await scheduler.synthesize(tokens: [4], style: style, speed: 1, deadline: start, stream: 1)
            }
            await gates.waitUntilStarted(1)
            group.addTask { _ = try await scheduler.synthesize(tokens: [2], style: style, speed: 1, deadline: start + .seconds(5)) }
            while await scheduler.statistics.waiting == 0 { await Task.yield() }
            gates.open(1)
            await gates.waitUntilStarted(4)
            [4, 3, 2].forEach(gates.open)
            try await group.waitForAll()
        }
        #expect(gates.started.withLock { $0 } == [3, 1, 4, 2])
        // A next piece that never comes (a listener gone) holds the session only so long.
        let single = DeadlineScheduler(sessions: [TimedSession(log: TimedSession.Log())], policy: .throughput, holdLimit: .milliseconds(100))
        _ = try await single.synthesize(tokens: [1], style: style, speed: 1, deadline: start, stream: 1, next: (audio: 1, tokens: 1))
        _ = try await single.synthesize(tokens: [2], style: style, speed: 1, deadline: start)
    }

    /// A session held for a stream's next piece counts as busy: work not due soon does not
    /// take the other one, which stays free for a new stream. (Before, with nothing running
    /// at that instant, it took it, and a newcomer 20 ms later waited a whole run: measured
    /// first audio 1.06 s instead of 0.49 s with three streams joining a second apart.)
    @Test(.timeLimit(.minutes(1))) func aHeldSessionKeepsTheOtherFreeForANewStream() async throws {
        let (scheduler, gates) = gatedPool(horizon: .milliseconds(500))
        let start = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                _ = try await scheduler.synthesize(tokens: [1], style: style, speed: 1, deadline: start, stream: 1, next: (audio: 1, tokens: 1))
                _ = try await scheduler.synthesize(tokens: [4], style: style, speed: 1, deadline: start, stream: 1)
            }
            await gates.waitUntilStarted(1)
            group.addTask { _ = try await scheduler.synthesize(tokens: [2], style: style, speed: 1, deadline: start + .seconds(30)) }
            while await scheduler.statistics.waiting == 0 { await Task.yield() }
            gates.open(1)
            await gates.waitUntilStarted(4)
            group.addTask { _ = try await scheduler.synthesize(tokens: [5], style: style, speed: 1, deadline: start, opensStream: true) }
            await gates.waitUntilStarted(5)
            [4, 5, 2].forEach(gates.open)
            try await group.waitForAll()
        }
        #expect(gates.started.withLock { $0 } == [1, 4, 5, 2])
    }

    /// A session that frees after a stream is admitted waits for that stream's first piece
    /// (on its way from the HTTP layer) instead of going to a piece due later; if the piece
    /// does not come within the limit, or the stream ends without it (withdrawn, or all its
    /// audio cached), the session goes back to work.
    @Test(.timeLimit(.minutes(1))) func aSessionWaitsForAnAdmittedStreamsFirstPiece() async throws {
        enum Outcome { case pieceComes, limitPasses, streamEnds }
        for outcome in [Outcome.pieceComes, .limitPasses, .streamEnds] {
            let (scheduler, gates) = gatedPool(sessions: 1, policy: .latency)
            let start = ContinuousClock.now
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { _ = try await scheduler.synthesize(tokens: [1], style: style, speed: 1, deadline: start) }
                await gates.waitUntilStarted(1)
                group.addTask { _ = try await scheduler.synthesize(tokens: [2], style: style, speed: 1, deadline: start + .seconds(1)) }
                while await scheduler.statistics.waiting == 0 { await Task.yield() }
                await scheduler.expectOpening(of: 7, within: outcome == .limitPasses ? .milliseconds(50) : .seconds(600))
                gates.open(1)
                if outcome != .limitPasses {
                    while await scheduler.statistics.running > 0 { await Task.yield() }
                }
                if outcome == .streamEnds { await scheduler.endHold(for: 7) }
                if outcome != .pieceComes { await gates.waitUntilStarted(2) }
                group.addTask {
                    _ = try await scheduler.synthesize(tokens: [3], style: style, speed: 1, deadline: start, stream: 7, opensStream: true)
                }
                [2, 3].forEach(gates.open)
                try await group.waitForAll()
            }
            #expect(gates.started.withLock { $0 } == (outcome == .pieceComes ? [1, 3, 2] : [1, 2, 3]), "\(outcome)")
        }
    }

    /// A short piece before a much longer one is due soon earlier: the audio it adds must
    /// cover a wait for a session and the long run after it. The same piece with nothing
    /// after it is far ahead, and leaves the last free session alone.
    @Test(.timeLimit(.minutes(1))) func aShortPieceBeforeALongOneIsDueSooner() async throws {
        for (next, startsAtOnce) in [((audio: 0.5, tokens: 400), true), (nil, false)] as [(DeadlineScheduler.NextPiece?, Bool)] {
            let (scheduler, gates) = gatedPool(horizon: .milliseconds(500))
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { _ = try await scheduler.synthesize(tokens: [1], style: style, speed: 1, deadline: .now) }
                await gates.waitUntilStarted(1)
                group.addTask {
                    _ = try await scheduler.synthesize(tokens: [2], style: style, speed: 1, deadline: .now + .seconds(25), stream: 1, next: next)
                }
                while await scheduler.statistics.waiting == 0 && gates.started.withLock({ $0.count }) < 2 { await Task.yield() }
                try await Task.sleep(for: .milliseconds(50))
                #expect(gates.started.withLock { $0 } == (startsAtOnce ? [1, 2] : [1]), "next piece: \(String(describing: next))")
                [1, 2].forEach(gates.open)
                try await group.waitForAll()
            }
        }
    }

    @Test func capacityComesFromMeasuredSpeed() async throws {
        let log = TimedSession.Log()
        let scheduler = DeadlineScheduler(sessions: [TimedSession(log: log), TimedSession(log: log)], policy: .latency)
        #expect(await scheduler.realTimeCapacity().streams == 2)
        await scheduler.setWarmupRealTimeFactor(0.25)
        let warm = await scheduler.realTimeCapacity()
        #expect(warm.streams == 3 && warm.basis == "warm-up runs")
        // 25 s of audio (24.2 s of it speech) in about 0.5 s of runs: real runs now set the figure.
        _ = try await scheduler.synthesize(tokens: [Int64](repeating: 1, count: 25), style: style, speed: 1, deadline: .now)
        let measured = await scheduler.realTimeCapacity()
        let factor = try #require(measured.real_time_factor)
        // 0.0206 when the sleep is exact; a loaded machine (the whole suite at once) only makes it larger.
        #expect(factor >= 0.02)
        #expect(measured.streams == max(1, Int(DeadlineScheduler.streamUtilization / factor)) && measured.basis.hasPrefix("latency mode at full use"))
    }

    /// The running piece would take 100 s: only cancelling it ends it before the time limit.
    @Test(.timeLimit(.minutes(1))) func cancellingAWaitingPieceRemovesIt() async throws {
        let log = TimedSession.Log()
        let scheduler = DeadlineScheduler(sessions: [TimedSession(log: log, millisecondsPerToken: 20_000)], policy: .latency)
        let first = Task { try await scheduler.synthesize(tokens: [1, 1, 1, 1, 1], style: style, speed: 1, deadline: .now) }
        while await scheduler.statistics.running == 0 { await Task.yield() }
        let second = Task { try await scheduler.synthesize(tokens: [2], style: style, speed: 1, deadline: .now) }
        while await scheduler.statistics.waiting == 0 { await Task.yield() }
        second.cancel()
        await #expect(throws: CancellationError.self) { try await second.value }
        #expect(await scheduler.statistics.waiting == 0)
        // Cancelling the running piece stops it too.
        first.cancel()
        await #expect(throws: CancellationError.self) { try await first.value }
        #expect(log.order.withLock { $0 } == [1])
    }
}

@Suite("Real-time optimizer")
struct OptimizerTests {
    let start = ContinuousClock.now

    func at(_ seconds: Double) -> ContinuousClock.Instant { start + .seconds(seconds) }

    @Test func switchesToThroughputAsSoonAsARunWaitsAndBackWhenIdle() throws {
        var optimizer = RealTimeOptimizer(policy: .auto, sessions: 2, now: start)
        #expect(optimizer.mode == .latency && optimizer.concurrency == 1)
        // One run at a time: no reason to switch.
        for step in 1...50 { #expect(optimizer.observe(running: 1, waiting: 0, at: at(Double(step) * 0.1)) == nil) }
        // A run waits behind it: throughput mode at once.
        let upSwitch = optimizer.observe(running: 1, waiting: 1, at: at(5.05))
        let up = try #require(upSwitch)
        #expect(up.from == .latency && up.to == .throughput && up.reason.hasPrefix("1 run(s) waiting"))
        #expect(optimizer.concurrency == 2)
        // Idle right away: it stays for the minimum dwell (5 s) all the same.
        for step in 1...45 { #expect(optimizer.observe(running: 0, waiting: 0, at: at(5.05 + Double(step) * 0.1)) == nil) }
        // Load again, then idle: back to latency once the averages fall.
        for step in 1...100 { #expect(optimizer.observe(running: 2, waiting: 1, at: at(9.6 + Double(step) * 0.1)) == nil) }
        var time = 19.7
        var switched: RealTimeOptimizer.Decision?
        while switched == nil && time < 80 {
            switched = optimizer.observe(running: 0, waiting: 0, at: at(time))
            time += 0.1
        }
        let down = try #require(switched)
        #expect(down.to == .latency && down.average_waiting <= 0.05 && down.average_running <= 1.2)
        #expect(down.uptime_seconds > 19.7 && optimizer.decisions.count == 2)
    }

    @Test func fixedPoliciesAndOneSessionNeverSwitch() {
        for (policy, sessions, concurrency) in [(RealTimeOptimizer.Policy.latency, 2, 1), (.throughput, 2, 2), (.auto, 1, 1)] {
            var optimizer = RealTimeOptimizer(policy: policy, sessions: sessions, now: start)
            for step in 1...300 {
                #expect(optimizer.observe(running: 1, waiting: 3, at: at(Double(step) * 0.1)) == nil)
            }
            #expect(optimizer.concurrency == concurrency)
        }
    }

    @Test func busyTimeAndAudioGiveTheRealTimeFactor() {
        var optimizer = RealTimeOptimizer(policy: .latency, sessions: 1, now: start)
        _ = optimizer.observe(running: 1, waiting: 0, at: at(1))
        _ = optimizer.observe(running: 0, waiting: 0, at: at(3))
        optimizer.record(audioSeconds: 8, speechSeconds: 7, runSeconds: 2, queueWait: 0.5, mode: .latency)
        let measured = optimizer.measurements[.latency]
        #expect(measured?.busy_seconds == 2 && measured?.session_seconds == 2 && measured?.speech_seconds == 7)
        #expect(measured?.real_time_factor == 0.25)
        #expect(measured?.mean_queue_wait_ms == 500)
        // Under the 20 s of audio a mode must make before its speed counts.
        #expect(optimizer.fullUseFactor(.latency) == nil)
        // Two sessions side by side: 12 s of runs made 27 s of speech, so at full use the pool
        // needs 12 / 27 / 2 s per second of speech.
        var pool = RealTimeOptimizer(policy: .throughput, sessions: 2, now: start)
        pool.record(audioSeconds: 30, speechSeconds: 27, runSeconds: 12, queueWait: 0, mode: .throughput)
        #expect(abs((pool.fullUseFactor(.throughput) ?? 0) - 12.0 / 27 / 2) < 1e-12)
    }
}

@Suite("Arena policy")
struct ArenaPolicyTests {
    @Test func shrinksWhenTheArenaWouldNotFitTheBudget() {
        let tight = ArenaPolicy.choose(sessions: 2, maxPieceTokens: 250, budgetBytes: 512 << 20)
        #expect(tight.shrink_after_each_run && tight.reason.contains("shrink"))
        let roomy = ArenaPolicy.choose(sessions: 1, maxPieceTokens: 250, budgetBytes: 4 << 30)
        #expect(!roomy.shrink_after_each_run && roomy.retained_estimate_mb == (250 * ArenaPolicy.bytesPerToken) >> 20)
        #expect(ArenaPolicy.choose(sessions: 2, maxPieceTokens: 150).shrink_after_each_run)
        #expect(ArenaPolicy.choose(sessions: 1, maxPieceTokens: 16, physicalMemory: 1 << 30).budget_mb == 128)
    }
}

@Suite("Audio cache pre-warm")
struct PrewarmTests {
    @Test func prewarmedPhrasesStreamFromTheCache() async throws {
        let engine = try KokoroEngine(configuration: .init(session: .init(intraOpThreads: 2), calibratesVoices: false))
        let phrase = "Your call is important to us. Please hold."
        let made = try await engine.prewarm(phrases: [phrase, "  "], voice: "af_heart")
        #expect(made >= 1)
        let job = try engine.prepare(SpeechRequest(text: phrase, voice: "af_heart"))
        var chunks = 0
        for try await chunk in engine.stream(job) where !chunk.phonemes.isEmpty {
            #expect(chunk.fromCache)
            chunks += 1
        }
        #expect(chunks == made)
        #expect(engine.audioCache.statistics.hits == made)
    }
}
