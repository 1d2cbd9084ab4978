import Foundation
import ONNXRuntime
import Testing
@testable import KokoroEngine

/// The model cut in two at set-up (`scripts/model/split_model.py`, and where set-up made them
/// the graphs with int8 weights, `signed_weights.py`): the front and the decoder together are
/// the whole model bit for bit, and a window of frames decodes with the phase it has inside
/// its sentence.
@Suite("Split model")
struct SplitModelTests {
    let whole: ORTSession
    let front: KokoroFront
    let decoder: KokoroDecoder
    let engine: KokoroEngine

    init() throws {
        engine = try sharedEngine.get()
        let assets = AssetLocations.resolve()
        let environment = try ORTEnvironment(runtime: try ORTRuntime.load(cacheDirectory: assets.cacheDirectory))
        let settings = SessionConfiguration(intraOpThreads: 1)
        whole = try ORTSession(environment: environment, modelPath: assets.model.path, configuration: settings)
        front = try KokoroFront(session: try ORTSession(environment: environment, modelPath: assets.splitModel.front.path, configuration: settings))
        decoder = try KokoroDecoder(session: try ORTSession(environment: environment, modelPath: assets.splitModel.decoder.path, configuration: settings))
    }

    func inputs(_ text: String) throws -> (tokens: [Int64], style: ArraySlice<Float>) {
        let tokens = engine.vocabulary.tokenize(try engine.phonemize(text, language: .americanEnglish)).tokens
        return (tokens, try engine.voices.resolve("af_heart").style(forTokenCount: tokens.count))
    }

    @Test(arguments: ["Hello there!", "In 1969, Apollo 11 carried three astronauts about 240,000 miles to the Moon."])
    func frontAndDecoderAreTheWholeModel(text: String) async throws {
        let (tokens, style) = try inputs(text)
        let reference = try KokoroModel.run(session: whole, tokens: tokens, style: style, speed: 1)
        let frames = try await front.frames(tokens: tokens, style: style, speed: 1)
        #expect(frames.durations.count == tokens.count + 2 && frames.durations.reduce(0, +) == Int64(frames.frames))
        let audio = try await decoder.decode(frames, frames: 0..<frames.frames, phase: HarmonicPhase(f0: frames.f0).start(atFrame: 0), style: style)
        let difference = zip(reference, audio).map { abs($0 - $1) }.max() ?? .infinity
        print("front + decoder vs whole model, \(tokens.count) tokens: max |difference| \(difference)")
        #expect(audio.count == reference.count && difference == 0)
    }

    /// A window decoded alone with the sentence's phase at its start is far closer to the
    /// same frames inside the whole decode than the window started at phase zero.
    @Test func aWindowDecodesWithItsSentencesPhase() async throws {
        let (tokens, style) = try inputs("The old lighthouse stood at the edge of the cliff, its white paint peeling after decades of salt and wind.")
        let frames = try await front.frames(tokens: tokens, style: style, speed: 1)
        let phase = HarmonicPhase(f0: frames.f0)
        let whole = try await decoder.decode(frames, frames: 0..<frames.frames, phase: phase.start(atFrame: 0), style: style)
        let window = (frames.frames / 3) ..< (2 * frames.frames / 3)
        let context = 32
        let decoded = window.lowerBound - context ..< window.upperBound + context
        let samples = SentenceFrames.samplesPerFrame
        let expected = whole[(window.lowerBound * samples) ..< (window.upperBound * samples)]
        func error(_ phase: [Float]) async throws -> Float {
            let audio = try await decoder.decode(frames, frames: decoded, phase: phase, style: style)
            let kept = audio[(context * samples) ..< ((context + window.count) * samples)]
            return zip(expected, kept).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
        }
        let withPhase = try await error(phase.start(atFrame: decoded.lowerBound))
        let fromZero = try await error([Float](repeating: 0, count: HarmonicPhase.harmonics))
        print("window error energy: with the sentence's phase \(withPhase), from zero \(fromZero)")
        #expect(withPhase * 2 < fromZero)
    }
}

/// The graphs with int8 weights replace the originals only as the set of four set-up makes.
@Test func graphsWithInt8WeightsAreUsedAsASet() throws {
    let cache = FileManager.default.temporaryDirectory.appendingPathComponent("kokoro-split-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: cache, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: cache) }
    let assets = AssetLocations.resolve(cache: cache.path)
    func names() -> [String] {
        let split = assets.splitModel
        return [split.front, split.decoder, split.probe, split.calibrated].map(\.lastPathComponent)
    }
    let graphs = ["front", "decoder", "decoder-probe", "decoder-calibrated"]
    for graph in graphs.dropLast() {
        #expect(FileManager.default.createFile(atPath: cache.appendingPathComponent("kokoro-v1.0.int8.\(graph)-s8.onnx").path, contents: Data()))
    }
    #expect(names() == graphs.map { "kokoro-v1.0.int8.\($0).onnx" })
    #expect(FileManager.default.createFile(atPath: cache.appendingPathComponent("kokoro-v1.0.int8.decoder-calibrated-s8.onnx").path, contents: Data()))
    #expect(names() == graphs.map { "kokoro-v1.0.int8.\($0)-s8.onnx" })
}
