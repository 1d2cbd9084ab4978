import Configuration
import Foundation
import KokoroEngine
import Logging
import Synchronization

/// Every setting of `kokoro serve` and of the engine the other commands load, read through one
/// `ConfigReader` and checked in one place, so a value is judged alike whether it came from
/// a flag, a `KOKORO_*` variable or the `--config` JSON file (in that order of precedence,
/// then the defaults `SettingInfo` states).
///
/// Values are read when asked for: `kokoro say` never trips over a bad `KOKORO_PORT` it has
/// no use for, while `kokoro serve` asks for them all before it loads the model.
public struct KokoroSettings: Sendable {
    /// Where a value came from.
    public enum Source: Sendable, Equatable, CustomStringConvertible {
        case flag(String), environment(String), file(String), standard

        public var description: String {
            switch self {
            case let .flag(flag): flag
            case let .environment(variable): variable
            case let .file(path): path
            case .standard: "default"
            }
        }
    }

    /// A value no source may give; the message names the setting, the value, what it accepts
    /// and where it is set.
    public struct Invalid: Error, Equatable, CustomStringConvertible {
        public let description: String
    }

    private let reader: ConfigReader
    private let recorder: ProviderRecorder
    /// Each provider's name, as the reader reports it, to the source it stands for.
    private let providerSources: [String: @Sendable (SettingInfo) -> Source]
    /// The config file's path and where it was given, when one is.
    public let configFile: (path: String, source: Source)?

    /// `flags` by setting key: only the flags given on the command line.
    public init(flags: [String: [String]], environment: [String: String]) throws {
        let recorder = ProviderRecorder()
        self.recorder = recorder
        let flagProvider = InMemoryProvider(name: "flags", values: Dictionary(uniqueKeysWithValues: flags.compactMap { key, texts in
            Self.byKey[key].map { (AbsoluteConfigKey([key]), Self.configValue(texts, $0)) }
        }))
        let environmentProvider = EnvironmentVariablesProvider(environmentVariables: environment).prefixKeys(with: ["kokoro"])
        var sources: [String: @Sendable (SettingInfo) -> Source] = [
            flagProvider.providerName: { .flag($0.flag ?? $0.key) },
            environmentProvider.providerName: { .environment($0.variable) },
        ]
        var providers: [any ConfigProvider] = [flagProvider, environmentProvider]
        // The file's own location comes from the flag or the variable only.
        let bootstrap = ConfigReader(providers: providers, accessReporter: recorder)
        if let (texts, source) = try Self.given(Self.configSetting.info, reader: bootstrap, recorder: recorder, sources: sources),
           let path = texts.first {
            let fileProvider = InMemoryProvider(name: "file \(path)", values: try Self.fileValues(path))
            providers.append(fileProvider)
            sources[fileProvider.providerName] = { _ in .file(path) }
            configFile = (path, source)
        } else {
            configFile = nil
        }
        providerSources = sources
        reader = ConfigReader(providers: providers, accessReporter: recorder)
    }

    /// What `info` is set to, and by which source (nil: by none).
    private func given(_ info: SettingInfo) throws -> (texts: [String], source: Source)? {
        try Self.given(info, reader: reader, recorder: recorder, sources: providerSources)
    }

    private static func given(_ info: SettingInfo, reader: ConfigReader, recorder: ProviderRecorder,
                              sources: [String: @Sendable (SettingInfo) -> Source]) throws -> (texts: [String], source: Source)? {
        let key = ConfigKey([info.key])
        let texts = info.separator == nil
            ? reader.string(forKey: key, isSecret: info.isSecret).map { [$0] }
            : reader.stringArray(forKey: key, isSecret: info.isSecret)
        switch recorder.answer(for: info.key) {
        case let .failure(error):
            throw Invalid(description: "\(info.key) cannot be read (\(error)): set it with \(info.sources)")
        case let .success(provider):
            guard let texts, let provider, let source = sources[provider] else { return nil }
            return (texts, source(info))
        case nil:
            return nil
        }
    }

    /// The value of `setting` from the first source that sets it, else its default (nil: the
    /// caller works it out).
    public func value<Value>(_ setting: Setting<Value>) throws -> Value? {
        guard let (texts, _) = try given(setting.info) else { return setting.defaultValue }
        guard let value = setting.parse(texts) else { throw Self.invalid(setting.info, texts) }
        return value
    }

    /// The value of a setting that has a default of its own, so always has one.
    public func defaulted<Value>(_ setting: Setting<Value>) throws -> Value {
        guard let value = try value(setting) else { preconditionFailure("\(setting.info.key) has no default: read it with value(_:)") }
        return value
    }

    static func invalid(_ info: SettingInfo, _ texts: [String]) -> Invalid {
        let shown = info.shown(texts)
        return Invalid(description: "\(info.key) \(shown.isEmpty ? "(empty)" : shown) is not valid: give \(info.accepts) with \(info.sources)")
    }

    /// Every setting, its value and where it came from, each checked as when used; a default
    /// worked out from the machine or the cache is shown as worked out, for an engine sized
    /// as `engineConfiguration(defaultSessions:cores:)` sizes it.
    public func effective(defaultSessions: Int?, cores: Int) throws -> [(info: SettingInfo, value: String, source: Source)] {
        var rows: [(info: SettingInfo, value: String, source: Source)] = [
            (Self.configSetting.info, configFile?.path ?? Self.configSetting.info.defaultText, configFile?.source ?? .standard),
        ]
        for setting in Self.catalogue {
            guard let (texts, source) = try given(setting.info) else {
                rows.append((setting.info, setting.info.defaultText, .standard))
                continue
            }
            guard setting.accepts(texts) else { throw Self.invalid(setting.info, texts) }
            rows.append((setting.info, setting.info.shown(texts), source))
        }
        let engine = try engineConfiguration(defaultSessions: defaultSessions, cores: cores)
        let assets = engine.assets
        let workedOut = [
            Self.model.info: assets.model.path, Self.vocab.info: assets.vocabulary.path,
            Self.voices.info: assets.voicePacks.map(\.path).joined(separator: ":"), Self.cache.info: assets.cacheDirectory.path,
            Self.misakiData.info: assets.misakiDictionaries.path, Self.mandarinData.info: assets.mandarinDictionaries.path,
            Self.japaneseData.info: assets.japaneseDictionaries.path,
            Self.threads.info: String(engine.session.intraOpThreads), Self.sessions.info: String(engine.sessions),
        ]
        return rows.map { row in
            guard row.source == .standard, let value = workedOut[row.info], !value.isEmpty else { return row }
            return (row.info, value, row.source)
        }
    }

    /// `effective(defaultSessions:cores:)` as `kokoro serve --print-config` prints it: one setting a line.
    public func printed(defaultSessions: Int?, cores: Int) throws -> String {
        let rows = try effective(defaultSessions: defaultSessions, cores: cores)
        let keyWidth = rows.map(\.info.key.count).max() ?? 0
        let valueWidth = rows.map(\.value.count).max() ?? 0
        return rows.map { row in
            row.info.key.padding(toLength: keyWidth + 2, withPad: " ", startingAt: 0)
                + row.value.padding(toLength: valueWidth + 2, withPad: " ", startingAt: 0) + row.source.description
        }.joined(separator: "\n")
    }

    // MARK: What the server and the engine are given

    /// The server's settings.
    public func serverConfiguration() throws -> ServerConfiguration {
        var configuration = ServerConfiguration()
        func set<Value>(_ keyPath: WritableKeyPath<ServerConfiguration, Value>, _ setting: Setting<Value>) throws {
            configuration[keyPath: keyPath] = try defaulted(setting)
        }
        try set(\.host, Self.host)
        try set(\.port, Self.port)
        try set(\.apiKeys, Self.apiKeys)
        try set(\.corsOrigins, Self.corsOrigins)
        try set(\.maxInputCharacters, Self.maxInput)
        try set(\.maxConcurrentRequests, Self.maxConcurrent)
        try set(\.maxQueuedRequests, Self.maxQueue)
        try set(\.queueTimeoutSeconds, Self.queueTimeout)
        try set(\.stallTimeoutSeconds, Self.stallTimeout)
        try set(\.forecastAdmission, Self.admission)
        try set(\.devRoutes, Self.devRoutes)
        configuration.wyomingPort = try value(Self.wyomingPort)
        configuration.defaultVoice = try value(Self.defaultVoice)
        configuration.memoryLimitMB = try value(Self.memoryLimitMB)
        return configuration
    }

    /// Where the model, voices, vocabulary, dictionaries and ONNX Runtime are.
    public func assets() throws -> AssetLocations {
        try AssetLocations.resolve(cache: value(Self.cache), model: value(Self.model), voices: value(Self.voices) ?? [],
                                   vocabulary: value(Self.vocab), onnxRuntimeLibrary: value(Self.ortLibrary),
                                   misakiData: value(Self.misakiData), mandarinData: value(Self.mandarinData),
                                   japaneseData: value(Self.japaneseData), espeakLibrary: value(Self.espeakLibrary),
                                   espeakData: value(Self.espeakData), mecabLibrary: value(Self.mecabLibrary))
    }

    /// The user lexicon's file (nil: none).
    public func lexiconFile() throws -> URL? {
        try value(Self.lexicon).map { URL(fileURLWithPath: $0) }
    }

    /// The engine's settings on a machine of `cores` cores; `defaultSessions` nil: one per core.
    public func engineConfiguration(defaultSessions: Int?, cores: Int) throws -> KokoroEngine.Configuration {
        let policy = try defaulted(Self.optimizer)
        let sessions = try value(Self.sessions) ?? defaultSessions ?? cores
        let threads = try value(Self.threads) ?? max(1, cores / sessions)
        // Lone pieces (a single listener, a first piece on an idle server) finish soonest on every core.
        let latencySession = policy != .throughput && (sessions > 1 || threads < cores)
            ? KokoroEngine.sessionConfiguration(threads: cores) : nil
        return try .init(assets: assets(), session: KokoroEngine.sessionConfiguration(threads: threads), latencySession: latencySession,
                         sessions: sessions, optimizerPolicy: policy, memoryBudgetBytes: value(Self.memoryBudgetMB).map { $0 << 20 },
                         loudnessTarget: defaulted(Self.loudness), pieceTokens: defaulted(Self.pieceTokens), windows: defaulted(Self.decoderWindows),
                         calibratesVoices: defaulted(Self.calibrateVoices), maxAudioSeconds: defaulted(Self.maxAudioSeconds), lexiconFile: lexiconFile())
    }

    // MARK: The config file

    /// The JSON file's settings, as text like the flags and variables give, so each is
    /// judged by the same rule: `{"port": 8880, "api-keys": ["k1", "k2"]}`.
    static func fileValues(_ path: String) throws -> [AbsoluteConfigKey: ConfigValue] {
        let fix = "give a JSON object of settings such as {\"port\": 8880, \"api-keys\": [\"KEY\"]} with --config FILE or KOKORO_CONFIG"
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Invalid(description: "cannot read the config file \(path): \(fix)")
        }
        let entries: [String: FileValue]
        do {
            entries = try JSONDecoder().decode([String: FileValue].self, from: data)
        } catch {
            throw Invalid(description: "the config file \(path) is not a flat JSON object of texts, numbers and arrays of them: \(fix)")
        }
        return try Dictionary(uniqueKeysWithValues: entries.map { key, value in
            guard let info = byKey[key], key != configSetting.info.key else {
                throw Invalid(description: "the config file \(path) has an unknown setting \"\(key)\": use one of \(catalogue.map(\.info.key).joined(separator: ", "))")
            }
            if case .many = value, info.separator == nil {
                throw Invalid(description: "\"\(key)\" in the config file \(path) is a list: give it one value, \(info.accepts)")
            }
            return (AbsoluteConfigKey([key]), configValue(value.texts, info))
        })
    }

    /// One JSON value of the config file, as text.
    enum FileValue: Decodable {
        case one(String), many([String])

        var texts: [String] {
            switch self {
            case let .one(text): [text]
            case let .many(texts): texts
            }
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let texts = try? container.decode([Scalar].self) {
                self = .many(texts.map(\.text))
            } else {
                self = .one(try container.decode(Scalar.self).text)
            }
        }

        /// A text, a number or true/false, written as a flag would give it.
        struct Scalar: Decodable {
            let text: String

            init(from decoder: any Decoder) throws {
                let container = try decoder.singleValueContainer()
                if let flag = try? container.decode(Bool.self) {
                    text = String(flag)
                } else if let whole = try? container.decode(Int.self) {
                    text = String(whole)
                } else if let number = try? container.decode(Double.self) {
                    text = Setting<Double>.plain(number)
                } else {
                    text = try container.decode(String.self)
                }
            }
        }
    }

    /// Texts as the reader is asked for them: a list, else one text.
    static func configValue(_ texts: [String], _ info: SettingInfo) -> ConfigValue {
        ConfigValue(info.separator == nil ? .string(texts.last ?? "") : .stringArray(texts), isSecret: info.isSecret)
    }
}

/// Which provider answered each key, as the reader reports its lookups: the source
/// `--print-config` shows, and a provider's failure as an error rather than a silent default.
private final class ProviderRecorder: AccessReporter {
    private let answers = Mutex<[String: Result<String?, any Error>]>([:])

    func report(_ event: AccessEvent) {
        var answer: Result<String?, any Error> = .success(nil)
        for result in event.providerResults {
            switch result.result {
            case let .failure(error): answer = .failure(error)
            case let .success(lookup) where lookup.value != nil: answer = .success(result.providerName)
            case .success: continue
            }
            break
        }
        answers.withLock { $0[event.metadata.key.description] = answer }
    }

    func answer(for key: String) -> Result<String?, any Error>? {
        answers.withLock { $0[key] }
    }
}

extension KokoroSettings {
    // MARK: The settings

    // The server's
    public static let host = Setting.text("host", flag: "--host", default: ServerConfiguration().host, defaultText: ServerConfiguration().host)
    public static let port = Setting.integer("port", flag: "--port", default: ServerConfiguration().port, range: 0...65_535)
    public static let apiKeys = Setting.list("api-keys", flag: "--api-key", separator: ",", isSecret: true,
                                             what: "keys (comma-separated in the variable)")
    public static let corsOrigins = Setting.list("cors-origins", flag: "--cors-origin", separator: ",",
                                                 what: "origins such as https://example.com (comma-separated in the variable)")
    public static let maxInput = Setting.integer("max-input", flag: "--max-input", default: ServerConfiguration().maxInputCharacters, range: 1...1_000_000)
    public static let maxConcurrent = Setting.integer("max-concurrent", flag: "--max-concurrent",
                                                      default: ServerConfiguration().maxConcurrentRequests, range: 1...1_024)
    public static let maxQueue = Setting.integer("max-queue", flag: "--max-queue", default: ServerConfiguration().maxQueuedRequests, range: 0...1_024)
    public static let queueTimeout = Setting.positive("queue-timeout", flag: "--queue-timeout",
                                                      default: ServerConfiguration().queueTimeoutSeconds, unit: "seconds")
    public static let stallTimeout = Setting.positive("stall-timeout", flag: "--stall-timeout",
                                                      default: ServerConfiguration().stallTimeoutSeconds, unit: "seconds")
    public static let wyomingPort = Setting.integer("wyoming-port", flag: "--wyoming-port", default: nil, defaultText: "off", range: 0...65_535)
    public static let devRoutes = Setting.choice("dev-routes", flag: "--dev-routes", default: "on", ["on": true, "off": false])
    public static let admission = Setting.choice("admission", flag: "--admission", default: "forecast", ["forecast": true, "capacity": false])
    public static let defaultVoice = Setting.text("default-voice", flag: "--default-voice", defaultText: "af_heart if installed, else the first voice",
                                                  accepts: "a voice's name, or a blend such as af_heart+am_adam")
    public static let memoryLimitMB = Setting.positive("memory-limit-mb", flag: "--memory-limit-mb", default: nil,
                                                       defaultText: "300 MB over the size at ready", unit: "megabytes")
    public static let prewarm = Setting.text("prewarm", flag: "--prewarm", defaultText: "none", accepts: "a UTF-8 text file, one phrase a line")
    public static let logLevel = Setting<Logger.Level>.choice("log-level", flag: "--log-level", default: "info", [
        "trace": .trace, "debug": .debug, "info": .info, "notice": .notice, "warning": .warning, "error": .error, "critical": .critical,
    ])

    // Where the engine's files are
    public static let model = Setting.text("model", flag: "--model", defaultText: "the cache's", accepts: "a Kokoro ONNX model file")
    public static let voices = Setting.list("voices", flag: "--voices", separator: ":", defaultText: "the cache's",
                                            what: "voice packs (.npz/.bin/.npy or folders; :-separated in the variable)")
    public static let vocab = Setting.text("vocab", flag: "--vocab", defaultText: "the cache's", accepts: "a vocab.json file")
    public static let ortLibrary = Setting.text("ort-library", flag: "--ort-library", defaultText: "the cache's, else the system's",
                                                accepts: "a libonnxruntime file")
    public static let cache = Setting.text("cache", flag: nil, defaultText: "~/.cache/kokoro-swift", accepts: "the folder scripts/setup.sh filled")
    public static let misakiData = Setting.text("misaki-data", flag: nil, defaultText: "the cache's", accepts: "misaki's data folder")
    public static let mandarinData = Setting.text("mandarin-data", flag: nil, defaultText: "the cache's", accepts: "the Mandarin dictionaries' folder")
    public static let japaneseData = Setting.text("japanese-data", flag: nil, defaultText: "the cache's", accepts: "the Japanese dictionaries' folder")
    public static let espeakLibrary = Setting.text("espeak-library", flag: nil, defaultText: "the system's", accepts: "a libespeak-ng file")
    public static let espeakData = Setting.text("espeak-data", flag: nil, defaultText: "espeak-ng's own", accepts: "espeak-ng's data folder")
    public static let mecabLibrary = Setting.text("mecab-library", flag: nil, defaultText: "the system's", accepts: "a libmecab file")

    // How the engine runs
    public static let threads = Setting.integer("threads", flag: "--threads", default: nil, defaultText: "the cores divided among the sessions",
                                                range: 1...1_024)
    public static let sessions = Setting.integer("sessions", flag: "--sessions", default: nil, defaultText: "one per core for serve, else 1",
                                                 range: 1...1_024)
    public static let optimizer = Setting<RealTimeOptimizer.Policy>.choice("optimizer", flag: "--optimizer", default: "auto", [
        "auto": .auto, "latency": .latency, "throughput": .throughput,
    ])
    public static let memoryBudgetMB = Setting.integer("memory-budget-mb", flag: "--memory-budget-mb", default: nil,
                                                       defaultText: "160, or an eighth of RAM if less", range: 1...1_048_576)
    public static let loudness = Setting<Double?>.single("loudness", flag: "--loudness", default: -16, defaultText: "-16",
                                                         accepts: "LUFS from -40 to -5 (e.g. -16), or off") { text in
        if text == "off" { return .some(nil) }
        guard let level = Double(text), (-40 ... -5).contains(level) else { return nil }
        return level
    }
    public static let pieceTokens = Setting.integer("piece-tokens", flag: "--piece-tokens", default: PhonemeChunker.defaultTargetTokens,
                                                    range: 16...PhonemeChunker.maxTokens)
    public static let decoderWindows = Setting<DecoderWindows?>.single(
        "decoder-windows", flag: "--decoder-windows", default: .standard,
        defaultText: "\(DecoderWindows.standard.firstFrames)/\(DecoderWindows.standard.frames)/\(DecoderWindows.standard.context)",
        accepts: "FIRST/LONGEST/CONTEXT frames, each 1-400 (e.g. 15/80/16), or off"
    ) { text in
        if text == "off" { return .some(nil) }
        let sizes = text.split(separator: "/", omittingEmptySubsequences: false).compactMap { Int($0) }
        guard sizes.count == 3, sizes.allSatisfy({ (1...400).contains($0) }) else { return nil }
        return DecoderWindows(firstFrames: sizes[0], frames: sizes[1], context: sizes[2])
    }
    public static let calibrateVoices = Setting.choice("calibrate-voices", flag: "--calibrate-voices", default: "on", ["on": true, "off": false])
    public static let maxAudioSeconds = Setting.positive("max-audio-seconds", flag: "--max-audio-seconds", default: 1_800, unit: "seconds")
    public static let lexicon = Setting.text("lexicon", flag: "--lexicon", defaultText: "none", accepts: "a JSON lexicon file")

    // `kokoro say`'s, to speak through a running server
    public static let server = Setting.text("server", flag: "--server", defaultText: "none: `say` loads the model itself",
                                            accepts: "a kokoro server's URL, e.g. http://127.0.0.1:8880")
    public static let apiKey = Setting<String>("api-key", flag: "--api-key", default: nil, defaultText: "none",
                                               accepts: "the server's API key", isSecret: true) { texts in
        texts.count == 1 && !texts[0].isEmpty ? texts[0] : nil
    }
    /// The settings only `kokoro say` has flags for.
    public static let clientSettings: [any AnySetting] = [server, apiKey]

    /// The JSON file of settings below the flags and variables; itself set by flag or variable only.
    public static let configSetting = Setting.text("config", flag: "--config", defaultText: "none", accepts: "a JSON file of settings")

    /// Every setting read through the reader, in the order `--print-config` and the help list them.
    public static let catalogue: [any AnySetting] = [
        host, port, apiKeys, corsOrigins, maxInput, maxConcurrent, maxQueue, queueTimeout, stallTimeout, wyomingPort,
        devRoutes, admission, defaultVoice, memoryLimitMB, prewarm, logLevel,
        model, voices, vocab, ortLibrary, cache, misakiData, mandarinData, japaneseData, espeakLibrary, espeakData, mecabLibrary,
        threads, sessions, optimizer, memoryBudgetMB, loudness, pieceTokens, decoderWindows, calibrateVoices, maxAudioSeconds, lexicon,
    ] + clientSettings

    /// The config file and every setting: what the help and the README list.
    public static var all: [SettingInfo] { [configSetting.info] + catalogue.map(\.info) }

    static let byKey = Dictionary(uniqueKeysWithValues: all.map { ($0.key, $0) })

    /// The help's list of variables.
    public static var variablesHelp: String {
        "Every setting is read from its flag, else its KOKORO_* variable, else the JSON file of --config (KOKORO_CONFIG) under the same key, else its default: "
            + all.map { "\($0.variable)\($0.flag.map { " (\($0))" } ?? "")" }.joined(separator: ", ")
            + ". --print-config shows each one's value and where it came from. espeak-ng and MeCab, loaded on first use, are looked for"
            + " at KOKORO_ESPEAK_LIBRARY (its data at KOKORO_ESPEAK_DATA) and KOKORO_MECAB_LIBRARY, else under their usual names."
    }
}
