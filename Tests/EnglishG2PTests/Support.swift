import Foundation
import KokoroPhonemizer
@testable import EnglishG2P

/// Where scripts/setup.sh installs misaki's dictionaries.
func dictionaryDirectory() throws -> URL {
    let cache = ProcessInfo.processInfo.environment["KOKORO_CACHE"].map { URL(fileURLWithPath: $0) }
        ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/kokoro-swift")
    let directory = cache.appendingPathComponent("misaki")
    guard FileManager.default.fileExists(atPath: directory.appendingPathComponent("us_gold.json").path) else {
        throw SetupMissing(what: "misaki dictionaries in \(directory.path)")
    }
    return directory
}

struct SetupMissing: Error, CustomStringConvertible {
    let what: String
    var description: String { "no \(what): run scripts/setup.sh first" }
}

/// One G2P per dialect for the whole test run: loading is the slow part.
enum Shared {
    static let us: Result<EnglishG2P, Error> = Result {
        try EnglishG2P(dictionaryDirectory: dictionaryDirectory(), british: false, fallback: try? ESpeakPhonemizer(), vocabulary: nil)
    }
    static let gb: Result<EnglishG2P, Error> = Result {
        try EnglishG2P(dictionaryDirectory: dictionaryDirectory(), british: true, fallback: try? ESpeakPhonemizer(), vocabulary: nil)
    }
    static let usLexicon: Result<Lexicon, Error> = Result { try Lexicon(directory: dictionaryDirectory(), british: false) }
}

func us(_ text: String) throws -> String { try Shared.us.get().phonemize(text, language: .americanEnglish) }
func gb(_ text: String) throws -> String { try Shared.gb.get().phonemize(text, language: .britishEnglish) }

/// The shared evaluation files: in `KOKORO_SHARED`, else beside the repository.
func sharedFile(_ name: String) throws -> URL {
    let folder = ProcessInfo.processInfo.environment["KOKORO_SHARED"].map { URL(fileURLWithPath: $0) }
        ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("shared")
    let file = folder.appendingPathComponent("eval/\(name)")
    guard FileManager.default.fileExists(atPath: file.path) else {
        throw EvaluationFileMissing(description: "no evaluation file \(file.path): the shared folder's eval/ is beside the repository, or set KOKORO_SHARED to it")
    }
    return file
}

struct EvaluationFileMissing: Error, CustomStringConvertible {
    let description: String
}
