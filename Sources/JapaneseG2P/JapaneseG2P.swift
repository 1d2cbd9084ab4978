import Foundation
import KokoroPhonemizer

/// Japanese text to the phonemes Kokoro's jf_/jm_ voices were trained on: misaki 0.9.4's
/// `JAG2P()` in its default cutlet configuration, with MeCab on unidic-lite.
///
/// The pipeline is misaki's: the text is normalized (NFKC, digits spelt out in hiragana),
/// MeCab cuts it into words and gives each its pronunciation in katakana, cutlet joins the
/// words misaki's word list knows as one, and each word's kana are written in misaki's IPA
/// (ɕi, ʦɨ, ɾ, ʔ for っ, ː for ー, ん assimilated), words separated by spaces, Japanese
/// punctuation as ASCII. This configuration of misaki has no pitch accent, so neither does
/// this. libmecab is loaded at run time; without it, or without the dictionary, the
/// initializer throws an error saying what to install.
///
/// Loading takes about 0.15–0.2 s in a release build (MeCab maps its 190 MB dictionary; the
/// word list is read into a set), after which a sentence of the evaluation set takes about
/// 0.3 ms (measured on a busy two-core x86-64 machine). Calls may come from any thread; MeCab
/// is used by one at a time.
public final class JapaneseG2P: Phonemizer {
    public let languages: Set<Language> = [.japanese]
    private let mecab: MeCab
    private let romanizer: Romanizer

    /// `dataDirectory`: where scripts/setup.sh put the dictionary and word list (`<asset cache>/ja`);
    /// `library`: libmecab's path (nil: the usual names).
    public init(dataDirectory: URL, library: String? = nil) throws {
        let libraryCandidates = library.map { [$0] } ?? MeCab.defaultCandidates
        let dictionary = try JapaneseData.dictionary(in: dataDirectory)
        let wordList = try JapaneseData.url(of: JapaneseData.wordList, in: dataDirectory)
        mecab = try MeCab(libraryCandidates: libraryCandidates, dictionary: dictionary)
        romanizer = Romanizer(words: try WordList(contentsOf: wordList))
    }

    /// The MeCab library in use and its version, for diagnostics.
    public var mecabDescription: String { "MeCab \(mecab.version) (\(mecab.libraryPath))" }

    public func phonemize(_ text: String, language: Language) throws -> String {
        try phonemizeWords(text, language: language).phonemes
    }

    /// Each phoneme word reads the part of `text` its MeCab words came from (the digits a
    /// spelt-out number stands for, the word a glued っ or punctuation mark belongs to).
    public func phonemizeWords(_ text: String, language: Language) throws -> PhonemizedText {
        guard language == .japanese else { throw PhonemizerError.unsupportedLanguage(language) }
        let normalized = TextNormalization.normalize(SourcedText(text))
        let nodes = mecab.parse(normalized.string)
        let sources = normalized.sources(ofUTF8: nodes.map(\.utf8Range))
        return romanizer.phonemes(of: Array(zip(nodes, sources)))
    }
}
