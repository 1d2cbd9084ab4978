/// A language Kokoro can speak, identified the way voices are: by their first letter.
///
/// Voice names start with a language letter (`af_heart` is American English); the engine
/// uses it to pick the phonemizer unless the caller names a language explicitly.
public enum Language: String, Sendable, CaseIterable, Codable {
    case americanEnglish = "en-us"
    case britishEnglish = "en-gb"
    case spanish = "es"
    case french = "fr-fr"
    case hindi = "hi"
    case italian = "it"
    case japanese = "ja"
    case brazilianPortuguese = "pt-br"
    case mandarin = "cmn"

    /// The voice-name prefix letter of this language.
    public var voiceLetter: Character {
        switch self {
        case .americanEnglish: "a"
        case .britishEnglish: "b"
        case .spanish: "e"
        case .french: "f"
        case .hindi: "h"
        case .italian: "i"
        case .japanese: "j"
        case .brazilianPortuguese: "p"
        case .mandarin: "z"
        }
    }

    /// The espeak-ng voice that phonemizes this language.
    public var espeakVoice: String { rawValue }

    public var isEnglish: Bool { self == .americanEnglish || self == .britishEnglish }

    /// How people call the language in messages.
    public var englishName: String {
        switch self {
        case .americanEnglish: "American English"
        case .britishEnglish: "British English"
        case .spanish: "Spanish"
        case .french: "French"
        case .hindi: "Hindi"
        case .italian: "Italian"
        case .japanese: "Japanese"
        case .brazilianPortuguese: "Brazilian Portuguese"
        case .mandarin: "Mandarin Chinese"
        }
    }

    /// The language of a voice, from its first letter (`bf_emma` → British English).
    public init?(voiceName: String) {
        guard let letter = voiceName.first,
              let match = Language.allCases.first(where: { $0.voiceLetter == letter }) else { return nil }
        self = match
    }

    /// Accepts the codes users type: `en-us`, `en`, `a`, `fr`, `pt`, `zh`, `british`…
    public init?(code: String) {
        let code = code.lowercased().replacingOccurrences(of: "_", with: "-")
        if let exact = Language(rawValue: code) { self = exact; return }
        switch code {
        case "a", "en", "english", "american", "us", "en-us": self = .americanEnglish
        case "b", "gb", "uk", "british", "en-uk": self = .britishEnglish
        case "e", "es-es", "spanish": self = .spanish
        case "f", "fr", "french": self = .french
        case "h", "hindi": self = .hindi
        case "i", "it-it", "italian": self = .italian
        case "j", "jp", "japanese": self = .japanese
        case "p", "pt", "portuguese": self = .brazilianPortuguese
        case "z", "zh", "zh-cn", "chinese", "mandarin": self = .mandarin
        default: return nil
        }
    }
}
