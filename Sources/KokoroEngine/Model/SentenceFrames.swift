/// What Kokoro's front makes of a sentence: everything its decoder needs, frame by frame
/// (one frame is 25 ms, 600 samples at 24 kHz).
public struct SentenceFrames: Sendable {
    public static let channels = 512
    public static let samplesPerFrame = 600
    /// Text features aligned to frames, channel-major: `channels` rows of `frames` values.
    public let features: [Float]
    /// Pitch in Hz and energy, two values per frame.
    public let f0: [Float]
    public let energy: [Float]
    /// Frames each token lasts, the padding token at either end included (they sum to `frames`).
    public let durations: [Int64]

    public init(features: [Float], f0: [Float], energy: [Float], durations: [Int64]) {
        self.features = features
        self.f0 = f0
        self.energy = energy
        self.durations = durations
    }

    public var frames: Int { f0.count / 2 }

    /// The decoder's inputs for frames `range`: features, F0 and energy, and their shapes.
    func window(_ range: Range<Int>) -> (features: [Float], f0: ArraySlice<Float>, energy: ArraySlice<Float>) {
        var features = [Float]()
        features.reserveCapacity(Self.channels * range.count)
        for channel in 0..<Self.channels {
            let row = channel * frames
            features += self.features[(row + range.lowerBound) ..< (row + range.upperBound)]
        }
        let values = (2 * range.lowerBound) ..< (2 * range.upperBound)
        return (features, f0[values], energy[values])
    }
}
