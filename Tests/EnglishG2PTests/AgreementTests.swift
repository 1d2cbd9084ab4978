import Foundation
import Testing
import KokoroPhonemizer
@testable import EnglishG2P

@Suite struct AgreementTests {
    @Test func ljSpeechWordAgreementWithMisaki() throws {
        let reference = try String(contentsOf: sharedFile("ljs-test.misaki.tsv"), encoding: .utf8)
        let g2p = try Shared.us.get()
        let start = ContinuousClock.now
        var score = PhonemeAgreement()
        var worst: [(Int, String, String, String)] = []
        for (text, expected) in PhonemeAgreement.references(in: reference) {
            let got = try g2p.phonemize(text, language: .americanEnglish)
            let distance = score.add(reference: expected, candidate: got)
            if distance > 0 { worst.append((distance, text, expected, got)) }
        }
        let elapsed = ContinuousClock.now - start
        let agreement = score.wordAgreement
        print("ljs-test: 500 sentences in \(elapsed) (debug build; release is several times faster)")
        if ProcessInfo.processInfo.environment["G2P_SHOW"] != nil {
            for (distance, text, expected, got) in worst.sorted(by: { $0.0 > $1.0 }) {
                print("--- \(distance): \(text)\n  ref: \(expected)\n  got: \(got)")
            }
        }
        print("ljs-test word agreement: \(agreement)")
        #expect(agreement >= 0.999)
    }
}
