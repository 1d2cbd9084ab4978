import Testing
@testable import KokoroEngine

@Suite("Decoder windows")
struct DecoderWindowsTests {
    /// The windows cover the span exactly, in order, the first short and the rest long;
    /// each decodes its frames with context where the sentence has it; no last window is
    /// shorter than the context.
    @Test(arguments: [1, 7, 20, 21, 35, 36, 100, 173, 400])
    func windowsTileTheSpan(total: Int) {
        let plan = DecoderWindows(firstFrames: 20, frames: 80, context: 16)
        for span in [0..<total, min(3, total - 1)..<total] {
            let windows = plan.windows(covering: span, of: total)
            #expect(windows.first?.kept.lowerBound == span.lowerBound && windows.last?.kept.upperBound == span.upperBound)
            #expect(zip(windows, windows.dropFirst()).allSatisfy { $0.kept.upperBound == $1.kept.lowerBound })
            #expect(windows.first.map { $0.kept.count <= 20 || windows.count == 1 } ?? false)
            #expect(windows.dropFirst().allSatisfy { $0.kept.count <= 80 + 16 })
            #expect(windows.dropLast().allSatisfy { $0.kept.count >= 16 })
            for window in windows {
                #expect(window.decoded.lowerBound == max(0, window.kept.lowerBound - 16))
                #expect(window.decoded.upperBound == min(total, window.kept.upperBound + 16))
            }
        }
    }

    /// Windows grow from the first, each at most twice the one before, up to the longest:
    /// 15, 30, 60, then 80 frames with the standard setting (the last absorbs a remainder
    /// shorter than the context).
    @Test func windowsGrowFromTheFirst() {
        let kept = DecoderWindows.standard.windows(covering: 0..<400, of: 400).map(\.kept.count)
        #expect(kept == [15, 30, 60, 80, 80, 80, 55])
        #expect(DecoderWindows.standard.windows(covering: 0..<100, of: 100).map(\.kept.count) == [15, 30, 55])
    }

    /// Windows decoded from one continuous signal join back into it: the kept frames in
    /// order, and the crossfade blends two decodes of the same samples.
    @Test func joinedWindowsGiveTheSignalBack() {
        let total = 150
        let signal = (0 ..< total * SentenceFrames.samplesPerFrame).map { Float(($0 * 7919) % 1000) / 1000 - 0.5 }
        let plan = DecoderWindows(firstFrames: 20, frames: 40, context: 8)
        var joiner = WindowJoiner(crossfadeSamples: plan.crossfadeSamples)
        var joined: [Float] = []
        let perFrame = SentenceFrames.samplesPerFrame
        for window in plan.windows(covering: 0..<total, of: total) {
            joined += joiner.join(Array(signal[(window.decoded.lowerBound * perFrame) ..< (window.decoded.upperBound * perFrame)]), window: window)
        }
        #expect(joined.count == signal.count)
        #expect(zip(joined, signal).map { abs($0 - $1) }.max() ?? 1 < 1e-6)
    }
}
