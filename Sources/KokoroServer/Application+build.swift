import HTTPTypes
import Hummingbird
import HummingbirdWebSocket
import KokoroEngine
import Logging
import ServiceLifecycle

/// Builds the server: routes, middleware and the service that loads and warms the engine.
/// Tests drive the result with `.router` or `.live`; `kokoro serve` runs it.
public func buildApplication(configuration: ServerConfiguration, state: ServerState, gate: AdmissionGate? = nil,
                             metrics: ServerMetrics = ServerMetrics(), services: [any Service] = [],
                             logger: Logger = Logger(label: "kokoro.server")) -> some ApplicationProtocol {
    let gate = gate ?? AdmissionGate(configuration: configuration)
    let admission = Admission(gate: gate, configuration: configuration, metrics: metrics)
    let memory = MemoryMonitor(watchdog: MemoryWatchdog(settings: .init(limitMB: configuration.memoryLimitMB)), state: state, logger: logger)
    let router = buildRouter(configuration: configuration, state: state, admission: admission, memory: memory)
    let webSocketRouter = buildWebSocketRouter(configuration: configuration, state: state, admission: admission)
    // Home Assistant's protocol, when asked for, on the same engine and admission.
    let wyoming = configuration.wyomingPort.map {
        WyomingServer(host: configuration.host, port: $0, state: state, admission: admission,
                      stallTimeout: .seconds(configuration.stallTimeoutSeconds), logger: logger,
                      onListening: configuration.onWyomingListening)
    }
    return Application(router: router, server: .http1WebSocketUpgrade(webSocketRouter: webSocketRouter),
                       configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "kokoro-swift"),
                       services: services + [memory] + (wyoming.map { [$0] } ?? []), logger: logger)
}

func buildRouter(configuration: ServerConfiguration, state: ServerState, admission: Admission,
                 memory: MemoryMonitor) -> Router<KokoroRequestContext> {
    let metrics = admission.metrics
    let gate = admission.gate
    let router = Router(context: KokoroRequestContext.self)
    router.add(middleware: RequestLogMiddleware(metrics: metrics))
    router.add(middleware: OriginMiddleware(origins: Set(configuration.corsOrigins)))
    router.add(middleware: APIKeyMiddleware(keys: configuration.apiKeys))

    let speech = SpeechRoutes(state: state, configuration: configuration, admission: admission)
    let info = InfoRoutes(state: state, configuration: configuration, gate: gate, metrics: metrics, memory: memory)
    let lexicon = LexiconRoutes(state: state)
    for route in routeTable(speech: speech, info: info, lexicon: lexicon, devRoutes: configuration.devRoutes) {
        router.on(RouterPath(route.path), method: route.method, use: route.handler)
    }
    return router
}

/// The WebSocket routes, with the HTTP routes' keys and origins: only an upgrade request on
/// one of these paths becomes a WebSocket.
func buildWebSocketRouter(configuration: ServerConfiguration, state: ServerState, admission: Admission) -> Router<KokoroRequestContext> {
    let router = Router(context: KokoroRequestContext.self)
    router.add(middleware: RequestLogMiddleware(metrics: admission.metrics))
    router.add(middleware: OriginMiddleware(origins: Set(configuration.corsOrigins)))
    router.add(middleware: APIKeyMiddleware(keys: configuration.apiKeys))
    let live = LiveSpeech(state: state, admission: admission, configuration: configuration)
    router.ws(RouterPath(LiveSpeech.path)) { inbound, outbound, context in
        await live.run(inbound: inbound, outbound: outbound, channel: context.requestContext.channel, logger: context.logger)
    }
    return router
}

/// One route the server answers.
struct Route: Sendable {
    let method: HTTPRequest.Method
    let path: String
    let handler: @Sendable (Request, KokoroRequestContext) async throws -> Response
}

/// Every route, in one table: the router is built from it, and `OpenAPITests` holds the
/// OpenAPI document to it.
func routeTable(speech: SpeechRoutes, info: InfoRoutes, lexicon: LexiconRoutes, devRoutes: Bool) -> [Route] {
    var routes: [Route] = []
    // OpenAI's paths, and the unversioned ones Open WebUI calls.
    for prefix in ["/v1", ""] {
        routes.append(Route(method: .post, path: "\(prefix)/audio/speech") { try await speech.speech($0, context: $1) })
        routes.append(Route(method: .get, path: "\(prefix)/audio/voices") { try info.voices($0, context: $1) })
    }
    routes.append(Route(method: .get, path: "/v1/models") { try info.models($0, context: $1) })
    routes.append(Route(method: .get, path: "/audio/models") { try info.models($0, context: $1) })
    routes.append(Route(method: .get, path: "/v1/lexicon") { try lexicon.get($0, context: $1) })
    routes.append(Route(method: .put, path: "/v1/lexicon") { try await lexicon.put($0, context: $1) })
    if devRoutes {
        routes.append(Route(method: .post, path: "/dev/phonemize") { try await speech.phonemize($0, context: $1) })
        routes.append(Route(method: .post, path: "/dev/generate_from_phonemes") { try await speech.generateFromPhonemes($0, context: $1) })
        routes.append(Route(method: .post, path: "/dev/captioned_speech") { try await speech.captionedSpeech($0, context: $1) })
    }
    routes.append(Route(method: .get, path: "/health") { try info.health($0, context: $1) })
    routes.append(Route(method: .get, path: "/ready") { try info.ready($0, context: $1) })
    routes.append(Route(method: .get, path: "/status") { try await info.status($0, context: $1) })
    routes.append(Route(method: .get, path: "/v1/stats") { try await info.stats($0, context: $1) })
    routes.append(Route(method: .get, path: "/metrics") { await info.prometheus($0, context: $1) })
    routes.append(Route(method: .get, path: "/openapi.json") { _, _ in
        Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: OpenAPIDocument.json)))
    })
    routes.append(Route(method: .get, path: "/") { info.page($0, context: $1) })
    return routes
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
    let load: @Sendable () throws -> any SpeechService
    let warmer: EngineWarmer
    /// The voice requests will mostly use (nil: the engine's default).
    let voice: String?
    /// Phrases put in the audio cache once ready, behind real requests.
    let prewarmPhrases: [String]
    let logger: Logger

    public init(state: ServerState, warmer: EngineWarmer = EngineWarmer(), voice: String? = nil, prewarmPhrases: [String] = [],
                logger: Logger, load: @escaping @Sendable () throws -> any SpeechService) {
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
            let report = try await engine.warm(with: warmer, voice: voice) { done, total in state.setPhase(.warming(done: done, of: total)) }
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
        await state.engine?.stopBackgroundWork()
    }
}
