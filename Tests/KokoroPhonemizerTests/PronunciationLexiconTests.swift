import Foundation
import Testing
@testable import KokoroPhonemizer

@Suite("User lexicon")
struct PronunciationLexiconTests {
    static func lexicon(_ json: String, vocabulary: PhonemeVocabulary? = nil) throws -> PronunciationLexicon {
        try PronunciationLexicon(json: Data(json.utf8), vocabulary: vocabulary)
    }

    /// Respellings are read by the phonemizer; here a stand-in that shows what it was given.
    static func respell(_ text: String) -> String { "<\(text)>" }

    @Test func phonemesAndRespellingsReadTheirWordsWhole() throws {
        let lexicon = try Self.lexicon(#"{"en-us": {"Kokoro": "/kˈOkəɹO/", "nginx": "engine x"}}"#)
        let marked = try #require(lexicon.marking("I run NGINX with kokoro.", language: .americanEnglish, phonemize: Self.respell))
        #expect(marked.text == "I run [NGINX](/<engine x>/) with [kokoro](/kˈOkəɹO/).")
        // Not inside other words, not in another language.
        #expect(lexicon.marking("Kokorodon nginxes", language: .americanEnglish, phonemize: Self.respell) == nil)
        #expect(lexicon.marking("Kokoro", language: .britishEnglish, phonemize: Self.respell) == nil)
    }

    @Test func punctuationAroundAWordStaysOutsideTheMark() throws {
        let lexicon = try Self.lexicon(#"{"en-us": {"nginx": "/ɛn/", "e.g.": "for example"}}"#)
        let marked = try #require(lexicon.marking("'nginx'... e.g. nginx-", language: .americanEnglish, phonemize: Self.respell))
        #expect(marked.text == "'[nginx](/ɛn/)'... [e.g.](/<for example>/) [nginx](/ɛn/)-")
    }

    @Test func markupAlreadyThereIsLeftAlone() throws {
        let lexicon = try Self.lexicon(#"{"en-us": {"nginx": "/ɛn/"}}"#)
        let text = "[nginx](/ˈɛnʤɪn/) and [nginx](+1) and [nginx](junk) but nginx"
        let marked = try #require(lexicon.marking(text, language: .americanEnglish, phonemize: Self.respell))
        #expect(marked.text == "[nginx](/ˈɛnʤɪn/) and [nginx](+1) and [nginx](junk) but [nginx](/ɛn/)")
    }

    /// Word timings point at the text as the user wrote it, not at the markup.
    @Test func offsetsMapBackToTheOriginal() throws {
        let lexicon = try Self.lexicon(#"{"en-us": {"nginx": "/ɛn/", "x": "/ɛks/"}}"#)
        let text = "Yes nginx, x."
        let marked = try #require(lexicon.marking(text, language: .americanEnglish, phonemize: Self.respell))
        func original(_ word: String) -> String {
            let markedBytes = Array(marked.text.utf8)
            let start = markedBytes.firstRange(of: Array(word.utf8))!.lowerBound
            let range = marked.originalRange(start..<(start + word.utf8.count))
            return String(decoding: Array(text.utf8)[range], as: UTF8.self)
        }
        #expect(original("Yes") == "Yes")
        #expect(original("nginx") == "nginx")
        #expect(original(", ") == ", ")
        #expect(original("x](") == "x")
    }

    @Test func jsonRoundTrips() throws {
        let json = #"{"en-gb": {"tomato": "/təmˈɑːtQ/"}, "es": {"Kokoro": "ko ko ro"}}"#
        let lexicon = try Self.lexicon(json)
        #expect(lexicon.count == 2)
        #expect(try PronunciationLexicon(json: lexicon.json(), vocabulary: nil) == lexicon)
        #expect(lexicon.entries[.spanish]?["kokoro"]?.reading == .respelling("ko ko ro"))
    }

    @Test(arguments: [
        (#"["not", "an", "object"]"#, LexiconError.notLexicon),
        (#"{"en-us": {"word": 5}}"#, .notLexicon),
        (#"{"klingon": {"word": "/wˈɜɹd/"}}"#, .unknownLanguage("klingon")),
        (#"{"en-us": {"two words": "x"}}"#, .invalidWord("two words")),
        (#"{"en-us": {"[x]": "x"}}"#, .invalidWord("[x]")),
        (#"{"en-us": {"...": "x"}}"#, .invalidWord("...")),
        (#"{"en-us": {"word": "//"}}"#, .invalidReading(word: "word", "//")),
        (#"{"en-us": {"word": "/a)b/"}}"#, .invalidReading(word: "word", "/a)b/")),
        (#"{"en-us": {"word": "a (b)"}}"#, .invalidReading(word: "word", "a (b)")),
        (#"{"en-us": {"word": "  "}}"#, .invalidReading(word: "word", "  ")),
        (#"{"en-us": {"Word": "x", "word": "y"}}"#, .duplicate("word")),
    ])
    func badLexiconsAreRefusedWithTheReason(json: String, error: LexiconError) {
        #expect(throws: error) { try Self.lexicon(json) }
    }

    @Test func phonemesOutsideTheVocabularyAreRefused() throws {
        let vocabulary = try PhonemeVocabulary(contentsOf: cache.appendingPathComponent("vocab.json"))
        #expect(throws: LexiconError.unknownSymbols(word: "snow", ["☃"])) { try Self.lexicon(#"{"en-us": {"snow": "/☃/"}}"#, vocabulary: vocabulary) }
        #expect(try Self.lexicon(#"{"en-us": {"snow": "/snˈO/"}}"#, vocabulary: vocabulary).count == 1)
    }

    @Test func theSizeIsBounded() {
        let words = (0...PronunciationLexicon.maxEntries).map { "\"w\($0)\": \"x\"" }.joined(separator: ",")
        #expect(throws: LexiconError.tooManyEntries(PronunciationLexicon.maxEntries)) { try Self.lexicon("{\"en-us\": {\(words)}}") }
    }
}
