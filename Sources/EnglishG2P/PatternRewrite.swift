import Foundation

/// A regular expression whose matches are rewritten by a function of their capture groups.
struct PatternRewrite: @unchecked Sendable {
    private let regex: NSRegularExpression
    private let transform: @Sendable ([String?]) -> String?

    /// `transform` gets the whole match and each group (nil when a group did not take part),
    /// and returns the replacement, or nil to leave the match as it was.
    init(_ pattern: String, caseInsensitive: Bool = false, _ transform: @escaping @Sendable ([String?]) -> String?) {
        // The patterns are literals of this module; a bad one is a programming error.
        regex = try! NSRegularExpression(pattern: pattern, options: caseInsensitive ? [.caseInsensitive] : [])
        self.transform = transform
    }

    func apply(_ text: String) -> String {
        let ns = text as NSString
        let matches = regex.matches(in: text, range: NSRange(location: 0, length: ns.length))
        guard !matches.isEmpty else { return text }
        var result = ""
        var last = 0
        for match in matches {
            let groups = (0..<match.numberOfRanges).map { index -> String? in
                let range = match.range(at: index)
                return range.location == NSNotFound ? nil : ns.substring(with: range)
            }
            guard let replacement = transform(groups) else { continue }
            result += ns.substring(with: NSRange(location: last, length: match.range.location - last))
            result += replacement
            last = match.range.location + match.range.length
        }
        return result + ns.substring(from: last)
    }
}
