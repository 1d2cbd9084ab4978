import Foundation
import KokoroPhonemizer
import TestAssets
@testable import JapaneseG2P

/// Where scripts/setup.sh installs the Japanese dictionary and word list.
func dataDirectory() throws -> URL {
    try TestAssets.folder("ja", holding: JapaneseData.dictionaryFiles.map { "\(JapaneseData.dictionaryFolder)/\($0)" } + [JapaneseData.wordList],
                          what: "Japanese data")
}

/// One G2P for the whole test run: loading is the slow part.
enum Shared {
    static let g2p: Result<JapaneseG2P, Error> = Result { try JapaneseG2P(dataDirectory: dataDirectory()) }
}

func ja(_ text: String) throws -> String { try Shared.g2p.get().phonemize(text, language: .japanese) }
