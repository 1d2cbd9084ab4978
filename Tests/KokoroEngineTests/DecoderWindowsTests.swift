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
            let windows = plan.plan(covering: span, of: total).windows
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

    /// With a decoder that takes no time, windows grow from the first, each twice the one
    /// before, up to the longest: 15, 30, 60, then 80 frames with the standard setting (the
    /// last absorbs a remainder shorter than the context).
    @Test func windowsGrowFromTheFirst() {
        let kept = DecoderWindows.standard.plan(covering: 0..<400, of: 400).windows.map(\.kept.count)
        #expect(kept == [15, 30, 60, 80, 80, 80, 55])
        #expect(DecoderWindows.standard.plan(covering: 0..<100, of: 100).windows.map(\.kept.count) == [15, 30, 55])
    }

    /// At any pace the machine can keep up with, every window after a stream's first is
    /// decoded (context and margin included) before the listener runs out of the audio
    /// already made, and the listener's audio in hand never shrinks below zero.
    /// The lead-in's frames are trimmed silence: the first window keeps them besides its
    /// speech, and they are not audio the next window can be decoded behind.
    @Test(arguments: [0.1, 0.2, 0.34, 0.5], [0, DecoderWindows.leadIn])
    func noWindowLetsTheListenerRunDry(pace: Double, leadIn: Int) {
        let plan = DecoderWindows.standard.plan(covering: 0..<600, of: 600, pace: pace, leadIn: leadIn)
        #expect(plan.windows[0].kept.count >= DecoderWindows.standard.firstFrames + leadIn)
        #expect(plan.windows[0].heard == plan.windows[0].kept.count - leadIn && plan.windows.dropFirst().allSatisfy { $0.heard == $0.kept.count })
        var inHand = Double(plan.windows[0].kept.count - leadIn)
        for window in plan.windows.dropFirst() {
            let decoding = Double(window.decoded.count) * pace * DecoderWindows.paceMargin
            #expect(decoding <= inHand + 1e-9, "pace \(pace): window \(window.kept) decodes in \(decoding) frames' time with \(inHand) in hand")
            inHand += Double(window.kept.count) - decoding
        }
        #expect(abs((plan.ahead ?? 0) - inHand * 0.025) < 1e-9)
        #expect(plan.windows.dropLast().allSatisfy { $0.kept.count <= DecoderWindows.standard.frames })
    }

    /// The first window `/status` reports is the one a stream's plan starts with: the lead-in
    /// and FIRST at a fast pace, longer at a slow one.
    @Test func theReportedFirstWindowIsThePlansFirst() {
        let windows = DecoderWindows.standard
        #expect(windows.firstWindow(pace: 0.1) == DecoderWindows.leadIn + windows.firstFrames)
        for pace in [0.1, 0.3, 0.5] {
            #expect(windows.firstWindow(pace: pace)
                    == windows.plan(covering: 0..<600, of: 600, pace: pace, leadIn: DecoderWindows.leadIn).windows[0].kept.count)
        }
        #expect(windows.firstWindow(pace: 0.3) > DecoderWindows.leadIn + windows.firstFrames)
    }

    /// A decoder too slow for any window to keep up gets the longest windows (the least
    /// context decoded twice); admission keeps such load off.
    @Test func aTooSlowDecoderGetsTheLongestWindows() {
        let plan = DecoderWindows.standard.plan(covering: 0..<400, of: 400, pace: 0.9)
        #expect(plan.windows.map(\.kept.count) == [80, 80, 80, 80, 80])
    }

    /// Where the listener already has audio (a later sentence) or there is none (a whole
    /// file), windows start at the longest that fits.
    @Test func audioInHandLetsWindowsStartLong() {
        let standard = DecoderWindows.standard
        #expect(standard.plan(covering: 0..<200, of: 200, pace: 0.3, ahead: .infinity).windows.map(\.kept.count) == [80, 80, 40])
        #expect(standard.plan(covering: 0..<200, of: 200, pace: 0.3, ahead: 3).windows.first?.kept.count == 80)
        #expect(standard.plan(covering: 0..<200, of: 200, pace: 0.3, ahead: 0.5).windows.first?.kept.count ?? 0 < 80)
    }

    /// Windows decoded from one continuous signal join back into it: the kept frames in
    /// order, and the crossfade blends two decodes of the same samples.
    /// A voice not calibrated yet: whatever the sentence's length or the listener, no run
    /// decodes more than a long window with its context (a short last piece joins the one
    /// before), so no run's buffers grow with the sentence.
    @Test(arguments: [100, 241, 700, 1_400])
    func selfNormalizedWindowsBoundEveryRun(total: Int) {
        let windows = DecoderWindows.selfNormalized
        for (pace, ahead) in [(0.0, nil), (0.4, nil), (0.4, 2.0), (0.0, Double.infinity)] as [(Double, Double?)] {
            let plan = windows.plan(covering: 0..<total, of: total, pace: pace, ahead: ahead).windows
            #expect(plan.map(\.kept.count).reduce(0, +) == total)
            #expect(plan.allSatisfy { $0.decoded.count <= windows.frames + 3 * windows.context - 1 })
            #expect(total > windows.frames || plan.count == 1)
        }
    }

    @Test func joinedWindowsGiveTheSignalBack() {
        let total = 150
        let signal = (0 ..< total * SentenceFrames.samplesPerFrame).map { Float(($0 * 7919) % 1000) / 1000 - 0.5 }
        let plan = DecoderWindows(firstFrames: 20, frames: 40, context: 8)
        var joiner = WindowJoiner(crossfadeSamples: plan.crossfadeSamples)
        var joined: [Float] = []
        let perFrame = SentenceFrames.samplesPerFrame
        for window in plan.plan(covering: 0..<total, of: total).windows {
            joined += joiner.join(Array(signal[(window.decoded.lowerBound * perFrame) ..< (window.decoded.upperBound * perFrame)]), window: window)
        }
        #expect(joined.count == signal.count)
        #expect(zip(joined, signal).map { abs($0 - $1) }.max() ?? 1 < 1e-6)
    }
}
