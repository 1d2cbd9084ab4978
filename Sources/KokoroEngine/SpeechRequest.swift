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
    /// Cut the first piece short (first clause or first words) for a fast first audio.
    public var fastStart: Bool
    /// Serve repeated pieces from the audio cache (and keep new ones there).
    public var useCache: Bool
    /// A listener plays the audio as it comes: each piece is due when the audio before it
    /// has played, and need not be made much sooner. Otherwise every piece is due at once.
    public var realTime: Bool
    public init(text: String, voice: String, speed: Float = 1, language: Language? = nil, fastStart: Bool = false, useCache: Bool = true,
                realTime: Bool = false) {
        self.useCache = useCache
        self.realTime = realTime
        self.text = text
        self.voice = voice
        self.speed = speed
        self.language = language
        self.fastStart = fastStart
    }
}

/// One unit of work in a planned utterance.
public enum Segment: Sendable, Equatable {
    /// Phonemes to synthesize, their tokens (no padding), and the pause that follows them.
    case speech(phonemes: String, tokens: [Int64], pauseAfter: Int)
    /// Exact silence from an inline `[pause:1.5s]`, in samples; the model does not run.
    case silence(samples: Int)
}

/// A validated request: voice resolved, text phonemized and cut into segments.
public struct SynthesisJob: Sendable {
    public let request: SpeechRequest
    public let language: Language
    public let style: VoiceStyle
    public let segments: [Segment]
    /// The `StreamLedger` entry of an admitted real-time job.
    public internal(set) var streamID: UInt64?

    /// Phoneme tokens in all speech segments.
    public var tokenCount: Int {
        segments.reduce(0) { if case .speech(_, let tokens, _) = $1 { $0 + tokens.count } else { $0 } }
    }

    /// The segments as admission plans with them: the tokens the model runs on, and the
    /// audio each is expected to add (speech at the measured seconds per token).
    func plannedPieces() -> [AdmissionForecast.Stream.Piece] {
        let rate = Double(KokoroModel.sampleRate)
        return segments.map { segment in
            switch segment {
            case .silence(let samples):
                .init(tokens: 0, audioSeconds: Double(samples) / rate)
            case .speech(_, let tokens, let pauseAfter):
                .init(tokens: tokens.count,
                      audioSeconds: Double(tokens.count) * DeadlineScheduler.RunCost.audioSecondsPerToken / Double(request.speed) + Double(pauseAfter) / rate)
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
}

/// A whole utterance.
public struct AudioClip: Sendable {
    public let samples: [Float]
    public let sampleRate: Int
    public let chunks: Int
    /// Seconds spent in the model, summed over pieces.
    public let synthesisSeconds: Double

    public var duration: Double { Double(samples.count) / Double(sampleRate) }
}
