/// One model run, as the scheduler dispatches it to a session.
public enum ModelWork: Sendable {
    /// The whole model on a piece: tokens in, audio out.
    case whole(tokens: [Int64], style: ArraySlice<Float>, speed: Float)
    /// The front on a whole sentence: its frames, durations and prosody.
    case front(tokens: [Int64], style: ArraySlice<Float>, speed: Float)
    /// The decoder on a span of a sentence's frames, from the phase at its start, normalized
    /// with the sentence's calibrated statistics (nil: over the span itself).
    case decode(SentenceFrames, frames: Range<Int>, phase: [Float], style: ArraySlice<Float>, statistics: [Float]?)
    /// The decoder on a whole sentence for the statistics of its run (calibrating a voice).
    case probe(SentenceFrames, style: ArraySlice<Float>)

    /// What the run costs, in tokens of a whole run (the unit `DeadlineScheduler.RunCost`
    /// learns): a decoder window costs its share of frames of a whole run; the front is
    /// 3–5 % of a whole run (a study on 20 LJSpeech sentences; 56–80 ms of 1.7 s at 30 tokens
    /// measured by `scripts/model/check_split.py --time`), counted as a twentieth.
    public var costTokens: Int {
        switch self {
        case .whole(let tokens, _, _): tokens.count
        case .front(let tokens, _, _): Self.frontCost(tokens: tokens.count)
        case .decode(_, let frames, _, _, _): Self.decodeCost(frames: frames.count)
        case .probe(let sentence, _): Self.decodeCost(frames: sentence.frames)
        }
    }

    /// The memory the run takes at its peak, from its length: what `DispatchPolicy` keeps the
    /// runs in progress within. The decoder: in the server, 242 MB above its level between
    /// runs for two windows of 174 and 236 frames side by side (`scripts/bench/reliability.py`),
    /// where bare ORT (2 threads) takes 205 MB for 439 frames: ORT's buffers plus the arena's
    /// rounding and the run's inputs and outputs. The probe: bare ORT's 239 MB for those 439
    /// frames, scaled alike. The whole model grows its arena by `ArenaPolicy.bytesPerToken`;
    /// the front took 7 MB for that sentence's 163 tokens.
    public var bufferBytes: Int {
        switch self {
        case .whole(let tokens, _, _): tokens.count * ArenaPolicy.bytesPerToken
        case .front(let tokens, _, _): tokens.count * Self.frontBytesPerToken
        case .decode(_, let frames, _, _, _): frames.count * Self.decoderBytesPerFrame
        case .probe(let sentence, _): sentence.frames * Self.probeBytesPerFrame
        }
    }

    static let decoderBytesPerFrame = 242 * (1 << 20) / (174 + 236)
    static let probeBytesPerFrame = decoderBytesPerFrame * 239 / 205
    static let frontBytesPerToken = 7 * (1 << 20) / 163

    static func frontCost(tokens: Int) -> Int { max(1, tokens / 20) }
    static func decodeCost(frames: Int) -> Int { max(1, Int((Double(frames) / framesPerToken).rounded(.up))) }

    /// Frames the model makes per token on average (`RunCost.audioSecondsPerToken` in 25 ms frames).
    static let framesPerToken = DeadlineScheduler.RunCost.audioSecondsPerToken / 0.025
}

/// What a run made.
public enum ModelOutput: Sendable {
    case audio([Float])
    case frames(SentenceFrames)
    case statistics([Float])

    var audio: [Float] {
        get throws {
            guard case .audio(let samples) = self else { throw EngineError.corruptModel("model", "a run expected to make audio made frames") }
            return samples
        }
    }

    var frames: SentenceFrames {
        get throws {
            guard case .frames(let frames) = self else { throw EngineError.corruptModel("model", "a front run made no frames") }
            return frames
        }
    }

    var statistics: [Float] {
        get throws {
            guard case .statistics(let values) = self else { throw EngineError.corruptModel("model", "a probe run reported no statistics") }
            return values
        }
    }

    var sampleCount: Int {
        if case .audio(let samples) = self { samples.count } else { 0 }
    }
}
