import KokoroPhonemizer
import KokoroVoices

/// What to say and how: the engine's whole input for one utterance.
public struct SpeechRequest: Sendable, Equatable {
    public var text: String
    /// A voice name or blend (`af_bella(2)+af_sky(1)`).
    public var voice: String
    public var speed: Float
    /// nil: taken from the voice's first letter.
    public var language: Language?
    /// Serve repeated pieces from the audio cache (and keep new ones there).
    public var useCache: Bool
    /// A listener plays the audio as it comes: each piece is due when the audio before it
    /// has played, and need not be made much sooner. Otherwise every piece is due at once.
    public var realTime: Bool
    /// Which written forms are rewritten into words before phonemizing.
    public var normalization: NormalizationOptions
    public init(text: String, voice: String, speed: Float = 1, language: Language? = nil, useCache: Bool = true,
                realTime: Bool = false, normalization: NormalizationOptions = .standard) {
        self.normalization = normalization
        self.useCache = useCache
        self.realTime = realTime
        self.text = text
        self.voice = voice
        self.speed = speed
        self.language = language
    }
}

/// One unit of work in a planned utterance.
public enum Segment: Sendable, Equatable {
    /// Phonemes to synthesize, their tokens (no padding), the pause that follows them, and
    /// the words of the request they speak.
    case speech(phonemes: String, tokens: [Int64], pauseAfter: Int, words: [SpokenWord])
    /// Exact silence from an inline `[pause:1.5s]`, in samples; the model does not run.
    case silence(samples: Int)
}

/// A validated request: voice resolved, text phonemized and cut into segments.
public struct SynthesisJob: Sendable {
    public let request: SpeechRequest
    public let language: Language
    public let style: VoiceStyle
    public let segments: [Segment]
    /// The `StreamLedger` entry of an admitted real-time job (set by `SpeechService.admit`).
    public var streamID: UInt64?
    /// The decoder's pace its windows were planned with at admission (`DeadlineScheduler.pace(streams:)`).
    var pace = 0.0

    /// A planned job; `SpeechService` implementations other than the engine make their own.
    public init(request: SpeechRequest, language: Language, style: VoiceStyle, segments: [Segment]) {
        self.request = request
        self.language = language
        self.style = style
        self.segments = segments
    }

    /// Phoneme tokens in all speech segments.
    public var tokenCount: Int {
        segments.reduce(0) { if case .speech(_, let tokens, _, _) = $1 { $0 + tokens.count } else { $0 } }
    }

    /// Seconds of audio the job is expected to make: speech estimated from its tokens, and
    /// its pauses exactly.
    public var estimatedAudioSeconds: Double {
        plannedPieces().reduce(0) { $0 + $1.audioSeconds }
    }

    /// The runs as admission plans with them: for each segment, the model runs it takes (the
    /// whole model, or with `windows` the front and then the decoder windows of the frames
    /// the sentence is expected to last, at the decoder's `pace` as `DecoderWindows.plan`
    /// sizes them), each with its cost in tokens and the audio it adds (speech at the
    /// measured seconds per token, and the pause after it).
    func plannedPieces(windows: DecoderWindows? = nil, pace: Double = 0) -> [AdmissionForecast.Stream.Piece] {
        plannedRuns(windows: windows, pace: pace).flatMap { $0 }
    }

    /// `plannedPieces`, segment by segment.
    func plannedRuns(windows: DecoderWindows?, pace: Double = 0) -> [[AdmissionForecast.Stream.Piece]] {
        let rate = Double(KokoroModel.sampleRate)
        // What the listener has in hand as each segment starts (nothing before the first
        // audio; no limit for a whole file).
        var ahead: Double? = request.realTime ? nil : .infinity
        return segments.map { segment -> [AdmissionForecast.Stream.Piece] in
            switch segment {
            case .silence(let samples):
                let seconds = Double(samples) / rate
                ahead = (ahead ?? 0) + seconds
                return [.init(tokens: 0, audioSeconds: seconds)]
            case .speech(_, let tokens, let pauseAfter, _):
                let seconds = Double(tokens.count) * DeadlineScheduler.RunCost.audioSecondsPerToken / Double(request.speed)
                let pause = Double(pauseAfter) / rate
                guard let windows else { return [.init(tokens: tokens.count, audioSeconds: seconds + pause)] }
                let frames = DecoderWindows.leadIn + max(1, Int(seconds / 0.025))
                let plan = windows.plan(covering: 0..<frames, of: frames, pace: pace, ahead: ahead, leadIn: DecoderWindows.leadIn)
                ahead = plan.ahead.map { $0 + pause }
                return [.init(tokens: ModelWork.frontCost(tokens: tokens.count), audioSeconds: 0)] + plan.windows.enumerated().map { index, window in
                    .init(tokens: ModelWork.decodeCost(frames: window.decoded.count),
                          audioSeconds: Double(window.heard) * 0.025 + (index == plan.windows.count - 1 ? pause : 0))
                }
            }
        }
    }
}

/// One piece of audio as it leaves the engine.
public struct AudioChunk: Sendable {
    public let index: Int
    /// 24 kHz mono samples, including the pause that follows the piece.
    public let samples: [Float]
    /// The phonemes spoken ("" for an inline pause).
    public let phonemes: String
    /// Seconds the model took for this piece (0 for an inline pause).
    public let synthesisSeconds: Double
    public let isLast: Bool
    /// Served from the audio cache rather than made by the model.
    public let fromCache: Bool
    /// The words that end in this chunk, timed from the start of the job's audio (none
    /// when the model's durations are not known: a model that was not split at set-up).
    public let words: [WordTiming]

    public init(index: Int, samples: [Float], phonemes: String, synthesisSeconds: Double, isLast: Bool, fromCache: Bool,
                words: [WordTiming]) {
        self.index = index
        self.samples = samples
        self.phonemes = phonemes
        self.synthesisSeconds = synthesisSeconds
        self.isLast = isLast
        self.fromCache = fromCache
        self.words = words
    }
}

/// A whole utterance.
public struct AudioClip: Sendable {
    public let samples: [Float]
    public let sampleRate: Int
    public let chunks: Int
    /// Seconds spent in the model, summed over pieces.
    public let synthesisSeconds: Double
    /// Every word's timing (`AudioChunk.words`).
    public let words: [WordTiming]

    public var duration: Double { Double(samples.count) / Double(sampleRate) }
}
