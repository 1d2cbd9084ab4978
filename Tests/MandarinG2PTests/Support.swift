import Foundation
import KokoroPhonemizer
import TestAssets
@testable import MandarinG2P

/// Where scripts/setup.sh installs the Mandarin dictionaries.
func dataDirectory() throws -> URL {
    try TestAssets.folder("zh", holding: MandarinData.files, what: "Mandarin dictionaries")
}

/// One G2P for the whole test run: loading is the slow part.
enum Shared {
    static let g2p: Result<MandarinG2P, Error> = Result { try MandarinG2P(dataDirectory: dataDirectory()) }
}

func zh(_ text: String) throws -> String { try Shared.g2p.get().phonemize(text, language: .mandarin) }
