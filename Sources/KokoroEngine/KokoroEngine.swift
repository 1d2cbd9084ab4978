import Foundation
import EnglishG2P
import JapaneseG2P
import MandarinG2P
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
        /// Bytes of text and phonemes kept for repeated sentences (0: no phoneme cache).
        public var phonemeCacheBytes: Int
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
        /// Short sentences are grouped into one model run up to this many tokens (up to 510);
        /// a sentence is never cut below the model's limit, whatever this is.
        public var pieceTokens: Int
        /// Decoder windows, run on the split model with each voice's calibrated statistics
        /// (nil: whole sentences through the whole model). A voice not calibrated yet is
        /// decoded in `DecoderWindows.selfNormalized` while it is calibrated in the
        /// background. (These windows normalized over themselves, as an earlier version did,
        /// gave WER 0.0366 against 0.0348 whole on the first 100 LJSpeech test sentences,
        /// and loudness that wobbled 1.5–2.4 dB within a sentence.)
        public var windows: DecoderWindows?
        /// Whether a voice first heard without decoder statistics is calibrated in the
        /// background (about a minute of one core each; tests that use many voices say no).
        public var calibratesVoices: Bool
        /// The most audio one request may make, in seconds (`SynthesisPlanner.maxAudioSeconds`).
        public var maxAudioSeconds: Double
        /// The user lexicon's file (nil: none); see `LexiconStore`.
        public var lexiconFile: URL?

        public init(assets: AssetLocations = .resolve(), session: SessionConfiguration = .init(), latencySession: SessionConfiguration? = nil,
                    logLevel: LoggingLevel = .warning,
                    audioCacheBytes: Int = 64 << 20, phonemeCacheBytes: Int = 4 << 20,
                    sessions: Int = 1, optimizerPolicy: RealTimeOptimizer.Policy = .auto, memoryBudgetBytes: Int? = nil,
                    loudnessTarget: Double? = nil, loudnessStore: URL? = nil, pieceTokens: Int = PhonemeChunker.defaultTargetTokens,
                    windows: DecoderWindows? = .standard, calibratesVoices: Bool = true, maxAudioSeconds: Double = 1_800,
                    lexiconFile: URL? = nil) {
            self.assets = assets
            self.lexiconFile = lexiconFile
            self.maxAudioSeconds = maxAudioSeconds
            self.session = session
            self.latencySession = latencySession
            self.logLevel = logLevel
            self.audioCacheBytes = audioCacheBytes
            self.phonemeCacheBytes = phonemeCacheBytes
            self.sessions = max(1, sessions)
            self.optimizerPolicy = optimizerPolicy
            self.memoryBudgetBytes = memoryBudgetBytes
            self.loudnessTarget = loudnessTarget
            self.loudnessStore = loudnessStore
            self.pieceTokens = min(max(pieceTokens, 16), PhonemeChunker.maxTokens)
            self.windows = windows
            self.calibratesVoices = calibratesVoices
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
    /// Voices waiting for their decoder statistics, calibrated one at a time, and whether
    /// the task doing it runs.
    private let statisticsQueue = Mutex<(waiting: [String], working: Bool)>(([], false))
    /// Calibrations running in the background, and whether more may start (not once the
    /// server shuts down: a run left going while the process exits meets ONNX Runtime being
    /// torn down).
    private let background = Mutex<(stopped: Bool, tasks: [UInt64: Task<Void, Never>], next: UInt64)>((false, [:], 0))
    /// Recent pieces' audio (requests may opt out with `useCache`).
    public let audioCache: AudioCache
    /// How each sentence's decoder runs, when the sessions are split in front and decoder
    /// (nil: whole sentences through the whole model).
    public let windows: DecoderWindows?
    /// The voices' decoder statistics, which windows need (nil with no windows).
    public let decoderStatistics: DecoderStatisticsStore?
    /// Whether voices without statistics are calibrated in the background on first use.
    public let calibratesVoices: Bool
    /// Orders every stream's model runs by playback deadline, and keeps the real-time
    /// streams being made (the audio each has in hand, what is left to make).
    public let scheduler: DeadlineScheduler
    private let logger = Logger(label: "kokoro.engine")
    public var voices: VoiceLibrary { planner.voices }
    public var vocabulary: PhonemeVocabulary { planner.vocabulary }

    /// `af_heart` when installed (Kokoro's best-rated voice), else the first voice found.
    public var defaultVoice: String {
        voices.contains("af_heart") ? "af_heart" : voices.names[0]
    }

    public init(planner: SynthesisPlanner, sessions: [any SpeechSynthesizer], latencySession: (any SpeechSynthesizer)? = nil,
                audioCacheBytes: Int = 64 << 20, optimizerPolicy: RealTimeOptimizer.Policy = .auto, arenaPolicy: ArenaPolicy? = nil,
                sessionFactory: DeadlineScheduler.SessionFactory? = nil, loudness: VoiceLoudness? = nil, voicePackID: String = "",
                windows: DecoderWindows? = nil, decoderStatistics: DecoderStatisticsStore? = nil, calibratesVoices: Bool = true,
                modelDescription: String? = nil) {
        self.calibratesVoices = calibratesVoices
        self.windows = decoderStatistics == nil ? nil : windows
        self.decoderStatistics = windows == nil ? nil : decoderStatistics
        self.modelDescription = modelDescription
        self.planner = planner
        self.sessions = sessions
        self.latencySession = latencySession
        self.arenaPolicy = arenaPolicy
        self.loudness = loudness
        self.voicePackID = voicePackID
        self.audioCache = AudioCache(capacityBytes: audioCacheBytes)
        self.scheduler = DeadlineScheduler(sessions: sessions, latencySession: latencySession, policy: optimizerPolicy,
                                           bufferBudget: arenaPolicy.map { $0.budget_mb << 20 } ?? .max, factory: sessionFactory)
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
        let arena = ArenaPolicy.choose(sessions: roles.count, maxPieceTokens: PhonemeChunker.maxTokens,
                                       budgetBytes: configuration.memoryBudgetBytes)
        // One container for every session: weights ORT re-lays out for its kernels are kept once.
        let prepacked = try PrepackedWeights(runtime: runtime)
        // With several sessions, one copy of the weights for all, which ORT would otherwise load into
        // each (and it caches prepacked weights only for shared ones). A lone session is ~35 MB smaller
        // without: ORT then frees the originals of the weights it prepacks.
        // The split model when set-up made it and calibrated the decoder (sentences' fronts
        // once, decoders in windows), else the whole model on whole sentences: never fragments.
        // Beside the decoder, set-up's probe (to measure a voice's statistics) and the
        // calibrated decoder.
        let split = assets.splitModel
        let statistics = configuration.windows == nil ? nil : try DecoderStatisticsStore(directory: assets.decoderStatistics)
        let isSplit = statistics != nil
            && [split.front, split.decoder, split.probe, split.calibrated].allSatisfy { FileManager.default.fileExists(atPath: $0.path) }
        let paths = isSplit ? [split.front.path, split.decoder.path, split.probe.path, split.calibrated.path] : [assets.model.path]
        var initializers: [String: SharedInitializers] = [:]
        // The three decoder graphs have the same weights under the same names, so every
        // session of any of them uses one copy.
        for path in paths.prefix(2) where roles.count > 1 || path == split.decoder.path {
            do throws(ORTError) {
                initializers[path] = try SharedInitializers(runtime: runtime, modelPath: path)
            } catch {
                throw EngineError.corruptModel(path, error.description)
            }
        }
        if isSplit { for path in [split.probe.path, split.calibrated.path] { initializers[path] = initializers[split.decoder.path] } }
        let makeSession: DeadlineScheduler.SessionFactory = { [configuration, initializers] role in
            let settings = role == .latency ? configuration.latencySession ?? configuration.session : configuration.session
            let shrink = arena.shrink_after_each_run
            @Sendable func session(_ path: String) throws(EngineError) -> ORTSession {
                do throws(ORTError) {
                    return try ORTSession(environment: environment, modelPath: path, configuration: settings,
                                          prepackedWeights: prepacked, sharedInitializers: initializers[path])
                } catch {
                    throw .corruptModel(path, error.description)
                }
            }
            guard isSplit else { return try KokoroModel(session: try session(paths[0]), modelPath: paths[0], shrinkArenaAfterRun: shrink) }
            return SplitKokoroModel(front: try KokoroFront(session: try session(paths[0]), shrinkArenaAfterRun: shrink),
                                    decoder: try KokoroDecoder(session: try session(paths[1]), probe: { try session(paths[2]) },
                                                               calibrated: try session(paths[3]), shrinkArenaAfterRun: shrink))
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
            phonemizers: try Self.phonemizers(assets: assets, vocabulary: vocabulary,
                                              lexicon: LexiconStore(file: configuration.lexiconFile, vocabulary: vocabulary)),
            vocabulary: vocabulary,
            voices: try VoiceLibrary(paths: assets.voicePacks),
            phonemeCacheBytes: configuration.phonemeCacheBytes)
        planner.chunker.targetTokens = configuration.pieceTokens
        planner.maxAudioSeconds = configuration.maxAudioSeconds
        let packID = assets.voicePacks.map { url in
            let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0
            return "\(url.lastPathComponent):\(size)"
        }.joined(separator: ",")
        let loudness = configuration.loudnessTarget.map {
            VoiceLoudness(target: $0, storeURL: configuration.loudnessStore ?? assets.cacheDirectory.appendingPathComponent("loudness.json"))
        }
        self.init(planner: planner, sessions: sessions, latencySession: latencySession, audioCacheBytes: configuration.audioCacheBytes,
                  optimizerPolicy: configuration.optimizerPolicy, arenaPolicy: arena, sessionFactory: makeSession,
                  loudness: loudness, voicePackID: packID, windows: isSplit ? configuration.windows : nil,
                  decoderStatistics: isSplit ? statistics : nil, calibratesVoices: configuration.calibratesVoices,
                  modelDescription: paths.joined(separator: " + "))
    }

    /// misaki-grade English (American loaded now, British on first use), Mandarin and
    /// Japanese (on first use; Japanese needs libmecab, loaded at run time, and says how to
    /// install it), and espeak-ng for every other language and for English words no
    /// dictionary knows. espeak-ng is optional (GPL-3, loaded at run time): without it
    /// English, Mandarin and Japanese still work and other languages report how to install it.
    public static func phonemizers(assets: AssetLocations, vocabulary: PhonemeVocabulary? = nil,
                                   lexicon: LexiconStore? = nil) throws -> PhonemizerRouter {
        var espeak: ESpeakPhonemizer?
        var espeakError: PhonemizerError?
        do { espeak = try ESpeakPhonemizer(vocabulary: vocabulary, library: assets.espeakLibrary, dataPath: assets.espeakData) } catch { espeakError = error }
        let directory = assets.misakiDictionaries
        let american = try EnglishG2P(dictionaryDirectory: directory, british: false, fallback: espeak, vocabulary: vocabulary)
        let british = LazyPhonemizer(languages: [.britishEnglish]) { [espeak] in
            try EnglishG2P(dictionaryDirectory: directory, british: true, fallback: espeak, vocabulary: vocabulary)
        }
        let mandarin = LazyPhonemizer(languages: [.mandarin]) { [assets] in try MandarinG2P(dataDirectory: assets.mandarinDictionaries) }
        let japanese = LazyPhonemizer(languages: [.japanese]) { [assets] in try JapaneseG2P(dataDirectory: assets.japaneseDictionaries, library: assets.mecabLibrary) }
        return PhonemizerRouter(phonemizers: [american, british, mandarin, japanese] + (espeak.map { [$0] } ?? []), unavailable: espeakError,
                                lexicon: lexicon)
    }

    /// Seconds of audio a stream makes ahead of its consumer: enough that a listener on a
    /// normal link never waits for it (writes return once the bytes are in the socket's
    /// buffer), small enough that a slow reader holds little memory.
    public static let audioAheadSeconds = 5.0

    /// Users' pronunciations, read before any built-in dictionary.
    public var lexicon: LexiconStore? { planner.phonemizers.lexicon }

    /// The model file and the back ends it runs on, for status pages.
    public let modelDescription: String?
    public var providers: [String] {
        ((model as? KokoroModel)?.session ?? (model as? SplitKokoroModel)?.decoder.session)?.providers.map(\.rawValue) ?? []
    }

    /// The phonemes Kokoro would be given for `text`.
    public func phonemize(_ text: String, language: Language) throws -> String {
        try planner.phonemizers.phonemize(text, language: language)
    }

    /// Validates and plans a request; throws on any input error before audio starts.
    public func prepare(_ request: SpeechRequest) throws -> SynthesisJob {
        try planner.plan(request)
    }

    /// Runs `plan` (usually `prepare`) on a thread of its own, off Swift's cooperative pool:
    /// phonemizing and blending a long input take tens of milliseconds of CPU that the pool's
    /// few threads (two on a 2-core machine) need for network I/O. Not on Dispatch's global
    /// queues either, where model runs block for seconds: on Linux those queues add threads
    /// slowly beyond the cores, and a plan queued behind runs waited (a fresh-clone test run
    /// saw a request wait there for over 100 s). Admission bounds how many plan at once.
    public func plan(_ plan: @escaping @Sendable () throws -> SynthesisJob) async throws -> SynthesisJob {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try plan() }) }.start()
        }
    }

    /// Admits a real-time job if the pool, played forward over every stream's planned pieces
    /// (`AdmissionForecast`), makes its first audio within the ledger's budget and keeps
    /// every stream in time; else throws `EngineError.noRealTimeRoom` with the seconds after
    /// which it would fit. With `acceptLateStart`, a job that would only be late itself is
    /// admitted (the caller knows a session is free for it). Stream the returned job, or
    /// `withdraw` it.
    public func admit(_ job: SynthesisJob, acceptLateStart: Bool = false) async throws(EngineError) -> SynthesisJob {
        // Planned as one more stream beside those running, in the windows its voice gets now.
        let windows = windows(for: windowStatistics(for: job.request.voice, calibrateIfMissing: false))
        switch await scheduler.admitStream(acceptLateStart: acceptLateStart, pieces: { job.plannedPieces(windows: windows, pace: $0) }) {
        case .admitted(let stream, let pace):
            var admitted = job
            admitted.streamID = stream
            admitted.pace = pace
            return admitted
        case .refused(let verdict, let retryAfter):
            throw .noRealTimeRoom(retryAfter: retryAfter, verdict: verdict)
        }
    }

    /// Releases an admitted job that will not be streamed, and the session kept for it.
    public func withdraw(_ job: SynthesisJob) async {
        guard let id = job.streamID else { return }
        await scheduler.closeStream(id)
    }

    /// The job's audio, piece by piece, synthesized ahead of the consumer by at most
    /// `audioAheadSeconds` (and the chunk in hand). Ending the iteration (or cancelling its
    /// task) cancels the model run in progress. A real-time
    /// job's runs are due when its listener would run out of audio (a job not admitted
    /// first is entered in the ledger unchecked). With the split model, each sentence's
    /// front runs once and its decoder in `windows`, each window's audio sent when made.
    public func stream(_ job: SynthesisJob) -> AudioStream {
        let stream = AudioStream(limitSamples: Int(Self.audioAheadSeconds * Double(KokoroModel.sampleRate)))
        calibrateInBackground(job.request.voice)
        let statistics = windowStatistics(for: job.request.voice)
        let windows = windows(for: statistics)
        let runs = job.plannedRuns(windows: windows, pace: job.pace)
        let planned = runs.flatMap { $0 }
        let task = Task { [self] in
            let streamID: UInt64? = if let admitted = job.streamID { admitted }
                else if job.request.realTime { await scheduler.openStream(pieces: planned) } else { nil }
            let key = loudnessKey(job.request.voice)
            // The planned run under way (`planned`'s index) and the runs planned for the
            // segment under way not done yet: the next run's cost, and the audio this one
            // adds, steer the scheduler; the ledger counts the runs done.
            var run = 0
            var left = 0
            func schedule(_ work: ModelWork) async throws -> ModelOutput {
                let next = planned.indices.contains(run) ? planned[(run + 1)...].first { $0.tokens > 0 }
                    .map { (planned[run].audioSeconds, $0.tokens) } : nil
                return try await scheduler.run(work, forStream: streamID, next: next)
            }
            /// Samples sent so far: where the next chunk starts in the job's audio.
            var emitted = 0
            /// Counts a run done (all of the segment's with `endsSegment`) and sends its audio.
            func send(_ samples: [Float], index: Int, phonemes: String, since start: ContinuousClock.Instant,
                      endsSegment: Bool, isLast: Bool, fromCache: Bool, words: [WordTiming] = []) async throws {
                let done = endsSegment ? left : min(left, 1)
                left -= done
                run += done
                if let streamID { await scheduler.sent(streamID, audioSeconds: Double(samples.count) / Double(KokoroModel.sampleRate), completing: done) }
                guard !samples.isEmpty || isLast else { return }
                emitted += samples.count
                try await stream.send(AudioChunk(index: index, samples: samples, phonemes: phonemes,
                                                 synthesisSeconds: start.duration(to: .now).seconds, isLast: isLast, fromCache: fromCache,
                                                 words: words))
            }
            do {
                for (index, segment) in job.segments.enumerated() {
                    try Task.checkCancellation()
                    let isLast = index == job.segments.count - 1
                    left = runs[index].count
                    switch segment {
                    case .silence(let samples):
                        try await send([Float](repeating: 0, count: samples), index: index, phonemes: "", since: .now, endsSegment: true, isLast: isLast, fromCache: false)
                    case .speech(let phonemes, let tokens, let pauseAfter, let words):
                        let start = ContinuousClock.now
                        let style = job.style.style(forTokenCount: tokens.count)
                        let speed = job.request.speed
                        let pause = [Float](repeating: 0, count: isLast ? 0 : pauseAfter)
                        let sentenceStart = emitted
                        if job.request.useCache, let cached = audioCache.sentence(tokens: tokens, style: style, speed: speed) {
                            var samples = cached.samples
                            loudness?.apply(&samples, voice: key)
                            try await send(samples + pause, index: index, phonemes: phonemes, since: start, endsSegment: true, isLast: isLast, fromCache: true,
                                           words: cached.timing?.timings(of: words, startingAt: sentenceStart, endingAt: sentenceStart + samples.count) ?? [])
                            continue
                        }
                        let sentence: SentenceAudio
                        if let windows {
                            let frames = try await schedule(.front(tokens: tokens, style: style, speed: speed)).frames
                            try await send([], index: index, phonemes: phonemes, since: start, endsSegment: false, isLast: false, fromCache: false)
                            // Each window carries the words that end in it; the last, the rest, cut at its end.
                            // (Timed again with each window: a word after a pause starts at a sound the
                            // window before could not show.)
                            var timing: SentenceTiming?
                            var sent = 0
                            // What the listener has in hand now: the windows are sized by it.
                            let ahead: Double? = if let streamID { await scheduler.audioInHand(of: streamID) } else { .infinity }
                            var samples: [Float] = []
                            try await decode(frames, in: windows, pace: await scheduler.decoderPace, ahead: ahead, style: style,
                                             statistics: statistics?.statistics(forStyleRow: VoiceStyle.row(forTokenCount: tokens.count)),
                                             schedule: schedule) { window, isLastWindow, sentenceTiming in
                                timing = sentenceTiming
                                samples += window
                                let end = Double(emitted + window.count) / Double(KokoroModel.sampleRate)
                                let unheard = sentenceTiming.timings(of: words, startingAt: sentenceStart).dropFirst(sent)
                                let heard = isLastWindow ? unheard.map { $0.ending(by: end) } : Array(unheard.prefix { $0.end <= end })
                                sent += heard.count
                                var window = window
                                loudness?.apply(&window, voice: key)
                                try await send(window + (isLastWindow ? pause : []), index: index, phonemes: phonemes, since: start,
                                               endsSegment: isLastWindow, isLast: isLast && isLastWindow, fromCache: false, words: heard)
                            }
                            sentence = SentenceAudio(samples: samples, timing: timing)
                        } else {
                            sentence = try await self.sentence(tokens: tokens, style: style, speed: speed, statistics: nil, run: schedule)
                            var samples = sentence.samples
                            loudness?.apply(&samples, voice: key)
                            try await send(samples + pause, index: index, phonemes: phonemes, since: start, endsSegment: true, isLast: isLast, fromCache: false,
                                           words: sentence.timing?.timings(of: words, startingAt: sentenceStart, endingAt: sentenceStart + samples.count) ?? [])
                        }
                        if job.request.useCache { audioCache.store(sentence, tokens: tokens, style: style, speed: speed) }
                    }
                }
                stream.finish()
            } catch {
                stream.finish(throwing: error)
            }
            // Done, failed or cancelled: the stream stops counting, and a session kept for a
            // first piece that never reached the scheduler (cached, or the listener left first) is free.
            if let streamID { await scheduler.closeStream(streamID) }
        }
        // A listener that left has no deadline to protect: an admitted stream stops counting at once.
        stream.onConsumerGone { [scheduler] in
            task.cancel()
            if let admitted = job.streamID { Task { await scheduler.closeStream(admitted) } }
        }
        return stream
    }

    /// A sentence's frames decoded window by window, each window's samples handed to `emit`
    /// as soon as it is made (true with the last), with where the sentence's tokens fall in
    /// the audio sent. The model's silence before the first token is skipped
    /// (`SentenceTiming.leadFrames`), the rest of the silence before the speech is cut from
    /// the first window and the silence after it from the last, as `AudioJoiner.trim` cuts a
    /// whole sentence. (Durations cannot bound the edges: the audio starts up to 90 ms before
    /// the first token's frames, and speech ended 250–370 ms before the last token's frames,
    /// in the same sentences.)
    private func decode(_ sentence: SentenceFrames, in windows: DecoderWindows, pace: Double, ahead: Double?, style: ArraySlice<Float>,
                        statistics: [Float]?, schedule: (ModelWork) async throws -> ModelOutput,
                        emit: ([Float], Bool, SentenceTiming) async throws -> Void) async throws {
        let phase = HarmonicPhase(f0: sentence.f0)
        let lead = SentenceTiming.leadFrames(sentence)
        let plan = windows.plan(covering: lead ..< sentence.frames, of: sentence.frames, pace: pace, ahead: ahead,
                                leadIn: Int(sentence.durations.first ?? 0) - lead).windows
        var joiner = WindowJoiner(crossfadeSamples: windows.crossfadeSamples)
        var loudest: Float = 0
        var timing = SentenceTiming(sentence)
        var onsets = SoundOnsets()
        var held: [Float] = []
        for (number, window) in plan.enumerated() {
            let decoded = try await schedule(.decode(sentence, frames: window.decoded, phase: phase.start(atFrame: window.decoded.lowerBound),
                                                     style: style, statistics: statistics)).audio
            var samples = joiner.join(decoded, window: window)
            loudest = max(loudest, planner.joiner.loudest(samples))
            if number == 0 {
                let head = planner.joiner.trimHead(samples, loudest: loudest)
                samples = head.samples
                timing = SentenceTiming(sentence, trimmed: head.cut)
            }
            let isLastWindow = number == plan.count - 1
            if isLastWindow {
                samples = planner.joiner.trimTail(held + samples, loudest: loudest, afterSound: number > 0)
            } else if number == plan.count - 2 {
                // The sentence's speech may end in this window and the last be silence: what
                // follows its last sound waits for the last window, to be trimmed with it as a
                // whole sentence's tail is (else up to a window of silence stays, and the last
                // chunk is empty).
                let end = planner.joiner.soundEnd(samples, loudest: loudest) ?? 0
                held = Array(samples[end...])
                samples.removeSubrange(end...)
            }
            onsets.append(samples, loudest: loudest, joiner: planner.joiner)
            timing.soundStarts = onsets.samples
            try await emit(samples, isLastWindow, timing)
        }
    }

    /// The loudness table's key for a voice or blend in these voice packs: one per mix,
    /// however the request spelled it.
    public func loudnessKey(_ voice: String) -> String {
        "\((try? VoiceBlend(parsing: voice))?.canonical ?? voice)@\(voicePackID)"
    }

    /// A sentence with varied sounds and a natural rise and fall, long enough (≈6 s) for a
    /// loudness measurement that holds for other text to within 1 LU.
    static let calibrationPhonemes = "ʃˈɪps pˈæsɪŋ ɪn ðə nˈIt ɹᵻlˈId ˌɔn ɪts stˈɛdi bˈim, ænd nˈObˌɑdi kʊd ɹəmˈɛmbəɹ ɐ sˈɪŋɡᵊl nˈIt wˌɛn ðə lˈIt hæd fˈAld."

    /// Measures `voice` on the calibration sentence and stores its gain. Runs through the
    /// scheduler (behind every listener's work when `inBackground`), or straight on
    /// `session` (warm-up, before serving).
    @discardableResult
    public func calibrateLoudness(voice: String, inBackground: Bool = false,
                                  on session: (any SpeechSynthesizer)? = nil) async throws -> VoiceGain? {
        guard let loudness else { return nil }
        let tokens = vocabulary.tokenize(Self.calibrationPhonemes).tokens
        let style = try voices.resolve(voice).style(forTokenCount: tokens.count)
        // Made the way requests hear it: in windows when the voice has its statistics.
        let samples = try await sentence(tokens: tokens, style: style, speed: 1, statistics: windowStatistics(for: voice)) { work in
            if let session {
                try await session.perform(work)
            } else if inBackground {
                try await scheduler.runInBackground(work)
            } else {
                try await scheduler.run(work, deadline: .now)
            }
        }
        return try loudness.calibrate(voice: loudnessKey(voice), samples: samples.samples)
    }

    /// A sentence's audio as a request gets it (trimmed, before loudness), with `run` running
    /// the model: in windows with the voice's `statistics`; else whole, through the front and
    /// the plain decoder when the model is split (so its timing is known), or the whole model.
    private func sentence(tokens: [Int64], style: ArraySlice<Float>, speed: Float, statistics: VoiceStatistics?,
                          run: (ModelWork) async throws -> ModelOutput) async throws -> SentenceAudio {
        guard let windows = windows(for: statistics) else {
            return SentenceAudio(samples: planner.joiner.trim(try await run(.whole(tokens: tokens, style: style, speed: speed)).audio), timing: nil)
        }
        let frames = try await run(.front(tokens: tokens, style: style, speed: speed)).frames
        var samples: [Float] = []
        var timing = SentenceTiming(frames)
        try await decode(frames, in: windows, pace: 0, ahead: .infinity, style: style,
                         statistics: statistics?.statistics(forStyleRow: VoiceStyle.row(forTokenCount: tokens.count)),
                         schedule: run) { window, _, sentenceTiming in
            samples += window
            timing = sentenceTiming
        }
        return SentenceAudio(samples: samples, timing: timing)
    }

    /// Makes `tokens` in `voice` straight on `session` as a request would (in windows when
    /// the voice has statistics, so every graph a request runs is warm); returns the
    /// decoder's wall seconds per second of audio it decoded (nil: no window ran).
    @discardableResult
    public func warm(_ session: any SpeechSynthesizer, tokens: [Int64], voice: String) async throws -> Double? {
        let style = try voices.resolve(voice).style(forTokenCount: tokens.count)
        var decoding = (seconds: 0.0, frames: 0)
        _ = try await sentence(tokens: tokens, style: style, speed: 1, statistics: windowStatistics(for: voice, calibrateIfMissing: false)) { work in
            let start = ContinuousClock.now
            let output = try await session.perform(work)
            if case .decode(_, let frames, _, _, _) = work {
                decoding.seconds += start.duration(to: .now).seconds
                decoding.frames += frames.count
            }
            return output
        }
        let audio = Double(decoding.frames * SentenceFrames.samplesPerFrame) / Double(KokoroModel.sampleRate)
        return decoding.frames > 0 ? decoding.seconds / audio : nil
    }

    /// The windows a voice with `statistics` is decoded in: the engine's with its calibrated
    /// statistics, `DecoderWindows.selfNormalized` without; nil with no split model (whole
    /// sentences through the whole model).
    private func windows(for statistics: VoiceStatistics?) -> DecoderWindows? {
        windows.map { statistics == nil ? .selfNormalized : $0 }
    }

    /// The statistics `voice`'s sentences are decoded in windows with; nil when the engine has
    /// no windows, or the voice is not calibrated yet (with `calibrateIfMissing` and
    /// `calibratesVoices`, it then is, in the background), and its windows normalize over
    /// themselves.
    func windowStatistics(for voice: String, calibrateIfMissing: Bool = true) -> VoiceStatistics? {
        guard windows != nil, let decoderStatistics else { return nil }
        switch decoderStatistics.lookup(voice, in: voices) {
        case .ready(let statistics):
            return statistics
        case .missing(let needed):
            if calibrateIfMissing && calibratesVoices { needed.forEach(calibrateStatisticsInBackground) }
            return nil
        }
    }

    /// Voices whose decoder statistics are being calibrated, or wait for it.
    public var voicesBeingCalibrated: [String] {
        calibrating.withLock { $0.compactMap { $0.hasPrefix("statistics:") ? String($0.dropFirst(11)) : nil } }.sorted()
    }

    /// Calibrates a voice's decoder statistics once, behind every real request (background
    /// work): about 82 s of audio through the front and the probe,
    /// 52–57 s of one core (`scripts/model/NOTES.md`). One voice at a time: a probe decodes a
    /// whole corpus sentence (up to 163 tokens, about 240 MB of ORT's buffers).
    private func calibrateStatisticsInBackground(_ voice: String) {
        guard calibrating.withLock({ $0.insert("statistics:\(voice)").inserted }) else { return }
        let startsWorker = statisticsQueue.withLock { queue in
            queue.waiting.append(voice)
            defer { queue.working = true }
            return !queue.working
        }
        guard startsWorker else { return }
        inBackground { [self] in
            while !Task.isCancelled, let voice = statisticsQueue.withLock({ queue -> String? in
                guard !queue.waiting.isEmpty else { queue.working = false; return nil }
                return queue.waiting.removeFirst()
            }) {
                let start = ContinuousClock.now
                do {
                    try await calibrateStatistics(voice: voice)
                    logger.info("decoder statistics calibrated", metadata: ["voice": "\(voice)", "seconds": "\(Int(start.duration(to: .now).seconds))"])
                } catch where Task.isCancelled {
                    logger.info("decoder statistics calibration stopped for shutdown", metadata: ["voice": "\(voice)"])
                } catch {
                    logger.warning("decoder statistics not calibrated; the voice keeps its self-normalized windows (calibrate it at set-up: KOKORO_CALIBRATED_VOICES=NAME scripts/setup.sh)",
                                   metadata: ["voice": "\(voice)", "error": "\(error)"])
                }
                calibrating.withLock { _ = $0.remove("statistics:\(voice)") }
            }
        }
    }

    /// Runs `work` detached at background priority, unless background work has stopped.
    private func inBackground(_ work: @escaping @Sendable () async -> Void) {
        background.withLock { state in
            guard !state.stopped else { return }
            let id = state.next
            state.next += 1
            state.tasks[id] = Task.detached(priority: .background) { [self] in
                await work()
                background.withLock { _ = $0.tasks.removeValue(forKey: id) }
            }
        }
    }

    /// Stops the background calibrations for shutdown: their runs in progress are
    /// terminated, no more start, and this returns once they have ended.
    public func stopBackgroundWork() async {
        let tasks = background.withLock { state in
            state.stopped = true
            return Array(state.tasks.values)
        }
        tasks.forEach { $0.cancel() }
        for task in tasks { await task.value }
    }

    /// Measures `voice`'s decoder statistics as set-up's `calibrate_voices.py` does (at each
    /// anchor style row, the front and the probe on that anchor's corpus sentences, pooled by
    /// frames) and keeps them in `store` (default: the engine's).
    @discardableResult
    public func calibrateStatistics(voice: String, into store: DecoderStatisticsStore? = nil) async throws -> VoiceStatistics {
        guard let store = store ?? decoderStatistics else {
            throw EngineError.corruptModel("decoder statistics", "set-up made no calibrated decoder; rerun scripts/setup.sh")
        }
        let style = try voices.resolve(voice)
        var rows: [[Float]] = []
        for (anchor, sentences) in zip(store.calibration.anchors, store.calibration.corpus) {
            let row = style.row(anchor)
            var runs: [(frames: Int, statistics: [Float])] = []
            for tokens in sentences {
                let frames = try await scheduler.runInBackground(.front(tokens: tokens, style: row, speed: 1)).frames
                runs.append((frames.frames, try await scheduler.runInBackground(.probe(frames, style: row)).statistics))
            }
            rows.append(DecoderCalibration.pool(runs))
        }
        let statistics = VoiceStatistics(anchors: store.calibration.anchors, rows: rows)
        try store.store(statistics, voice: voice, style: style)
        return statistics
    }

    /// A voice used before it was measured plays at the mean gain of the measured ones
    /// while it is measured once, in the background, behind every real request.
    private func calibrateInBackground(_ voice: String) {
        guard let loudness, loudness.gain(for: loudnessKey(voice)) == nil,
              calibrating.withLock({ $0.insert(voice).inserted }) else { return }
        inBackground { [self] in
            defer { calibrating.withLock { _ = $0.remove(voice) } }
            _ = try? await calibrateLoudness(voice: voice, inBackground: true)
        }
    }

    /// Fills the audio cache with `phrases` (prompts an app repeats) as a streamed request
    /// would cut them, in the background, behind every real request. Returns
    /// the pieces the model made.
    @discardableResult
    public func prewarm(phrases: [String], voice: String, speed: Float = 1) async throws -> Int {
        var made = 0
        for phrase in phrases where !phrase.allSatisfy(\.isWhitespace) {
            let job = try prepare(SpeechRequest(text: phrase, voice: voice, speed: speed))
            for case .speech(_, let tokens, _, _) in job.segments {
                let style = job.style.style(forTokenCount: tokens.count)
                let sentence = try await sentence(tokens: tokens, style: style, speed: speed, statistics: windowStatistics(for: voice)) { work in
                    try await scheduler.runInBackground(work)
                }
                audioCache.store(sentence, tokens: tokens, style: style, speed: speed)
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
        var words: [WordTiming] = []
        for try await chunk in stream(try prepare(request)) {
            samples += chunk.samples
            chunks += 1
            seconds += chunk.synthesisSeconds
            words += chunk.words
        }
        return AudioClip(samples: samples, sampleRate: KokoroModel.sampleRate, chunks: chunks, synthesisSeconds: seconds, words: words)
    }
}

extension Duration {
    /// The duration in seconds, as a Double.
    public var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
