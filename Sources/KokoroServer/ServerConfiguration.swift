import KokoroEngine

/// Everything `kokoro serve` can be told, from flags or `KOKORO_*` variables.
public struct ServerConfiguration: Sendable {
    public var host = "127.0.0.1"
    public var port = 8880
    /// Bearer keys; empty means no authentication.
    public var apiKeys: [String] = []
    /// Origins allowed to call the API from a browser; none by default.
    public var corsOrigins: [String] = []
    /// Longest accepted `input`, in characters (413 beyond).
    public var maxInputCharacters = 20_000
    /// Most requests synthesizing at once; the measured real-time capacity may admit fewer.
    public var maxConcurrentRequests = 8
    /// Requests waiting for a free slot; more are refused with 503 at once. None by default:
    /// a stream that waits for a slot would start late, so it is better told to retry.
    public var maxQueuedRequests = 0
    /// How long in-flight streams may take to finish on shutdown, in seconds.
    public var shutdownGracePeriod = 30.0
    /// nil: `af_heart` when installed, else the first voice.
    public var defaultVoice: String?
    /// Resident memory above which the idle server gives memory back (nil: 300 MB over the size at ready).
    public var memoryLimitMB: Double?
    /// Refuse a stream the engine's forecast finds would make itself or a running stream
    /// late (`KokoroEngine.admit`); off, only the measured capacity limits streams.
    public var forecastAdmission = true

    public init() {}

    /// Reads `KOKORO_HOST`, `KOKORO_PORT`, `KOKORO_API_KEYS` (comma-separated),
    /// `KOKORO_CORS_ORIGINS`, `KOKORO_MAX_INPUT`, `KOKORO_MAX_CONCURRENT`,
    /// `KOKORO_MAX_QUEUE`, `KOKORO_DEFAULT_VOICE`, `KOKORO_MEMORY_LIMIT_MB`, `KOKORO_ADMISSION`
    /// (`forecast` or `capacity`).
    public static func fromEnvironment(_ environment: [String: String]) -> ServerConfiguration {
        var configuration = ServerConfiguration()
        let list = { (name: String) in
            environment[name].map { $0.split(separator: ",").map { $0.trimmingWhitespace() }.filter { !$0.isEmpty } } ?? []
        }
        if let host = environment["KOKORO_HOST"] { configuration.host = host }
        if let port = environment["KOKORO_PORT"].flatMap(Int.init) { configuration.port = port }
        configuration.apiKeys = list("KOKORO_API_KEYS")
        configuration.corsOrigins = list("KOKORO_CORS_ORIGINS")
        if let limit = environment["KOKORO_MAX_INPUT"].flatMap(Int.init) { configuration.maxInputCharacters = limit }
        if let limit = environment["KOKORO_MAX_CONCURRENT"].flatMap(Int.init) { configuration.maxConcurrentRequests = limit }
        if let limit = environment["KOKORO_MAX_QUEUE"].flatMap(Int.init) { configuration.maxQueuedRequests = limit }
        configuration.defaultVoice = environment["KOKORO_DEFAULT_VOICE"]
        configuration.memoryLimitMB = environment["KOKORO_MEMORY_LIMIT_MB"].flatMap(Double.init)
        if environment["KOKORO_ADMISSION"] == "capacity" { configuration.forecastAdmission = false }
        return configuration
    }
}
