import ArgumentParser
import Foundation
import KokoroEngine
import ONNXRuntime

/// Where the model, voices and ONNX Runtime are, and how many threads to use: shared by
/// every command that loads the engine. Each flag also has a `KOKORO_*` variable.
struct EngineOptions: ParsableArguments {
    @Option(help: "Kokoro ONNX model (default: $KOKORO_MODEL, else the set-up cache).")
    var model: String?

    @Option(name: .customLong("voices"), help: "Voice pack (.npz/.bin/.npy or a folder); repeat for several (default: $KOKORO_VOICES, else the cache).")
    var voicePacks: [String] = []

    @Option(help: "Phoneme vocabulary vocab.json (default: $KOKORO_VOCAB, else the cache).")
    var vocab: String?

    @Option(name: .customLong("ort-library"), help: "libonnxruntime to load (default: $KOKORO_ORT_LIBRARY, else the cache).")
    var ortLibrary: String?

    @Option(help: "ONNX Runtime intra-op threads (default: $KOKORO_THREADS, else all cores).")
    var threads: Int?

    var assets: AssetLocations {
        AssetLocations.resolve(model: model, voices: voicePacks, vocabulary: vocab, onnxRuntimeLibrary: ortLibrary)
    }

    var threadCount: Int {
        threads ?? ProcessInfo.processInfo.environment["KOKORO_THREADS"].flatMap(Int.init) ?? ProcessInfo.processInfo.activeProcessorCount
    }

    func makeEngine() throws -> KokoroEngine {
        try KokoroEngine(configuration: .init(assets: assets, session: KokoroEngine.sessionConfiguration(threads: threadCount)))
    }
}
