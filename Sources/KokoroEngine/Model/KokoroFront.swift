import ONNXRuntime

/// Kokoro's front on one ONNX Runtime session: text encoder, durations and prosody, run on
/// a whole sentence at once (3–5 % of a whole run; the decoder is the rest).
public final class KokoroFront: Sendable {
    public let session: ORTSession
    /// Give ORT's arena back after each run (see `ArenaPolicy`).
    public let shrinkArenaAfterRun: Bool
    static let outputs = ["features", "f0", "energy", "durations"]

    public init(session: ORTSession, shrinkArenaAfterRun: Bool = false) throws(EngineError) {
        let inputs = Set(session.inputs.map(\.name)), outputs = Set(session.outputs.map(\.name))
        guard inputs == ["tokens", "style", "speed"], outputs == Set(Self.outputs) else {
            throw .corruptModel("front", "inputs \(inputs.sorted()) and outputs \(outputs.sorted()) are not Kokoro's front's (rerun scripts/setup.sh)")
        }
        self.session = session
        self.shrinkArenaAfterRun = shrinkArenaAfterRun
    }

    /// The sentence's frames; cancelling the calling task terminates the ORT run.
    public func frames(tokens: [Int64], style: ArraySlice<Float>, speed: Float) async throws -> SentenceFrames {
        guard tokens.count <= PhonemeChunker.maxTokens else { throw EngineError.tooManyTokens(tokens.count) }
        let session = self.session
        return try await blockingRun(runtime: session.runtime, shrinkArena: shrinkArenaAfterRun) { options in
            let outputs = try session.run(inputs: try KokoroModel.inputs(session: session, tokens: tokens, style: style, speed: speed),
                                          outputs: Self.outputs, options: options)
            return SentenceFrames(features: try outputs[0].elements(), f0: try outputs[1].elements(),
                                  energy: try outputs[2].elements(), durations: try outputs[3].elements())
        }
    }
}
