import Foundation
import KokoroPhonemizer
import TestAssets
@testable import EnglishG2P

/// Where scripts/setup.sh installs misaki's dictionaries.
func dictionaryDirectory() throws -> URL {
    try TestAssets.folder("misaki", holding: ["us_gold.json", "us_silver.json", "gb_gold.json", "gb_silver.json"], what: "misaki dictionaries")
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
