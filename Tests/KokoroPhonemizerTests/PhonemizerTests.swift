import Foundation
import Testing
@testable import KokoroPhonemizer

let cache = URL(fileURLWithPath: ProcessInfo.processInfo.environment["KOKORO_CACHE"]
    ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/kokoro-swift").path)

@Suite("espeak-ng phonemizer")
struct ESpeakPhonemizerTests {
    let phonemizer: ESpeakPhonemizer
    let vocabulary: PhonemeVocabulary

    init() throws {
        phonemizer = try ESpeakPhonemizer()
        vocabulary = try PhonemeVocabulary(contentsOf: cache.appendingPathComponent("vocab.json"))
    }

    @Test func englishUsesMisakisSymbols() throws {
        let phonemes = try phonemizer.phonemize("Hello, world! How are you?", language: .americanEnglish)
        #expect(phonemes == "həlˈO, wˈɜɹld! hˈW ɑɹ ju?")
        #expect(vocabulary.unknownSymbols(in: phonemes).isEmpty)
    }

    @Test func otherLanguagesMapDiphthongsAndKeepPunctuation() throws {
        let french = try phonemizer.phonemize("Bonjour, le monde.", language: .french)
        #expect(french.hasSuffix("."))
        #expect(french.contains(","))
        #expect(!french.contains("^"))
        let spanish = try phonemizer.phonemize("¿Qué tal?", language: .spanish)
        #expect(spanish.hasPrefix("¿") && spanish.hasSuffix("?"))
        let hindi = try phonemizer.phonemize("नमस्ते", language: .hindi)
        #expect(!hindi.isEmpty)
        #expect(vocabulary.unknownSymbols(in: french).isEmpty, "\(french)")
        // misaki keeps ¿ and ¡; Kokoro's vocabulary has no id for them, so the tokenizer drops them.
        #expect(vocabulary.unknownSymbols(in: spanish) == ["¿"], "\(spanish)")
    }

    @Test func languageSwitchFlagsAreRemoved() {
        #expect(ESpeakPhonemizer.removingLanguageFlags("(en)hˈɛloʊ(fr) mɔ̃d") == "hˈɛloʊ mɔ̃d")
    }

    @Test func missingLibraryIsAClearError() {
        do {
            _ = try ESpeak(libraryCandidates: ["/nonexistent/libespeak-ng.so"])
            Issue.record("loaded a missing library")
        } catch {
            #expect(error.description.contains("apt-get install libespeak-ng1"))
        }
    }
}

@Suite("Phoneme vocabulary")
struct VocabularyTests {
    @Test func tokenizesAndReportsUnknownSymbols() throws {
        let vocabulary = try PhonemeVocabulary(contentsOf: cache.appendingPathComponent("vocab.json"))
        let (tokens, unknown) = vocabulary.tokenize("hə#lˈO")
        #expect(tokens == [50, 83, 54, 156, 31])
        #expect(unknown == ["#"])
    }

    @Test func unreadableVocabularyNamesTheFix() {
        #expect(throws: VocabularyError.self) { try PhonemeVocabulary(contentsOf: URL(fileURLWithPath: "/nonexistent/vocab.json")) }
    }

    @Test func languagesFromVoicesAndCodes() {
        #expect(Language(voiceName: "bf_emma") == .britishEnglish)
        #expect(Language(voiceName: "zm_yunxi") == .mandarin)
        #expect(Language(voiceName: "xx") == nil)
        #expect(Language(code: "pt") == .brazilianPortuguese)
        #expect(Language(code: "EN-GB") == .britishEnglish)
        #expect(Language(code: "klingon") == nil)
    }
}
