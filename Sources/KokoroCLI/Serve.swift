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
        discussion: KokoroSettings.variablesHelp)

    @Option(help: "Address to bind (default \(KokoroSettings.host.info.defaultText): only this machine).")
    var host: String?

    @Option(help: "Port (default \(KokoroSettings.port.info.defaultText)).")
    var port: String?

    @Option(name: .customLong("api-key"), help: "Require Authorization: Bearer KEY; repeat for several keys.")
    var apiKeys: [String] = []

    @Option(name: .customLong("cors-origin"), help: "Allow browser calls from this origin; repeat for several.")
    var corsOrigins: [String] = []

    @Option(name: .customLong("max-input"), help: "Longest accepted input in characters (default \(KokoroSettings.maxInput.info.defaultText)).")
    var maxInput: String?

    @Option(name: .customLong("max-concurrent"), help: "Most requests synthesizing at once (default \(KokoroSettings.maxConcurrent.info.defaultText)); fewer are admitted when the measured speed keeps fewer streams in real time.")
    var maxConcurrent: String?

    @Option(name: .customLong("max-queue"), help: "Requests that may wait for a slot before 503s (default \(KokoroSettings.maxQueue.info.defaultText)).")
    var maxQueue: String?

    @Option(name: .customLong("queue-timeout"), help: "Seconds a request may wait for a slot, or a stream for room to run in real time, before its 503 (default \(KokoroSettings.queueTimeout.info.defaultText)).")
    var queueTimeout: String?

    @Option(name: .customLong("stall-timeout"), help: "Seconds a streamed write may wait for a client that stopped reading before its connection is closed (default \(KokoroSettings.stallTimeout.info.defaultText)).")
    var stallTimeout: String?

    @Option(name: .customLong("wyoming-port"), help: "Also serve Home Assistant's Wyoming protocol on this TCP port, e.g. 10200 (default: \(KokoroSettings.wyomingPort.info.defaultText)).")
    var wyomingPort: String?

    @Option(name: .customLong("dev-routes"), help: "Serve /dev/phonemize and /dev/generate_from_phonemes: on or off (default \(KokoroSettings.devRoutes.info.defaultText)).")
    var devRoutes: String?

    @Option(help: "How real-time streams are admitted: forecast (refuse one that would make itself or a running stream run dry, with Retry-After) or capacity (only the measured real-time capacity) (default \(KokoroSettings.admission.info.defaultText)).")
    var admission: String?

    @Option(name: .customLong("default-voice"), help: "Voice when a request names none (default \(KokoroSettings.defaultVoice.info.defaultText)).")
    var defaultVoice: String?

    @Option(name: .customLong("memory-limit-mb"), help: "Resident memory above which the idle server gives memory back, rebuilding its sessions if needed (default: \(KokoroSettings.memoryLimitMB.info.defaultText)).")
    var memoryLimitMB: String?

    @Option(name: .customLong("prewarm"), help: "A text file of phrases (one per line) to put in the audio cache once ready, so they stream at once (default: $KOKORO_PREWARM).")
    var prewarm: String?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical (default \(KokoroSettings.logLevel.info.defaultText)).")
    var logLevel: String?

    @Flag(name: .customLong("print-config"), help: "Print every setting, its value and where it came from (flag, variable, config file or default), API keys redacted, and exit without loading the model.")
    var printConfig = false

    @OptionGroup var engineOptions: EngineOptions

    /// The settings from these flags, the environment and the config file.
    func settings() throws -> KokoroSettings {
        try engineOptions.settings(adding: [
            (KokoroSettings.host, host), (KokoroSettings.port, port), (KokoroSettings.maxInput, maxInput),
            (KokoroSettings.maxConcurrent, maxConcurrent), (KokoroSettings.maxQueue, maxQueue),
            (KokoroSettings.queueTimeout, queueTimeout), (KokoroSettings.stallTimeout, stallTimeout),
            (KokoroSettings.wyomingPort, wyomingPort), (KokoroSettings.devRoutes, devRoutes), (KokoroSettings.admission, admission),
            (KokoroSettings.defaultVoice, defaultVoice), (KokoroSettings.memoryLimitMB, memoryLimitMB),
            (KokoroSettings.prewarm, prewarm), (KokoroSettings.logLevel, logLevel),
        ], lists: [(KokoroSettings.apiKeys, apiKeys), (KokoroSettings.corsOrigins, corsOrigins)])
    }

    func run() async throws {
        let allocator = MemoryWatchdog.configureAllocator()
        let settings = try settings()
        if printConfig {
            print(try validated { try settings.printed(defaultSessions: nil, cores: EngineOptions.cores) })
            return
        }
        // Every setting is checked before anything starts, the engine's too.
        let (configuration, level, prewarmFile, engineConfiguration) = try validated {
            try (settings.serverConfiguration(), settings.defaulted(KokoroSettings.logLevel), settings.value(KokoroSettings.prewarm),
                 settings.engineConfiguration(defaultSessions: nil, cores: EngineOptions.cores))
        }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "kokoro.server")
        logger.info("allocator: \(allocator ?? "system default")")
        let state = ServerState()
        var phrases: [String] = []
        if let path = prewarmFile {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw ValidationError("cannot read the pre-warm phrase list \(path): give a UTF-8 text file, one phrase per line")
            }
            phrases = text.split(whereSeparator: \.isNewline).map(String.init)
        }
        let loader = EngineLoader(state: state, voice: configuration.defaultVoice, prewarmPhrases: phrases, logger: logger) {
            try KokoroEngine(configuration: engineConfiguration)
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
