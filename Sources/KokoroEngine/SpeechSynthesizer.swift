import ONNXRuntime

/// The model stage: phoneme tokens and a voice style in, 24 kHz samples out.
///
/// A protocol so the pipeline can be tested without the model and so a pool of sessions
/// (or another back end) can stand in for a single session.
public protocol SpeechSynthesizer: Sendable {
    /// Samples for `tokens` (without padding, at most 510), spoken with `style` at `speed`.
    func synthesize(tokens: [Int64], style: ArraySlice<Float>, speed: Float) async throws -> [Float]
    /// Runs `work`; a synthesizer that is not split in front and decoder runs whole pieces only.
    func perform(_ work: ModelWork) async throws -> ModelOutput
}

extension SpeechSynthesizer {
    public func perform(_ work: ModelWork) async throws -> ModelOutput {
        guard case .whole(let tokens, let style, let speed) = work else {
            throw EngineError.corruptModel("model", "this session runs whole pieces only, not the front or decoder windows")
        }
        return .audio(try await synthesize(tokens: tokens, style: style, speed: speed))
    }
}

/// Kokoro-82M on one ONNX Runtime session.
public final class KokoroModel: SpeechSynthesizer {
    public static let sampleRate = 24_000
    public let session: ORTSession
    public let modelPath: String
    /// Give ORT's arena back after each run (see `ArenaPolicy`).
    public let shrinkArenaAfterRun: Bool

    public init(session: ORTSession, modelPath: String, shrinkArenaAfterRun: Bool = false) throws(EngineError) {
        let names = session.inputs.map(\.name)
        guard Set(names) == ["tokens", "style", "speed"],
              session.outputs.count == 1 else {
            throw .corruptModel("model", "inputs \(names) are not Kokoro's (tokens, style, speed)")
        }
        self.session = session
        self.modelPath = modelPath
        self.shrinkArenaAfterRun = shrinkArenaAfterRun
    }

    /// Runs the model once; cancelling the calling task terminates the ORT run.
    public func synthesize(tokens: [Int64], style: ArraySlice<Float>, speed: Float) async throws -> [Float] {
        guard tokens.count <= PhonemeChunker.maxTokens else { throw EngineError.tooManyTokens(tokens.count) }
        let session = self.session
        let outputName = session.outputs[0].name
        return try await blockingRun(runtime: session.runtime, shrinkArena: shrinkArenaAfterRun) { options in
            try Self.run(session: session, tokens: tokens, style: style, speed: speed, outputName: outputName, options: options)
        }
    }

    /// The bare ORT call: padding, tensors, run, samples. Benchmarks time this directly.
    public static func run(session: ORTSession, tokens: [Int64], style: ArraySlice<Float>, speed: Float,
                           outputName: String = "audio", options: RunOptions? = nil) throws -> [Float] {
        let outputs = try session.run(inputs: try inputs(session: session, tokens: tokens, style: style, speed: speed),
                                      outputs: [outputName], options: options)
        return try outputs[0].elements(of: Float.self)
    }

    /// Kokoro's inputs (the whole model's and the front's): tokens 0-padded at both ends,
    /// the voice's style row, and the speed.
    static func inputs(session: ORTSession, tokens: [Int64], style: ArraySlice<Float>, speed: Float) throws -> [(name: String, value: ORTValue)] {
        var padded = [Int64](repeating: 0, count: tokens.count + 2)
        padded.replaceSubrange(1...tokens.count, with: tokens)
        return [
            ("tokens", try session.tensor(padded, shape: [1, Int64(padded.count)])),
            ("style", try session.tensor(style, shape: [1, Int64(style.count)])),
            ("speed", try session.tensor([speed], shape: [1])),
        ]
    }
}
