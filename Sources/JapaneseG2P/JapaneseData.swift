import Foundation

/// The data scripts/setup.sh installs in `<asset cache>/ja`, pinned by sha256: unidic-lite
/// 1.0.8's compiled MeCab dictionary (`unidic-lite/`, the dictionary misaki's cutlet gets from
/// fugashi when unidic-lite is installed) and misaki 0.9.4's `ja_words.txt`.
public enum JapaneseData {
    /// The folder of the MeCab dictionary, inside the data directory.
    public static let dictionaryFolder = "unidic-lite"
    /// The files MeCab reads from that folder.
    public static let dictionaryFiles = ["dicrc", "mecabrc", "sys.dic", "matrix.bin", "char.bin", "unk.dic"]
    /// misaki's word list, inside the data directory.
    public static let wordList = "ja_words.txt"

    /// `directory`'s MeCab dictionary folder, or an error saying to run the set-up.
    static func dictionary(in directory: URL) throws(JapaneseG2PError) -> URL {
        let folder = directory.appendingPathComponent(dictionaryFolder)
        for file in dictionaryFiles {
            let path = folder.appendingPathComponent(file).path
            guard FileManager.default.fileExists(atPath: path) else { throw .missing(path) }
        }
        return folder
    }

    /// `directory`'s copy of `name`, or an error saying to run the set-up.
    static func url(of name: String, in directory: URL) throws(JapaneseG2PError) -> URL {
        let url = directory.appendingPathComponent(name)
        guard FileManager.default.fileExists(atPath: url.path) else { throw .missing(url.path) }
        return url
    }
}

/// Why Japanese could not be phonemized.
public enum JapaneseG2PError: Error, Equatable, CustomStringConvertible {
    case mecabUnavailable(String)
    case missing(String)
    case dictionaryUnreadable(String, String)

    public var description: String {
        switch self {
        case .mecabUnavailable(let why):
            "MeCab is not available, so Japanese cannot be phonemized: \(why). Install it with `apt-get install libmecab2` (or `brew install mecab`), or point KOKORO_MECAB_LIBRARY at libmecab"
        case .missing(let path):
            "no Japanese dictionary file at \(path): run scripts/setup.sh (it installs unidic-lite's MeCab dictionary and misaki's word list)"
        case .dictionaryUnreadable(let path, let why):
            "MeCab could not open the dictionary in \(path): \(why). Delete it and run scripts/setup.sh again"
        }
    }
}
