/// The phase of Kokoro's harmonic source along a sentence, so a window of the sentence's
/// frames can be decoded with the phase it has inside the whole sentence.
///
/// The decoder's source (StyleTTS 2's SineGen) sums, for each F0 value (two per frame) and
/// harmonic h = 1…9, frac(f0 · h / 24000), and plays sin(2π · 300 · sum). Decoded alone, a
/// window would start that sum at zero and its sines would be unrelated to the sentence's;
/// the split decoder takes the sum before the window's first F0 value as its `phase` input
/// (`scripts/model/split_model.py`). Computed in Float, in order, exactly as the graph's
/// CumSum does (measured within 6e-8 of it, about 1e-4 rad).
public struct HarmonicPhase: Sendable {
    public static let harmonics = 9
    /// Running sums after each F0 value, `harmonics` per value.
    private let sums: [Float]

    public init(f0: [Float]) {
        var sums = [Float](repeating: 0, count: f0.count * Self.harmonics)
        var running = [Float](repeating: 0, count: Self.harmonics)
        for (index, value) in f0.enumerated() {
            for h in 0..<Self.harmonics {
                let x = value * Float(h + 1) / 24_000
                running[h] += x - x.rounded(.down)
                sums[index * Self.harmonics + h] = running[h]
            }
        }
        self.sums = sums
    }

    /// The decoder's `phase` input for a window starting at `frame` (zero at the start).
    public func start(atFrame frame: Int) -> [Float] {
        let before = 2 * frame - 1
        guard before >= 0 else { return [Float](repeating: 0, count: Self.harmonics) }
        return Array(sums[before * Self.harmonics ..< (before + 1) * Self.harmonics])
    }
}
