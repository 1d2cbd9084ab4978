import ONNXRuntime

/// Kokoro's decoder (the iSTFTNet waveform generator) on one ONNX Runtime session, run on
/// any span of a sentence's frames with the harmonic source's phase at its start.
public final class KokoroDecoder: Sendable {
    public let session: ORTSession
    /// Give ORT's arena back after each run (see `ArenaPolicy`).
    public let shrinkArenaAfterRun: Bool

    public init(session: ORTSession, shrinkArenaAfterRun: Bool = false) throws(EngineError) {
        let inputs = Set(session.inputs.map(\.name))
        guard inputs == ["features", "f0", "energy", "style", "phase"], session.outputs.map(\.name) == ["audio"] else {
            throw .corruptModel("decoder", "inputs \(inputs.sorted()) are not Kokoro's decoder's (rerun scripts/setup.sh)")
        }
        self.session = session
        self.shrinkArenaAfterRun = shrinkArenaAfterRun
    }

    /// Samples of frames `range` of `sentence` (600 per frame), decoded on their own with
    /// the source's phase at `range.lowerBound`; cancelling the calling task terminates the run.
    public func decode(_ sentence: SentenceFrames, frames range: Range<Int>, phase: [Float], style: ArraySlice<Float>) async throws -> [Float] {
        precondition(!range.isEmpty && range.upperBound <= sentence.frames && phase.count == HarmonicPhase.harmonics)
        let session = self.session
        return try await blockingRun(runtime: session.runtime, shrinkArena: shrinkArenaAfterRun) { options in
            let window = sentence.window(range)
            let frames = Int64(range.count)
            let outputs = try session.run(inputs: [
                ("features", session.tensor(window.features, shape: [1, Int64(SentenceFrames.channels), frames])),
                ("f0", session.tensor(window.f0, shape: [1, 2 * frames])),
                ("energy", session.tensor(window.energy, shape: [1, 2 * frames])),
                ("style", session.tensor(style, shape: [1, Int64(style.count)])),
                ("phase", session.tensor(phase, shape: [1, Int64(HarmonicPhase.harmonics)])),
            ], outputs: ["audio"], options: options)
            return try outputs[0].elements(of: Float.self)
        }
    }
}
