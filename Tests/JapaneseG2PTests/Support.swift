import Foundation
import KokoroPhonemizer
@testable import JapaneseG2P

/// Where scripts/setup.sh installs the Japanese dictionary and word list.
func dataDirectory() throws -> URL {
    let cache = ProcessInfo.processInfo.environment["KOKORO_CACHE"].map { URL(fileURLWithPath: $0) }
        ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/kokoro-swift")
    let directory = cache.appendingPathComponent("ja")
    let files = JapaneseData.dictionaryFiles.map { "\(JapaneseData.dictionaryFolder)/\($0)" } + [JapaneseData.wordList]
    for name in files where !FileManager.default.fileExists(atPath: directory.appendingPathComponent(name).path) {
        throw SetupMissing(what: "Japanese data file \(name) in \(directory.path)")
    }
    return directory
}

struct SetupMissing: Error, CustomStringConvertible {
    let what: String
    var description: String { "no \(what): run scripts/setup.sh first" }
}

/// One G2P for the whole test run: loading is the slow part.
enum Shared {
    static let g2p: Result<JapaneseG2P, Error> = Result { try JapaneseG2P(dataDirectory: dataDirectory()) }
}

func ja(_ text: String) throws -> String { try Shared.g2p.get().phonemize(text, language: .japanese) }

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
