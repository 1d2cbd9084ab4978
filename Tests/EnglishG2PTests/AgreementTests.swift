import Testing
import TestAssets

@Suite struct AgreementTests {
    /// g2p_score.py's word agreement with misaki over the 500 sentences of ljs-test; the
    /// candidate file the test writes shows the differences.
    @Test func ljSpeechWordAgreementWithMisaki() throws {
        let (agreement, candidate) = try TestAssets.agreement(withMisaki: "ljs-test", phonemize: us)
        #expect(agreement >= 0.999, "word agreement \(agreement); candidate in \(candidate.path)")
    }
}
