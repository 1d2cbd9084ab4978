import Foundation
import KokoroPhonemizer
import TestAssets
import Testing
@testable import MandarinG2P

@Suite struct MandarinG2PTests {
    @Test func readsASentenceExactlyAsMisaki() throws {
        #expect(try zh("我喜欢孩子。这就是为什么我成为了教师。")
            == "wo↓ ɕi↓xwa→n xai↗ʦɨ. ꭧɤ↘ ʨjou↘ʂɨ↘ wei↘ʂə↗nmɤ wo↓ ꭧʰə↗ŋwei↗ lɤ ʨjau↘ʂɨ→.")
    }

    @Test func readsDigitsAsChineseNumerals() throws {
        #expect(try zh("山上的老教堂的历史可以追溯到12世纪。")
            == "ʂa→nʂa↘ŋ tɤ lau↓ ʨjau↘tʰa↗ŋ tɤ li↘ʂɨ↓ kʰɤ↓i↓ ꭧwei→su↘tau↘ ʂɨ↗ɚ↘ ʂɨ↘ʨi↘.")
    }

    @Test(arguments: [
        ("12", "十二"), ("0", "零"), ("10", "十"), ("105", "一百零五"), ("1000", "一千"), ("10010", "一万零一十"),
        ("100000000", "一亿"), ("100003000", "一亿三千"), ("-3.25", "负三点二五"), ("007", "七"),
    ])
    func spellsNumbersLikeCn2an(digits: String, numerals: String) throws {
        #expect(try ChineseNumerals.low(digits) == numerals)
    }

    @Test(arguments: [
        ("2024年3月5日", "二零二四年三月五日"), ("3-5个", "三到五个"), ("1/2", "二分之一"), ("50%", "百分之五十"),
        ("30℃", "三十摄氏度"), ("他有１２本书", "他有十二本书"), ("12345678901234567", "12345678901234567"),
        ("2024年٣月", "二零二四年٣月"),
    ])
    func transformsNumbersInTextLikeCn2an(text: String, transformed: String) {
        #expect(NumberReading.spellOut(SourcedText(text)).string == transformed)
    }

    @Test func mapsChinesePunctuationToKokoros() throws {
        #expect(try zh("你好，世界！") == "ni↓xau↓, ʂɨ↘ʨje↘!")
        #expect(try zh("《红楼梦》（小说）") == "“xʊ↗ŋlou↗mə↘ŋ”  (ɕjau↓ʂwo→)")
        #expect(try zh("他说：“我们3点走。”") == "tʰa→ ʂwo→: “wo↓mən sa→ntjɛ↓n ʦou↓. ”")
        // Code points, as in Python: the combining mark does not hide the 》, and misaki drops it.
        #expect(try zh("红楼梦》\u{032F}好") == "xʊ↗ŋlou↗mə↘ŋ” xau↓")
    }

    @Test func readsNeutralTonesAndSyllabicNasals() throws {
        #expect(try zh("嗯") == "n↗")
        #expect(try zh("衣裳") == "i→ʂaŋ")
    }

    @Test func eachPhonemeWordReadsItsWordOfTheText() throws {
        let text = "我喜欢孩子。12世纪"
        let words = try Shared.g2p.get().phonemizeWords(text, language: .mandarin)
        #expect(words.phonemes == "wo↓ ɕi↓xwa→n xai↗ʦɨ. ʂɨ↗ɚ↘ ʂɨ↘ʨi↘")
        let read = words.sources.map { range in range.map { String(decoding: Array(text.utf8)[$0], as: UTF8.self) } }
        #expect(read == ["我", "喜欢", "孩子。", "12", "世纪"])
    }

    @Test func saysToRunTheSetUpWhenTheDictionariesAreMissing() {
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("no-mandarin-data")
        let error = #expect(throws: MandarinDataError.self) { try MandarinG2P(dataDirectory: empty) }
        #expect(error?.description.contains("run scripts/setup.sh") == true)
    }

    @Test func refusesOtherLanguages() throws {
        let g2p = try Shared.g2p.get()
        #expect(throws: PhonemizerError.unsupportedLanguage(.japanese)) { try g2p.phonemize("你好", language: .japanese) }
    }

    /// g2p_score.py's word agreement with misaki over the 100 sentences of zh-test (1.0000
    /// when this was written; the bar leaves room for one word in a hundred sentences).
    @Test func agreesWithMisakiOnTheTestSentences() throws {
        let (agreement, candidate) = try TestAssets.agreement(withMisaki: "zh-test", phonemize: zh)
        #expect(agreement >= 0.99, "word agreement \(agreement); candidate in \(candidate.path)")
    }
}
