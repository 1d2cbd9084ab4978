import Foundation
import KokoroPhonemizer
import Testing
@testable import JapaneseG2P

/// Expected phonemes are misaki 0.9.4's (`JAG2P()`, cutlet on unidic-lite 1.0.8), run in Python.
@Suite struct JapaneseG2PTests {
    @Test func readsASentenceAsMisakiDoes() throws {
        #expect(try ja("彼を駅に見送りに行ってきたところです。") == "kaɾe o ekʲi ɲi mʲiokɯɾʲi ɲi iʔte kʲita tokoɾo desɨ.")
        #expect(try ja("ＡＢＣとabc") == "ABC to abc")
    }

    @Test func spellsOutNumbers() throws {
        #expect(try ja("今日は2024年12月5日です。") == "kʲoː βa ɲi seɴ ɲiʥɨːjoɴ neɴ ʥɨːɲi ʦɨkʲi ɡo ɲiʨi desɨ.")
        // A wave dash before a digit is a range (から); digits around a point or comma are read apart.
        #expect(try ja("５〜１０人") == "ɡo kaɾa ʥɨː ɲiɴ")
        #expect(try ja("3.14") == "saɴ. ʥɨːjoɴ")
        #expect(try ja("価格は1,234円です。") == "kakakɯ βa iʨi, ɲi çakɯ saɲʥɨːjoɴ eɴ desɨ.")
    }

    /// num2kana's readings (`Convert(n)` in misaki/num2kana.py), quirks included.
    @Test(arguments: [
        ("0", "ゼロ"), ("7", "なな"), ("007", "なな"), ("10", "じゅう"), ("11", "じゅういち"), ("20", "にじゅう"),
        ("99", "きゅうじゅうきゅう"), ("100", "ひゃく"), ("101", "ひゃくいち"), ("110", "ひゃくじゅう"),
        ("300", "さんびゃく"), ("666", "ろっぴゃくろくじゅうろく"), ("800", "はっぴゃく"), ("1000", "せん"),
        ("1001", "せんいち"), ("2020", "にせんにじゅう"), ("3000", "さんぜん"), ("8000", "はっせん"),
        ("10000", "いちまん"), ("12345", "いちまんにせんさんびゃくよんじゅうご"), ("100000", "じゅうまん"),
        ("1000000", "ひゃくまん"), ("10000000", "いっせんまん"), ("11000000", "いっせんひゃくまん"),
        ("100000000", "いちおく"),
        ("123456789", "いちおくにせんさんびゃくよんじゅうごまんろくせんななひゃくはちじゅうきゅう"),
        ("987654321", "きゅうおくはっせんななひゃくろくじゅうごまんよんせんさんびゃくにじゅういち"),
    ])
    func readsNumbersAsNum2kana(digits: String, reading: String) {
        #expect(NumberReading.hiragana(digits) == reading)
    }

    /// misaki fails on more than nine digits; they are read digit by digit, leading zero kept.
    @Test func readsLongNumbersDigitByDigit() throws {
        #expect(NumberReading.hiragana("09012345678") == "ゼロ きゅう ゼロ いち に さん よん ご ろく なな はち")
        #expect(try ja("電話番号は09012345678です。")
            == "deɴβa baŋɡoː βa ʣeɾo kʲɨː ʣeɾo iʨi ɲi saɴ joɴ ɡo ɾokɯ nana haʨi desɨ.")
    }

    @Test func mapsPunctuation() throws {
        #expect(try ja("「こんにちは」と彼は言った。") == "“koɲɲiʨiβa” to kaɾe βa iʔta.")
        #expect(try ja("（注）これは【重要】です！？") == "«ʨɨː» koɾe βa [ʥɨːjoː] desɨ!?")
        #expect(try ja("東京・大阪") == "toːkʲoː oːsaka")
        #expect(try ja("それは…") == "soɾe βa...")
        #expect(try ja("５０％") == "ɡoʥɨː %")
    }

    @Test func readsSokuonMoraicNasalAndLongVowels() throws {
        #expect(try ja("ちょっと待って") == "ʨoʔto maʔte")
        #expect(try ja("さんぽ、かんぱい、きんぎょ、しんにゅう、ほんや、てんいん")
            == "sampo, kampai, kʲiŋɡʲo, ɕiɲɲɨː, hoɴ ja, te ɴ iɴ")
        #expect(try ja("コーヒー") == "koːçiː")
        #expect(try ja("ヴァイオリン") == "baioɾʲiɴ")
        #expect(try ja("ああゝ、いすゞ") == "a aː, isɨzɨ")
    }

    @Test func foldsWidthsAndSpaces() throws {
        #expect(try ja("ｶﾞｷﾞｸﾞ") == "ɡa ɡʲiɡɯ")
        #expect(try ja("今日は　いい　天気") == "kʲoː βa iː teŋkʲi")
    }

    /// Nothing to read gives nothing, as in misaki; unknown kanji are dropped.
    @Test func readsNothingAsNothing() throws {
        #expect(try ja("") == "")
        #expect(try ja(" ") == "")
        #expect(try ja("龘") == "")
    }

    @Test func readsUnidicFeaturesAsFugashi() {
        let known = UnidicFeature("助動詞,*,*,*,助動詞-デス,終止形-一般,デス,です,です,デス,です,デス,和,*,*,*,*,デス,デス,デス,デス,*,*,*,\"形容詞%F2@-1,動詞%F2@0,名詞%F2@1\",*")
        #expect(known.pron == "デス" && known.kana == "デス")
        #expect(UnidicFeature.fields(of: "a,\"b,\"\"c\",d").count == 3)
        #expect(UnidicFeature.fields(of: "a,\"b,\"\"c\",d")[1] == "b,\"c")
        let unknown = UnidicFeature("名詞,普通名詞,一般,*,*,*")
        #expect(unknown.pron == nil && unknown.kana == nil)
    }

    /// Each phoneme word reads what its MeCab words came from: a spelt-out number its digits,
    /// punctuation and a glued っ the word they belong to, a folded character the original.
    @Test func namesTheTextEachWordReads() throws {
        func words(_ text: String) throws -> [String] {
            let read = try Shared.g2p.get().phonemizeWords(text, language: .japanese)
            let utf8 = Array(text.utf8)
            return zip(PhonemizedText.words(of: read.phonemes), read.sources).map { word, source in
                "\(word)=\(source.map { String(decoding: utf8[$0], as: UTF8.self) } ?? "")"
            }
        }
        #expect(try words("「こんにちは」と彼は言った。") == ["“koɲɲiʨiβa”=「こんにちは」", "to=と", "kaɾe=彼", "βa=は", "iʔta.=言った。"])
        #expect(try words("12月5日") == ["ʥɨːɲi=12", "ʦɨkʲi=月", "ɡo=5", "ɲiʨi=日"])
        #expect(try words("ｶﾞｷﾞｸﾞのＡＢＣ") == ["ɡa=ｶﾞ", "ɡʲiɡɯ=ｷﾞｸﾞ", "no=の", "ABC=ＡＢＣ"])
        #expect(try Shared.g2p.get().phonemizeWords("", language: .japanese) == PhonemizedText(phonemes: "", sources: []))
    }

    @Test func refusesOtherLanguages() throws {
        let g2p = try Shared.g2p.get()
        #expect(throws: PhonemizerError.unsupportedLanguage(.mandarin)) { try g2p.phonemize("日本", language: .mandarin) }
    }

    @Test func saysToRunTheSetUpWhenTheDictionaryIsMissing() {
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("no-japanese-data")
        let error = #expect(throws: JapaneseG2PError.self) { try JapaneseG2P(dataDirectory: empty) }
        #expect(error?.description.contains("run scripts/setup.sh") == true)
    }

    @Test func saysHowToInstallMeCabWhenItIsMissing() throws {
        let data = try dataDirectory()
        let error = #expect(throws: JapaneseG2PError.self) {
            try JapaneseG2P(dataDirectory: data, library: "/nonexistent/libmecab.so.2")
        }
        #expect(error?.description.contains("apt-get install libmecab2") == true)
    }
}
