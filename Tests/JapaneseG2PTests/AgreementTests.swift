import Foundation
import KokoroPhonemizer
import Testing

@Suite struct AgreementTests {
    /// The agreement g2p_score.py reports, over the 100 sentences of ja-test.misaki.tsv. The
    /// candidate file is written to the temporary directory so the score can be reproduced:
    /// `python3 ../shared/tools/g2p_score.py ../shared/eval/ja-test.misaki.tsv $TMPDIR/ja-test.swift.tsv`.
    @Test func agreesWithMisakiOnTheTestSentences() throws {
        let reference = try String(contentsOf: sharedFile("ja-test.misaki.tsv"), encoding: .utf8)
        let (score, candidate) = try PhonemeAgreement.score(reference: reference, phonemize: ja)
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("ja-test.swift.tsv")
        try candidate.write(to: output, atomically: true, encoding: .utf8)
        let agreement = score.wordAgreement
        #expect(agreement >= 0.95, "word agreement \(agreement); candidate in \(output.path)")
    }
}
