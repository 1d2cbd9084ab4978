import Foundation

/// Chooses how model runs share the cores: one run at a time with every thread (latency
/// mode: a lone piece finishes soonest) or one run per throughput session, each with its
/// share of the cores (throughput mode). Measured on 2 cores (ORT 1.32, Zen 5): a 20-token
/// piece takes 0.31 s alone with 2 threads and 0.39 s on 1 thread beside another such run,
/// so two runs side by side make 1.55× the audio per second; a run also never waits behind
/// another one's whole length.
///
/// The scheduler reports every change in running and waiting runs and every finished run.
/// The optimizer goes to throughput mode as soon as a run that is due waits for the lone
/// latency session (a new stream would otherwise wait behind a long piece), unless
/// throughput mode was measured slower; it goes back once time-decayed averages show no
/// queue and at most about one run at a time for a while, and not before a minimum time
/// in throughput mode, so it does not flap. Every switch is kept with the measurements
/// that caused it.
public struct RealTimeOptimizer: Sendable {
    public enum Mode: String, Sendable, Codable, CaseIterable {
        case latency, throughput
    }

    /// What the operator asked for: a fixed mode, or `auto`.
    public enum Policy: String, Sendable, CaseIterable {
        case auto, latency, throughput
    }

    public struct Settings: Sendable {
        /// Time constant of the load averages.
        public var window: Double = 4
        /// Go to throughput mode when this many runs wait for the one latency session...
        public var upWaiting: Int = 1
        /// ...and back to latency mode when fewer than this wait and the second session is mostly idle.
        public var downWaiting: Double = 0.05
        public var downRunning: Double = 1.2
        /// Seconds throughput mode is kept at least.
        public var minimumDwell: Double = 5
        /// Audio seconds a mode must have made before its measured speed is quoted.
        public var minimumAudioSeconds: Double = 20
        public init() {}
    }

    /// One mode's measured performance since start.
    public struct ModeMeasurement: Sendable, Encodable {
        public var runs = 0
        /// Audio the model made, silent edges included.
        public var audio_seconds = 0.0
        /// The same without each run's silent edges (what listeners hear).
        public var speech_seconds = 0.0
        /// Wall time with at least one run in progress.
        public var busy_seconds = 0.0
        /// Run time summed over runs (side by side runs each count).
        public var session_seconds = 0.0
        public var queue_wait_seconds_total = 0.0
        /// Busy wall time per second of audio: below 1 is faster than real time.
        public var real_time_factor: Double? { audio_seconds > 0 ? busy_seconds / audio_seconds : nil }
        public var mean_queue_wait_ms: Double? { runs > 0 ? queue_wait_seconds_total / Double(runs) * 1000 : nil }

        enum CodingKeys: String, CodingKey {
            case runs, audio_seconds, speech_seconds, busy_seconds, session_seconds, real_time_factor, mean_queue_wait_ms
        }
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(runs, forKey: .runs)
            try container.encode(audio_seconds, forKey: .audio_seconds)
            try container.encode(speech_seconds, forKey: .speech_seconds)
            try container.encode(busy_seconds, forKey: .busy_seconds)
            try container.encode(session_seconds, forKey: .session_seconds)
            try container.encode(real_time_factor, forKey: .real_time_factor)
            try container.encode(mean_queue_wait_ms, forKey: .mean_queue_wait_ms)
        }
    }

    public struct Decision: Sendable, Encodable {
        public let uptime_seconds: Double
        public let from: Mode
        public let to: Mode
        public let reason: String
        public let average_running: Double
        public let average_waiting: Double
    }

    public let policy: Policy
    public let sessions: Int
    public let settings: Settings
    public private(set) var mode: Mode
    public private(set) var measurements: [Mode: ModeMeasurement] = [:]
    /// The most recent switches, oldest first.
    public private(set) var decisions: [Decision] = []
    public private(set) var averageRunning = 0.0
    public private(set) var averageWaiting = 0.0
    private var running = 0
    private var waiting = 0
    private var lastUpdate: Double
    private var lastSwitch: Double
    private let started: ContinuousClock.Instant

    public init(policy: Policy, sessions: Int, settings: Settings = Settings(), now: ContinuousClock.Instant = .now) {
        self.policy = policy
        self.sessions = max(1, sessions)
        self.settings = settings
        self.started = now
        self.lastUpdate = 0
        self.lastSwitch = 0
        mode = policy == .throughput && sessions > 1 ? .throughput : .latency
    }

    /// Runs allowed at once in the current mode.
    public var concurrency: Int { mode == .throughput ? sessions : 1 }

    /// Called whenever the number of running or waiting runs changes. Returns the switch
    /// it made, if any, for the caller to log.
    public mutating func observe(running: Int, waiting: Int, at instant: ContinuousClock.Instant = .now) -> Decision? {
        let now = started.duration(to: instant).seconds
        let elapsed = max(0, now - lastUpdate)
        let keep = exp(-elapsed / settings.window)
        averageRunning = averageRunning * keep + Double(self.running) * (1 - keep)
        averageWaiting = averageWaiting * keep + Double(self.waiting) * (1 - keep)
        if self.running > 0 { measurements[mode, default: .init()].busy_seconds += elapsed }
        lastUpdate = now
        self.running = running
        self.waiting = waiting
        return decide(at: now)
    }

    /// Called when a run finishes: the audio it made (and of it, speech), how long it ran
    /// and how long it waited for a session.
    public mutating func record(audioSeconds: Double, speechSeconds: Double, runSeconds: Double, queueWait: Double, mode runMode: Mode) {
        measurements[runMode, default: .init()].runs += 1
        measurements[runMode, default: .init()].audio_seconds += audioSeconds
        measurements[runMode, default: .init()].speech_seconds += speechSeconds
        measurements[runMode, default: .init()].session_seconds += runSeconds
        measurements[runMode, default: .init()].queue_wait_seconds_total += queueWait
    }

    /// The measured real-time factor of `mode`, once it has made enough audio to count.
    public func measuredFactor(_ mode: Mode) -> Double? {
        measurements[mode].flatMap { $0.audio_seconds >= settings.minimumAudioSeconds ? $0.real_time_factor : nil }
    }

    /// Wall seconds per second of speech with `mode`'s runs going at once all the time (its
    /// run time per speech second over the runs it allows at once), once it has made enough
    /// audio to count: the inverse of how many listeners it can feed.
    public func fullUseFactor(_ mode: Mode) -> Double? {
        guard let measured = measurements[mode], measured.audio_seconds >= settings.minimumAudioSeconds, measured.speech_seconds > 0 else {
            return nil
        }
        return measured.session_seconds / measured.speech_seconds / Double(mode == .throughput ? sessions : 1)
    }

    /// Each mode's measured speed, for the reasons given with decisions.
    private var speeds: String {
        Mode.allCases.map { mode in
            measuredFactor(mode).map { "\(mode.rawValue) " + String(format: "%.3f", $0) } ?? "\(mode.rawValue) not measured"
        }.joined(separator: ", ")
    }

    private mutating func decide(at now: Double) -> Decision? {
        guard policy == .auto, sessions > 1 else { return nil }
        let next: Mode
        let reason: String
        switch mode {
        case .latency where waiting >= settings.upWaiting:
            next = .throughput
            reason = "\(waiting) run(s) waiting for the latency session (threshold \(settings.upWaiting); busy seconds per audio second so far: \(speeds)): run one per throughput session"
        case .throughput where now - lastSwitch >= settings.minimumDwell
            && averageWaiting <= settings.downWaiting && averageRunning <= settings.downRunning:
            next = .latency
            reason = String(format: "%.2f running and %.2f waiting on average (thresholds %.2f, %.2f): one run with every thread",
                            averageRunning, averageWaiting, settings.downRunning, settings.downWaiting) + " (busy seconds per audio second so far: \(speeds))"
        default:
            return nil
        }
        let decision = Decision(uptime_seconds: now, from: mode, to: next, reason: reason,
                                average_running: averageRunning, average_waiting: averageWaiting)
        mode = next
        lastSwitch = now
        decisions.append(decision)
        if decisions.count > 20 { decisions.removeFirst() }
        return decision
    }
}
