import AudioLoudness
import Foundation
import Testing
@testable import KokoroEngine

struct VoiceLoudnessTests {
    /// A steady tone, speech's envelope, and speech with plosive-like peaks 18 dB over its
    /// loudness, as Kokoro's have.
    enum Signal: CaseIterable, Sendable { case tone, speechLike, peaky }

    /// Levels from far too quiet to beyond full scale (Kokoro's output can exceed 1).
    @Test(arguments: Signal.allCases, [0.002, 0.05, 0.5, 2.0] as [Float])
    func calibratedVoiceMeetsTargetAndCeiling(signal: Signal, amplitude: Float) throws {
        let loudness = VoiceLoudness(storeURL: nil)
        let source = samples(of: signal, amplitude: amplitude)
        let before = try measureLoudness(source)
        #expect(abs(before.integrated - -16) > 3, "the input must need a real correction: \(before.integrated) LUFS")

        try loudness.calibrate(voice: "v", samples: source)
        var output = source
        loudness.apply(&output, voice: "v")
        let after = try measureLoudness(output)
        #expect(abs(after.integrated - -16) <= 1, "\(after.integrated) LUFS")
        #expect(after.truePeak <= -1, "\(after.truePeak) dBTP")
    }

    /// Without peak reduction the gain stops where the calibration's true peak meets the
    /// ceiling, short of the target for voices as peaky as Kokoro's.
    @Test func zeroPeakReductionIsPeakBound() throws {
        let source = samples(of: .peaky, amplitude: 0.05)
        let measured = try measureLoudness(source)
        let gain = try VoiceLoudness(peakReduction: 0, storeURL: nil).calibrate(voice: "v", samples: source)
        #expect(abs(gain.gainDB - (-1 - measured.truePeak)) < 1e-9)
        #expect(measured.integrated + gain.gainDB < -17)
    }

    /// Kokoro's own voices (the three furthest from −16 with a peak-bound gain),
    /// calibrated on one sentence and applied to another.
    @Test(arguments: ["af_heart", "am_michael", "af_nicole"])
    func kokoroVoicesReachTheTarget(voice: String) async throws {
        let engine = try sharedEngine.get()
        let loudness = VoiceLoudness(storeURL: nil)
        let phrase = "The quick brown fox jumps over the lazy dog, and then it rests for a while."
        try loudness.calibrate(voice: voice, samples: await engine.synthesize(SpeechRequest(text: phrase, voice: voice)).samples)
        let sentence = "Hello! Is anybody there? Please, come back tomorrow at nine o'clock sharp."
        var samples = try await engine.synthesize(SpeechRequest(text: sentence, voice: voice)).samples
        loudness.apply(&samples, voice: voice)
        let after = try measureLoudness(samples)
        #expect(abs(after.integrated - -16) <= 1, "\(after.integrated) LUFS")
        #expect(after.truePeak <= -1, "\(after.truePeak) dBTP")
    }

    /// Real sentences peak above their voice's calibration phrase: a click, a plosive-like
    /// low thump and loud tones in the speech band, about 30 dB over the calibrated speech.
    @Test func transientsFarAboveCalibrationStayUnderCeiling() throws {
        let loudness = VoiceLoudness(storeURL: nil)
        let speech = speechLike(seconds: 4, amplitude: 0.05)
        try loudness.calibrate(voice: "v", samples: speech)
        var output = speech
        output[12_000] = 1.5
        for (start, hertz) in [(30_000, 120.0), (50_000, 1_000.0), (70_000, 2_500.0), (85_000, 3_000.0)] {
            for index in 0..<2_400 {
                output[start + index] += Float(sin(2 * Double.pi * hertz * Double(index) / 24_000))
            }
        }
        let factor = try #require(loudness.gain(for: "v")).factor
        #expect(try measureLoudness(output.map { $0 * factor }).truePeak > 20, "a plain gain would clip far above the ceiling")

        loudness.apply(&output, voice: "v")
        let after = try measureLoudness(output)
        #expect(after.truePeak <= -1, "\(after.truePeak) dBTP")
    }

    /// Each piece of a stream is processed on its own; splitting must change nothing.
    /// Every distinct blend a request names is measured and kept: the table is capped, the
    /// oldest out first, on disk too.
    @Test func theTableKeepsAtMostItsCapNewestFirst() throws {
        let store = FileManager.default.temporaryDirectory.appendingPathComponent("loudness-cap-\(UUID()).json")
        defer { try? FileManager.default.removeItem(at: store) }
        let loudness = VoiceLoudness(storeURL: store, maxEntries: 3)
        let speech = samples(of: .speechLike, amplitude: 0.1)
        for key in ["a", "b", "c", "d", "e"] { try loudness.calibrate(voice: key, samples: speech) }
        #expect(Set(loudness.calibrated.keys) == ["c", "d", "e"])
        #expect(Set(VoiceLoudness(storeURL: store, maxEntries: 3).calibrated.keys) == ["c", "d", "e"])
        #expect(VoiceLoudness(storeURL: store, maxEntries: 2).calibrated.count == 2)
    }

    @Test func piecesJoinLikeOneSignal() throws {
        let loudness = VoiceLoudness(storeURL: nil)
        let speech = speechLike(seconds: 3, amplitude: 0.4)
        try loudness.calibrate(voice: "v", samples: speech.map { $0 / 8 })
        var whole = speech
        loudness.apply(&whole, voice: "v")
        var joined: [Float] = []
        for start in stride(from: 0, to: speech.count, by: 7_001) {
            var piece = Array(speech[start..<min(start + 7_001, speech.count)])
            loudness.apply(&piece, voice: "v")
            joined += piece
        }
        #expect(joined == whole)
    }

    @Test func uncalibratedVoiceGetsTheMeanGain() throws {
        let loudness = VoiceLoudness(storeURL: nil)
        let piece: [Float] = [0.1, -0.2, 0.05]
        var untouched = piece
        loudness.apply(&untouched, voice: "new")
        #expect(untouched == piece, "no calibrations yet: 0 dB")

        let loud = try loudness.calibrate(voice: "loud", samples: speechLike(seconds: 3, amplitude: 2))
        let soft = try loudness.calibrate(voice: "soft", samples: speechLike(seconds: 3, amplitude: 0.01))
        #expect(abs(soft.gainDB - loud.gainDB) > 20)
        let mean = Float(pow(10, (loud.gainDB + soft.gainDB) / 2 / 20))
        // Scaled so the gained piece stays under the limiter's knee.
        let quiet = piece.map { $0 / mean }
        var output = quiet
        loudness.apply(&output, voice: "new")
        for (result, input) in zip(output, quiet) {
            #expect(abs(result - input * mean) <= 1e-6)
        }
        #expect(loudness.gain(for: "new") == nil)
    }

    @Test func silenceCannotCalibrate() {
        let loudness = VoiceLoudness(storeURL: nil)
        #expect(throws: VoiceLoudnessError.tooQuiet(voice: "v")) {
            try loudness.calibrate(voice: "v", samples: [Float](repeating: 0, count: 48_000))
        }
        #expect(loudness.calibrated.isEmpty)
    }

    @Test func measurementsSurviveARestart() throws {
        let store = try temporaryStore()
        let first = VoiceLoudness(storeURL: store)
        try first.calibrate(voice: "af_heart@pack", samples: speechLike(seconds: 3, amplitude: 0.02))
        try first.calibrate(voice: "am_adam@pack", samples: samples(of: .tone, amplitude: 0.1))

        #expect(VoiceLoudness(storeURL: store).calibrated == first.calibrated)
        // Measurements, not gains, are kept: a new target applies to stored voices.
        let quieter = VoiceLoudness(target: -20, storeURL: store)
        let stored = try #require(first.gain(for: "af_heart@pack"))
        let retargeted = try #require(quieter.gain(for: "af_heart@pack"))
        #expect(retargeted.loudnessLUFS == stored.loudnessLUFS)
        #expect(abs(retargeted.gainDB - (stored.gainDB - 4)) < 1e-9)
    }

    @Test func corruptStoreIsIgnoredAndReplaced() throws {
        let store = try temporaryStore()
        try Data("{\"af_heart\": {\"loudness_lufs\": \"loud\"".utf8).write(to: store)
        let loudness = VoiceLoudness(storeURL: store)
        #expect(loudness.calibrated.isEmpty)

        try loudness.calibrate(voice: "af_heart", samples: speechLike(seconds: 3, amplitude: 0.1))
        #expect(VoiceLoudness(storeURL: store).calibrated == loudness.calibrated)
    }

    private func samples(of signal: Signal, amplitude: Float) -> [Float] {
        switch signal {
        case .tone: (0..<96_000).map { amplitude * Float(sin(2 * Double.pi * 1_000 * Double($0) / 24_000)) }
        case .speechLike: speechLike(seconds: 4, amplitude: amplitude)
        case .peaky: withPlosives(speechLike(seconds: 4, amplitude: amplitude), amplitude: 1.5 * amplitude)
        }
    }

    private func temporaryStore() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("voice-loudness-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory.appendingPathComponent("loudness.json")
    }
}

/// Voiced-speech-like: harmonics of a 140 Hz pitch up to 3 kHz, falling 6 dB per
/// octave, with phases from a fixed seed, under a syllable-rate envelope with pauses.
private func speechLike(seconds: Double, amplitude: Float) -> [Float] {
    var random = SplitMix64(seed: 0x5EED)
    let harmonics = (1...21).map { (number: Double($0), phase: Double.random(in: 0..<2 * .pi, using: &random)) }
    return (0..<Int(seconds * 24_000)).map { index in
        let time = Double(index) / 24_000
        let syllable = 0.2 + 0.8 * max(0, sin(2 * Double.pi * 4 * time))
        let phrase = sin(2 * Double.pi * 0.3 * time) > -0.5 ? 1.0 : 0.0
        let voice = harmonics.reduce(0) { $0 + sin(2 * Double.pi * 140 * $1.number * time + $1.phase) / $1.number }
        return amplitude * Float(syllable * phrase * voice / 2)
    }
}

/// 2 ms bursts at 1 kHz every 0.7 s.
private func withPlosives(_ speech: [Float], amplitude: Float) -> [Float] {
    var result = speech
    for start in stride(from: 4_000, to: result.count - 48, by: 16_800) {
        for index in 0..<48 { result[start + index] += amplitude * Float(sin(2 * Double.pi * 1_000 * Double(index) / 24_000)) }
    }
    return result
}

private struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }
}
