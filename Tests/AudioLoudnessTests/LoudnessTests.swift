import Foundation
import Testing
import AudioLoudness

struct LoudnessTests {
    /// BS.1770 is calibrated so a full-scale 997 Hz sine in one channel reads
    /// −3.01 LUFS; at amplitude 0.1 (−20 dB) it must read −23.01 LUFS and −20 dBTP.
    @Test func calibrationTone() throws {
        let tone = sine(hertz: 997, seconds: 3, amplitude: 0.1)
        let loudness = try measureLoudness(tone)
        #expect(abs(loudness.integrated - -23.01) < 0.05, "\(loudness.integrated) LUFS")
        #expect(abs(loudness.truePeak - -20) < 0.1, "\(loudness.truePeak) dBTP")
    }

    @Test func chunksMeasureLikeOneBlock() throws {
        let tone = sine(hertz: 440, seconds: 3, amplitude: 0.5)
        let meter = try LoudnessMeter()
        var start = 0
        for size in [1000, 4801, 7, 24_000, tone.count] where start < tone.count {
            let end = min(start + size, tone.count)
            try meter.add(Array(tone[start..<end]))
            start = end
        }
        #expect(try meter.measurement() == measureLoudness(tone))
    }

    @Test func silenceNeedsNoGain() throws {
        let loudness = try measureLoudness([Float](repeating: 0, count: 48_000))
        #expect(loudness.integrated == -.infinity)
        #expect(loudness.gain() == 0)
    }

    @Test func gainHonoursTargetAndCeiling() {
        #expect(Loudness(integrated: -23, truePeak: -20).gain() == 7)
        #expect(Loudness(integrated: -30, truePeak: -3).gain() == 2)
    }

    /// A quiet sine (crest factor 3 dB) can reach −16 LUFS; the same sine with
    /// sparse near-full-scale clicks is held back by the −1 dBTP ceiling.
    @Test func normalisedSignalsMeetTargetOrCeiling() throws {
        let quiet = sine(hertz: 440, seconds: 3, amplitude: 0.05)
        var clicky = quiet
        for index in stride(from: 1000, to: clicky.count, by: 6000) { clicky[index] = 0.9 }
        for (signal, limitedByPeak) in [(quiet, false), (clicky, true)] {
            let gain = Float(pow(10, try measureLoudness(signal).gain() / 20))
            let normalised = try measureLoudness(signal.map { $0 * gain })
            if limitedByPeak {
                #expect(abs(normalised.truePeak - -1) < 0.01, "\(normalised.truePeak) dBTP")
                #expect(normalised.integrated < -16)
            } else {
                #expect(abs(normalised.integrated - -16) < 0.01, "\(normalised.integrated) LUFS")
                #expect(normalised.truePeak < -1)
            }
        }
    }
}

private func sine(hertz: Double, seconds: Double, amplitude: Float) -> [Float] {
    (0..<Int(seconds * 24_000)).map { amplitude * Float(sin(2 * Double.pi * hertz * Double($0) / 24_000)) }
}
