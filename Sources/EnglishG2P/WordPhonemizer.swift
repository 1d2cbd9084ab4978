import Foundation

/// One token's phonemes from the lexicon: misaki's `Lexicon.__call__`. Capitalisation
/// becomes stress (Title case 0.5, ALL CAPS 2), currency amounts get their unit, and
/// anything numeric goes to the number reader.
extension Lexicon {
    func phonemes(for token: Token, context: TokenContext) -> (String, Int)? {
        var word = token.alias ?? token.text
        if word.unicodeScalars.contains(where: { !$0.isASCII }) {
            word = word.replacingOccurrences(of: "‘", with: "'").replacingOccurrences(of: "’", with: "'")
            word = word.precomposedStringWithCompatibilityMapping
        }
        let stress: Double? = word == word.lowercased() ? nil : (word == word.uppercased() ? 2 : 0.5)
        if let (ps, rating) = self.word(word, tag: token.tag, stress: stress, context: context) {
            return (Stress.apply(appendingCurrency(ps, token.currency), token.stress), rating)
        }
        if NumberReader.isNumber(word, isHead: token.isHead),
           let (ps, rating) = number(word, currency: token.currency, isHead: token.isHead) {
            return (Stress.apply(ps, token.stress), rating)
        }
        return nil
    }

    private func appendingCurrency(_ ps: String, _ currency: Character?) -> String {
        guard let currency, let unit = NumberReader.currencies[currency]?.unit,
              let plural = stemS(unit + "s", tag: nil, stress: nil, context: nil) else { return ps }
        return ps + " " + plural.0
    }
}
