import Hummingbird
import KokoroEngine
import Logging
import ServiceLifecycle

/// Builds the server: routes, middleware and the service that loads and warms the engine.
/// Tests drive the result with `.router` or `.live`; `kokoro serve` runs it.
public func buildApplication(configuration: ServerConfiguration, state: ServerState, gate: AdmissionGate? = nil,
                             metrics: ServerMetrics = ServerMetrics(), services: [any Service] = [],
                             logger: Logger = Logger(label: "kokoro.server")) -> some ApplicationProtocol {
    let gate = gate ?? AdmissionGate(configuration: configuration)
    let memory = MemoryMonitor(watchdog: MemoryWatchdog(settings: .init(limitMB: configuration.memoryLimitMB)), state: state, logger: logger)
    let router = buildRouter(configuration: configuration, state: state, gate: gate, metrics: metrics, memory: memory)
    return Application(router: router,
                       configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "kokoro-swift"),
                       services: services + [memory], logger: logger)
}

func buildRouter(configuration: ServerConfiguration, state: ServerState, gate: AdmissionGate,
                 metrics: ServerMetrics, memory: MemoryMonitor) -> Router<KokoroRequestContext> {
    let router = Router(context: KokoroRequestContext.self)
    router.add(middleware: RequestLogMiddleware(metrics: metrics))
    router.add(middleware: OriginMiddleware(origins: Set(configuration.corsOrigins)))
    router.add(middleware: APIKeyMiddleware(keys: configuration.apiKeys))

    let speech = SpeechRoutes(state: state, configuration: configuration,
                              admission: Admission(gate: gate, configuration: configuration, metrics: metrics))
    let info = InfoRoutes(state: state, configuration: configuration, gate: gate, metrics: metrics, memory: memory)
    // OpenAI's paths, and the unversioned ones Open WebUI calls.
    for prefix in ["/v1", ""] {
        router.post("\(prefix)/audio/speech", use: speech.speech)
        router.get("\(prefix)/audio/voices", use: info.voices)
    }
    router.get("/v1/models", use: info.models)
    router.get("/audio/models", use: info.models)
    if configuration.devRoutes {
        router.post("/dev/phonemize", use: speech.phonemize)
        router.post("/dev/generate_from_phonemes", use: speech.generateFromPhonemes)
    }
    router.get("/health", use: info.health)
    router.get("/ready", use: info.ready)
    router.get("/status", use: info.status)
    router.get("/v1/stats", use: info.stats)
    router.get("/metrics", use: info.prometheus)
    router.get("/", use: info.page)
    return router
}

/// Drains on shutdown, before the HTTP server stops: `/ready` turns 503 at once (a load
/// balancer stops sending work), new requests get 503, and the requests running finish
/// (up to `gracePeriod`); then the server closes. Run it after the application in the same
/// service group: a group shuts its services down in reverse order.
public struct DrainService: Service {
    let state: ServerState
    let gate: AdmissionGate
    let gracePeriod: Duration
    let logger: Logger

    public init(state: ServerState, gate: AdmissionGate, gracePeriod: Duration, logger: Logger) {
        self.state = state
        self.gate = gate
        self.gracePeriod = gracePeriod
        self.logger = logger
    }

    public func run() async throws {
        try? await gracefulShutdown()
        state.beginDraining()
        let start = ContinuousClock.now
        let (active, queued) = (await gate.active, await gate.queued)
        logger.info("draining", metadata: ["active": "\(active)", "queued": "\(queued)"])
        while await gate.active + gate.queued > 0, start.duration(to: .now) < gracePeriod {
            try? await Task.sleep(for: .milliseconds(50))
        }
        let left = await gate.active
        logger.info("drained", metadata: ["seconds": "\(start.duration(to: .now).seconds)", "still_active": "\(left)"])
    }
}

/// Loads the engine, warms it, and marks the server ready; then waits for shutdown (a
/// service that returned would stop the whole server).
public struct EngineLoader: Service {
    let state: ServerState
    let load: @Sendable () throws -> KokoroEngine
    let warmer: EngineWarmer
    /// The voice requests will mostly use (nil: the engine's default).
    let voice: String?
    /// Phrases put in the audio cache once ready, behind real requests.
    let prewarmPhrases: [String]
    let logger: Logger

    public init(state: ServerState, warmer: EngineWarmer = EngineWarmer(), voice: String? = nil, prewarmPhrases: [String] = [],
                logger: Logger, load: @escaping @Sendable () throws -> KokoroEngine) {
        self.state = state
        self.load = load
        self.warmer = warmer
        self.voice = voice
        self.prewarmPhrases = prewarmPhrases
        self.logger = logger
    }

    public func run() async throws {
        do {
            let engine = try load()
            state.setEngine(engine)
            let report = try await warmer.warm(engine, voice: voice) { done, total in state.setPhase(.warming(done: done, of: total)) }
            state.setWarmup(report)
            state.markReady()
            logger.info("ready", metadata: ["startup_s": "\(state.startupSeconds ?? 0)", "warmup_s": "\(report.seconds)", "runs": "\(report.runs)"])
            if !prewarmPhrases.isEmpty {
                let start = ContinuousClock.now
                let pieces = try await engine.prewarm(phrases: prewarmPhrases, voice: voice ?? engine.defaultVoice)
                logger.info("audio cache pre-warmed", metadata: ["phrases": "\(prewarmPhrases.count)", "pieces": "\(pieces)",
                                                                 "seconds": "\(start.duration(to: .now).seconds)"])
            }
        } catch {
            state.setPhase(.failed("\(error)"))
            logger.error("engine failed to start: \(error)")
        }
        try? await gracefulShutdown()
    }
}
