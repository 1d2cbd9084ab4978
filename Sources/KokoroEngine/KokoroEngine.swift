import Foundation
import EnglishG2P
import KokoroPhonemizer
import KokoroVoices
import Logging
import ONNXRuntime
import Synchronization

/// The facade over the pipeline: text → sentences → phonemes → tokens → model → audio.
///
/// Each stage is a separate type (`SynthesisPlanner` with its `Phonemizer`s and
/// `PhonemeVocabulary`, a `SpeechSynthesizer`, the `AudioJoiner`), so each can be swapped
/// and tested alone; the server and the CLI only talk to this type.
public final class KokoroEngine: Sendable {
    public struct Configuration: Sendable {
        public var assets: AssetLocations
        /// Settings of each throughput session (its share of the cores).
        public var session: SessionConfiguration
        /// Settings of the session that runs alone in latency mode, with every core (nil:
        /// none; latency mode then runs the first throughput session alone).
        public var latencySession: SessionConfiguration?
        public var logLevel: LoggingLevel
        /// Bytes of synthesized audio kept for repeated pieces (0: no audio cache).
        public var audioCacheBytes: Int
        /// Characters of phonemes kept for repeated sentences (0: no phoneme cache).
        public var phonemeCacheCharacters: Int
        /// Throughput sessions in the pool, each with `session.intraOpThreads` threads.
        public var sessions: Int
        /// How many sessions run at once: fixed, or chosen from measured load.
        public var optimizerPolicy: RealTimeOptimizer.Policy
        /// Memory the sessions may keep between runs (nil: `ArenaPolicy`'s default).
        public var memoryBudgetBytes: Int?
        /// Integrated loudness every voice is brought to, in LUFS (nil: the model's own levels).
        public var loudnessTarget: Double?
        /// Where voices' measured loudness is kept (nil: `loudness.json` in the asset cache).
        public var loudnessStore: URL?
        /// Longest piece the chunker aims for (up to 510): longer pieces carry more context
        /// into the model's prosody; shorter ones hold less memory and free a session sooner.
        public var pieceTokens: Int

        public init(assets: AssetLocations = .resolve(), session: SessionConfiguration = .init(), latencySession: SessionConfiguration? = nil,
                    logLevel: LoggingLevel = .warning,
                    audioCacheBytes: Int = 64 << 20, phonemeCacheCharacters: Int = 4 << 20,
                    sessions: Int = 1, optimizerPolicy: RealTimeOptimizer.Policy = .auto, memoryBudgetBytes: Int? = nil,
                    loudnessTarget: Double? = nil, loudnessStore: URL? = nil, pieceTokens: Int = PhonemeChunker.defaultTargetTokens) {
            self.assets = assets
            self.session = session
            self.latencySession = latencySession
            self.logLevel = logLevel
            self.audioCacheBytes = audioCacheBytes
            self.phonemeCacheCharacters = phonemeCacheCharacters
            self.sessions = max(1, sessions)
            self.optimizerPolicy = optimizerPolicy
            self.memoryBudgetBytes = memoryBudgetBytes
            self.loudnessTarget = loudnessTarget
            self.loudnessStore = loudnessStore
            self.pieceTokens = min(max(pieceTokens, 16), PhonemeChunker.maxTokens)
        }
    }

    /// The session settings the engine runs best with on a small CPU: `threads` intra-op
    /// threads that sleep instead of spinning between runs. Measured on 2 cores (22 tokens,
    /// ORT 1.32): spinning threads made run times bimodal (0.53 s or 0.70 s) as they fought
    /// the HTTP and encoder threads; without spinning, 0.53–0.58 s.
    public static func sessionConfiguration(threads: Int) -> SessionConfiguration {
        SessionConfiguration(intraOpThreads: threads,
                             configEntries: ["session.intra_op.allow_spinning": "0", "session.inter_op.allow_spinning": "0"])
    }

    public let planner: SynthesisPlanner
    /// The model stage, uncached: the pool's throughput sessions as built at start (the
    /// scheduler may rebuild them later; use it to run pieces).
    public let sessions: [any SpeechSynthesizer]
    /// The pool's latency session as built at start, if it has one.
    public let latencySession: (any SpeechSynthesizer)?
    /// The session a lone piece runs on (the latency session, else the first), for
    /// benchmarks, calibration and status pages.
    public var model: any SpeechSynthesizer { latencySession ?? sessions[0] }
    /// Every session built at start, the latency session first.
    public var allSessions: [any SpeechSynthesizer] { (latencySession.map { [$0] } ?? []) + sessions }
    /// How ORT's arena is managed, and why.
    public let arenaPolicy: ArenaPolicy?
    /// Per-voice gains to the loudness target (nil: no normalization).
    public let loudness: VoiceLoudness?
    /// Names the voice packs in loudness keys, so a different pack is measured anew.
    private let voicePackID: String
    /// Voices being calibrated in the background, so each is measured once.
    private let calibrating = Mutex<Set<String>>([])
    /// Recent pieces' audio (requests may opt out with `useCache`).
    public let audioCache: AudioCache
    /// Orders every stream's model runs by playback deadline.
    public let scheduler: DeadlineScheduler
    /// Real-time streams being made, and the audio each has in hand.
    public let streams = StreamLedger()
    private let logger = Logger(label: "kokoro.engine")
    public var voices: VoiceLibrary { planner.voices }
    public var vocabulary: PhonemeVocabulary { planner.vocabulary }

    /// `af_heart` when installed (Kokoro's best-rated voice), else the first voice found.
    public var defaultVoice: String {
        voices.contains("af_heart") ? "af_heart" : voices.names[0]
    }

    public init(planner: SynthesisPlanner, sessions: [any SpeechSynthesizer], latencySession: (any SpeechSynthesizer)? = nil,
                audioCacheBytes: Int = 64 << 20, optimizerPolicy: RealTimeOptimizer.Policy = .auto, arenaPolicy: ArenaPolicy? = nil,
                sessionFactory: DeadlineScheduler.SessionFactory? = nil, loudness: VoiceLoudness? = nil, voicePackID: String = "") {
        self.planner = planner
        self.sessions = sessions
        self.latencySession = latencySession
        self.arenaPolicy = arenaPolicy
        self.loudness = loudness
        self.voicePackID = voicePackID
        self.audioCache = AudioCache(capacityBytes: audioCacheBytes)
        self.scheduler = DeadlineScheduler(sessions: sessions, latencySession: latencySession, policy: optimizerPolicy, factory: sessionFactory)
    }

    /// Loads ORT, the model, the vocabulary, the voices and the phonemizers.
    public convenience init(configuration: Configuration) throws {
        let assets = configuration.assets
        guard FileManager.default.fileExists(atPath: assets.model.path) else {
            throw EngineError.missingModel(assets.model.path)
        }
        let runtime = try ORTRuntime.load(explicitPath: assets.onnxRuntimeLibrary, cacheDirectory: assets.cacheDirectory)
        let environment = try ORTEnvironment(runtime: runtime, logLevel: configuration.logLevel)
        let roles = (configuration.latencySession == nil ? [] : [RealTimeOptimizer.Mode.latency])
            + Array(repeating: .throughput, count: configuration.sessions)
        let arena = ArenaPolicy.choose(sessions: roles.count, maxPieceTokens: configuration.pieceTokens,
                                       budgetBytes: configuration.memoryBudgetBytes)
        // One container for every session: weights ORT re-lays out for its kernels are kept once.
        let prepacked = try PrepackedWeights(runtime: runtime)
        // With several sessions, one copy of the weights for all, which ORT would otherwise load into
        // each (and it caches prepacked weights only for shared ones). A lone session is ~35 MB smaller
        // without: ORT then frees the originals of the weights it prepacks.
        let initializers: SharedInitializers?
        do throws(ORTError) {
            initializers = roles.count > 1 ? try SharedInitializers(runtime: runtime, modelPath: assets.model.path) : nil
        } catch {
            throw EngineError.corruptModel(assets.model.path, error.description)
        }
        let makeSession: DeadlineScheduler.SessionFactory = { [configuration] role in
            let path = configuration.assets.model.path
            let settings = role == .latency ? configuration.latencySession ?? configuration.session : configuration.session
            do {
                let session = try ORTSession(environment: environment, modelPath: path, configuration: settings,
                                             prepackedWeights: prepacked, sharedInitializers: initializers)
                return try KokoroModel(session: session, modelPath: path, shrinkArenaAfterRun: arena.shrink_after_each_run)
            } catch let error as ORTError {
                throw EngineError.corruptModel(path, error.description)
            }
        }
        // Built side by side (ORT's environment and the shared container are thread-safe): start-up counts.
        let built = Mutex([Result<any SpeechSynthesizer, any Error>?](repeating: nil, count: roles.count))
        DispatchQueue.concurrentPerform(iterations: roles.count) { index in
            let result = Result { try makeSession(roles[index]) }
            built.withLock { $0[index] = result }
        }
        var sessions = try built.withLock { $0 }.map { try $0!.get() }
        let latencySession = configuration.latencySession == nil ? nil : sessions.removeFirst()
        let vocabulary = try PhonemeVocabulary(contentsOf: assets.vocabulary)
        var planner = SynthesisPlanner(
            phonemizers: try Self.phonemizers(assets: assets, vocabulary: vocabulary),
            vocabulary: vocabulary,
            voices: try VoiceLibrary(paths: assets.voicePacks),
            phonemeCacheCharacters: configuration.phonemeCacheCharacters)
        planner.chunker.targetTokens = configuration.pieceTokens
        let packID = assets.voicePacks.map { url in
            let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0
            return "\(url.lastPathComponent):\(size)"
        }.joined(separator: ",")
        let loudness = configuration.loudnessTarget.map {
            VoiceLoudness(target: $0, storeURL: configuration.loudnessStore ?? assets.cacheDirectory.appendingPathComponent("loudness.json"))
        }
        self.init(planner: planner, sessions: sessions, latencySession: latencySession, audioCacheBytes: configuration.audioCacheBytes,
                  optimizerPolicy: configuration.optimizerPolicy, arenaPolicy: arena, sessionFactory: makeSession,
                  loudness: loudness, voicePackID: packID)
    }

    /// misaki-grade English (American loaded now, British on first use), and espeak-ng for
    /// every other language and for English words no dictionary knows. espeak-ng is
    /// optional (GPL-3, loaded at run time): without it English still works from the
    /// dictionaries and other languages report how to install it.
    public static func phonemizers(assets: AssetLocations, vocabulary: PhonemeVocabulary? = nil) throws -> PhonemizerRouter {
        var espeak: ESpeakPhonemizer?
        var espeakError: PhonemizerError?
        do { espeak = try ESpeakPhonemizer() } catch { espeakError = error }
        let directory = assets.misakiDictionaries
        let american = try EnglishG2P(dictionaryDirectory: directory, british: false, fallback: espeak, vocabulary: vocabulary)
        let british = LazyPhonemizer(languages: [.britishEnglish]) { [espeak] in
            try EnglishG2P(dictionaryDirectory: directory, british: true, fallback: espeak, vocabulary: vocabulary)
        }
        return PhonemizerRouter(phonemizers: [american, british] + (espeak.map { [$0] } ?? []), unavailable: espeakError)
    }

    /// The model file and the back ends it runs on, for status pages.
    public var modelDescription: String? { (model as? KokoroModel)?.modelPath }
    public var providers: [String] { (model as? KokoroModel)?.session.providers.map(\.rawValue) ?? [] }

    /// The phonemes Kokoro would be given for `text`.
    public func phonemize(_ text: String, language: Language) throws -> String {
        try planner.phonemizers.phonemize(text, language: language)
    }

    /// Validates and plans a request; throws on any input error before audio starts.
    public func prepare(_ request: SpeechRequest) throws -> SynthesisJob {
        try planner.plan(request)
    }

    /// Admits a real-time job if the pool, played forward over every stream's planned pieces
    /// (`AdmissionForecast`), makes its first audio within the ledger's budget and keeps
    /// every stream in time; else throws `EngineError.noRealTimeRoom` with the seconds after
    /// which it would fit. Stream the returned job, or `withdraw` it.
    public func admit(_ job: SynthesisJob) async throws(EngineError) -> SynthesisJob {
        let load = await scheduler.load()
        let forecast = AdmissionForecast(sessions: load.sessions, otherRunsEndIn: load.otherRunsEndIn,
                                         overflowSession: load.overflowSession, overflowSlowdown: load.cost.overflowSlowdown,
                                         dueSoonMargin: load.dueSoonMargin) { [cost = load.cost] in
            cost.seconds(tokens: $0)
        }
        let pieces = job.plannedPieces()
        let decision = streams.admit(pieces: pieces, forecast: forecast, running: load.streamRunsEndIn)
        logger.debug("admission", metadata: [
            "streams": "\(streams.count)", "running": "\(load.streamRunsEndIn.count + load.otherRunsEndIn.count)",
            "seconds_per_token": .string(String(format: "%.4f", load.cost.secondsPerToken)),
            "overflow_slowdown": .string(String(format: "%.2f", load.cost.overflowSlowdown)),
            "verdict": .string({
                switch decision {
                case .success(let admitted): "admitted" + Self.firstAudio(admitted.verdict)
                case .failure(let verdict):
                    String(format: "refused: newcomer %+.2f s, others %+.2f s late", verdict.newcomerLate, verdict.othersLater)
                        + Self.firstAudio(verdict)
                }
            }())])
        switch decision {
        case .success(let admission):
            await scheduler.expectOpening(of: admission.id)
            var admitted = job
            admitted.streamID = admission.id
            return admitted
        case .failure(let verdict):
            let delays: [Double] = [1, 2, 4, 8, 16]
            let wait = streams.fitsAfter(delays, pieces: pieces, forecast: forecast, running: load.streamRunsEndIn) ?? 30
            throw .noRealTimeRoom(retryAfter: wait, verdict: verdict)
        }
    }

    /// The forecast's first audio for the admission log, to compare with the TTFA measured.
    private static func firstAudio(_ verdict: AdmissionForecast.Verdict) -> String {
        verdict.firstAudioIn.map { String(format: ", first audio in %.2f s", $0) } ?? ""
    }

    /// Releases an admitted job that will not be streamed, and the session kept for it.
    public func withdraw(_ job: SynthesisJob) async {
        guard let id = job.streamID else { return }
        streams.finished(id)
        await scheduler.endHold(for: id)
    }

    /// The job's audio, piece by piece, synthesized ahead of the consumer. Ending the
    /// iteration (or cancelling its task) cancels the model run in progress. A real-time
    /// job's pieces are due when its listener would run out of audio (a job not admitted
    /// first is entered in the ledger unchecked).
    public func stream(_ job: SynthesisJob) -> AsyncThrowingStream<AudioChunk, any Error> {
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: AudioChunk.self)
        calibrateInBackground(job.request.voice)
        let planned = job.plannedPieces()
        let streamID = job.request.realTime ? job.streamID ?? streams.enter(pieces: planned) : nil
        // The audio piece `index` adds and the next speech piece's tokens (nil: none follows).
        let next = { @Sendable (index: Int) -> DeadlineScheduler.NextPiece? in
            planned[(index + 1)...].first { $0.tokens > 0 }.map { (planned[index].audioSeconds, $0.tokens) }
        }
        let task = Task { [scheduler, audioCache, streams, joiner = planner.joiner, loudness, key = loudnessKey(job.request.voice)] in
            defer { streamID.map(streams.finished) }
            do {
                for (index, segment) in job.segments.enumerated() {
                    try Task.checkCancellation()
                    let isLast = index == job.segments.count - 1
                    let chunk: AudioChunk
                    switch segment {
                    case .silence(let samples):
                        chunk = AudioChunk(index: index, samples: [Float](repeating: 0, count: samples),
                                           phonemes: "", synthesisSeconds: 0, isLast: isLast, fromCache: false)
                    case .speech(let phonemes, let tokens, let pauseAfter):
                        let start = ContinuousClock.now
                        let style = job.style.style(forTokenCount: tokens.count)
                        let speed = job.request.speed
                        let cached = job.request.useCache ? audioCache.samples(tokens: tokens, style: style, speed: speed) : nil
                        let raw: [Float]
                        if let cached {
                            raw = cached
                        } else {
                            let deadline = streamID.map(streams.deadline) ?? .now
                            raw = try await scheduler.synthesize(tokens: tokens, style: style, speed: speed, deadline: deadline, stream: streamID,
                                                                 opensStream: streamID.map { !streams.hasStarted($0) } ?? false,
                                                                 next: next(index))
                            if job.request.useCache { audioCache.store(raw, tokens: tokens, style: style, speed: speed) }
                        }
                        var samples = joiner.trim(raw)
                        loudness?.apply(&samples, voice: key)
                        if !isLast { samples += [Float](repeating: 0, count: pauseAfter) }
                        chunk = AudioChunk(index: index, samples: samples, phonemes: phonemes,
                                           synthesisSeconds: start.duration(to: .now).seconds, isLast: isLast, fromCache: cached != nil)
                    }
                    streamID.map { streams.sent($0, audioSeconds: Double(chunk.samples.count) / Double(KokoroModel.sampleRate)) }
                    continuation.yield(chunk)
                }
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
            // A stream whose first piece never reached the scheduler (cached, or the
            // listener left first) leaves no session kept for it.
            if let streamID { await scheduler.endHold(for: streamID) }
        }
        // A listener that left has no deadline to protect: it stops counting at once.
        continuation.onTermination = { [streams] _ in
            task.cancel()
            streamID.map(streams.finished)
        }
        return stream
    }

    /// The loudness table's key for a voice or blend in these voice packs.
    public func loudnessKey(_ voice: String) -> String { "\(voice)@\(voicePackID)" }

    /// A sentence with varied sounds and a natural rise and fall, long enough (≈6 s) for a
    /// loudness measurement that holds for other text to within 1 LU.
    static let calibrationPhonemes = "ʃˈɪps pˈæsɪŋ ɪn ðə nˈIt ɹᵻlˈId ˌɔn ɪts stˈɛdi bˈim, ænd nˈObˌɑdi kʊd ɹəmˈɛmbəɹ ɐ sˈɪŋɡᵊl nˈIt wˌɛn ðə lˈIt hæd fˈAld."

    /// Measures `voice` on the calibration sentence and stores its gain. Runs through the
    /// scheduler at `deadline`, or straight on `session` (warm-up, before serving).
    @discardableResult
    public func calibrateLoudness(voice: String, deadline: ContinuousClock.Instant = .now,
                                  on session: (any SpeechSynthesizer)? = nil) async throws -> VoiceGain? {
        guard let loudness else { return nil }
        let tokens = vocabulary.tokenize(Self.calibrationPhonemes).tokens
        let style = try voices.resolve(voice).style(forTokenCount: tokens.count)
        let raw = if let session {
            try await session.synthesize(tokens: tokens, style: style, speed: 1)
        } else {
            try await scheduler.synthesize(tokens: tokens, style: style, speed: 1, deadline: deadline)
        }
        return try loudness.calibrate(voice: loudnessKey(voice), samples: planner.joiner.trim(raw))
    }

    /// A voice used before it was measured plays at the mean gain of the measured ones
    /// while it is measured once, behind every real request (its deadline is a minute away).
    private func calibrateInBackground(_ voice: String) {
        guard let loudness, loudness.gain(for: loudnessKey(voice)) == nil,
              calibrating.withLock({ $0.insert(voice).inserted }) else { return }
        Task.detached(priority: .background) { [self] in
            defer { calibrating.withLock { _ = $0.remove(voice) } }
            _ = try? await calibrateLoudness(voice: voice, deadline: .now + .seconds(60))
        }
    }

    /// Fills the audio cache with `phrases` (prompts an app repeats) as a streamed request
    /// would cut them, behind every real request: their deadline is an hour away. Returns
    /// the pieces the model made.
    @discardableResult
    public func prewarm(phrases: [String], voice: String, speed: Float = 1) async throws -> Int {
        var made = 0
        for phrase in phrases where !phrase.allSatisfy(\.isWhitespace) {
            let job = try prepare(SpeechRequest(text: phrase, voice: voice, speed: speed, fastStart: true))
            for case .speech(_, let tokens, _) in job.segments {
                let style = job.style.style(forTokenCount: tokens.count)
                let samples = try await scheduler.synthesize(tokens: tokens, style: style, speed: speed, deadline: .now + .seconds(3600))
                audioCache.store(samples, tokens: tokens, style: style, speed: speed)
                made += 1
            }
        }
        return made
    }

    /// The whole utterance at once.
    public func synthesize(_ request: SpeechRequest) async throws -> AudioClip {
        var samples: [Float] = []
        var chunks = 0
        var seconds = 0.0
        for try await chunk in stream(try prepare(request)) {
            samples += chunk.samples
            chunks += 1
            seconds += chunk.synthesisSeconds
        }
        return AudioClip(samples: samples, sampleRate: KokoroModel.sampleRate, chunks: chunks, synthesisSeconds: seconds)
    }
}

extension Duration {
    /// The duration in seconds, as a Double.
    public var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
