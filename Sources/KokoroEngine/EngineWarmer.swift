/// Runs every session once before the first request, so that request is served at
/// steady-state speed, measures the default voice's loudness if it was never measured, and
/// starts calibrating its decoder statistics if set-up did not.
///
/// Measured on 2 cores (ORT 1.32): a fresh session's first run is about 40% slower (728 vs
/// 510 ms for 16 tokens); after one short run, longer pieces run at their steady speed from
/// the first time (64 tokens: 1199 ms first, 1212 ms next). Warming up to 510 tokens would
/// take 9 s against a 2 s start-up budget and buy nothing measurable, so each session runs
/// the given short lengths: the throughput sessions all at once (as they serve, which
/// measures the pool's throughput), then the latency session alone.
public struct EngineWarmer: Sendable {
    /// Token counts each session runs, in order.
    public var tokenCounts: [Int]

    public init(tokenCounts: [Int] = [8]) { self.tokenCounts = tokenCounts }

    public struct Report: Sendable, Encodable {
        public let runs: Int
        public let sessions: Int
        public let seconds: Double
        /// Wall seconds per second of audio made, the throughput sessions together.
        public let real_time_factor: Double
        /// The voice whose loudness this warm-up measured (nil: already known, or no normalization).
        public let calibrated_voice: String?
    }

    /// Real phonemes, repeated to length: the model's cost depends on what it says, not just how much.
    static let samplePhonemes = "ðə kwˈɪk bɹˈWn fˈɑks ʤˈʌmps ˌOvəɹ ðə lˈAzi dˈɑɡ. "

    public func warm(_ engine: KokoroEngine, voice: String? = nil,
                     progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }) async throws -> Report {
        let voice = voice ?? engine.defaultVoice
        let calibrate = engine.loudness.map { $0.gain(for: engine.loudnessKey(voice)) == nil } ?? false
        let sample = engine.vocabulary.tokenize(Self.samplePhonemes).tokens
        let start = ContinuousClock.now
        let total = tokenCounts.count * engine.allSessions.count + (calibrate ? 1 : 0)
        let counter = ProgressCounter()
        // Speed in seconds per second of audio the model makes for the tokens, silence
        // included, as the scheduler counts it (`RunCost.audioSecondsPerToken`): the audio a
        // request keeps is trimmed, which would make a short warm-up run look 2-3× slower.
        let warm = { @Sendable (session: any SpeechSynthesizer) async throws -> (audio: Double, decoderPace: Double?) in
            var made = 0.0
            var pace: Double?
            for count in tokenCounts {
                let tokens = (0..<count).map { sample[$0 % sample.count] }
                pace = try await engine.warm(session, tokens: tokens, voice: voice) ?? pace
                made += Double(count) * DeadlineScheduler.RunCost.audioSecondsPerToken
                progress(await counter.increment(), total)
            }
            return (made, pace)
        }
        let (audio, throughputPace) = try await withThrowingTaskGroup(of: (audio: Double, decoderPace: Double?).self) { group in
            for session in engine.sessions { group.addTask { try await warm(session) } }
            return try await group.reduce((0.0, nil as Double?)) { ($0.0 + $1.audio, [$0.1, $1.decoderPace].compactMap { $0 }.max()) }
        }
        // The throughput sessions at once: the pool's throughput, until served requests measure it.
        let factor = start.duration(to: .now).seconds / max(audio, 0.001)
        await engine.scheduler.setWarmupRealTimeFactor(factor)
        // The decoder's pace on the throughput sessions side by side, where several streams'
        // windows run, and where a lone stream's do (the latency session, alone): it sizes
        // their windows (`DecoderWindows.plan`).
        if let throughputPace { await engine.scheduler.setDecoderPace(throughputPace, role: .throughput) }
        if let latency = engine.latencySession, let pace = try await warm(latency).decoderPace {
            await engine.scheduler.setDecoderPace(pace, role: .latency)
        }
        // A default voice set-up did not calibrate is calibrated now, behind every request.
        _ = engine.windowStatistics(for: voice)
        if calibrate {
            try await engine.calibrateLoudness(voice: voice, on: engine.model)
            progress(await counter.increment(), total)
        }
        let seconds = start.duration(to: .now).seconds
        return Report(runs: total, sessions: engine.allSessions.count, seconds: seconds, real_time_factor: factor,
                      calibrated_voice: calibrate ? voice : nil)
    }
}

private actor ProgressCounter {
    private var done = 0
    func increment() -> Int {
        done += 1
        return done
    }
}
