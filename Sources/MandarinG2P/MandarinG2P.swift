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
/// Loading the four dictionaries takes about 0.3 s in a release build (0.25–0.31 s measured
/// on a busy two-core x86-64 machine; some 9 s in a debug build), after which a sentence of
/// the evaluation set takes about 0.1 ms.
public final class MandarinG2P: Phonemizer {
    public let languages: Set<Language> = [.mandarin]
    private let segmenter: WordSegmenter
    private let pinyin: PinyinDictionary

    /// `dataDirectory`: where scripts/setup.sh put the dictionaries (`<asset cache>/zh`).
    public init(dataDirectory: URL) throws {
        let urls = try MandarinData.urls(in: dataDirectory)
        let hmm = try HMMSegmenter(probabilities: urls["jieba-hmm.tsv"]!)
        segmenter = try WordSegmenter(dictionary: urls["jieba-dict.txt"]!, hmm: hmm)
        pinyin = try PinyinDictionary(characters: urls["pinyin_dict.json"]!, phrases: urls["phrases_dict.json"]!)
    }

    public func phonemize(_ text: String, language: Language) throws -> String {
        guard language == .mandarin else { throw PhonemizerError.unsupportedLanguage(language) }
        guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { return "" }
        let prepared = Punctuation.map(NumberReading.spellOut(text))
        var output = ""
        var run: [UInt32] = []
        for scalar in prepared.unicodeScalars {
            if Self.isIdeograph(scalar.value) {
                run.append(scalar.value)
                continue
            }
            if !run.isEmpty {
                output += phonemes(ofIdeographs: run)
                run.removeAll(keepingCapacity: true)
            }
            output.unicodeScalars.append(scalar)
        }
        if !run.isEmpty { output += phonemes(ofIdeographs: run) }
        // misaki drops the non-syllabic mark (ai̯ → ai) from its whole output.
        output.unicodeScalars.removeAll { $0 == "\u{032F}" }
        return output
    }

    /// misaki's Chinese runs: `[\u4E00-\u9FFF]+`.
    static func isIdeograph(_ scalar: UInt32) -> Bool { (0x4E00...0x9FFF).contains(scalar) }

    /// The words of one run of ideographs, each as its syllables' phonemes, space-separated.
    func phonemes(ofIdeographs run: [UInt32]) -> String {
        segmenter.cut(run).map { range in
            pinyin.readings(run[range]).map { reading in
                reading.flatMap(PinyinSyllable.init(marked:)).flatMap(PinyinIPA.phonemes(of:)) ?? ""
            }.joined()
        }.joined(separator: " ")
    }
}
