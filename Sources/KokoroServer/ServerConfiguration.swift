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
    /// Requests that may wait for a free slot; more are refused with 503 at once. A few: a
    /// second user on a machine another program keeps busy waits a moment rather than
    /// being refused (`Admission`).
    public var maxQueuedRequests = 4
    /// The longest a request waits for a slot (or a stream for room to run in real time)
    /// before its 503.
    public var queueTimeoutSeconds = 5.0
    /// Seconds a streamed response's write may wait for a client that stopped reading before
    /// its connection is closed and its slot freed.
    public var stallTimeoutSeconds = 30.0
    /// How long in-flight streams may take to finish on shutdown, in seconds.
    public var shutdownGracePeriod = 30.0
    /// nil: `af_heart` when installed, else the first voice.
    public var defaultVoice: String?
    /// Resident memory above which the idle server gives memory back (nil: 300 MB over the size at ready).
    public var memoryLimitMB: Double?
    /// Refuse a stream the engine's forecast finds would make itself or a running stream
    /// late (`SpeechService.admit`); off, only the measured capacity limits streams.
    public var forecastAdmission = true
    /// Serve `/dev/phonemize` and `/dev/generate_from_phonemes` (under the same limits and
    /// admission as speech).
    public var devRoutes = true
    /// Serve Home Assistant's Wyoming protocol on this TCP port (nil: off), on `host`.
    public var wyomingPort: Int?
    /// Called with the Wyoming port once it listens (tests bind port 0).
    public var onWyomingListening: @Sendable (Int) -> Void = { _ in }

    public init() {}

    /// A setting that cannot be used, from a flag or a variable alike; the message names it
    /// and what it accepts.
    public struct Invalid: Error, CustomStringConvertible {
        public let description: String
    }

    /// Reads `KOKORO_HOST`, `KOKORO_PORT`, `KOKORO_API_KEYS` (comma-separated),
    /// `KOKORO_CORS_ORIGINS`, `KOKORO_MAX_INPUT`, `KOKORO_MAX_CONCURRENT`, `KOKORO_MAX_QUEUE`,
    /// `KOKORO_QUEUE_TIMEOUT`, `KOKORO_STALL_TIMEOUT`, `KOKORO_DEFAULT_VOICE`,
    /// `KOKORO_MEMORY_LIMIT_MB`, `KOKORO_ADMISSION` (`forecast` or `capacity`) and
    /// `KOKORO_DEV_ROUTES` (`on` or `off`) and `KOKORO_WYOMING_PORT`. A value that is not valid is an error, never ignored.
    public static func fromEnvironment(_ environment: [String: String]) throws -> ServerConfiguration {
        var configuration = ServerConfiguration()
        let list = { (name: String) in
            environment[name].map { $0.split(separator: ",").map { $0.trimmingWhitespace() }.filter { !$0.isEmpty } } ?? []
        }
        func integer(_ name: String, _ range: ClosedRange<Int>) throws -> Int? {
            guard let text = environment[name] else { return nil }
            guard let value = Int(text), range.contains(value) else {
                throw Invalid(description: "\(name)=\(text) is not a whole number from \(range.lowerBound) to \(range.upperBound)")
            }
            return value
        }
        func positive(_ name: String, _ unit: String) throws -> Double? {
            guard let text = environment[name] else { return nil }
            guard let value = Double(text), value.isFinite, value > 0 else { throw Invalid(description: "\(name)=\(text) is not a number of \(unit) above 0") }
            return value
        }
        if let host = environment["KOKORO_HOST"] { configuration.host = host }
        if let port = try integer("KOKORO_PORT", 0...65_535) { configuration.port = port }
        configuration.apiKeys = list("KOKORO_API_KEYS")
        configuration.corsOrigins = list("KOKORO_CORS_ORIGINS")
        if let limit = try integer("KOKORO_MAX_INPUT", 1...1_000_000) { configuration.maxInputCharacters = limit }
        if let limit = try integer("KOKORO_MAX_CONCURRENT", 1...1_024) { configuration.maxConcurrentRequests = limit }
        if let limit = try integer("KOKORO_MAX_QUEUE", 0...1_024) { configuration.maxQueuedRequests = limit }
        if let timeout = try positive("KOKORO_QUEUE_TIMEOUT", "seconds") { configuration.queueTimeoutSeconds = timeout }
        if let timeout = try positive("KOKORO_STALL_TIMEOUT", "seconds") { configuration.stallTimeoutSeconds = timeout }
        configuration.defaultVoice = environment["KOKORO_DEFAULT_VOICE"]
        configuration.memoryLimitMB = try positive("KOKORO_MEMORY_LIMIT_MB", "megabytes")
        if let admission = environment["KOKORO_ADMISSION"] { try configuration.setAdmission(admission) }
        if let dev = environment["KOKORO_DEV_ROUTES"] { try configuration.setDevRoutes(dev) }
        configuration.wyomingPort = try integer("KOKORO_WYOMING_PORT", 0...65_535)
        return configuration
    }

    /// `forecast` or `capacity`.
    public mutating func setAdmission(_ value: String) throws {
        switch value {
        case "forecast": forecastAdmission = true
        case "capacity": forecastAdmission = false
        default: throw Invalid(description: "unknown admission mode \(value): use forecast or capacity")
        }
    }

    /// `on` or `off`.
    public mutating func setDevRoutes(_ value: String) throws {
        switch value {
        case "on": devRoutes = true
        case "off": devRoutes = false
        default: throw Invalid(description: "dev routes \(value): use on or off")
        }
    }
}
