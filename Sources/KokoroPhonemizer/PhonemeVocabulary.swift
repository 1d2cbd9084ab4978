import Foundation

/// Kokoro's phoneme vocabulary (`vocab.json`): each symbol's token id.
///
/// Tokenizing never fails: symbols the model does not know are dropped and reported, so a
/// caller can warn about them (or reject them, for phonemes a user typed).
public struct PhonemeVocabulary: Sendable {
    public let ids: [Unicode.Scalar: Int64]

    public init(ids: [Unicode.Scalar: Int64]) { self.ids = ids }

    /// Reads `{"vocab": {"a": 43, …}}` as shipped with the model.
    public init(contentsOf url: URL) throws {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw VocabularyError.unreadable(url.path, "\(error.localizedDescription)")
        }
        struct File: Decodable { let vocab: [String: Int64] }
        guard let file = try? JSONDecoder().decode(File.self, from: data) else {
            throw VocabularyError.unreadable(url.path, "not a Kokoro vocab.json ({\"vocab\": {symbol: id}})")
        }
        var ids: [Unicode.Scalar: Int64] = [:]
        for (symbol, id) in file.vocab {
            guard symbol.unicodeScalars.count == 1, let scalar = symbol.unicodeScalars.first else {
                throw VocabularyError.unreadable(url.path, "symbol \(symbol) is not one character")
            }
            ids[scalar] = id
        }
        self.init(ids: ids)
    }

    /// The tokens of `phonemes` and the symbols that had no id (in order, repeats kept once).
    public func tokenize(_ phonemes: String) -> (tokens: [Int64], unknown: [Unicode.Scalar]) {
        var tokens: [Int64] = []
        tokens.reserveCapacity(phonemes.unicodeScalars.count)
        var unknown: [Unicode.Scalar] = []
        for scalar in phonemes.unicodeScalars {
            if let id = ids[scalar] {
                tokens.append(id)
            } else if !unknown.contains(scalar) {
                unknown.append(scalar)
            }
        }
        return (tokens, unknown)
    }

    /// Whether every symbol of `phonemes` is in the vocabulary.
    public func unknownSymbols(in phonemes: String) -> [Unicode.Scalar] { tokenize(phonemes).unknown }
}

public enum VocabularyError: Error, CustomStringConvertible {
    case unreadable(String, String)

    public var description: String {
        switch self {
        case .unreadable(let path, let why):
            "cannot read the phoneme vocabulary at \(path): \(why). Run scripts/setup.sh to fetch it, or set KOKORO_VOCAB"
        }
    }
}
