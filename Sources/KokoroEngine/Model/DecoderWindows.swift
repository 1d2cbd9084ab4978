/// How a sentence's frames are decoded for streaming: in windows, each decoded with some
/// frames of context on both sides (dropped afterwards) and joined to the one before with a
/// short crossfade. The first window is short, since a stream's first audio waits for it;
/// later ones grow, each at most twice the one before, up to `frames`: on one thread the
/// next window must be decoded before the audio already made has played, and a long window
/// right after a short one would not be (an 80-frame window decodes 112 frames with its
/// context, while a 15-frame first window plays for 0.375 s).
public struct DecoderWindows: Sendable, Equatable {
    /// The default: the least decoder work (1.42× a whole decode) among the settings whose
    /// joins are as clean as the model's own rounding noise, with a first window of 0.375 s
    /// (`scripts/model/NOTES.md`, "Recommended settings"; 20 LJSpeech sentences: joins at
    /// −41 dB median, −7 dB worst, against −5.7 dB for the model's own noise).
    public static let standard = DecoderWindows(firstFrames: 15, frames: 80, context: 16)

    /// For a voice not calibrated yet (it is, in the background): windows normalized over
    /// their own frames, long enough to sound as the whole sentence does, short enough to
    /// bound a run (at most 287 frames decoded, about 170 MB, where a whole sentence of 510
    /// tokens takes over 600 MB). 12 sentences (ljs-test lines 200–299,
    /// am_michael, `scripts/bench/window_fidelity.py --modes plain,calibrated`) against the
    /// whole decode: 240/16 log-mel 1.92 dB, wobble 0.65 dB, F0 5.1 cents; 160/16 2.89 dB,
    /// 1.23 dB, 7.9 cents; the voice's own calibration in `standard` windows 2.92 dB, 0.83 dB,
    /// 7.1 cents (shorter windows normalized over themselves wobble: 1.26 dB at 80/32).
    public static let selfNormalized = DecoderWindows(firstFrames: 240, frames: 240, context: 16)

    /// Frames (25 ms each) of speech the first window keeps (after the sentence's `leadIn`).
    public var firstFrames: Int
    /// Frames the longest later windows keep.
    public var frames: Int
    /// Frames decoded on either side of a window and dropped: the decoder's convolutions
    /// see about ±14 frames, and a window's edges fade to silence without context.
    public var context: Int
    /// Samples over which a window fades into the next (taken from its right context).
    public var crossfadeSamples: Int

    public init(firstFrames: Int, frames: Int, context: Int, crossfadeSamples: Int = 120) {
        precondition(firstFrames > 0 && frames > 0 && context * SentenceFrames.samplesPerFrame >= crossfadeSamples)
        self.firstFrames = firstFrames
        self.frames = frames
        self.context = context
        self.crossfadeSamples = crossfadeSamples
    }

    public struct Window: Sendable, Equatable {
        /// The frames whose audio the window gives.
        public let kept: Range<Int>
        /// The frames the decoder runs on: `kept` with context where the sentence has it.
        public let decoded: Range<Int>
        /// Frames of `kept` the listener hears: all but the lead-in of a sentence's first window.
        public let heard: Int
    }

    /// How much faster than real time the plan assumes the decoder is, beyond its measured
    /// pace: a margin for runs slower than the average.
    public static let paceMargin = 1.25

    /// Windows and what the listener has in hand after them.
    public struct Plan: Sendable, Equatable {
        public let windows: [Window]
        /// Seconds of audio the listener has in hand when the last window is made (nil: no
        /// window; infinite: no listener).
        public let ahead: Double?
    }

    /// Frames decoded before a sentence's first token: its audio starts up to 90 ms before the
    /// token's frames (`SentenceTiming.leadFrames`). They are mostly silence, which the trim
    /// of the sentence's head removes, so they give the listener nothing to play.
    public static let leadIn = 5

    /// Frames a new stream's first window keeps at `pace` (`plan`'s first window of a long
    /// sentence, its lead-in included).
    public func firstWindow(pace: Double) -> Int {
        plan(covering: 0..<(frames * 8), of: frames * 8, pace: pace, leadIn: Self.leadIn).windows[0].kept.count
    }

    /// The windows covering frames `span` of a sentence of `total` frames. `pace`: wall
    /// seconds the decoder takes per second of audio (0: no time). `ahead`: seconds of audio
    /// the listener has in hand when the first window starts; nil when its first audio waits
    /// for that window, infinite when nobody listens as it is made (a whole file). `leadIn`:
    /// frames at the start of `span` the listener will not hear (`DecoderWindows.leadIn`): a
    /// first window that audio waits for keeps them besides its `firstFrames`, and they are
    /// not counted as audio in hand. (Counted, the second window of a stream was planned
    /// against audio the trim had cut: `scripts/bench/streams.py` lone streams ran dry 0.37–0.47 s
    /// into playback, 2026-12-06.)
    ///
    /// Each window after the first is as long as can be decoded, context included, before
    /// the listener runs out of what it has (with `paceMargin`), at most `frames` and at most
    /// twice the one before. The first window of a stream is `firstFrames`, or longer when
    /// the decoder is so slow that a shorter one would leave too little audio in hand for
    /// the next window to keep up. Measured on a slow 2-core machine (8.5 ms of decoding per
    /// 25 ms frame): 15, 30, 60, 80 regardless of pace left one lone stream with 2 underruns
    /// (`scripts/bench/streams.py`), since the second window decodes 62 frames in 0.53 s
    /// while the first plays 0.375 s.
    public func plan(covering span: Range<Int>, of total: Int, pace: Double = 0, ahead: Double? = nil, leadIn: Int = 0) -> Plan {
        let pace = max(0, pace) * Self.paceMargin
        let frameSeconds = Double(SentenceFrames.samplesPerFrame) / 24_000
        // The shortest window that keeps up once under way: it decodes its frames and both
        // contexts in less time than they play.
        // (No longer than `frames`: slower than that, no window keeps up and admission must
        // keep the load off.)
        let sustained = pace < 1 ? min(frames, Int((2 * Double(context) * pace / (1 - pace)).rounded(.up))) : frames
        var inHand = ahead.map { $0 / frameSeconds }
        var windows: [Window] = []
        var start = span.lowerBound
        while start < span.upperBound {
            let size: Int
            if let frames = inHand {
                let decodable = pace > 0 && frames.isFinite ? Int(min(frames / pace, 1e6)) - 2 * context : self.frames
                size = min(self.frames, windows.last.map { 2 * $0.kept.count } ?? self.frames, max(sustained, decodable, 1))
            } else {
                size = leadIn + min(frames, max(firstFrames, Int((Double(sustained + 2 * context) * pace).rounded(.up))))
            }
            var end = min(span.upperBound, start + size)
            // A last window shorter than the context would cost more context than audio.
            if span.upperBound - end < context { end = span.upperBound }
            let window = Window(kept: start..<end, decoded: max(0, start - context) ..< min(total, end + context),
                                heard: end - start - (windows.isEmpty ? min(leadIn, end - start) : 0))
            inHand = (inHand.map { $0 - Double(window.decoded.count) * pace } ?? 0) + Double(window.heard)
            windows.append(window)
            start = end
        }
        return Plan(windows: windows, ahead: windows.isEmpty ? ahead : inHand.map { $0 * frameSeconds })
    }
}

/// Joins decoded windows into one stream of samples: each window gives its kept frames,
/// the first `crossfadeSamples` of them faded in over the previous window's decode of the
/// same samples (its right context), so the joins have no step.
struct WindowJoiner {
    let crossfadeSamples: Int
    /// The previous window's decode of the samples after its kept frames.
    private var tail: [Float] = []

    init(crossfadeSamples: Int) { self.crossfadeSamples = crossfadeSamples }

    mutating func join(_ decoded: [Float], window: DecoderWindows.Window) -> [Float] {
        let perFrame = SentenceFrames.samplesPerFrame
        let start = (window.kept.lowerBound - window.decoded.lowerBound) * perFrame
        let end = min(decoded.count, (window.kept.upperBound - window.decoded.lowerBound) * perFrame)
        var kept = Array(decoded[start..<end])
        let fade = min(tail.count, kept.count)
        for index in 0..<fade {
            let gain = Float(index + 1) / Float(fade + 1)
            kept[index] = tail[index] * (1 - gain) + kept[index] * gain
        }
        tail = Array(decoded[end ..< min(decoded.count, end + crossfadeSamples)])
        return kept
    }
}
