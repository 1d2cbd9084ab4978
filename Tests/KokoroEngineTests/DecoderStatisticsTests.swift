import Foundation
import KokoroVoices
import Testing
@testable import KokoroEngine

@Suite("Decoder statistics")
struct DecoderStatisticsTests {
    let statistics = VoiceStatistics(anchors: [16, 64, 256], rows: [[0, 10], [2, 20], [4, 40]])

    /// At an anchor its own row; between two, interpolated in log row; outside, the nearest.
    @Test func aSentenceGetsItsRowsInterpolatedInLogRow() {
        #expect(statistics.statistics(forStyleRow: 64) == [2, 20])
        #expect(statistics.statistics(forStyleRow: 32) == [1, 15])
        #expect(statistics.statistics(forStyleRow: 128) == [3, 30])
        #expect(statistics.statistics(forStyleRow: 3) == [0, 10])
        #expect(statistics.statistics(forStyleRow: 509) == [4, 40])
    }

    /// A blend of positive weights mixes its voices' statistics by weight; a subtracted
    /// voice (which could make a variance negative) is refused.
    @Test func blendsMixByWeightAndRefuseSubtraction() {
        let other = VoiceStatistics(anchors: [16, 64, 256], rows: [[10, 0], [10, 0], [10, 0]])
        #expect(VoiceStatistics.blend([(statistics, 0.75), (other, 0.25)])?.rows == [[2.5, 7.5], [4, 15], [5.5, 30]])
        #expect(VoiceStatistics.blend([(statistics, 1.5), (other, -0.5)]) == nil)
    }

    /// Pooling is the frame-weighted mean of the corpus sentences' statistics.
    @Test func poolingWeighsSentencesByFrames() {
        #expect(DecoderCalibration.pool([(frames: 100, statistics: [1, 0]), (frames: 300, statistics: [5, 4])]) == [4, 3])
    }

    /// A file holds the style rows it was calibrated with; it is refused for another voice
    /// (or another pack's version of the voice), which is then calibrated anew.
    @Test func aFileIsValidOnlyForTheVoiceItWasMadeWith() throws {
        let calibration = DecoderCalibration(anchors: [16, 64, 256], corpus: [[[1]], [[1]], [[1]]], count: 2)
        let voice = VoiceStyle(values: (0 ..< VoiceStyle.rows * VoiceStyle.width).map { Float($0 % 97) })
        let other = VoiceStyle(values: (0 ..< VoiceStyle.rows * VoiceStyle.width).map { Float($0 % 89) })
        let array = try NPYArray(npy: statistics.array(voice: voice).npyData())
        #expect(VoiceStatistics(array, calibration: calibration, voice: voice) == statistics)
        #expect(VoiceStatistics(array, calibration: calibration, voice: other) == nil)
        let otherLayout = DecoderCalibration(anchors: [16, 64, 256], corpus: [[[1]], [[1]], [[1]]], count: 3)
        #expect(VoiceStatistics(array, calibration: otherLayout, voice: voice) == nil)
    }
}

/// The server's own calibration, on the real model, in a cache holding set-up's calibration
/// plan but no voice's statistics.
@Suite("Decoder statistics calibrated by the engine", .serialized)
struct EngineCalibrationTests {
    /// A voice without statistics speaks in long windows normalized over themselves (a short
    /// sentence in one; a long one in windows of at most `selfNormalized`'s frames, never one
    /// unbounded run), is calibrated in the background, and then speaks in the standard
    /// windows; its statistics are set-up's (`calibrate_voices.py`, Python over the same
    /// graphs) to float rounding.
    @Test(.timeLimit(.minutes(5))) func aVoiceWithoutStatisticsSpeaksInLongWindowsUntilCalibrated() async throws {
        let real = AssetLocations.resolve()
        let setUp = real.decoderStatistics
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent("kokoro-statistics-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: cache) }
        var assets = real
        assets.cacheDirectory = cache
        try FileManager.default.createDirectory(at: assets.decoderStatistics, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: setUp.appendingPathComponent(DecoderCalibration.fileName),
                                         to: assets.decoderStatistics.appendingPathComponent(DecoderCalibration.fileName))
        try FileManager.default.createSymbolicLink(at: cache.appendingPathComponent("onnxruntime"),
                                                   withDestinationURL: real.cacheDirectory.appendingPathComponent("onnxruntime"))
        let engine = try KokoroEngine(configuration: .init(assets: assets, session: .init(intraOpThreads: 2)))
        let store = try #require(engine.decoderStatistics)
        let request = SpeechRequest(text: "A voice heard for the first time speaks whole sentences.", voice: "af_heart", useCache: false)
        #expect(try await engine.synthesize(request).chunks == 1)
        let long = SpeechRequest(text: "The Commission has concluded that at the time of the assassination, Oswald was a man who had lived "
                                 + "a life of failure, and who had a history of hostility toward authority, shown in many ways over many years.",
                                 voice: "af_heart", useCache: false)
        var windows: [Double] = []
        for try await chunk in engine.stream(try engine.prepare(long)) where !chunk.samples.isEmpty {
            windows.append(Double(chunk.samples.count) / Double(KokoroModel.sampleRate))
        }
        let longest = Double(DecoderWindows.selfNormalized.frames + DecoderWindows.selfNormalized.context) * 0.025
        #expect(windows.count > 1 && windows.allSatisfy { $0 <= longest } && windows[0] > 5, "\(windows)")
        while case .missing = store.lookup("af_heart", in: engine.voices) { try await Task.sleep(for: .milliseconds(200)) }
        #expect(try await engine.synthesize(request).chunks > 1)

        let ours = try NPYArray(npy: Data(contentsOf: assets.decoderStatistics.appendingPathComponent("af_heart.npy")))
        let theirs = try NPYArray(npy: Data(contentsOf: setUp.appendingPathComponent("af_heart.npy")))
        #expect(ours.shape == theirs.shape)
        let difference = zip(ours.values, theirs.values).map { abs($0 - $1) / max(abs($1), 1e-3) }
        // Measured here: largest relative difference 1.2e-7 (the pooling's float rounding).
        #expect(difference.max() ?? 1 < 1e-4, "largest relative difference \(difference.max() ?? 1)")
    }
}
