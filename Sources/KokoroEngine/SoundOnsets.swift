/// Where sound starts in a sentence's audio as it is made, window by window: the first
/// sound, and every sound after a pause. A word after a pause starts there, not where its
/// first token's frames do: the decoder's sound leads its frames, and the durations put
/// words after a pause 38 ms late on average, 6.7 ms from the sound with this (74 pauses in
/// the first 50 ljs-test sentences, against onsets `scripts/bench/timestamps.py` finds in
/// the audio its own way).
///
/// A pause is `minimumPauseFrames` 10 ms frames under `AudioJoiner`'s silence threshold
/// (stop closures inside words are shorter); silence from the start of the audio counts.
struct SoundOnsets: Sendable {
    static let minimumPauseFrames = 5

    /// Samples into the audio where sound starts after a pause, ascending.
    private(set) var samples: [Int] = []
    /// Samples not yet a whole frame.
    private var pending: [Float] = []
    /// Frames consumed so far.
    private var frames = 0
    /// Silent frames just before the next (nil: silence since the start).
    private var silentRun: Int? = nil

    /// Consumes the next `audio`, judged against the threshold below `loudest` (the
    /// loudest 10 ms energy so far, as a whole sentence's may be louder: sound after a pause
    /// rises steeply, by 52 dB over 50 ms at the median and 37 dB at the 10th percentile of
    /// the 74 onsets above, so the threshold's rise seldom moves one).
    mutating func append(_ audio: [Float], loudest: Float, joiner: AudioJoiner) {
        pending += audio
        let whole = pending.count / joiner.frameLength * joiner.frameLength
        guard whole > 0 else { return }
        let threshold = joiner.threshold(loudest: loudest)
        for energy in joiner.frameEnergies(pending[..<whole]) {
            if energy >= threshold {
                if silentRun.map({ $0 >= Self.minimumPauseFrames }) ?? true { samples.append(frames * joiner.frameLength) }
                silentRun = 0
            } else {
                silentRun = silentRun.map { $0 + 1 }
            }
            frames += 1
        }
        pending.removeFirst(whole)
    }
}
