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

    /// One thing `doctor` looks at: what it found, or (thrown) the problem and its fix.
    struct Check {
        let label: String
        let examine: () throws -> String
    }

    /// What a check found, as `doctor` prints it.
    struct Finding: Equatable {
        let label: String
        let passed: Bool
        let message: String

        var line: String { "\(passed ? "✓" : "✗") \(label): \(message)" }
    }

    func run() async throws {
        let assets = try engineOptions.assets
        var findings = Self.checks(assets).map(Self.examine)
        findings.forEach { print($0.line) }
        if findings.allSatisfy(\.passed) {
            let finding = await Self.synthesis(try engineOptions.makeEngine())
            print(finding.line)
            findings.append(finding)
        }
        let failures = findings.count { !$0.passed }
        guard failures == 0 else {
            print("\(failures) problem\(failures == 1 ? "" : "s") found; fix them as described above (scripts/setup.sh installs everything).")
            throw ExitCode.failure
        }
        print("all good")
    }

    static func examine(_ check: Check) -> Finding {
        do {
            return Finding(label: check.label, passed: true, message: try check.examine())
        } catch {
            return Finding(label: check.label, passed: false, message: "\(error)")
        }
    }

    /// Everything the engine loads, from `assets`, in the order it needs them.
    static func checks(_ assets: AssetLocations) -> [Check] {
        func files(_ names: [String], in folder: URL, what: String) throws -> String {
            let missing = names.filter { !FileManager.default.fileExists(atPath: folder.appendingPathComponent($0).path) }
            guard missing.isEmpty else {
                throw ValidationError("missing \(missing.joined(separator: ", ")) in \(folder.path); run scripts/setup.sh")
            }
            return "\(what) in \(folder.path)"
        }
        return [
            Check(label: "ONNX Runtime") {
                let runtime = try ORTRuntime.load(explicitPath: assets.onnxRuntimeLibrary, cacheDirectory: assets.cacheDirectory)
                return "\(runtime.version) from \(runtime.libraryPath); providers: \(try runtime.availableProviders().joined(separator: ", "))"
            },
            Check(label: "model") {
                guard FileManager.default.fileExists(atPath: assets.model.path) else { throw EngineError.missingModel(assets.model.path) }
                let digest = try sha256(of: assets.model.path)
                let verdict = digest == modelSHA256 ? "Kokoro-82M v1.0 int8 (checksum verified)" : "not the pinned v1.0 int8 model (sha256 \(digest)); fine if you chose another Kokoro model"
                return "\(assets.model.path): \(verdict)"
            },
            Check(label: "vocabulary") {
                "\(try PhonemeVocabulary(contentsOf: assets.vocabulary).ids.count) symbols in \(assets.vocabulary.path)"
            },
            Check(label: "voices") {
                let library = try VoiceLibrary(paths: assets.voicePacks)
                let hasDefault = library.contains("af_heart") ? "default af_heart present" : "af_heart missing (default is \(library.names[0]))"
                return "\(library.names.count) voices in \(assets.voicePacks.map(\.lastPathComponent).joined(separator: ", ")); \(hasDefault)"
            },
            Check(label: "espeak-ng") {
                let espeak = try ESpeak.shared(library: assets.espeakLibrary, dataPath: assets.espeakData)
                return "\(espeak.version) from \(espeak.libraryPath)"
            },
            Check(label: "English dictionaries") {
                try files(["us_gold.json", "us_silver.json", "gb_gold.json", "gb_silver.json"], in: assets.misakiDictionaries, what: "misaki lexicons")
            },
            Check(label: "Mandarin dictionaries") {
                try files(MandarinData.files, in: assets.mandarinDictionaries, what: "jieba and pypinyin")
            },
            Check(label: "Japanese (MeCab)") {
                try JapaneseG2P(dataDirectory: assets.japaneseDictionaries, library: assets.mecabLibrary).mecabDescription + " with unidic-lite in \(assets.japaneseDictionaries.path)"
            },
        ]
    }

    /// The model says "Hello." in the default voice, audibly.
    static func synthesis(_ engine: @autoclosure () throws -> KokoroEngine) async -> Finding {
        do {
            let engine = try engine()
            let clip = try await engine.synthesize(SpeechRequest(text: "Hello.", voice: engine.defaultVoice))
            guard (clip.samples.map(abs).max() ?? 0) > 0.01 else { throw ValidationError("the model produced silence") }
            return Finding(label: "synthesis", passed: true,
                           message: String(format: "\"Hello.\" → %.2f s of audio in %.0f ms", clip.duration, clip.synthesisSeconds * 1000))
        } catch {
            return Finding(label: "synthesis", passed: false, message: "\(error)")
        }
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
