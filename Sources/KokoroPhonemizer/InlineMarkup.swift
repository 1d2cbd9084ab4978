/// The Kokoro demo's inline control, `[text](/phonemes/)` and `[text](+1)`: the link text
/// is spoken, and the target either replaces its phonemes or shifts its stress. Every
/// phonemizer reads it the same way, so it is parsed here once.
public enum InlineMarkup {
    public enum Control: Equatable, Sendable {
        case phonemes(String)
        case stress(Double)
    }

    public struct Segment: Equatable, Sendable {
        public var text: String
        public var control: Control?
        /// The UTF-8 offsets in the parsed text of what is spoken (a link's text).
        public var source: Range<Int>

        public init(text: String, control: Control? = nil, source: Range<Int>) {
            self.text = text
            self.control = control
            self.source = source
        }
    }

    /// Splits text into plain runs and marked-up words; malformed or unknown targets leave
    /// the link text as plain words, as misaki does.
    public static func parse(_ text: String) -> [Segment] {
        guard text.utf8.contains(UInt8(ascii: "[")) else { return [Segment(text: text, source: 0..<text.utf8.count)] }
        func offsets(_ range: Range<String.Index>) -> Range<Int> {
            text.utf8.distance(from: text.startIndex, to: range.lowerBound)..<text.utf8.distance(from: text.startIndex, to: range.upperBound)
        }
        var segments: [Segment] = []
        var plainStart = text.startIndex
        var i = text.startIndex
        while i < text.endIndex {
            if text[i] == "[", let (label, target, end) = link(in: text, at: i) {
                if plainStart < i { segments.append(Segment(text: String(text[plainStart..<i]), source: offsets(plainStart..<i))) }
                segments.append(Segment(text: String(text[label]), control: control(target), source: offsets(label)))
                i = end
                plainStart = end
            } else {
                i = text.index(after: i)
            }
        }
        if plainStart < text.endIndex { segments.append(Segment(text: String(text[plainStart...]), source: offsets(plainStart..<text.endIndex))) }
        return segments
    }

    private static func link(in text: String, at start: String.Index) -> (Range<String.Index>, String, String.Index)? {
        let afterBracket = text.index(after: start)
        guard let close = text[afterBracket...].firstIndex(of: "]"), close > afterBracket else { return nil }
        let label = text[afterBracket..<close]
        guard !label.contains("["), text.index(after: close) < text.endIndex, text[text.index(after: close)] == "(" else { return nil }
        let targetStart = text.index(close, offsetBy: 2)
        guard let targetEnd = text[targetStart...].firstIndex(of: ")") else { return nil }
        return (label.startIndex..<label.endIndex, String(text[targetStart..<targetEnd]), text.index(after: targetEnd))
    }

    private static func control(_ target: String) -> Control? {
        let unsigned = target.first == "+" || target.first == "-" ? target.dropFirst() : Substring(target)
        if !unsigned.isEmpty, unsigned.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int(target.first == "+" ? String(unsigned) : target) {
            return .stress(Double(value))
        }
        switch target {
        case "0.5", "+0.5": return .stress(0.5)
        case "-0.5": return .stress(-0.5)
        default: break
        }
        if target.count > 1, target.first == "/", target.last == "/" {
            var phonemes = target.dropFirst()
            while phonemes.last == "/" { phonemes = phonemes.dropLast() }
            return .phonemes(String(phonemes))
        }
        return nil
    }
}
