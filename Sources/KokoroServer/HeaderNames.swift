import HTTPTypes

/// The non-standard headers the server sends or reads.
extension HTTPField.Name {
    static let requestID = Self("X-Request-Id")!
    static let speedClamped = Self("X-Speed-Clamped")!
    static let audioDuration = Self("X-Audio-Duration")!
    static let generationTime = Self("X-Generation-Time")!
    static let realTimeFactor = Self("X-RTF")!
    /// Says that the request's `instructions` were not followed (Kokoro has no style control).
    static let instructionsIgnored = Self("X-Instructions-Ignored")!
    /// Tells nginx and similar proxies not to buffer a stream.
    static let accelBuffering = Self("X-Accel-Buffering")!
}
