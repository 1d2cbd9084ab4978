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

    /// Frames (25 ms each) the first window keeps.
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
    }

    /// The windows covering frames `span` of a sentence of `total` frames.
    public func windows(covering span: Range<Int>, of total: Int) -> [Window] {
        var windows: [Window] = []
        var start = span.lowerBound
        while start < span.upperBound {
            let size = windows.last.map { min(frames, 2 * $0.kept.count) } ?? firstFrames
            var end = min(span.upperBound, start + size)
            // A last window shorter than the context would cost more context than audio.
            if span.upperBound - end < context { end = span.upperBound }
            windows.append(Window(kept: start..<end, decoded: max(0, start - context) ..< min(total, end + context)))
            start = end
        }
        return windows
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
