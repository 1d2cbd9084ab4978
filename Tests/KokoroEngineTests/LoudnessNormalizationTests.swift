import AudioLoudness
import Foundation
import Testing
@testable import KokoroEngine

@Suite("Loudness normalization in the engine")
struct LoudnessNormalizationTests {
    static let text = "The old lighthouse stood at the edge of the cliff, its white paint peeling after decades of salt and wind."

    func engine(store: URL) throws -> KokoroEngine {
        try KokoroEngine(configuration: .init(session: .init(intraOpThreads: 2), loudnessTarget: -16, loudnessStore: store, calibratesVoices: false))
    }

    /// The warm-up measures the default voice, and what the engine then says sits at the target.
    @Test func warmUpMeasuresTheDefaultVoiceAndSpeechHitsTheTarget() async throws {
        let store = FileManager.default.temporaryDirectory.appendingPathComponent("loudness-\(UUID()).json")
        defer { try? FileManager.default.removeItem(at: store) }
        let engine = try engine(store: store)
        let report = try await EngineWarmer().warm(engine)
        #expect(report.calibrated_voice == "af_heart")
        #expect(engine.loudness?.gain(for: engine.loudnessKey("af_heart")) != nil)
        let clip = try await engine.synthesize(SpeechRequest(text: Self.text, voice: "af_heart", useCache: false))
        let measured = try measureLoudness(clip.samples)
        #expect(abs(measured.integrated + 16) <= 1, "af_heart at \(measured.integrated) LUFS")
        #expect(measured.truePeak <= -1)
        // A second engine on the same store knows the voice without measuring it again.
        #expect(try await EngineWarmer().warm(self.engine(store: store)).calibrated_voice == nil)
    }

    /// A voice used before it was measured is measured in the background; afterwards it too
    /// sits at the target.
    @Test(.timeLimit(.minutes(2))) func anUnmeasuredVoiceIsMeasuredOnFirstUse() async throws {
        let store = FileManager.default.temporaryDirectory.appendingPathComponent("loudness-\(UUID()).json")
        defer { try? FileManager.default.removeItem(at: store) }
        let engine = try engine(store: store)
        let key = engine.loudnessKey("am_michael")
        _ = try await engine.synthesize(SpeechRequest(text: "Hello.", voice: "am_michael", useCache: false))
        while engine.loudness?.gain(for: key) == nil { try await Task.sleep(for: .milliseconds(100)) }
        let clip = try await engine.synthesize(SpeechRequest(text: Self.text, voice: "am_michael", useCache: false))
        let measured = try measureLoudness(clip.samples)
        #expect(abs(measured.integrated + 16) <= 1, "am_michael at \(measured.integrated) LUFS")
        #expect(measured.truePeak <= -1)
    }
}
