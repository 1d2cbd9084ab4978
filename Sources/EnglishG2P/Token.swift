/// A word or mark on its way to phonemes, carrying what misaki's pipeline attaches to it.
struct Token: Sendable {
    var text: String
    /// A Penn Treebank tag, as spaCy would give it.
    var tag: String
    /// Whether a space follows in the output.
    var spaceAfter: Bool
    var phonemes: String?
    var rating: Int?
    /// Stress requested by an inline `(+1)`-style mark.
    var stress: Double?
    /// False for the second and later pieces of a word written without spaces ("well-known").
    var isHead = true
    /// The currency sign ($, £, €) that preceded this amount.
    var currency: Character?
    var alias: String?
    /// Set on later pieces of a mixed word that are read as separate words.
    var prespace = false
    /// The UTF-8 offsets of the text as written that this token reads (nil: unknown).
    var source: Range<Int>?

    init(text: String, tag: String = "", spaceAfter: Bool = false) {
        self.text = text
        self.tag = tag
        self.spaceAfter = spaceAfter
    }
}
