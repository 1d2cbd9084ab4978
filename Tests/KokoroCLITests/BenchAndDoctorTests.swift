import ArgumentParser
import Foundation
import KokoroEngine
import KokoroPhonemizer
import Testing
@testable import KokoroCLI

/// The logic behind `kokoro bench` and `kokoro doctor`, without timing anything.
@Suite struct BenchTests {
    func file(_ text: String) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("bench-texts-\(UUID().uuidString).md")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    @Test func benchmarkTextsAreTheSentenceAndParagraphSections() throws {
        let texts = try BenchTexts(path: try file("# Texts\n\n## Sentence\nOne line.\n\n## paragraph\nFirst line,\nsecond line.\n\n## other\nignored\n"))
        #expect(texts.sentence == "One line.")
        #expect(texts.paragraph == "First line, second line.")
    }

    @Test func benchmarkTextsThatCannotBeUsedSayWhy() throws {
        #expect { try BenchTexts(path: "/nonexistent/bench-texts.md") } throws: { "\($0)".contains("pass --texts PATH") }
        #expect { try BenchTexts(path: try file("## sentence\nOnly this.\n")) } throws: { "\($0)".contains("needs '## sentence' and '## paragraph'") }
    }

    @Test func theMedianOfOddEvenAndNoValues() {
        #expect(median([3, 1, 2]) == 2)
        #expect(median([4, 1, 3, 2]) == 2.5)
        #expect(median([]) == 0)
    }

    @Test func g2pBenchmarksHaveAReferenceForEachLanguageOfOurOwn() throws {
        #expect(try G2PBench.reference(lang: "en-us", given: nil).path == "../shared/eval/ljs-test.misaki.tsv")
        #expect(try G2PBench.reference(lang: "zh", given: nil) == (.mandarin, "../shared/eval/zh-test.misaki.tsv"))
        #expect(try G2PBench.reference(lang: "en-gb", given: "mine.tsv") == (.britishEnglish, "mine.tsv"))
        #expect { try G2PBench.reference(lang: "en-gb", given: nil) } throws: { "\($0)".contains("pass --reference") }
        #expect { try G2PBench.reference(lang: "fr", given: nil) } throws: { "\($0)".contains("espeak-ng") }
    }
}

@Suite struct DoctorTests {
    @Test func aChecksumIsTheFilesSHA256() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("doctor-\(UUID().uuidString)")
        try Data("abc".utf8).write(to: url)
        #expect(try Doctor.sha256(of: url.path) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    /// On an empty cache every check of a file set-up puts there fails, and says how to get
    /// it. (ONNX Runtime and espeak-ng may also be found among the system's libraries.)
    @Test func anEmptyCacheFailsEveryAssetCheckWithItsFix() throws {
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("doctor-empty-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        let findings = Doctor.checks(AssetLocations.resolve(cache: empty.path)).map(Doctor.examine)
        let failed = findings.filter { !$0.passed }
        #expect(Set(failed.map(\.label)).isSuperset(of: ["model", "vocabulary", "voices", "English dictionaries", "Mandarin dictionaries", "Japanese (MeCab)"]))
        for finding in failed {
            #expect(finding.line.hasPrefix("✗ \(finding.label): "))
            #expect(finding.message.contains("setup.sh") || finding.message.contains("install"), "\(finding.line)")
        }
    }

    /// With what scripts/setup.sh installed, every check passes and the model speaks.
    @Test func theInstalledAssetsPassEveryCheck() async throws {
        let assets = AssetLocations.resolve()
        let findings = Doctor.checks(assets).map(Doctor.examine)
        let failed = findings.filter { !$0.passed }.map(\.line)
        #expect(failed.isEmpty, "\(failed)")
        #expect(findings.first { $0.label == "model" }?.message.contains("checksum verified") == true)
        let synthesis = await Doctor.synthesis(try KokoroEngine(configuration: .init(assets: assets, windows: nil)))
        #expect(synthesis.passed, "\(synthesis.line)")
    }
}
