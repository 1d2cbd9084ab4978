import ArgumentParser
import Foundation
import KokoroEngine
import KokoroServer

/// Where the model, voices and ONNX Runtime are, and how many threads to use: shared by
/// every command that loads the engine. Each flag is a `KokoroSettings` setting, also read
/// from its `KOKORO_*` variable and the config file; the flags stay text so that a bad value
/// gets the settings' one message whatever its source.
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
    var threads: String?

    @Option(help: "Model sessions run side by side in throughput mode (default: $KOKORO_SESSIONS, else one per core for serve and 1 otherwise). With more than one, or fewer threads than cores, a latency session with every core is added for lone pieces.")
    var sessions: String?

    @Option(help: "How runs share the cores: auto (from measured load), latency (one at a time, every core) or throughput (one per pool session; no latency session) (default: $KOKORO_OPTIMIZER, else \(KokoroSettings.optimizer.info.defaultText)).")
    var optimizer: String?

    @Option(name: .customLong("memory-budget-mb"), help: "Memory ONNX Runtime's buffers may take: the runs in progress together (a run that would pass it waits for others to end), and the arena kept between runs (above it, given back after each run) (default: $KOKORO_MEMORY_BUDGET_MB, else \(KokoroSettings.memoryBudgetMB.info.defaultText)).")
    var memoryBudgetMB: String?

    @Option(name: .customLong("loudness"), help: "Bring every voice to this integrated loudness in LUFS, true peak ≤ −1 dBTP, or 'off' (default: $KOKORO_LOUDNESS, else \(KokoroSettings.loudness.info.defaultText)).")
    var loudness: String?

    @Option(name: .customLong("piece-tokens"), help: "Short sentences are grouped into one model run up to this many tokens, 16-510; a sentence is never cut unless over the model's 510 (default: $KOKORO_PIECE_TOKENS, else \(KokoroSettings.pieceTokens.info.defaultText)).")
    var pieceTokens: String?

    @Option(name: .customLong("decoder-windows"), help: "Stream each sentence's decoder in windows of frames (25 ms each), FIRST/LONGEST/CONTEXT: the first window FIRST frames, each next one twice the one before up to LONGEST, each decoded with CONTEXT frames on both sides; or 'off' to decode whole sentences. A voice speaks in these windows once its decoder statistics are calibrated (set-up does the default voice; the server any other on first use, about a minute of one core, meanwhile long windows normalized over themselves) (default: $KOKORO_DECODER_WINDOWS, else \(KokoroSettings.decoderWindows.info.defaultText)).")
    var decoderWindows: String?

    @Option(name: .customLong("calibrate-voices"), help: "Calibrate the decoder statistics of a voice first heard without them, in the background, one voice at a time (about a minute of one core each; the voice is decoded in long self-normalized windows meanwhile): on or off (default: $KOKORO_CALIBRATE_VOICES, else \(KokoroSettings.calibrateVoices.info.defaultText)).")
    var calibrateVoices: String?

    @Option(name: .customLong("max-audio-seconds"), help: "The most audio one request may make, speech and pauses, in seconds; longer requests are refused before any work (default: $KOKORO_MAX_AUDIO_SECONDS, else \(KokoroSettings.maxAudioSeconds.info.defaultText)).")
    var maxAudioSeconds: String?

    @Option(name: .customLong("lexicon"), help: "Your pronunciations: a JSON file {\"en-us\": {\"Kokoro\": \"/kˈOkəɹO/\", \"nginx\": \"engine x\"}} (phonemes between slashes, else a respelling), read before the built-in dictionaries and again whenever it changes; the server's PUT /v1/lexicon writes it (default: $KOKORO_LEXICON, else none).")
    var lexicon: String?

    @Option(help: "A JSON file of settings, below the flags and variables: keys as `kokoro serve --print-config` lists them, e.g. {\"port\": 8880, \"api-keys\": [\"KEY\"]} (default: $KOKORO_CONFIG, else none).")
    var config: String?

    static var cores: Int { ProcessInfo.processInfo.activeProcessorCount }

    /// The settings from these flags and `more` (a command's own), the environment and the config file.
    func settings(adding more: [(any AnySetting, String?)] = [], lists: [(any AnySetting, [String])] = []) throws -> KokoroSettings {
        let single: [(any AnySetting, String?)] = [
            (KokoroSettings.configSetting, config), (KokoroSettings.model, model), (KokoroSettings.vocab, vocab),
            (KokoroSettings.ortLibrary, ortLibrary), (KokoroSettings.threads, threads), (KokoroSettings.sessions, sessions),
            (KokoroSettings.optimizer, optimizer), (KokoroSettings.memoryBudgetMB, memoryBudgetMB), (KokoroSettings.loudness, loudness),
            (KokoroSettings.pieceTokens, pieceTokens), (KokoroSettings.decoderWindows, decoderWindows),
            (KokoroSettings.calibrateVoices, calibrateVoices), (KokoroSettings.maxAudioSeconds, maxAudioSeconds),
            (KokoroSettings.lexicon, lexicon),
        ] + more
        let given = single.compactMap { setting, text in text.map { (setting.info.key, [$0]) } }
            + ([(KokoroSettings.voices, voicePacks)] + lists).filter { !$0.1.isEmpty }.map { ($0.0.info.key, $0.1) }
        return try validated { try KokoroSettings(flags: Dictionary(uniqueKeysWithValues: given), environment: ProcessInfo.processInfo.environment) }
    }

    var assets: AssetLocations {
        get throws { try validated { try settings().assets() } }
    }

    /// The lexicon file, from the flag, the environment or the config file.
    var lexiconFile: URL? {
        get throws { try validated { try settings().lexiconFile() } }
    }

    /// `defaultSessions` nil: one per core.
    func makeEngine(defaultSessions: Int? = 1) throws -> KokoroEngine {
        let configuration = try validated { try settings().engineConfiguration(defaultSessions: defaultSessions, cores: Self.cores) }
        return try KokoroEngine(configuration: configuration)
    }
}

/// A setting no source may give is a usage error, shown with the usage like a bad flag.
func validated<Value>(_ body: () throws -> Value) throws -> Value {
    do {
        return try body()
    } catch let error as KokoroSettings.Invalid {
        throw ValidationError(error.description)
    }
}
