import ArgumentParser
import Foundation
import KokoroEngine
import JapaneseG2P
import MandarinG2P
import KokoroPhonemizer
import KokoroVoices
import ONNXRuntime

struct Doctor: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Check that everything kokoro needs is installed and works.")

    /// The sha256 of the Kokoro-82M v1.0 int8 model scripts/setup.sh installs.
    static let modelSHA256 = "6e742170d309016e5891a994e1ce1559c702a2ccd0075e67ef7157974f6406cb"

    @OptionGroup var engineOptions: EngineOptions

    func run() async throws {
        let assets = try engineOptions.assets
        var failures = 0
        func check(_ label: String, _ body: () throws -> String) {
            do {
                print("✓ \(label): \(try body())")
            } catch {
                failures += 1
                print("✗ \(label): \(error)")
            }
        }
        check("ONNX Runtime") {
            let runtime = try ORTRuntime.load(explicitPath: assets.onnxRuntimeLibrary, cacheDirectory: assets.cacheDirectory)
            return "\(runtime.version) from \(runtime.libraryPath); providers: \(try runtime.availableProviders().joined(separator: ", "))"
        }
        check("model") {
            guard FileManager.default.fileExists(atPath: assets.model.path) else { throw EngineError.missingModel(assets.model.path) }
            let digest = try Self.sha256(of: assets.model.path)
            let verdict = digest == Self.modelSHA256 ? "Kokoro-82M v1.0 int8 (checksum verified)" : "not the pinned v1.0 int8 model (sha256 \(digest)); fine if you chose another Kokoro model"
            return "\(assets.model.path): \(verdict)"
        }
        check("vocabulary") {
            "\(try PhonemeVocabulary(contentsOf: assets.vocabulary).ids.count) symbols in \(assets.vocabulary.path)"
        }
        check("voices") {
            let library = try VoiceLibrary(paths: assets.voicePacks)
            let hasDefault = library.contains("af_heart") ? "default af_heart present" : "af_heart missing (default is \(library.names[0]))"
            return "\(library.names.count) voices in \(assets.voicePacks.map(\.lastPathComponent).joined(separator: ", ")); \(hasDefault)"
        }
        check("espeak-ng") {
            let espeak = try ESpeak.shared()
            return "\(espeak.version) from \(espeak.libraryPath)"
        }
        check("English dictionaries") {
            let files = ["us_gold.json", "us_silver.json", "gb_gold.json", "gb_silver.json"]
            let missing = files.filter { !FileManager.default.fileExists(atPath: assets.misakiDictionaries.appendingPathComponent($0).path) }
            guard missing.isEmpty else {
                throw ValidationError("missing \(missing.joined(separator: ", ")) in \(assets.misakiDictionaries.path); run scripts/setup.sh")
            }
            return "misaki lexicons in \(assets.misakiDictionaries.path)"
        }
        check("Mandarin dictionaries") {
            let missing = MandarinData.files.filter { !FileManager.default.fileExists(atPath: assets.mandarinDictionaries.appendingPathComponent($0).path) }
            guard missing.isEmpty else {
                throw ValidationError("missing \(missing.joined(separator: ", ")) in \(assets.mandarinDictionaries.path); run scripts/setup.sh")
            }
            return "jieba and pypinyin in \(assets.mandarinDictionaries.path)"
        }
        check("Japanese (MeCab)") {
            try JapaneseG2P(dataDirectory: assets.japaneseDictionaries).mecabDescription + " with unidic-lite in \(assets.japaneseDictionaries.path)"
        }
        if failures == 0 {
            let engine = try engineOptions.makeEngine()
            let clip = try await engine.synthesize(SpeechRequest(text: "Hello.", voice: engine.defaultVoice))
            let peak = clip.samples.map(abs).max() ?? 0
            check("synthesis") {
                guard peak > 0.01 else { throw ValidationError("the model produced silence") }
                return String(format: "\"Hello.\" → %.2f s of audio in %.0f ms", clip.duration, clip.synthesisSeconds * 1000)
            }
        }
        guard failures == 0 else {
            print("\(failures) problem\(failures == 1 ? "" : "s") found; fix them as described above (scripts/setup.sh installs everything).")
            throw ExitCode.failure
        }
        print("all good")
    }

    /// sha256 through the system's checksum tool (coreutils or macOS's shasum).
    static func sha256(of path: String) throws -> String {
        let process = Process()
        let pipe = Pipe()
        let linux = FileManager.default.isExecutableFile(atPath: "/usr/bin/sha256sum")
        process.executableURL = URL(fileURLWithPath: linux ? "/usr/bin/sha256sum" : "/usr/bin/shasum")
        process.arguments = linux ? [path] : ["-a", "256", path]
        process.standardOutput = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return String(output.prefix(while: { !$0.isWhitespace }))
    }
}
