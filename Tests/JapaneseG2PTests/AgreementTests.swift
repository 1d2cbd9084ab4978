import Testing
import TestAssets

@Suite struct AgreementTests {
    /// g2p_score.py's word agreement with misaki over the 100 sentences of ja-test (1.0000
    /// when this was written; the bar leaves room for one word in a hundred sentences).
    @Test func agreesWithMisakiOnTheTestSentences() throws {
        let (agreement, candidate) = try TestAssets.agreement(withMisaki: "ja-test", phonemize: ja)
        #expect(agreement >= 0.99, "word agreement \(agreement); candidate in \(candidate.path)")
    }
}
