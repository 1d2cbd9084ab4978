import Foundation

/// A voice expression as Kokoro-FastAPI accepts it: `af_heart`, `af_bella+af_sky` (equal
/// parts), `af_bella(2)+af_sky(1)` (weights normalized) or `af_bella-af_sky(0.3)` (subtract).
///
/// Added terms are normalized to sum to one; subtracted terms keep their weight on that
/// same scale, so `a(2)+b(1)-c(0.3)` is `(2a + b − 0.3c) / 3`.
public struct VoiceBlend: Sendable, Equatable, CustomStringConvertible {
    public struct Term: Sendable, Equatable {
        public let name: String
        public let weight: Float
        public let subtract: Bool
    }

    public let terms: [Term]

    /// The most terms a blend may have: more add nothing a listener hears, and each costs
    /// work before the request is admitted (a 60,000-term blend took 4.7 s of CPU).
    public static let maxTerms = 8

    public init(parsing spec: String) throws(VoiceError) {
        let text = spec.filter { !$0.isWhitespace }
        guard !text.isEmpty else { throw .malformedBlend(spec, "it is empty") }
        // Eight terms of the longest names and weights fit easily; more is refused unread.
        guard text.utf8.count <= 1_024 else { throw .tooManyTerms(spec, limit: Self.maxTerms) }
        var terms: [Term] = []
        var index = text.startIndex
        var subtract = false
        while index < text.endIndex {
            let nameEnd = text[index...].firstIndex(where: { $0 == "(" || $0 == "+" || $0 == "-" }) ?? text.endIndex
            let name = String(text[index..<nameEnd])
            guard !name.isEmpty else { throw .malformedBlend(spec, "a voice name is missing") }
            try VoiceBlend.validate(name: name)
            var weight: Float = 1
            index = nameEnd
            if index < text.endIndex, text[index] == "(" {
                guard let close = text[index...].firstIndex(of: ")") else {
                    throw .malformedBlend(spec, "unclosed ( after \(name)")
                }
                guard let value = Float(text[text.index(after: index)..<close]), value.isFinite, value > 0 else {
                    throw .malformedBlend(spec, "the weight of \(name) must be a positive number")
                }
                weight = value
                index = text.index(after: close)
            }
            guard terms.count < Self.maxTerms else { throw .tooManyTerms(spec, limit: Self.maxTerms) }
            terms.append(Term(name: name, weight: weight, subtract: subtract))
            guard index < text.endIndex else { break }
            guard text[index] == "+" || text[index] == "-" else {
                throw .malformedBlend(spec, "expected + or - after \(name)")
            }
            subtract = text[index] == "-"
            index = text.index(after: index)
            guard index < text.endIndex else { throw .malformedBlend(spec, "it ends with an operator") }
        }
        guard terms.first?.subtract == false, terms.contains(where: { !$0.subtract }) else {
            throw .malformedBlend(spec, "it needs a voice to start from")
        }
        self.terms = terms
    }

    /// Voice names are plain identifiers: never a path, so a request cannot reach other files.
    public static func validate(name: String) throws(VoiceError) {
        guard !name.isEmpty, name.count <= 64,
              name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") })
        else { throw .invalidName(name) }
    }

    /// Each term's effective weight after normalization.
    public var normalizedWeights: [Float] {
        let total = terms.filter { !$0.subtract }.reduce(0) { $0 + $1.weight }
        return terms.map { ($0.subtract ? -$0.weight : $0.weight) / total }
    }

    public var isSingleVoice: Bool { terms.count == 1 }

    /// One spelling for every way of writing the same mix (`a+b`, `b(1)+a(1)`, `a(2)+b(2)`,
    /// `a+a+b+b`): each voice once, by name, with its normalized weight. Tables keyed by
    /// voice (loudness) use it, so respellings share one entry.
    public var canonical: String {
        guard !isSingleVoice else { return terms[0].name }
        var weights: [String: Float] = [:]
        for (term, weight) in zip(terms, normalizedWeights) { weights[term.name, default: 0] += weight }
        return weights.filter { abs($0.value) >= 0.00005 }.sorted { $0.key < $1.key }
            .map { "\($0.key)(\(String(format: "%.4f", $0.value)))" }.joined(separator: "+")
    }

    public var description: String {
        terms.enumerated().map { index, term in
            let op = index == 0 ? "" : (term.subtract ? "-" : "+")
            return term.weight == 1 ? "\(op)\(term.name)" : "\(op)\(term.name)(\(term.weight))"
        }.joined()
    }
}
