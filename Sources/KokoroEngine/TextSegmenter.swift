/// Splits text into sentences before phonemizing, so each can be synthesized (and streamed)
/// on its own and a long input never has to be phonemized in one piece.
public enum TextSegmenter {
    /// Abbreviations whose period does not end a sentence.
    static let abbreviations: Set<String> = [
        "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "ave", "vs", "etc", "e.g", "i.e", "no", "vol",
        "fig", "inc", "ltd", "co", "corp", "mt", "ft", "gen", "col", "lt", "sgt", "capt", "rev", "hon",
        "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "approx", "dept",
        "a.m", "p.m", "u.s", "u.k",
    ]

    /// Chinese and Japanese full stops: they end a sentence with no space after them.
    static let fullWidthEnds: Set<Character> = ["。", "！", "？"]

    /// The sentences of `text`, trimmed, each with its closing punctuation. Line breaks
    /// always end a sentence (a heading or list item is spoken on its own).
    public static func sentences(_ text: String) -> [String] {
        var sentences: [String] = []
        for line in text.split(whereSeparator: \.isNewline) {
            var current = ""
            let characters = Array(line)
            var index = 0
            while index < characters.count {
                let character = characters[index]
                current.append(character)
                index += 1
                let fullWidth = Self.fullWidthEnds.contains(character)
                guard fullWidth || character == "." || character == "!" || character == "?" || character == "…" else { continue }
                // Closing quotes and brackets belong to the sentence they end.
                let stop = index
                while index < characters.count, "\"'”’)]」』）】".contains(characters[index]) {
                    current.append(characters[index])
                    index += 1
                }
                // A full stop ends a sentence at once, unless it closes a quote the sentence
                // goes on after (「行くよ。」と言った).
                guard (fullWidth && index == stop) || index == characters.count || characters[index].isWhitespace else { continue }
                if character == "." && endsWithAbbreviation(current) { continue }
                let trimmed = current.trimmingWhitespace()
                if !trimmed.isEmpty { sentences.append(trimmed) }
                current = ""
            }
            let trimmed = current.trimmingWhitespace()
            if !trimmed.isEmpty { sentences.append(trimmed) }
        }
        return sentences
    }

    private static func endsWithAbbreviation(_ text: String) -> Bool {
        let word = text.dropLast().reversed().prefix(while: { !$0.isWhitespace && $0 != "(" && $0 != "\"" })
        let lowered = String(word.reversed()).lowercased()
        // Single letters are initials ("J. R. R. Tolkien").
        return abbreviations.contains(lowered) || (lowered.count == 1 && lowered.first!.isLetter)
    }
}

extension StringProtocol {
    /// The text without leading and trailing whitespace (no Foundation needed).
    public func trimmingWhitespace() -> String {
        guard let start = firstIndex(where: { !$0.isWhitespace }),
              let end = lastIndex(where: { !$0.isWhitespace }) else { return "" }
        return String(self[start...end])
    }
}
