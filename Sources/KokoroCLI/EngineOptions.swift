import ArgumentParser
import Foundation
import KokoroEngine
import ONNXRuntime

/// Where the model, voices and ONNX Runtime are, and how many threads to use: shared by
/// every command that loads the engine. Each flag also has a `KOKORO_*` variable.
struct EngineOptions: ParsableArguments {
    @Option(help: "Kokoro ONNX model (default: $KOKORO_MODEL, else the set-up cache).")
    var model: String?

    @Option(name: .customLong("voices"), help: "Voice pack (.npz/.bin/.npy or a folder); repeat for several (default: $KOKORO_VOICES, else the cache).")
    var voicePacks: [String] = []

    @Option(help: "Phoneme vocabulary vocab.json (default: $KOKORO_VOCAB, else the cache).")
    var vocab: String?

    @Option(name: .customLong("ort-library"), help: "libonnxruntime to load (default: $KOKORO_ORT_LIBRARY, else the cache).")
    var ortLibrary: String?

    @Option(help: "ONNX Runtime intra-op threads per pool session (default: $KOKORO_THREADS, else the cores divided among the sessions).")
    var threads: Int?

    @Option(help: "Model sessions run side by side in throughput mode (default: $KOKORO_SESSIONS, else one per core for serve and 1 otherwise). With more than one, or fewer threads than cores, a latency session with every core is added for lone pieces.")
    var sessions: Int?

    @Option(help: "How runs share the cores: auto (from measured load), latency (one at a time, every core) or throughput (one per pool session; no latency session) (default: $KOKORO_OPTIMIZER, else auto).")
    var optimizer: String?

    @Option(name: .customLong("memory-budget-mb"), help: "Memory the sessions may keep between runs; above it ORT's arena is given back after each run (default: $KOKORO_MEMORY_BUDGET_MB, else 256, or an eighth of RAM if less).")
    var memoryBudgetMB: Int?

    @Option(name: .customLong("loudness"), help: "Bring every voice to this integrated loudness in LUFS, true peak ≤ −1 dBTP, or 'off' (default: $KOKORO_LOUDNESS, else -16).")
    var loudness: String?

    @Option(name: .customLong("piece-tokens"), help: "Short sentences are grouped into one model run up to this many tokens, 16-510; a sentence is never cut unless over the model's 510 (default: $KOKORO_PIECE_TOKENS, else \(PhonemeChunker.defaultTargetTokens)).")
    var pieceTokens: Int?

    @Option(name: .customLong("decoder-windows"), help: "Stream each sentence's decoder in windows of frames (25 ms each), FIRST/LONGEST/CONTEXT: the first window FIRST frames, each next one twice the one before up to LONGEST, each decoded with CONTEXT frames on both sides; or 'off' to decode whole sentences. A voice speaks in windows once its decoder statistics are calibrated (set-up does the default voice; the server any other on first use, about a minute of one core, meanwhile whole sentences) (default: $KOKORO_DECODER_WINDOWS, else 15/80/16).")
    var decoderWindows: String?

    @Option(name: .customLong("calibrate-voices"), help: "Calibrate the decoder statistics of a voice first heard without them, in the background, one voice at a time (about a minute of one core each; the voice speaks whole sentences meanwhile): on or off (default: $KOKORO_CALIBRATE_VOICES, else on).")
    var calibrateVoices: String?

    @Option(name: .customLong("max-audio-seconds"), help: "The most audio one request may make, speech and pauses, in seconds; longer requests are refused before any work (default: $KOKORO_MAX_AUDIO_SECONDS, else 1800).")
    var maxAudioSeconds: Double?

    @Option(name: .customLong("lexicon"), help: "Your pronunciations: a JSON file {\"en-us\": {\"Kokoro\": \"/kˈOkəɹO/\", \"nginx\": \"engine x\"}} (phonemes between slashes, else a respelling), read before the built-in dictionaries and again whenever it changes; the server's PUT /v1/lexicon writes it (default: $KOKORO_LEXICON, else none).")
    var lexicon: String?

    /// The lexicon file, from the flag or the environment.
    var lexiconFile: URL? {
        (lexicon ?? ProcessInfo.processInfo.environment["KOKORO_LEXICON"]).map { URL(fileURLWithPath: $0) }
    }

    var assets: AssetLocations {
        AssetLocations.resolve(model: model, voices: voicePacks, vocabulary: vocab, onnxRuntimeLibrary: ortLibrary)
    }

    static var cores: Int { ProcessInfo.processInfo.activeProcessorCount }

    /// `defaultSessions` nil: one per core.
    func makeEngine(defaultSessions: Int? = 1) throws -> KokoroEngine {
        let environment = ProcessInfo.processInfo.environment
        let policyName = optimizer ?? environment["KOKORO_OPTIMIZER"] ?? "auto"
        guard let policy = RealTimeOptimizer.Policy(rawValue: policyName) else {
            throw ValidationError("unknown optimizer mode \(policyName): use auto, latency or throughput")
        }
        let sessionCount = sessions ?? environment["KOKORO_SESSIONS"].flatMap(Int.init) ?? defaultSessions ?? Self.cores
        guard sessionCount >= 1 else { throw ValidationError("--sessions must be at least 1") }
        let threadCount = threads ?? environment["KOKORO_THREADS"].flatMap(Int.init) ?? max(1, Self.cores / sessionCount)
        guard threadCount >= 1 else { throw ValidationError("--threads must be at least 1") }
        // Lone pieces (a single listener, a first piece on an idle server) finish soonest on every core.
        let latencySession = policy != .throughput && (sessionCount > 1 || threadCount < Self.cores)
            ? KokoroEngine.sessionConfiguration(threads: Self.cores) : nil
        let loudnessSetting = loudness ?? environment["KOKORO_LOUDNESS"] ?? "-16"
        let target: Double?
        if loudnessSetting == "off" {
            target = nil
        } else if let value = Double(loudnessSetting), (-40 ... -5).contains(value) {
            target = value
        } else {
            throw ValidationError("--loudness \(loudnessSetting) is not a level: give LUFS between -40 and -5 (e.g. -16) or 'off'")
        }
        let standard = DecoderWindows.standard
        let windowSetting = decoderWindows ?? environment["KOKORO_DECODER_WINDOWS"] ?? "\(standard.firstFrames)/\(standard.frames)/\(standard.context)"
        let windows: DecoderWindows?
        if windowSetting == "off" {
            windows = nil
        } else if case let sizes = windowSetting.split(separator: "/").compactMap({ Int($0) }), sizes.count == 3,
                  sizes[0] > 0, sizes[1] > 0, sizes[2] >= 1, sizes.allSatisfy({ $0 <= 400 }) {
            windows = DecoderWindows(firstFrames: sizes[0], frames: sizes[1], context: sizes[2])
        } else {
            throw ValidationError("--decoder-windows \(windowSetting) is not FIRST/LONGEST/CONTEXT frames, each 1-400 (e.g. 15/80/16), nor 'off'")
        }
        let calibrateSetting = calibrateVoices ?? environment["KOKORO_CALIBRATE_VOICES"] ?? "on"
        guard ["on", "off"].contains(calibrateSetting) else {
            throw ValidationError("--calibrate-voices \(calibrateSetting) is neither on nor off")
        }
        let audioLimitSetting = maxAudioSeconds.map { String($0) } ?? environment["KOKORO_MAX_AUDIO_SECONDS"] ?? "1800"
        guard let audioLimit = Double(audioLimitSetting), audioLimit.isFinite, audioLimit > 0 else {
            throw ValidationError("--max-audio-seconds \(audioLimitSetting) is not a duration: give seconds above 0 (e.g. 1800)")
        }
        let budget = (memoryBudgetMB ?? environment["KOKORO_MEMORY_BUDGET_MB"].flatMap(Int.init)).map { $0 << 20 }
        return try KokoroEngine(configuration: .init(assets: assets, session: KokoroEngine.sessionConfiguration(threads: threadCount),
                                                     latencySession: latencySession,
                                                     sessions: sessionCount, optimizerPolicy: policy, memoryBudgetBytes: budget,
                                                     loudnessTarget: target,
                                                     pieceTokens: pieceTokens ?? environment["KOKORO_PIECE_TOKENS"].flatMap(Int.init) ?? PhonemeChunker.defaultTargetTokens,
                                                     windows: windows, calibratesVoices: calibrateSetting == "on", maxAudioSeconds: audioLimit,
                                                     lexiconFile: lexiconFile))
    }
}
