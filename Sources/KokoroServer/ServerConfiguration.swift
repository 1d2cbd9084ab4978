import KokoroEngine

/// Everything the server is told; `KokoroSettings` fills it from flags, `KOKORO_*` variables
/// or the config file, and its initial values are the settings' defaults.
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
}
