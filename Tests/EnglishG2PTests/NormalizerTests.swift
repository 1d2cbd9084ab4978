import KokoroPhonemizer
import Testing
@testable import EnglishG2P

/// Text that misaki has no reading for, rewritten before tokenization.
@Suite struct NormalizerTests {
    @Test func times() {
        #expect(TextNormalizer().normalize("at 9:45 AM") == "at 9 45 a.m.")
        #expect(TextNormalizer().normalize("at 12:30") == "at 12 30")
        #expect(TextNormalizer().normalize("at 10:00") == "at 10 o'clock")
        #expect(TextNormalizer().normalize("at 9:05 pm") == "at 9 oh 5 p.m.")
    }

    @Test func phoneNumbers() {
        #expect(TextNormalizer().normalize("call 555-123-4567") == "call 5 5 5, 1 2 3, 4 5 6 7")
        #expect(TextNormalizer().normalize("call (555) 123-4567") == "call 5 5 5, 1 2 3, 4 5 6 7")
    }

    @Test func units() {
        #expect(TextNormalizer().normalize("5 kg") == "5 kilograms")
        #expect(TextNormalizer().normalize("1 km") == "1 kilometer")
        #expect(TextNormalizer().normalize("60 mph") == "60 miles per hour")
        #expect(TextNormalizer().normalize("2 GB and 10 MB/s") == "2 gigabytes and 10 megabytes per second")
        #expect(TextNormalizer().normalize("20°C or 68°F") == "20 degrees Celsius or 68 degrees Fahrenheit")
        #expect(TextNormalizer().normalize("the 1990s") == "the 1990s")
        #expect(TextNormalizer().normalize("in the house") == "in the house")
    }

    @Test func fractions() {
        #expect(TextNormalizer().normalize("1/2") == "one half")
        #expect(TextNormalizer().normalize("3/4") == "three quarters")
        #expect(TextNormalizer().normalize("2/3") == "two thirds")
        #expect(TextNormalizer().normalize("1/2/3") == "1/2/3")
    }

    @Test func abbreviations() throws {
        #expect(TextNormalizer().normalize("Main St. is near St. Paul") == "Main Street is near Saint Paul")
        #expect(TextNormalizer().normalize("5th Ave.") == "5th Avenue")
        #expect(try us("Dr. Smith and Mrs. Jones") == "dˈɑktəɹ smˈɪθ ænd mˈɪsɪz ʤˈOnz")
    }

    @Test func romanNumerals() {
        #expect(TextNormalizer().normalize("Chapter IV") == "Chapter four")
        #expect(TextNormalizer().normalize("Henry VIII") == "Henry the eighth")
        #expect(TextNormalizer().normalize("World War II") == "World War two")
        #expect(TextNormalizer().normalize("Then I went") == "Then I went")
        #expect(TextNormalizer().normalize("Lyndal L. Shaneyfelt") == "Lyndal L. Shaneyfelt")
        #expect(TextNormalizer.romanValue("IIII") == nil)
    }

    @Test func emailsAndURLs() {
        #expect(TextNormalizer().normalize("john.doe@example.com") == "john dot doe at example dot com")
        #expect(TextNormalizer().normalize("see https://www.example.com/docs.") == "see https www example dot com slash docs.")
        #expect(TextNormalizer().normalize("visit example.com today") == "visit example dot com today")
        #expect(TextNormalizer().normalize("e.g. this") == "e.g. this")
    }

    @Test func plainTextIsUntouched() {
        let text = "The Secret Service believed that it was very doubtful."
        #expect(TextNormalizer().normalize(text) == text)
    }
}

/// Kokoro-FastAPI's `normalization_options`: each switch turns its class off and nothing else.
@Suite struct NormalizationOptionTests {
    static let text = "Mail a.b@example.com, see https://example.com/x, call 555-123-4567 about 3 file(s) of 10 km."

    @Test func everythingOnRewritesEveryClass() {
        let read = TextNormalizer().normalize(Self.text)
        #expect(read == "Mail a dot b at example dot com, see https example dot com slash x, call 5 5 5, 1 2 3, 4 5 6 7 about 3 files of 10 kilometers.")
    }

    @Test func normalizeOffLeavesTheTextAsWritten() {
        #expect(TextNormalizer(options: NormalizationOptions(normalize: false)).normalize(Self.text) == Self.text)
    }

    @Test(arguments: [
        (NormalizationOptions(units: false), "10 km", "10 kilometers"),
        (NormalizationOptions(urls: false), "https://example.com/x", "https example dot com slash x"),
        (NormalizationOptions(emails: false), "a.b@example.com", "a dot b at example dot com"),
        (NormalizationOptions(optionalPlurals: false), "file(s)", "files"),
        (NormalizationOptions(phones: false), "555-123-4567", "5 5 5, 1 2 3, 4 5 6 7"),
    ])
    func eachSwitchKeepsItsClassAsWritten(options: NormalizationOptions, written: String, rewritten: String) {
        let read = TextNormalizer(options: options).normalize(Self.text)
        #expect(read.contains(written) && !read.contains(rewritten), "\(read)")
        // The others are still rewritten.
        #expect(read != Self.text)
    }
}
