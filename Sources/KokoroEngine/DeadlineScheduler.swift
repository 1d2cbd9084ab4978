import Foundation
import Logging

/// Runs model work on a `SessionPool` where `DispatchPolicy` says, earliest playback
/// deadline first, and keeps the real-time streams it runs for (`StreamLedger`): admitting a
/// stream reads the load and registers the stream in one step.
///
/// Every piece carries the moment its stream's listener runs out of audio already sent (a
/// first piece's deadline is now), so a new request's first piece goes ahead of pieces other
/// streams will not need for seconds: new streams start fast while running streams never run
/// dry. Background work says so (`runInBackground`) and runs only when nothing else does;
/// listener work that starts while a background run is in progress terminates that run,
/// which starts over once the pool is idle again.
///
/// The pool has throughput sessions (a share of the cores each, run side by side) and
/// optionally one latency session (every core, run alone): the `RealTimeOptimizer` picks
/// which kind runs. Sessions can be replaced one at a time (to give back memory) while
/// the others keep serving.
public actor DeadlineScheduler {
    /// When a job's listener runs out of audio, or that it has none.
    private enum Due {
        case at(ContinuousClock.Instant)
        case background

        func priority(now: ContinuousClock.Instant) -> DispatchPolicy.Priority {
            switch self {
            case .at(let deadline): .listener(dueIn: now.duration(to: deadline).seconds)
            case .background: .background
            }
        }
    }

    private struct Job {
        let id: UInt64
        let due: Due
        let enqueued: ContinuousClock.Instant
        let work: ModelWork
        /// The `StreamLedger` entry it is made for (nil: no listener, e.g. background work).
        let stream: UInt64?
        /// The first piece of a stream: its listener has no audio at all yet.
        let opensStream: Bool
        /// The stream's next piece follows as soon as this one is done (nil: this is the last).
        let next: NextPiece?
        let continuation: CheckedContinuation<ModelOutput, any Error>
    }

    /// Builds a replacement session for a role when one is recycled.
    public typealias SessionFactory = @Sendable (RealTimeOptimizer.Mode) throws -> any SpeechSynthesizer

    public struct SessionStatistics: Sendable, Encodable {
        public let index: Int
        /// The mode it serves: latency (alone, every core) or throughput (side by side).
        public let role: RealTimeOptimizer.Mode
        /// How many times this session has been rebuilt.
        public let generation: Int
        public let running: Bool
        public let runs: Int
        /// Fraction of the time since this session was built spent running the model.
        public let utilization: Double
    }

    public struct Statistics: Sendable, Encodable {
        public let sessions: [SessionStatistics]
        public let running: Int
        /// Queue depth: runs waiting for a session.
        public let waiting: Int
        /// Fraction of the time since start with at least one run in progress.
        public let utilization: Double
        public let runs: Int
        /// Runs that started after their deadline had passed.
        public let late_runs: Int
        /// Background runs terminated because listener work started, and started over later.
        public let preempted_background_runs: Int
        public let recycled_sessions: Int
        public let optimizer: OptimizerStatistics
    }

    /// How many real-time streams the pool can carry, from measured speed.
    public struct Capacity: Sendable, Encodable {
        public let streams: Int
        /// Seconds of the pool at full use per second of speech, the estimate's basis.
        public let real_time_factor: Double?
        public let basis: String
    }

    public struct OptimizerStatistics: Sendable, Encodable {
        public let policy: String
        public let mode: RealTimeOptimizer.Mode
        public let concurrent_runs_allowed: Int
        public let average_running: Double
        public let average_waiting: Double
        public let modes: [String: RealTimeOptimizer.ModeMeasurement]
        public let decisions: [RealTimeOptimizer.Decision]
    }

    private var pool: SessionPool
    private var streams: StreamLedger
    private var optimizer: RealTimeOptimizer
    /// A run is due soon when its deadline is within `RunCost.dueSoonLead` plus this.
    public nonisolated let horizon: Duration
    private let factory: SessionFactory?
    /// What ORT's buffers of the runs in progress may take together (`ArenaPolicy`'s budget).
    private let bufferBudget: Int
    private let logger: Logger
    private var waiting: [Job] = []
    /// Streams whose run just ended and whose next piece is on its way: a session is kept
    /// for each (until the piece comes, at most `holdLimit`), so that piece, often the most
    /// urgent (its listener has only the audio just made), competes for it by deadline
    /// instead of finding it taken by whatever waited. Without this, a new stream's second
    /// piece regularly lost its session this way and came late (measured: 160 ms).
    private var heldFor: [UInt64: UInt64] = [:]
    private var holds: UInt64 = 0
    private let holdLimit: Duration
    private var nextID: UInt64 = 0
    private var runs = 0
    private var lateRuns = 0
    /// Background runs in progress, by job id, and whether listener work preempted each (it
    /// goes back in the queue when its run has stopped): a background run is a calibration
    /// probe, a whole sentence through the decoder (up to about 240 MB of ORT's buffers;
    /// `scripts/model/NOTES.md`), which beside listeners' runs would both take the cores
    /// their first audio waits for and stack its memory on theirs (with it,
    /// `scripts/bench/reliability.py` peaked at 705 MB).
    private var backgroundRuns: [UInt64: Bool] = [:]
    private var preemptions = 0
    private var recycled = 0
    /// What runs cost, learned from the runs this pool makes.
    private var costs: CostModel
    private let started = ContinuousClock.now

    /// `sessions` run side by side in throughput mode; `latencySession` alone in latency mode
    /// (without one, latency mode runs the first of `sessions` alone).
    /// `firstAudioBudget`: seconds from a request to its first audio that admission plans for.
    public init(sessions: [any SpeechSynthesizer], latencySession: (any SpeechSynthesizer)? = nil, policy: RealTimeOptimizer.Policy = .auto,
                horizon: Duration = .seconds(1), holdLimit: Duration = .milliseconds(50), firstAudioBudget: Double = 0.85,
                bufferBudget: Int = .max, factory: SessionFactory? = nil, logger: Logger = Logger(label: "kokoro.scheduler")) {
        precondition(!sessions.isEmpty, "a scheduler needs at least one session")
        self.horizon = horizon
        self.holdLimit = holdLimit
        pool = SessionPool(throughput: sessions, latency: latencySession)
        streams = StreamLedger(firstAudioBudget: firstAudioBudget)
        optimizer = RealTimeOptimizer(policy: policy, sessions: sessions.count)
        costs = CostModel(throughputSessions: sessions.count, hasLatencySession: latencySession != nil)
        self.bufferBudget = bufferBudget
        self.factory = factory
        self.logger = logger
    }

    /// The piece's samples from a whole run (see `run`).
    public func synthesize(tokens: [Int64], style: ArraySlice<Float>, speed: Float, deadline: ContinuousClock.Instant,
                           stream: UInt64? = nil, opensStream: Bool = false,
                           next: NextPiece? = nil) async throws -> [Float] {
        try await run(.whole(tokens: tokens, style: style, speed: speed), deadline: deadline, stream: stream, opensStream: opensStream, next: next).audio
    }

    /// What `work` makes, once a session is free and no earlier deadline waits. `stream`:
    /// the ledger entry it is for; `opensStream`: its first run, whose listener has no audio
    /// yet; `next`: what follows it in the stream (nil: the last run).
    public func run(_ work: ModelWork, deadline: ContinuousClock.Instant, stream: UInt64? = nil, opensStream: Bool = false,
                    next: NextPiece? = nil) async throws -> ModelOutput {
        try await enqueue(work, due: .at(deadline), stream: stream, opensStream: opensStream, next: next)
    }

    /// What `work` makes, once nothing else runs or waits (calibration, cache pre-warming).
    public func runInBackground(_ work: ModelWork) async throws -> ModelOutput {
        try await enqueue(work, due: .background, stream: nil, opensStream: false, next: nil)
    }

    private func enqueue(_ work: ModelWork, due: Due, stream: UInt64?, opensStream: Bool, next: NextPiece?) async throws -> ModelOutput {
        nextID += 1
        let id = nextID
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                waiting.append(Job(id: id, due: due, enqueued: .now, work: work,
                                   stream: stream, opensStream: opensStream, next: next, continuation: continuation))
                if let stream { heldFor.removeValue(forKey: stream) }
                startWork()
            }
        } onCancel: {
            Task { await self.cancel(id) }
        }
    }

    /// A free session for `job` as `DispatchPolicy` decides: one of the current mode's,
    /// within its concurrency and not kept for a stream's next piece, or the overflow;
    /// nil while it waits, with the policy's reason.
    private func slot(for job: Job, now: ContinuousClock.Instant) -> (slot: Int?, decision: DispatchPolicy.Decision) {
        let free = pool.free(in: optimizer.mode, concurrency: optimizer.concurrency, kept: heldFor.count)
        let overflow = pool.overflow(outside: optimizer.mode)
        let cost = throughputRunCost
        let piece = DispatchPolicy.Piece(priority: job.due.priority(now: now), runSeconds: cost.seconds(tokens: job.work.costTokens),
                                         audioSeconds: job.next?.audio ?? 0, nextRunSeconds: job.next.map { cost.seconds(tokens: $0.tokens) } ?? 0,
                                         opensStream: job.opensStream, bufferBytes: job.work.bufferBytes)
        let state = DispatchPolicy.Pool(freeSessions: free.count, occupied: pool.runningCount + heldFor.count > 0, overflowFree: overflow != nil,
                                        modeFreesIn: pool.freesIn(optimizer.mode, now: now) { costs.run($0).seconds(tokens: $1) },
                                        bufferBytesInUse: pool.bufferBytesInUse, bufferBudget: bufferBudget)
        let decision = policy.decide(piece, pool: state)
        switch decision {
        case .session: return (free.first, decision)
        case .overflow: return (overflow, decision)
        case .wait, .waitForMemory: return (nil, decision)
        }
    }

    /// The rules `slot(for:)` follows, with this pool's horizon and learned overflow slowdown.
    private var policy: DispatchPolicy {
        DispatchPolicy(dueSoonMargin: horizon.seconds, overflowSlowdown: costs.overflowSlowdown)
    }

    private func startWork() {
        repeat {
            dispatch()
        } while observe()
    }

    /// Starts waiting runs, earliest deadline first, while sessions are free for them (a
    /// stream's first piece may take a session outside the mode while an earlier run waits
    /// for one of the mode's; nothing passes a listener's run waiting for memory).
    private func dispatch() {
        while true {
            let now = ContinuousClock.now
            let priorities = waiting.map { $0.due.priority(now: now) }
            var next: (job: Int, slot: Int)?
            for index in waiting.indices.sorted(by: {
                priorities[$0].precedes(priorities[$1]) || (priorities[$0] == priorities[$1] && waiting[$0].enqueued < waiting[$1].enqueued)
            }) {
                let (slot, decision) = slot(for: waiting[index], now: now)
                if let slot {
                    next = (index, slot)
                    break
                }
                if decision == .waitForMemory, case .listener = priorities[index] {
                    preemptBackgroundRuns()
                    break
                }
            }
            guard let (jobIndex, slotIndex) = next else { return }
            let job = waiting.remove(at: jobIndex)
            let start = ContinuousClock.now
            runs += 1
            switch priorities[jobIndex] {
            case .listener(let dueIn):
                if dueIn < 0 { lateRuns += 1 }
                preemptBackgroundRuns()
            case .background:
                backgroundRuns[job.id] = false
            }
            let mode = optimizer.mode
            let queueWait = job.enqueued.duration(to: start).seconds
            let model = pool.start(SessionPool.Run(id: job.id, stream: job.stream, start: start, tokens: job.work.costTokens,
                                                   bufferBytes: job.work.bufferBytes), on: slotIndex, mode: mode)
            pool.attach(Task {
                let result = await Result { try await model.perform(job.work) }
                let samples = (try? result.get())?.sampleCount ?? 0
                let end = ContinuousClock.now
                self.pool.accountSharing(now: end)
                let seconds = start.duration(to: end).seconds
                let teaches = self.pool.teachesCost(slotIndex, seconds: seconds)
                self.logRun(job, slot: slotIndex, start: start, seconds: seconds, samples: samples, teachesCost: teaches)
                if job.next != nil, let stream = job.stream, !Task.isCancelled { self.hold(for: stream, limit: self.holdLimit) }
                if teaches, samples > 0, case .decode(_, let frames, _, _, _) = job.work {
                    let audio = Double(frames.count * SentenceFrames.samplesPerFrame) / Double(KokoroModel.sampleRate)
                    self.costs.learnDecoderPace(seconds / audio, role: self.pool.sessions[slotIndex].role)
                }
                let requeued = self.backgroundRuns.removeValue(forKey: job.id) == true
                if requeued { self.waiting.append(job) }
                self.finished(slot: slotIndex, after: seconds, tokens: samples > 0 ? job.work.costTokens : nil, teachesCost: teaches,
                              audioSeconds: Double(samples) / Double(KokoroModel.sampleRate), queueWait: queueWait, mode: mode)
                if !requeued { job.continuation.resume(with: result) }
            }, to: slotIndex)
        }
    }

    /// Terminates the background runs in progress (listener work is starting); each goes back
    /// to the queue when its run has stopped.
    private func preemptBackgroundRuns() {
        for (id, preempted) in backgroundRuns where !preempted {
            backgroundRuns[id] = true
            preemptions += 1
            pool.task(running: id)?.cancel()
            logger.debug("background run preempted", metadata: ["job": "\(id)"])
        }
    }

    /// Keeps a session for `stream`'s next piece until it comes or `limit` passes.
    private func hold(for stream: UInt64, limit: Duration) {
        holds += 1
        let hold = holds
        heldFor[stream] = hold
        Task {
            try? await Task.sleep(for: limit)
            if self.heldFor[stream] == hold { self.endHold(for: stream) }
        }
    }

    /// Keeps a session for an admitted stream's first piece, on its way from the HTTP layer,
    /// until it comes or `limit` passes: admission planned that piece on the next session to
    /// come free, and work already waiting (due later) would take it. Measured before: four
    /// streams joining a second apart, a piece due 1.8 s later took the session that freed
    /// 2 ms after the fourth was admitted; its first piece came 144 ms later, found every
    /// session busy, and its first audio took 1.16 s where the forecast said 0.66 s. (The
    /// 0.5 s limit is a bound well above that delay, chosen, not measured.)
    func expectOpening(of stream: UInt64, within limit: Duration = .milliseconds(500)) {
        hold(for: stream, limit: limit)
    }

    /// Ends `stream`'s hold: its limit passed, or the stream ended (or was withdrawn)
    /// without the piece the hold waited for, which would otherwise idle a session until then.
    public func endHold(for stream: UInt64) {
        guard heldFor.removeValue(forKey: stream) != nil else { return }
        startWork()
    }

    /// Runs waiting for listeners: the load the optimizer should see. Work held back
    /// because it is far ahead counts (with several streams it waits most of the time, and
    /// the pool is not idle for it); background work does not.
    private var listenersWaiting: Int {
        waiting.count { if case .background = $0.due { false } else { true } }
    }

    /// Tells the optimizer the load; true when it switched mode (and more may start now).
    @discardableResult
    private func observe() -> Bool {
        guard let decision = optimizer.observe(running: pool.runningCount, waiting: listenersWaiting) else { return false }
        logger.info("optimizer: \(decision.from.rawValue) -> \(decision.to.rawValue): \(decision.reason)")
        return true
    }

    /// One line per model run at debug level (`--log-level debug`): the trace that shows
    /// whether pieces start in time (slack: deadline minus start) and what they cost.
    private func logRun(_ job: Job, slot: Int, start: ContinuousClock.Instant, seconds: Double, samples: Int, teachesCost: Bool) {
        let milliseconds = { (from: ContinuousClock.Instant, to: ContinuousClock.Instant) in "\(Int(from.duration(to: to).seconds * 1000))" }
        logger.debug("run", metadata: [
            "job": "\(job.id)", "session": "\(slot)", "tokens": "\(job.work.costTokens)",
            "queued_ms": .string(milliseconds(started, job.enqueued)), "at_ms": .string(milliseconds(started, start)),
            "slack_ms": .string({ if case .at(let deadline) = job.due { milliseconds(start, deadline) } else { "background" } }()), "run_ms": "\(Int(seconds * 1000))",
            "audio_ms": "\(samples * 1000 / KokoroModel.sampleRate)", "running": "\(pool.runningCount)", "mode": "\(optimizer.mode.rawValue)",
            "teaches_cost": "\(teachesCost)"])
    }

    private func finished(slot index: Int, after seconds: Double, tokens: Int?, teachesCost: Bool, audioSeconds: Double,
                          queueWait: Double, mode: RealTimeOptimizer.Mode) {
        if let tokens, teachesCost { costs.learnRun(seconds: seconds, tokens: tokens, role: pool.sessions[index].role) }
        if let tokens, pool.sessions[index].overflow { costs.learnOverflow(seconds: seconds, tokens: tokens) }
        let waiters = pool.finish(index, after: seconds)
        optimizer.record(audioSeconds: audioSeconds, speechSeconds: max(0, audioSeconds - RunCost.silentEdgeSeconds), runSeconds: seconds,
                         queueWait: queueWait, mode: mode)
        waiters.forEach { $0.resume() }
        startWork()
    }

    private func cancel(_ id: UInt64) {
        if let index = waiting.firstIndex(where: { $0.id == id }) {
            waiting.remove(at: index).continuation.resume(throwing: CancellationError())
            observe()
        } else {
            if backgroundRuns[id] != nil { backgroundRuns[id] = false }  // its owner left: not put back in the queue
            pool.task(running: id)?.cancel()
        }
    }

    /// Rebuilds every session, one at a time: each stops taking runs, finishes the one it
    /// has, is released, and its replacement is loaded before the next one goes. Requests
    /// keep being served by the other sessions (with one session they wait for the reload).
    /// Returns how many sessions were rebuilt.
    @discardableResult
    public func recycleSessions() async -> Int {
        guard let factory else { return 0 }
        var rebuilt = 0
        for index in pool.sessions.indices {
            pool.retire(index)
            if pool.sessions[index].run != nil {
                await withCheckedContinuation { pool.waitForIdle(index, $0) }
            }
            pool.release(index)
            let role = pool.sessions[index].role
            do {
                pool.reinstate(index, model: try await Task.detached { try factory(role) }.value)
                rebuilt += 1
                recycled += 1
            } catch {
                logger.error("could not rebuild session \(index): \(error); it stays out of the pool")
                pool.reinstate(index, model: nil)
            }
            startWork()
        }
        return rebuilt
    }

    /// What follows a stream's piece: the seconds the piece plays (with its pause) and the
    /// tokens of the stream's next speech piece, which will be asked for as soon as it is done.
    public typealias NextPiece = (audio: Double, tokens: Int)

    /// The cost of a run on a throughput session beside the others (`CostModel`).
    public var throughputRunCost: RunCost { costs.run(.throughput) }

    /// The decoder's pace to plan windows with while `streams` real-time streams run (`CostModel.pace`).
    public func pace(streams: Int) -> Double { costs.pace(streams: streams) }

    /// What admitting one more real-time stream gave.
    public enum Admission: Sendable {
        /// Registered as `stream`; plan its windows with `pace` (`pace(streams:)` with it counted).
        case admitted(stream: UInt64, pace: Double)
        /// It would make itself or another stream late; it would fit after `retryAfter` seconds.
        case refused(AdmissionForecast.Verdict, retryAfter: Double)
    }

    /// Admits one more real-time stream if the pool, played forward over every stream's
    /// planned pieces (`AdmissionForecast`), makes its first audio within the budget and keeps
    /// every stream in time, and keeps a session for its first piece. `pieces` plans the
    /// stream at a decoder pace. The load read and the registration are one step of this
    /// actor, so two newcomers cannot both take the last room. `acceptLateStart`: a newcomer
    /// that would only be late itself (the others keep their time) is admitted.
    public func admitStream(acceptLateStart: Bool = false, now: ContinuousClock.Instant = .now,
                            pieces: @Sendable (_ pace: Double) -> [AdmissionForecast.Stream.Piece]) -> Admission {
        let pace = costs.pace(streams: streams.count + 1)
        let planned = pieces(pace)
        let (forecast, running) = admissionForecast(now: now)
        let decision = streams.admit(pieces: planned, forecast: forecast, running: running, acceptLateStart: acceptLateStart, now: now)
        logAdmission(decision, runs: pool.runningCount)
        switch decision {
        case .success(let admitted):
            expectOpening(of: admitted.id)
            return .admitted(stream: admitted.id, pace: pace)
        case .failure(let verdict):
            let wait = streams.fitsAfter([1, 2, 4, 8, 16], pieces: planned, forecast: forecast, running: running, now: now) ?? 30
            return .refused(verdict, retryAfter: wait)
        }
    }

    /// Registers a real-time stream without admission (a job streamed without `admitStream`).
    public func openStream(pieces: [AdmissionForecast.Stream.Piece]) -> UInt64 {
        streams.enter(pieces: pieces)
    }

    /// What `work` makes for stream `stream` (nil: a piece for no listener, due now), due when
    /// its listener runs out of audio; `next`: what follows it in the stream (nil: the last run).
    public func run(_ work: ModelWork, forStream stream: UInt64?, next: NextPiece? = nil) async throws -> ModelOutput {
        guard let stream else { return try await run(work, deadline: .now, next: next) }
        return try await run(work, deadline: streams.deadline(stream), stream: stream, opensStream: !streams.hasStarted(stream), next: next)
    }

    /// Records audio sent to stream `stream`'s listener (playback starts with the first audio)
    /// and the planned runs it completes.
    public func sent(_ stream: UInt64, audioSeconds: Double, completing pieces: Int) {
        streams.sent(stream, audioSeconds: audioSeconds, completing: pieces)
    }

    /// Seconds of audio stream `stream`'s listener has in hand (nil: playback has not started).
    public func audioInHand(of stream: UInt64) -> Double? { streams.audioInHand(stream) }

    /// The decoder's pace to plan windows with beside the streams running now.
    public var decoderPace: Double { costs.pace(streams: streams.count) }

    /// Forgets a stream whose model work is over (done, failed, withdrawn or its listener
    /// gone) and the session kept for it. Idempotent.
    public func closeStream(_ stream: UInt64) {
        streams.finished(stream)
        endHold(for: stream)
    }

    /// Real-time streams being made now.
    public var activeStreams: Int { streams.count }

    /// The forecast admission plays, built from this moment's load, and the seconds until
    /// each stream's run in progress likely ends.
    func admissionForecast(now: ContinuousClock.Instant = .now) -> (AdmissionForecast, running: [UInt64: Double]) {
        let cost = throughputRunCost
        var running: [UInt64: Double] = [:]
        var others: [Double] = []
        for run in pool.runs {
            let endsIn = max(0.01, cost.seconds(tokens: run.tokens) - run.start.duration(to: now).seconds)
            if let stream = run.stream { running[stream] = endsIn } else { others.append(endsIn) }
        }
        let forecast = AdmissionForecast(sessions: pool.throughputCount, otherRunsEndIn: others, overflowSession: pool.hasLatencySession,
                                         overflowSlowdown: cost.overflowSlowdown, dueSoonMargin: horizon.seconds) { cost.seconds(tokens: $0) }
        return (forecast, running)
    }

    /// The admission's reasons at debug level, with the forecast's first audio to compare
    /// with the TTFA measured.
    private func logAdmission(_ decision: Result<(id: UInt64, verdict: AdmissionForecast.Verdict), AdmissionForecast.Verdict>, runs: Int) {
        let firstAudio = { (verdict: AdmissionForecast.Verdict) in verdict.firstAudioIn.map { String(format: ", first audio in %.2f s", $0) } ?? "" }
        let cost = throughputRunCost
        logger.debug("admission", metadata: [
            "streams": "\(streams.count)", "running": "\(runs)",
            "seconds_per_token": .string(String(format: "%.4f", cost.secondsPerToken)),
            "overflow_slowdown": .string(String(format: "%.2f", cost.overflowSlowdown)),
            "verdict": .string({
                switch decision {
                case .success(let admitted): "admitted" + firstAudio(admitted.verdict)
                case .failure(let verdict):
                    String(format: "refused: newcomer %+.2f s, others %+.2f s late", verdict.newcomerLate, verdict.othersLater) + firstAudio(verdict)
                }
            }())])
    }

    /// The pool's speed measured by the warm-up, used until real runs have measured it.
    public func setWarmupRealTimeFactor(_ factor: Double) { costs.warmupRealTimeFactor = factor }

    /// The share of the pool real-time streams are planned to use. Streams in decoder windows
    /// need headroom: when several share the pool each gets less ahead, so smaller windows and
    /// more context to decode. Measured (`scripts/bench/streams.py --gap 1`, 2026-12-06, the
    /// pool at 0.206 busy s per audio s): 3 streams (62 %) held in two runs, 4 (82 %) ran dry
    /// in one of two; at 90 % admission let the fourth in. With the faster decoder (0.138
    /// busy s per audio s, 2026-12-06 later) 5 streams (69 %) held and the sixth was refused.
    public static let streamUtilization = 0.75

    /// The decoder's speed measured by the warm-up on sessions of `role`, in wall seconds per
    /// second of audio decoded (`pace(streams:)`).
    public func setDecoderPace(_ pace: Double, role: RealTimeOptimizer.Mode) { costs.setDecoderPace(pace, role: role) }

    /// Streams that fit in `targetUtilization` of the pool: a stream needs `factor` seconds
    /// of the pool at full use per second it plays. Uses the mode that feeds the most,
    /// measured over served requests (`RealTimeOptimizer.fullUseFactor`), else the warm-up;
    /// with neither, one stream per session.
    public func realTimeCapacity(targetUtilization: Double = DeadlineScheduler.streamUtilization) -> Capacity {
        let measured = RealTimeOptimizer.Mode.allCases
            .compactMap { mode in optimizer.fullUseFactor(mode).map { (mode, $0) } }
            .min { $0.1 < $1.1 }
        let (factor, basis): (Double?, String) = if let measured {
            (measured.1, "\(measured.0.rawValue) mode at full use, measured over served requests")
        } else if let warmupRealTimeFactor = costs.warmupRealTimeFactor {
            (warmupRealTimeFactor, "warm-up runs")
        } else {
            (nil, "not measured yet: one stream per session")
        }
        let streams = factor.map { max(1, Int((targetUtilization / $0).rounded(.down))) } ?? pool.sessions.count
        return Capacity(streams: streams, real_time_factor: factor, basis: basis)
    }

    public var statistics: Statistics {
        observe()
        let now = ContinuousClock.now
        let sessions = pool.statistics(now: now)
        let elapsed = started.duration(to: now).seconds
        let busy = optimizer.measurements.values.reduce(0) { $0 + $1.busy_seconds }
        return Statistics(
            sessions: sessions, running: pool.runningCount, waiting: waiting.count,
            utilization: elapsed > 0 ? min(1, busy / elapsed) : 0,
            runs: runs, late_runs: lateRuns, preempted_background_runs: preemptions, recycled_sessions: recycled,
            optimizer: OptimizerStatistics(
                policy: optimizer.policy.rawValue, mode: optimizer.mode, concurrent_runs_allowed: optimizer.concurrency,
                average_running: optimizer.averageRunning, average_waiting: optimizer.averageWaiting,
                modes: Dictionary(uniqueKeysWithValues: optimizer.measurements.map { ($0.key.rawValue, $0.value) }),
                decisions: optimizer.decisions))
    }
}

extension Result where Failure == any Error {
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}
