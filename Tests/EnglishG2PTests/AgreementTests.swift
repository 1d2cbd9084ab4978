import Foundation
import Testing
import KokoroPhonemizer
@testable import EnglishG2P

@Suite struct AgreementTests {
    @Test func ljSpeechWordAgreementWithMisaki() throws {
        let reference = try String(contentsOf: sharedFile("ljs-test.misaki.tsv"), encoding: .utf8)
        let g2p = try Shared.us.get()
        let start = ContinuousClock.now
        var words = 0, errors = 0
        var worst: [(Int, String, String, String)] = []
        for line in reference.split(separator: "\n") {
            let parts = line.split(separator: "\t", maxSplits: 1)
            guard parts.count == 2 else { continue }
            let expected = parts[1].split(separator: " ")
            let got = try g2p.phonemize(String(parts[0]), language: .americanEnglish)
            let distance = editDistance(expected, got.split(separator: " "))
            words += expected.count
            errors += distance
            if distance > 0 { worst.append((distance, String(parts[0]), String(parts[1]), got)) }
        }
        let elapsed = ContinuousClock.now - start
        let agreement = 1 - Double(errors) / Double(words)
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
