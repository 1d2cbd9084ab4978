import ONNXRuntime

/// Kokoro's decoder (the iSTFTNet waveform generator), run on any span of a sentence's
/// frames with the harmonic source's phase at its start.
///
/// Graphs of the same weights (`scripts/model/calibrated_decoder.py`): the plain one
/// normalizes over the frames it is given, so it is right for a whole sentence; the probe
/// does the same and reports those statistics; the calibrated one takes them as an input,
/// so every window of a sentence is normalized alike and the windows join as the whole
/// decode would (`scripts/model/NOTES.md`, "Calibrated windows").
public final class KokoroDecoder: Sendable {
    /// The plain decoder.
    public let session: ORTSession
    /// Builds the probe's session, run only to calibrate a voice (a run takes the plain
    /// decoder's memory: `scripts/model/NOTES.md`). Built for each probe run and released
    /// after it: kept in every pool session, the probes took 40 MB of a 390 MB server at
    /// ready (three sessions), for work that happens once per voice.
    public let makeProbe: (@Sendable () throws -> ORTSession)?
    /// The decoder fed its statistics (nil: windows cannot be decoded).
    public let calibrated: ORTSession?
    /// Give ORT's arena back after each run (see `ArenaPolicy`).
    public let shrinkArenaAfterRun: Bool
    static let inputs: Set<String> = ["features", "f0", "energy", "style", "phase"]

    public init(session: ORTSession, probe: (@Sendable () throws -> ORTSession)? = nil, calibrated: ORTSession? = nil,
                shrinkArenaAfterRun: Bool = false) throws(EngineError) {
        let inputs = Set(session.inputs.map(\.name))
        guard inputs == Self.inputs, session.outputs.map(\.name) == ["audio"] else {
            throw .corruptModel("decoder", "inputs \(inputs.sorted()) are not Kokoro's decoder's (rerun scripts/setup.sh)")
        }
        if let calibrated {
            guard Set(calibrated.inputs.map(\.name)) == Self.inputs.union(["statistics"]), calibrated.outputs.map(\.name) == ["audio"] else {
                throw .corruptModel("calibrated decoder", "inputs \(calibrated.inputs.map(\.name).sorted()) are not the calibrated decoder's (rerun scripts/setup.sh)")
            }
        }
        self.session = session
        self.makeProbe = probe
        self.calibrated = calibrated
        self.shrinkArenaAfterRun = shrinkArenaAfterRun
    }

    /// Samples of frames `range` of `sentence` (600 per frame), decoded on their own with the
    /// source's phase at `range.lowerBound`, normalized with `statistics` when given (else over
    /// `range` itself); cancelling the calling task terminates the run.
    public func decode(_ sentence: SentenceFrames, frames range: Range<Int>, phase: [Float], style: ArraySlice<Float>,
                       statistics: [Float]? = nil) async throws -> [Float] {
        precondition(!range.isEmpty && range.upperBound <= sentence.frames && phase.count == HarmonicPhase.harmonics)
        guard let session = statistics == nil ? session : calibrated else {
            throw EngineError.corruptModel("calibrated decoder", "not installed; rerun scripts/setup.sh")
        }
        return try await run(session, sentence, frames: range, phase: phase, style: style, statistics: statistics, output: "audio")
    }

    /// The normalization and quantizer statistics of decoding the whole sentence (phase zero).
    public func probe(_ sentence: SentenceFrames, style: ArraySlice<Float>) async throws -> [Float] {
        guard let makeProbe else { throw EngineError.corruptModel("decoder probe", "not installed; rerun scripts/setup.sh") }
        let probeSession = try makeProbe()
        guard Set(probeSession.inputs.map(\.name)) == Self.inputs, probeSession.outputs.map(\.name) == ["audio", "statistics"] else {
            throw EngineError.corruptModel("decoder probe", "outputs \(probeSession.outputs.map(\.name)) are not the probe's (rerun scripts/setup.sh)")
        }
        return try await run(probeSession, sentence, frames: 0..<sentence.frames, phase: HarmonicPhase(f0: sentence.f0).start(atFrame: 0),
                             style: style, statistics: nil, output: "statistics")
    }

    private func run(_ session: ORTSession, _ sentence: SentenceFrames, frames range: Range<Int>, phase: [Float], style: ArraySlice<Float>,
                     statistics: [Float]?, output: String) async throws -> [Float] {
        try await blockingRun(runtime: session.runtime, shrinkArena: shrinkArenaAfterRun) { options in
            let window = sentence.window(range)
            let frames = Int64(range.count)
            var inputs = [
                ("features", try session.tensor(window.features, shape: [1, Int64(SentenceFrames.channels), frames])),
                ("f0", try session.tensor(window.f0, shape: [1, 2 * frames])),
                ("energy", try session.tensor(window.energy, shape: [1, 2 * frames])),
                ("style", try session.tensor(style, shape: [1, Int64(style.count)])),
                ("phase", try session.tensor(phase, shape: [1, Int64(HarmonicPhase.harmonics)])),
            ]
            if let statistics { inputs.append(("statistics", try session.tensor(statistics, shape: [Int64(statistics.count)]))) }
            return try session.run(inputs: inputs, outputs: [output], options: options)[0].elements(of: Float.self)
        }
    }
}
