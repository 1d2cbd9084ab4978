/// How closely a phonemizer agrees with reference phonemes (misaki's, for the languages
/// Kokoro was trained on), measured as `g2p_score.py` measures it: word agreement is 1 −
/// the word-level edit distance over all sentences / the reference's words, words being
/// runs between whitespace. The tests and `kokoro bench g2p` share this one definition.
public struct PhonemeAgreement: Sendable {
    public private(set) var sentences = 0
    public private(set) var exactSentences = 0
    public private(set) var referenceWords = 0
    public private(set) var wordErrors = 0

    public init() {}

    /// The `TEXT<TAB>PHONEMES` lines of a reference file.
    public static func references(in file: String) -> [(text: String, phonemes: String)] {
        file.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: "\t", maxSplits: 1)
            return fields.count == 2 ? (String(fields[0]), String(fields[1])) : nil
        }
    }

    /// `phonemize` scored on every sentence of a reference file, and what it said, as the
    /// candidate file `g2p_score.py` reads (TEXT<TAB>PHONEMES lines).
    public static func score(reference file: String, phonemize: (String) throws -> String) rethrows -> (score: PhonemeAgreement, candidate: String) {
        var score = PhonemeAgreement()
        var candidate = ""
        for (text, expected) in references(in: file) {
            let got = try phonemize(text)
            candidate += "\(text)\t\(got)\n"
            score.add(reference: expected, candidate: got)
        }
        return (score, candidate)
    }

    /// Counts one sentence; returns how many words differ.
    @discardableResult
    public mutating func add(reference: String, candidate: String) -> Int {
        let expected = reference.split(whereSeparator: \.isWhitespace), got = candidate.split(whereSeparator: \.isWhitespace)
        let distance = Self.editDistance(expected, got)
        sentences += 1
        exactSentences += expected == got ? 1 : 0
        referenceWords += expected.count
        wordErrors += distance
        return distance
    }

    public var wordAgreement: Double { referenceWords == 0 ? 1 : 1 - Double(wordErrors) / Double(referenceWords) }

    static func editDistance(_ a: [Substring], _ b: [Substring]) -> Int {
        var previous = Array(0...b.count)
        for (i, x) in a.enumerated() {
            var current = [i + 1]
            for (j, y) in b.enumerated() {
                current.append(min(previous[j + 1] + 1, current[j] + 1, previous[j] + (x == y ? 0 : 1)))
            }
            previous = current
        }
        return previous[b.count]
    }
}
