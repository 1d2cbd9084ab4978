import ArgumentParser
import Foundation
import Hummingbird
import KokoroEngine
import KokoroServer
import Logging
import ServiceLifecycle

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the OpenAI-compatible speech server.",
        discussion: "Every option also reads a KOKORO_* variable (KOKORO_HOST, KOKORO_PORT, KOKORO_API_KEYS, KOKORO_CORS_ORIGINS, KOKORO_MAX_INPUT, KOKORO_MAX_CONCURRENT, KOKORO_MAX_QUEUE, KOKORO_QUEUE_TIMEOUT, KOKORO_STALL_TIMEOUT, KOKORO_DEV_ROUTES, KOKORO_WYOMING_PORT, KOKORO_DEFAULT_VOICE, KOKORO_MEMORY_LIMIT_MB, KOKORO_ADMISSION, KOKORO_PREWARM, KOKORO_LOG_LEVEL; engine options: KOKORO_MODEL, KOKORO_VOICES, KOKORO_VOCAB, KOKORO_ORT_LIBRARY, KOKORO_THREADS, KOKORO_SESSIONS, KOKORO_OPTIMIZER, KOKORO_MEMORY_BUDGET_MB, KOKORO_LOUDNESS, KOKORO_PIECE_TOKENS, KOKORO_DECODER_WINDOWS, KOKORO_CALIBRATE_VOICES, KOKORO_MAX_AUDIO_SECONDS, KOKORO_LEXICON).")

    @Option(help: "Address to bind (default 127.0.0.1: only this machine).")
    var host: String?

    @Option(help: "Port (default 8880).")
    var port: Int?

    @Option(name: .customLong("api-key"), help: "Require Authorization: Bearer KEY; repeat for several keys.")
    var apiKeys: [String] = []

    @Option(name: .customLong("cors-origin"), help: "Allow browser calls from this origin; repeat for several.")
    var corsOrigins: [String] = []

    @Option(name: .customLong("max-input"), help: "Longest accepted input in characters (default 20000).")
    var maxInput: Int?

    @Option(name: .customLong("max-concurrent"), help: "Most requests synthesizing at once (default 8); fewer are admitted when the measured speed keeps fewer streams in real time.")
    var maxConcurrent: Int?

    @Option(name: .customLong("max-queue"), help: "Requests that may wait for a slot before 503s (default 4).")
    var maxQueue: Int?

    @Option(name: .customLong("queue-timeout"), help: "Seconds a request may wait for a slot, or a stream for room to run in real time, before its 503 (default 5).")
    var queueTimeout: Double?

    @Option(name: .customLong("stall-timeout"), help: "Seconds a streamed write may wait for a client that stopped reading before its connection is closed (default 30).")
    var stallTimeout: Double?

    @Option(name: .customLong("wyoming-port"), help: "Also serve Home Assistant's Wyoming protocol on this TCP port, e.g. 10200 (default: off).")
    var wyomingPort: Int?

    @Option(name: .customLong("dev-routes"), help: "Serve /dev/phonemize and /dev/generate_from_phonemes: on or off (default on).")
    var devRoutes: String?

    @Option(help: "How real-time streams are admitted: forecast (refuse one that would make itself or a running stream run dry, with Retry-After) or capacity (only the measured real-time capacity) (default forecast).")
    var admission: String?

    @Option(name: .customLong("default-voice"), help: "Voice when a request names none (default af_heart).")
    var defaultVoice: String?

    @Option(name: .customLong("memory-limit-mb"), help: "Resident memory above which the idle server gives memory back, rebuilding its sessions if needed (default: 300 MB over the size at ready).")
    var memoryLimitMB: Double?

    @Option(name: .customLong("prewarm"), help: "A text file of phrases (one per line) to put in the audio cache once ready, so they stream at once (default: $KOKORO_PREWARM).")
    var prewarm: String?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical (default info).")
    var logLevel: String?

    @OptionGroup var engineOptions: EngineOptions

    func run() async throws {
        let allocator = MemoryWatchdog.configureAllocator()
        let environment = ProcessInfo.processInfo.environment
        var configuration: ServerConfiguration
        do {
            configuration = try ServerConfiguration.fromEnvironment(environment)
            if let admission { try configuration.setAdmission(admission) }
            if let devRoutes { try configuration.setDevRoutes(devRoutes) }
        } catch {
            throw ValidationError("\(error)")
        }
        if let host { configuration.host = host }
        if let port { configuration.port = port }
        if !apiKeys.isEmpty { configuration.apiKeys = apiKeys }
        if !corsOrigins.isEmpty { configuration.corsOrigins = corsOrigins }
        if let maxInput { configuration.maxInputCharacters = maxInput }
        if let defaultVoice { configuration.defaultVoice = defaultVoice }
        if let maxConcurrent { configuration.maxConcurrentRequests = maxConcurrent }
        if let maxQueue { configuration.maxQueuedRequests = maxQueue }
        if let queueTimeout { configuration.queueTimeoutSeconds = queueTimeout }
        if let stallTimeout { configuration.stallTimeoutSeconds = stallTimeout }
        if let wyomingPort { configuration.wyomingPort = wyomingPort }
        if let memoryLimitMB { configuration.memoryLimitMB = memoryLimitMB }
        guard configuration.maxQueuedRequests >= 0, configuration.maxConcurrentRequests >= 1,
              configuration.queueTimeoutSeconds > 0, configuration.stallTimeoutSeconds > 0 else {
            throw ValidationError("--max-concurrent must be at least 1, --max-queue at least 0, and --queue-timeout and --stall-timeout above 0 seconds")
        }

        let levelName = logLevel ?? environment["KOKORO_LOG_LEVEL"] ?? "info"
        guard let level = Logger.Level(rawValue: levelName) else {
            throw ValidationError("unknown log level \(levelName): use trace, debug, info, notice, warning, error or critical")
        }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "kokoro.server")
        logger.info("allocator: \(allocator ?? "system default")")
        let state = ServerState()
        let options = engineOptions
        var phrases: [String] = []
        if let path = prewarm ?? environment["KOKORO_PREWARM"] {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw ValidationError("cannot read the pre-warm phrase list \(path): give a UTF-8 text file, one phrase per line")
            }
            phrases = text.split(whereSeparator: \.isNewline).map(String.init)
        }
        let loader = EngineLoader(state: state, voice: configuration.defaultVoice, prewarmPhrases: phrases, logger: logger) {
            try options.makeEngine(defaultSessions: nil)
        }
        let gate = AdmissionGate(configuration: configuration)
        let app = buildApplication(configuration: configuration, state: state, gate: gate, services: [loader], logger: logger)
        let drain = DrainService(state: state, gate: gate, gracePeriod: .seconds(configuration.shutdownGracePeriod), logger: logger)
        logger.info("listening on http://\(configuration.host):\(configuration.port) (auth \(configuration.apiKeys.isEmpty ? "off" : "on"))")
        var groupConfiguration = ServiceGroupConfiguration(services: [app, drain], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        // The drain waits up to the grace period; the server then closes in moments.
        groupConfiguration.maximumGracefulShutdownDuration = .seconds(configuration.shutdownGracePeriod + 5)
        try await ServiceGroup(configuration: groupConfiguration).run()
    }
}
