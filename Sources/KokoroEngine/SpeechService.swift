import BoundedCache

/// Everything a server asks of the speech engine, and all it may ask: voices, a request's
/// life (plan, admit, stream, withdraw), load and statistics, and upkeep (warm-up, memory).
///
/// The server holds an `any SpeechService`, never the engine's parts, so how work is
/// planned, scheduled and cached can change without touching a route, and every route,
/// error and admission path can be tested against an in-memory implementation in
/// milliseconds, with a smaller set of tests on the real model (`KokoroEngine`).
public protocol SpeechService: Sendable {
    /// Voice names, sorted.
    var voiceNames: [String] { get }
    func hasVoice(_ name: String) -> Bool
    /// The voice a request without one gets.
    var defaultVoice: String { get }
    /// Model sessions in the pool: admission never bounds concurrent requests below this,
    /// so an idle session is not refused because another program made the machine slow.
    var sessionCount: Int { get }
    /// The users' pronunciations, when the engine was given a lexicon file.
    var lexicon: LexiconStore? { get }

    /// Validates and plans a request (voice, language, text to phonemes and segments), off
    /// Swift's cooperative pool; throws `EngineError` on any input error before audio starts.
    func plan(_ request: SpeechRequest) async throws -> SynthesisJob
    /// Plans phonemes given by the client, bypassing the phonemizer.
    func plan(phonemes: String, voice: String, speed: Float) async throws -> SynthesisJob
    /// Admits a real-time job if every stream, this one included, keeps in time; else throws
    /// `EngineError.noRealTimeRoom` with when it would fit. With `acceptLateStart`, a job that
    /// would only be late itself is admitted. Stream the returned job, or `withdraw` it.
    func admit(_ job: SynthesisJob, acceptLateStart: Bool) async throws(EngineError) -> SynthesisJob
    /// Gives back what `admit` reserved for a job; a job not admitted is ignored. Idempotent.
    func withdraw(_ job: SynthesisJob) async
    /// The job's audio as it is made, with backpressure; cancelling the stream stops the work.
    func stream(_ job: SynthesisJob) -> AudioStream

    /// Real-time streams the model carries at its measured speed: admission's bound.
    func realTimeCapacity() async -> DeadlineScheduler.Capacity
    /// Measured figures for `/status`, `/v1/stats` and `/metrics`.
    func snapshot() async -> EngineSnapshot

    /// Runs the warm-up before the server says it is ready.
    func warm(with warmer: EngineWarmer, voice: String?, progress: @escaping @Sendable (_ done: Int, _ total: Int) -> Void) async throws -> EngineWarmer.Report
    /// Fills the audio cache with phrases an app repeats, behind real requests; returns the
    /// pieces made.
    func prewarm(phrases: [String], voice: String) async throws -> Int
    /// Rebuilds the model sessions to give memory back; returns how many were rebuilt.
    func recycleSessions() async -> Int
    /// Ends background work (calibration) for shutdown; returns once it has stopped.
    func stopBackgroundWork() async
}

/// The engine's measured state at one moment, for the server's reports.
public struct EngineSnapshot: Sendable {
    public struct Loudness: Sendable {
        public let targetLUFS: Double
        public let truePeakCeilingDBTP: Double
        /// Measured voices (key: voice@packs) with their loudness, true peak and gain.
        public let voices: [String: VoiceGain]

        public init(targetLUFS: Double, truePeakCeilingDBTP: Double, voices: [String: VoiceGain]) {
            self.targetLUFS = targetLUFS
            self.truePeakCeilingDBTP = truePeakCeilingDBTP
            self.voices = voices
        }
    }

    public let modelDescription: String?
    /// ONNX Runtime's execution providers in use.
    public let providers: [String]
    /// "first/frames/context" when the decoder streams in windows.
    public let decoderWindows: String?
    /// Frames of a lone new stream's first window at the decoder's measured pace (longer than
    /// `first` when the decoder is slow, so the next window keeps up); nil: whole sentences.
    public let firstWindowFrames: Int?
    /// Voices with decoder statistics (they speak in windows), and those being calibrated.
    public let calibratedVoices: [String]
    public let calibratingVoices: [String]
    public let audioCache: CacheStatistics
    public let phonemeCache: CacheStatistics
    public let scheduler: DeadlineScheduler.Statistics
    /// Real-time streams the model carries at its measured speed (as `realTimeCapacity()`).
    public let capacity: DeadlineScheduler.Capacity
    public let arena: ArenaPolicy?
    public let loudness: Loudness?

    public init(modelDescription: String?, providers: [String], decoderWindows: String?, firstWindowFrames: Int? = nil,
                calibratedVoices: [String], calibratingVoices: [String], audioCache: CacheStatistics, phonemeCache: CacheStatistics,
                scheduler: DeadlineScheduler.Statistics, capacity: DeadlineScheduler.Capacity, arena: ArenaPolicy?, loudness: Loudness?) {
        self.modelDescription = modelDescription
        self.providers = providers
        self.decoderWindows = decoderWindows
        self.firstWindowFrames = firstWindowFrames
        self.calibratedVoices = calibratedVoices
        self.calibratingVoices = calibratingVoices
        self.audioCache = audioCache
        self.phonemeCache = phonemeCache
        self.scheduler = scheduler
        self.capacity = capacity
        self.arena = arena
        self.loudness = loudness
    }
}

extension KokoroEngine: SpeechService {
    public var voiceNames: [String] { voices.names }
    public func hasVoice(_ name: String) -> Bool { voices.contains(name) }
    public var sessionCount: Int { sessions.count }

    public func plan(_ request: SpeechRequest) async throws -> SynthesisJob {
        try await plan { try self.prepare(request) }
    }

    public func plan(phonemes: String, voice: String, speed: Float) async throws -> SynthesisJob {
        try await plan { try self.planner.plan(phonemes: phonemes, voice: voice, speed: speed) }
    }

    public func realTimeCapacity() async -> DeadlineScheduler.Capacity {
        await scheduler.realTimeCapacity()
    }

    public func snapshot() async -> EngineSnapshot {
        let lonePace = await scheduler.pace(streams: 1)
        return EngineSnapshot(
            modelDescription: modelDescription, providers: providers,
            decoderWindows: windows.map { "\($0.firstFrames)/\($0.frames)/\($0.context)" },
            firstWindowFrames: windows?.firstWindow(pace: lonePace),
            calibratedVoices: decoderStatistics?.calibratedVoices ?? [], calibratingVoices: voicesBeingCalibrated,
            audioCache: audioCache.statistics, phonemeCache: planner.phonemeCache.statistics,
            scheduler: await scheduler.statistics, capacity: await scheduler.realTimeCapacity(), arena: arenaPolicy,
            loudness: loudness.map { .init(targetLUFS: $0.target, truePeakCeilingDBTP: $0.truePeakCeiling, voices: $0.calibrated) })
    }

    public func warm(with warmer: EngineWarmer, voice: String?,
                     progress: @escaping @Sendable (_ done: Int, _ total: Int) -> Void) async throws -> EngineWarmer.Report {
        try await warmer.warm(self, voice: voice, progress: progress)
    }

    public func prewarm(phrases: [String], voice: String) async throws -> Int {
        try await prewarm(phrases: phrases, voice: voice, speed: 1)
    }

    public func recycleSessions() async -> Int {
        await scheduler.recycleSessions()
    }
}

// Memberwise initializers for the values a `SpeechService` returns, so implementations
// other than the engine (an in-memory one for tests) can make them.

extension DeadlineScheduler.Capacity {
    public init(streams: Int, realTimeFactor: Double?, basis: String) {
        self.streams = streams
        self.real_time_factor = realTimeFactor
        self.basis = basis
    }
}

extension EngineWarmer.Report {
    public init(runs: Int, sessions: Int, seconds: Double, realTimeFactor: Double, calibratedVoice: String?) {
        self.runs = runs
        self.sessions = sessions
        self.seconds = seconds
        self.real_time_factor = realTimeFactor
        self.calibrated_voice = calibratedVoice
    }
}
