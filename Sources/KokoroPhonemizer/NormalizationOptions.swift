/// Which rewrites of written forms into words a request wants: Kokoro-FastAPI's
/// `normalization_options`, field for field, so clients written for it work unchanged.
/// Phonemizers without a normalizer of their own (espeak-ng reads as it reads) ignore it.
public struct NormalizationOptions: Sendable, Hashable {
    /// Off: the text reaches the phonemizer as written (misaki's own rules still read
    /// numbers, currency and the symbols it knows, as in training).
    public var normalize = true
    /// "10 km" → "10 kilometers".
    public var units = true
    /// "https://example.com/a" → "https example dot com slash a".
    public var urls = true
    /// "a.b@example.com" → "a dot b at example dot com".
    public var emails = true
    /// "word(s)" → "words".
    public var optionalPlurals = true
    /// "(555) 123-4567" read in groups of digits.
    public var phones = true

    /// Everything on: what a request without options gets.
    public static let standard = NormalizationOptions()

    public init(normalize: Bool = true, units: Bool = true, urls: Bool = true, emails: Bool = true,
                optionalPlurals: Bool = true, phones: Bool = true) {
        self.normalize = normalize
        self.units = units
        self.urls = urls
        self.emails = emails
        self.optionalPlurals = optionalPlurals
        self.phones = phones
    }
}
