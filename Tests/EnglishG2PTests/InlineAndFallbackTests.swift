import Foundation
import Testing
import KokoroPhonemizer
@testable import EnglishG2P

/// Inline phoneme and stress control, vocabulary checks, output format, espeak fallback.
@Suite struct InlineAndFallbackTests {
    @Test func inlinePhonemesReplaceTheWord() throws {
        #expect(try us("[Kokoro](/kˈOkəɹO/) speaks.") == "kˈOkəɹO spˈiks.")
    }

    @Test func inlineStressAdjustments() throws {
        #expect(try us("[very](-1) good") == "vˌɛɹi ɡˈʊd")
        #expect(try us("[very](-2) good") == "vɛɹi ɡˈʊd")
        #expect(try us("[it](+2) is") == "ˈɪt ɪz")
        #expect(try us("[it](+1) is") == "ˌɪt ɪz")
    }

    @Test func inlinePhonemesOutsideTheVocabularyAreRejected() throws {
        let vocabulary = PhonemeVocabulary(ids: Dictionary(uniqueKeysWithValues: "kˈOəɹ ".unicodeScalars.enumerated().map { ($1, Int64($0)) }))
        let g2p = try EnglishG2P(dictionaryDirectory: dictionaryDirectory(), british: false, fallback: nil, vocabulary: vocabulary)
        #expect(throws: PhonemizerError.invalidInlinePhonemes(["ʒ"])) {
            try g2p.phonemize("[x](/kˈOʒ/)", language: .americanEnglish)
        }
        #expect(try g2p.phonemize("[x](/kˈOəɹ/)", language: .americanEnglish) == "kˈOəɹ")
    }

    @Test func wrongLanguageIsRefused() throws {
        #expect(throws: PhonemizerError.unsupportedLanguage(.britishEnglish)) {
            try Shared.us.get().phonemize("hi", language: .britishEnglish)
        }
    }

    @Test func punctuationIsKeptAsMisakiKeepsIt() throws {
        #expect(try us("Well, \"yes\" (no) — maybe; fine!") == "wˈɛl, “jˈɛs” (nˈO) — mˈAbi; fˈIn!")
    }

    @Test func unknownWordsGoToESpeak() throws {
        let ps = try us("Zyxqorbian")
        #expect(!ps.isEmpty)
        #expect(ps.allSatisfy { !"^ɐɚ".contains($0) })
        #expect(ps.contains("ˈ"))
    }

    @Test func missingDictionariesNameTheSetupScript() {
        #expect {
            try EnglishG2P(dictionaryDirectory: URL(fileURLWithPath: "/nonexistent"), british: false, fallback: nil, vocabulary: nil)
        } throws: { "\($0)".contains("scripts/setup.sh") }
    }
}

@Suite struct FallbackCacheTests {
    /// Every request can bring words no dictionary knows; what espeak-ng read for them is
    /// kept within its byte bound, oldest out first (it grew without bound before).
    @Test func wordsESpeakReadAreKeptWithinTheBound() throws {
        let espeak = try #require(try? ESpeakPhonemizer(), "espeak-ng is not installed")
        let g2p = try EnglishG2P(dictionaryDirectory: dictionaryDirectory(), british: false, fallback: espeak, vocabulary: nil,
                                 fallbackCacheBytes: 2_000)
        for index in 0..<60 {
            _ = try g2p.phonemize("Zyx\(String(UnicodeScalar(UInt8(97 + index % 26))))qorb\(String(UnicodeScalar(UInt8(97 + index / 26))))ian",
                                  language: .americanEnglish)
        }
        let statistics = g2p.fallbackCache.statistics
        #expect(statistics.cost <= 2_000)
        #expect(statistics.evictions > 0)
        #expect(statistics.entries > 10)
    }
}
