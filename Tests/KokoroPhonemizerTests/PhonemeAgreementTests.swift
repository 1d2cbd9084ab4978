import Testing
@testable import KokoroPhonemizer

/// The agreement every G2P is judged by counts words as g2p_score.py does.
@Suite struct PhonemeAgreementTests {
    @Test func wordEditsOverReferenceWords() {
        var score = PhonemeAgreement()
        #expect(score.add(reference: "a b c d", candidate: "a b c d") == 0)
        #expect(score.add(reference: "a b c d", candidate: "a x c") == 2)
        #expect(score.add(reference: "a  b", candidate: "a\tb c") == 1)
        #expect(score.referenceWords == 10 && score.wordErrors == 3)
        #expect(score.exactSentences == 1)
        #expect(abs(score.wordAgreement - 0.7) < 1e-12)
    }

    @Test func referenceFilesAreTextTabPhonemes() {
        let rows = PhonemeAgreement.references(in: "Hi.\thˈI.\nno tab here\n\nYes?\tjˈɛs?\n")
        #expect(rows.map(\.text) == ["Hi.", "Yes?"] && rows.map(\.phonemes) == ["hˈI.", "jˈɛs?"])
    }
}
