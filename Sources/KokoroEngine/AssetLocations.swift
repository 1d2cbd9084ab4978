import Foundation

/// Where the engine finds its files: an explicit path, else the cache `scripts/setup.sh`
/// fills (`~/.cache/kokoro-swift`, or `KOKORO_CACHE`).
///
/// Users with internet can point each one at the official downloads instead (the model
/// from Hugging Face, `voices-v1.0.bin` from kokoro-onnx's releases).
public struct AssetLocations: Sendable, Equatable {
    public var cacheDirectory: URL
    public var model: URL
    public var vocabulary: URL
    public var voicePacks: [URL]
    public var misakiDictionaries: URL
    /// jieba's and pypinyin's dictionaries for Mandarin (`MandarinData.files`).
    public var mandarinDictionaries: URL
    /// unidic-lite's MeCab dictionary and misaki's word list for Japanese (`JapaneseData`).
    public var japaneseDictionaries: URL
    /// nil: search the cache and the system for ONNX Runtime.
    public var onnxRuntimeLibrary: String?
    /// libespeak-ng and its data folder (nil: the usual names, espeak-ng's own data).
    public var espeakLibrary: String?
    public var espeakData: String?
    /// libmecab (nil: the usual names).
    public var mecabLibrary: String?

    public static let modelFileName = "kokoro-v1.0.int8.onnx"

    /// The model's front and decoder as separate graphs, beside the model under its name
    /// (`kokoro-v1.0.int8.front.onnx`), as `scripts/setup.sh` makes them: the decoder plain,
    /// as a probe reporting its statistics, and calibrated (fed them). When set-up also made
    /// all four with their convolutions as int8-weight products (`-s8`; bit for bit the same
    /// outputs, checked on the machine, decoding ~1.7× faster with VNNI or AMX:
    /// `scripts/model/signed_weights.py`), those.
    public var splitModel: (front: URL, decoder: URL, probe: URL, calibrated: URL) {
        let stem = model.deletingPathExtension()
        let signed = ["front", "decoder", "decoder-probe", "decoder-calibrated"].map { stem.appendingPathExtension("\($0)-s8.onnx") }
        if signed.allSatisfy({ FileManager.default.fileExists(atPath: $0.path) }) { return (signed[0], signed[1], signed[2], signed[3]) }
        return (stem.appendingPathExtension("front.onnx"), stem.appendingPathExtension("decoder.onnx"),
                stem.appendingPathExtension("decoder-probe.onnx"), stem.appendingPathExtension("decoder-calibrated.onnx"))
    }

    /// The voices' decoder statistics and how they were calibrated (`DecoderStatisticsStore`).
    public var decoderStatistics: URL { cacheDirectory.appendingPathComponent(DecoderStatisticsStore.directoryName) }

    public init(cacheDirectory: URL, model: URL, vocabulary: URL, voicePacks: [URL], misakiDictionaries: URL,
                mandarinDictionaries: URL, japaneseDictionaries: URL, onnxRuntimeLibrary: String?,
                espeakLibrary: String? = nil, espeakData: String? = nil, mecabLibrary: String? = nil) {
        self.espeakLibrary = espeakLibrary
        self.espeakData = espeakData
        self.mecabLibrary = mecabLibrary
        self.cacheDirectory = cacheDirectory
        self.model = model
        self.vocabulary = vocabulary
        self.voicePacks = voicePacks
        self.misakiDictionaries = misakiDictionaries
        self.mandarinDictionaries = mandarinDictionaries
        self.japaneseDictionaries = japaneseDictionaries
        self.onnxRuntimeLibrary = onnxRuntimeLibrary
    }

    /// Each location given, else its place in the cache `scripts/setup.sh` fills (`cache`,
    /// else `~/.cache/kokoro-swift`); the system libraries, else the usual names. Only the
    /// cache has a default from the environment, for library users and tests (set-up and the
    /// scripts share it); `kokoro` reads every location through `KokoroSettings`.
    public static func resolve(cache: String? = ProcessInfo.processInfo.environment["KOKORO_CACHE"], model: String? = nil, voices: [String] = [], vocabulary: String? = nil,
                               onnxRuntimeLibrary: String? = nil, misakiData: String? = nil,
                               mandarinData: String? = nil, japaneseData: String? = nil,
                               espeakLibrary: String? = nil, espeakData: String? = nil, mecabLibrary: String? = nil) -> AssetLocations {
        let cache = cache.map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/kokoro-swift")
        let file = { (explicit: String?, fallback: String) in
            URL(fileURLWithPath: explicit ?? cache.appendingPathComponent(fallback).path)
        }
        let voicePaths = !voices.isEmpty ? voices
            : ["voices_ja.npz", "voices-v1.0.npz"].map { cache.appendingPathComponent($0).path }
                .filter { FileManager.default.fileExists(atPath: $0) }
        return AssetLocations(
            cacheDirectory: cache,
            model: file(model, modelFileName),
            vocabulary: file(vocabulary, "vocab.json"),
            voicePacks: voicePaths.map { URL(fileURLWithPath: $0) },
            misakiDictionaries: file(misakiData, "misaki"),
            mandarinDictionaries: file(mandarinData, "zh"),
            japaneseDictionaries: file(japaneseData, "ja"),
            onnxRuntimeLibrary: onnxRuntimeLibrary,
            espeakLibrary: espeakLibrary, espeakData: espeakData, mecabLibrary: mecabLibrary
        )
    }
}
