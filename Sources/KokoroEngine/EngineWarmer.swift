/// Runs the model before the first request so it is served at steady-state speed: ORT
/// allocates its buffers and plans memory on the first runs of each size.
public struct EngineWarmer: Sendable {
    /// Token counts to run, short (a first clause) to long (a full sentence).
    public var tokenCounts: [Int]

    public init(tokenCounts: [Int] = [8, 32]) { self.tokenCounts = tokenCounts }

    public struct Report: Sendable {
        public let runs: Int
        public let seconds: Double
    }

    public func warm(_ engine: KokoroEngine, voice: String? = nil,
                     progress: @Sendable (Int, Int) -> Void = { _, _ in }) async throws -> Report {
        let style = try engine.voices.resolve(voice ?? engine.defaultVoice)
        // Real phonemes, repeated to length: the model's cost depends on what it says, not just how much.
        let sample = engine.vocabulary.tokenize("ðə kwˈɪk bɹˈWn fˈɑks ʤˈʌmps ˌOvəɹ ðə lˈAzi dˈɑɡ. ").tokens
        let start = ContinuousClock.now
        for (index, count) in tokenCounts.enumerated() {
            progress(index, tokenCounts.count)
            let tokens = (0..<count).map { sample[$0 % sample.count] }
            _ = try await engine.model.synthesize(tokens: tokens, style: style.style(forTokenCount: count), speed: 1)
        }
        progress(tokenCounts.count, tokenCounts.count)
        return Report(runs: tokenCounts.count, seconds: start.duration(to: .now).seconds)
    }
}
