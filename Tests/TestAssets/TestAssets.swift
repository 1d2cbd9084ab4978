import Foundation
import KokoroPhonemizer

/// Where the tests find what `scripts/setup.sh` installed and the shared evaluation set. A
/// missing file fails the test (never skips it) with a message saying how to get it.
public enum TestAssets {
    /// The asset cache: `KOKORO_CACHE`, else `~/.cache/kokoro-swift`, as `AssetLocations` resolves it.
    public static let cache = ProcessInfo.processInfo.environment["KOKORO_CACHE"].map { URL(fileURLWithPath: $0) }
        ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/kokoro-swift")

    /// The cache's folder `name`, once it holds every one of `files`.
    public static func folder(_ name: String, holding files: [String], what: String) throws -> URL {
        let folder = cache.appendingPathComponent(name)
        for file in files where !FileManager.default.fileExists(atPath: folder.appendingPathComponent(file).path) {
            throw Missing(description: "no \(what) (\(file) in \(folder.path)): run scripts/setup.sh first")
        }
        return folder
    }

    /// A file of the shared evaluation set: in `KOKORO_SHARED/eval`, else in the `shared`
    /// folder beside the repository.
    public static func sharedFile(_ name: String) throws -> URL {
        let shared = ProcessInfo.processInfo.environment["KOKORO_SHARED"].map { URL(fileURLWithPath: $0) }
            ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("shared")
        let file = shared.appendingPathComponent("eval/\(name)")
        guard FileManager.default.fileExists(atPath: file.path) else {
            throw Missing(description: "no evaluation file \(file.path): the shared folder's eval/ is beside the repository, or set KOKORO_SHARED to it")
        }
        return file
    }

    /// g2p_score.py's word agreement of `phonemize` with misaki's phonemes in
    /// `<name>.misaki.tsv`, and the candidate file it wrote to the temporary directory, so the
    /// score can be reproduced: `python3 ../shared/tools/g2p_score.py ../shared/eval/<name>.misaki.tsv <candidate>`.
    public static func agreement(withMisaki name: String, phonemize: (String) throws -> String) throws -> (agreement: Double, candidate: URL) {
        let reference = try String(contentsOf: sharedFile("\(name).misaki.tsv"), encoding: .utf8)
        let (score, candidate) = try PhonemeAgreement.score(reference: reference, phonemize: phonemize)
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("\(name).swift.tsv")
        try candidate.write(to: output, atomically: true, encoding: .utf8)
        return (score.wordAgreement, output)
    }

    public struct Missing: Error, CustomStringConvertible {
        public let description: String
    }
}
