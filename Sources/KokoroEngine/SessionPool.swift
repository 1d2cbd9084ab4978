/// The model sessions the scheduler runs work on: which are free, what each runs and since
/// when, beside whom (what a run's time can teach the cost model), their replacement when
/// recycled, and their statistics.
///
/// A value owned by `DeadlineScheduler`, which carries out what `DispatchPolicy` decides; the
/// pool decides nothing itself. The first session is the latency session when there is one
/// (every core, run alone); the others are throughput sessions (a share of the cores each,
/// run side by side).
struct SessionPool {
    /// A run in progress.
    struct Run {
        let id: UInt64
        /// The `StreamLedger` entry it is made for (nil: background work or a lone piece).
        let stream: UInt64?
        let start: ContinuousClock.Instant
        /// Its cost in the cost model's tokens (`ModelWork.costTokens`).
        let tokens: Int
        /// ORT's buffers it takes (`ModelWork.bufferBytes`).
        var bufferBytes = 0
    }

    struct Session {
        /// The mode this session serves.
        let role: RealTimeOptimizer.Mode
        /// Nil while it is being rebuilt.
        var model: (any SpeechSynthesizer)?
        var run: Run?
        var task: Task<Void, Never>?
        /// The run in progress shared the cores with a session of the other role at some
        /// point (an overflow, or a mode switch), more threads than cores: its time says
        /// nothing of what a run costs in either mode.
        var crowded = false
        /// Seconds of the run in progress spent beside another run: a throughput run that ran
        /// alone for long is faster than plans, made for runs side by side, may count on.
        var sharedSeconds = 0.0
        /// The run in progress is a first piece on the latency session beside a busy
        /// throughput pool: its time teaches the overflow's slowdown.
        var overflow = false
        /// Takes no new run: it is to be rebuilt once its run ends.
        var retiring = false
        var idleWaiters: [CheckedContinuation<Void, Never>] = []
        var generation = 0
        var runs = 0
        var busySeconds = 0.0
        var created = ContinuousClock.now

        var isFree: Bool { run == nil && !retiring && model != nil }
    }

    private(set) var sessions: [Session]
    /// The last start or end of a run, from which `accountSharing` counts.
    private var sharingCheckpoint = ContinuousClock.now

    init(throughput: [any SpeechSynthesizer], latency: (any SpeechSynthesizer)?) {
        precondition(!throughput.isEmpty, "a pool needs at least one throughput session")
        sessions = (latency.map { [Session(role: .latency, model: $0)] } ?? []) + throughput.map { Session(role: .throughput, model: $0) }
    }

    var throughputCount: Int { sessions.count { $0.role == .throughput } }
    var hasLatencySession: Bool { sessions.contains { $0.role == .latency } }
    var runningCount: Int { sessions.count { $0.run != nil } }
    var runs: [Run] { sessions.compactMap(\.run) }
    /// ORT's buffers the runs in progress take.
    var bufferBytesInUse: Int { runs.reduce(0) { $0 + $1.bufferBytes } }

    /// The sessions `mode` runs on: the latency session (or the first one) alone, or every
    /// throughput session.
    func sessions(of mode: RealTimeOptimizer.Mode) -> [Int] {
        let throughput = sessions.indices.filter { sessions[$0].role == .throughput }
        guard mode == .latency else { return throughput }
        return [sessions.firstIndex { $0.role == .latency } ?? throughput[0]]
    }

    /// The free sessions of `mode` a waiting piece may take: none once `concurrency` runs
    /// and `kept` sessions (kept for streams' next pieces) fill the mode, and never the
    /// first `kept` free ones.
    func free(in mode: RealTimeOptimizer.Mode, concurrency: Int, kept: Int) -> [Int] {
        let modeSessions = sessions(of: mode)
        guard concurrency > modeSessions.count(where: { sessions[$0].run != nil }) + kept else { return [] }
        return Array(modeSessions.filter { sessions[$0].isFree }.dropFirst(kept))
    }

    /// A free session outside `mode`'s, which a stream's first piece may overflow to.
    func overflow(outside mode: RealTimeOptimizer.Mode) -> Int? {
        let modeSessions = sessions(of: mode)
        return sessions.indices.first { sessions[$0].isFree && !modeSessions.contains($0) }
    }

    /// Seconds until the first of `mode`'s busy sessions likely ends its run (0: none busy),
    /// with `seconds` giving a run's cost on a session of a role.
    func freesIn(_ mode: RealTimeOptimizer.Mode, now: ContinuousClock.Instant,
                 seconds: (RealTimeOptimizer.Mode, Int) -> Double) -> Double {
        sessions(of: mode).compactMap { index -> Double? in
            guard let run = sessions[index].run else { return nil }
            return max(0, seconds(sessions[index].role, run.tokens) - run.start.duration(to: now).seconds)
        }.min() ?? 0
    }

    /// Starts `run` on session `index` while the pool serves `mode`, and returns its model.
    mutating func start(_ run: Run, on index: Int, mode: RealTimeOptimizer.Mode) -> any SpeechSynthesizer {
        accountSharing(now: run.start)
        sessions[index].run = run
        sessions[index].crowded = false
        sessions[index].sharedSeconds = 0
        sessions[index].overflow = sessions[index].role == .latency && mode == .throughput
        if Set(sessions.filter { $0.run != nil }.map(\.role)).count > 1 {
            for other in sessions.indices where sessions[other].run != nil { sessions[other].crowded = true }
        }
        return sessions[index].model!
    }

    mutating func attach(_ task: Task<Void, Never>, to index: Int) { sessions[index].task = task }

    /// Adds the time since the last start or end of a run to every run in progress that had
    /// company through it.
    mutating func accountSharing(now: ContinuousClock.Instant) {
        let elapsed = sharingCheckpoint.duration(to: now).seconds
        sharingCheckpoint = now
        guard runningCount > 1 else { return }
        for index in sessions.indices where sessions[index].run != nil { sessions[index].sharedSeconds += elapsed }
    }

    /// Whether the run in progress on session `index`, `seconds` long so far, teaches what a
    /// run of its role costs: only if it ran as that role's runs are planned: not crowded
    /// (forecasts would think the pool slower than it is), and a throughput run beside
    /// another for most of its time (alone it runs faster, and forecasts would admit too
    /// much). Counting only runs that started beside another and ended so taught the cost
    /// from 8 of 125 runs in a test of four streams, mostly a new stream's short first
    /// pieces, the dearest per token: the estimate sat 10-15 % above the runs' own mean, and
    /// admission refused a fourth stream the pool carried without underrun when let in.
    func teachesCost(_ index: Int, seconds: Double) -> Bool {
        let session = sessions[index]
        return !session.crowded && (session.role == .latency || throughputCount < 2
                                    || session.sharedSeconds >= Self.sharedShareToTeach * seconds)
    }

    /// The share of its time a throughput run must spend beside another to teach the cost: a
    /// choice (most of the run), not a measured figure; what was measured is its effect above.
    static let sharedShareToTeach = 0.8

    /// Ends session `index`'s run after `seconds`; returns who waited for it to be idle.
    mutating func finish(_ index: Int, after seconds: Double) -> [CheckedContinuation<Void, Never>] {
        sessions[index].run = nil
        sessions[index].task = nil
        sessions[index].runs += 1
        sessions[index].busySeconds += seconds
        defer { sessions[index].idleWaiters = [] }
        return sessions[index].idleWaiters
    }

    /// The task running `id`, to cancel it.
    func task(running id: UInt64) -> Task<Void, Never>? {
        sessions.first { $0.run?.id == id }?.task
    }

    /// Takes session `index` out of service: it starts nothing new. Its owner waits for the
    /// run in progress (`waitForIdle`), then releases the model (`release`) and puts a
    /// rebuilt one in (`reinstate`).
    mutating func retire(_ index: Int) { sessions[index].retiring = true }
    /// Resumes `continuation` when session `index`'s run in progress ends (`finish`).
    mutating func waitForIdle(_ index: Int, _ continuation: CheckedContinuation<Void, Never>) {
        sessions[index].idleWaiters.append(continuation)
    }
    mutating func release(_ index: Int) { sessions[index].model = nil }

    /// Puts a rebuilt session back in service (nil: it could not be rebuilt and stays out).
    mutating func reinstate(_ index: Int, model: (any SpeechSynthesizer)?) {
        if let model {
            sessions[index].model = model
            sessions[index].generation += 1
            sessions[index].runs = 0
            sessions[index].busySeconds = 0
            sessions[index].created = .now
        }
        sessions[index].retiring = false
    }

    func statistics(now: ContinuousClock.Instant) -> [DeadlineScheduler.SessionStatistics] {
        sessions.enumerated().map { index, session in
            let age = session.created.duration(to: now).seconds
            return DeadlineScheduler.SessionStatistics(index: index, role: session.role, generation: session.generation,
                                                       running: session.run != nil, runs: session.runs,
                                                       utilization: age > 0 ? min(1, session.busySeconds / age) : 0)
        }
    }
}
