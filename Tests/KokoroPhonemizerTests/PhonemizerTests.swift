import Foundation
import TestAssets
import Testing
@testable import KokoroPhonemizer

let cache = TestAssets.cache

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

    /// `[word](/phonemes/)` is honoured in every language, not read aloud, and its
    /// phonemes read the word they mark; a stress mark, meaningless to espeak, reads the word.
    @Test func inlinePhonemesInEspeakLanguages() throws {
        let text = "Hola [gato](/ɡˈato/), y [perro](+1)."
        let read = try phonemizer.phonemizeWords(text, language: .spanish)
        let plain = try phonemizer.phonemize("Hola gato, y perro.", language: .spanish)
        #expect(read.phonemes.contains("ɡˈato,"))
        #expect(!read.phonemes.contains("/") && !read.phonemes.contains("[") && !read.phonemes.contains("+"))
        #expect(PhonemizedText.words(of: read.phonemes).count == PhonemizedText.words(of: plain).count)
        // Each phoneme word reads its written word (punctuation glued on stretches it over the markup).
        let words = read.sources.map { $0.map { String(decoding: Array(text.utf8)[$0], as: UTF8.self) } ?? "" }
        #expect(words.count == 4 && words[0] == "Hola" && words[1].hasPrefix("gato") && words[2] == "y" && words[3].hasPrefix("perro"), "\(words)")
        let checked = ESpeakPhonemizer(espeak: try ESpeak.shared(), vocabulary: vocabulary)
        #expect(throws: PhonemizerError.invalidInlinePhonemes(["☃"])) { try checked.phonemize("[gato](/☃/)", language: .spanish) }
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
