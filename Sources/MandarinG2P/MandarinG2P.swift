import Foundation
import KokoroPhonemizer

/// Mandarin text to the phonemes Kokoro's zf_/zm_ voices were trained on: misaki 0.9.4's
/// legacy `ZHG2P` (version None).
///
/// The pipeline is misaki's: digits to Chinese numerals (cn2an), Chinese punctuation to
/// ASCII, then each run of CJK ideographs cut into words (jieba), each word read in pinyin
/// (pypinyin, whose phrase dictionary carries the neutral tones and 多音字 readings) and
/// written in misaki's IPA with tone arrows → ↗ ↓ ↘; words are separated by spaces, and
/// everything that is not an ideograph (punctuation, Latin letters) passes through as is.
/// Where misaki raises (an ideograph pypinyin has no reading for), that character is skipped.
///
/// Loading the four dictionaries takes about 0.3 s in a release build (0.23–0.35 s measured
/// on a busy two-core x86-64 machine; a few seconds in a debug build), after which a
/// sentence of the evaluation set takes 0.1–0.15 ms. The tables take some 70 MB resident.
public final class MandarinG2P: Phonemizer {
    public let languages: Set<Language> = [.mandarin]
    private let segmenter: WordSegmenter
    private let pinyin: PinyinDictionary

    /// `dataDirectory`: where scripts/setup.sh put the dictionaries (`<asset cache>/zh`).
    public init(dataDirectory: URL) throws {
        let file = { try MandarinData.url(of: $0, in: dataDirectory) }
        let hmm = try HMMSegmenter(probabilities: file("jieba-hmm.tsv"))
        segmenter = try WordSegmenter(dictionary: file("jieba-dict.txt"), hmm: hmm)
        pinyin = try PinyinDictionary(characters: file("pinyin_dict.json"), phrases: file("phrases_dict.json"))
    }

    public func phonemize(_ text: String, language: Language) throws -> String {
        try phonemizeWords(text, language: language).phonemes
    }

    /// Each phoneme word reads the part of `text` its characters came from: a jieba word,
    /// the digits its numerals spell, or the punctuation that passed through.
    public func phonemizeWords(_ text: String, language: Language) throws -> PhonemizedText {
        guard language == .mandarin else { throw PhonemizerError.unsupportedLanguage(language) }
        guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            return PhonemizedText(phonemes: "", sources: [])
        }
        let prepared = Punctuation.map(NumberReading.spellOut(SourcedText(text)))
        var output = SourcedText()
        var runStart: Int?
        for index in 0...prepared.scalars.count {
            if index < prepared.scalars.count && Self.isIdeograph(prepared.scalars[index].value) {
                if runStart == nil { runStart = index }
                continue
            }
            if let start = runStart {
                appendPhonemes(ofIdeographs: prepared, start..<index, to: &output)
                runStart = nil
            }
            if index < prepared.scalars.count { output.append(prepared, index..<index + 1) }
        }
        return Self.words(of: output)
    }

    /// misaki's Chinese runs: `[\u4E00-\u9FFF]+`.
    static func isIdeograph(_ scalar: UInt32) -> Bool { (0x4E00...0x9FFF).contains(scalar) }

    /// The words of one run of ideographs, each as its syllables' phonemes, space-separated.
    private func appendPhonemes(ofIdeographs text: SourcedText, _ range: Range<Int>, to output: inout SourcedText) {
        let run = text.scalars[range].map(\.value)
        for (number, word) in segmenter.cut(run).enumerated() {
            let phonemes = pinyin.readings(run[word]).map { reading in
                reading.flatMap(PinyinSyllable.init(marked:)).flatMap(PinyinIPA.phonemes(of:)) ?? ""
            }.joined()
            let source = text.source(of: range.lowerBound + word.lowerBound..<range.lowerBound + word.upperBound)!
            if number > 0 { output.append(" ", source: source) }
            output.append(phonemes.unicodeScalars, source: source)
        }
    }

    /// The space-separated words of the output and what each reads; misaki drops the
    /// non-syllabic mark (ai̯ → ai) from its whole output, so it goes first.
    private static func words(of output: SourcedText) -> PhonemizedText {
        var sources: [Range<Int>?] = []
        var wordStart: Int?
        var kept = SourcedText()
        for index in output.scalars.indices where output.scalars[index] != "\u{032F}" { kept.append(output, index..<index + 1) }
        for index in 0...kept.scalars.count {
            let isSpace = index == kept.scalars.count || kept.scalars[index] == " "
            if isSpace, let start = wordStart {
                sources.append(kept.source(of: start..<index))
                wordStart = nil
            } else if !isSpace && wordStart == nil {
                wordStart = index
            }
        }
        return PhonemizedText(phonemes: kept.string, sources: sources)
    }
}
