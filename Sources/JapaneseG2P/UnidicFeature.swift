/// The fields of a unidic feature string that cutlet reads: `pron` (the pronunciation, in
/// katakana, long vowels as ー) and `kana` (the spelling in kana), read as fugashi reads them.
///
/// Unknown words carry only the first six fields (part of speech and conjugation), so both
/// are missing for them; punctuation has them empty.
struct UnidicFeature {
    static let pronField = 9, kanaField = 17

    let pron: String?
    let kana: String?

    init(_ feature: String) {
        let fields = Self.fields(of: feature)
        pron = fields.count > Self.pronField ? fields[Self.pronField] : nil
        kana = fields.count > Self.kanaField ? fields[Self.kanaField] : nil
    }

    /// The comma-separated fields; a field may be double-quoted (then commas are part of it
    /// and `""` is a quote), as Python's csv module reads them and fugashi with it.
    static func fields(of feature: String) -> [String] {
        guard feature.contains("\"") else { return feature.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        var fields: [String] = []
        var field = ""
        var quoted = false
        var scalars = feature.unicodeScalars.makeIterator()
        var pending = scalars.next()
        while let scalar = pending {
            pending = scalars.next()
            if quoted {
                if scalar == "\"" {
                    if pending == "\"" {
                        field.unicodeScalars.append("\"")
                        pending = scalars.next()
                    } else {
                        quoted = false
                    }
                } else {
                    field.unicodeScalars.append(scalar)
                }
            } else if scalar == "," {
                fields.append(field)
                field = ""
            } else if scalar == "\"" && field.isEmpty {
                quoted = true
            } else {
                field.unicodeScalars.append(scalar)
            }
        }
        fields.append(field)
        return fields
    }
}
