import Foundation

/// The dictionaries scripts/setup.sh installs in `<asset cache>/zh`, pinned by sha256:
/// jieba 0.42.1's `dict.txt` and HMM tables (as `jieba-hmm.tsv`), and pypinyin 0.55.0's
/// `pinyin_dict.json` and `phrases_dict.json`.
public enum MandarinData {
    public static let files = ["jieba-dict.txt", "jieba-hmm.tsv", "pinyin_dict.json", "phrases_dict.json"]

    /// `directory`'s copy of `name`, or an error saying to run the set-up.
    static func url(of name: String, in directory: URL) throws -> URL {
        let url = directory.appendingPathComponent(name)
        guard FileManager.default.fileExists(atPath: url.path) else { throw MandarinDataError.missing(url.path) }
        return url
    }
}

/// Why the Mandarin dictionaries could not be loaded.
public enum MandarinDataError: Error, Equatable, CustomStringConvertible {
    case missing(String)
    case malformed(String, line: Int?)

    public var description: String {
        switch self {
        case .missing(let path):
            "no Mandarin dictionary at \(path): run scripts/setup.sh (it installs jieba's and pypinyin's dictionaries)"
        case .malformed(let path, let line):
            "malformed Mandarin dictionary \(path)\(line.map { " at line \($0)" } ?? ""): delete it and run scripts/setup.sh again"
        }
    }
}
