import KokoroPhonemizer
import KokoroVoices

/// How voices are presented to clients and how OpenAI's voice names map onto Kokoro's.
enum VoiceCatalog {
    struct Entry: Codable, Equatable {
        let id: String
        let name: String
        let language: String
        let gender: String
    }

    /// `af_heart` → Heart, American English, female.
    static func entry(for id: String) -> Entry {
        let parts = id.split(separator: "_", maxSplits: 1)
        let name = parts.count == 2 ? parts[1].capitalized : id
        let genderLetter = parts.first.flatMap { $0.count >= 2 ? $0[$0.index(after: $0.startIndex)] : nil }
        let gender = genderLetter == "f" ? "female" : genderLetter == "m" ? "male" : "unknown"
        return Entry(id: id, name: name, language: Language(voiceName: id)?.rawValue ?? "unknown", gender: gender)
    }

    /// OpenAI's voices, for clients that only know those names; Kokoro has namesakes for most.
    static let openAIVoices: [String: String] = [
        "alloy": "af_alloy", "echo": "am_echo", "fable": "bm_fable", "onyx": "am_onyx",
        "nova": "af_nova", "shimmer": "af_sky", "ash": "am_adam", "ballad": "bm_george",
        "coral": "af_heart", "sage": "af_sarah", "verse": "am_michael", "marin": "af_bella", "cedar": "am_fenrir",
    ]

    /// A request's `voice` with OpenAI names (in blends too) replaced by Kokoro voices,
    /// unless a voice of that name is `known`.
    static func resolveAliases(_ spec: String, known: (String) -> Bool) -> String {
        var result = ""
        var word = ""
        func flush() {
            let lowered = word.lowercased()
            if !known(word), let mapped = openAIVoices[lowered], known(mapped) {
                result += mapped
            } else {
                result += word
            }
            word = ""
        }
        for character in spec {
            if character.isLetter || character.isNumber || character == "_" {
                word.append(character)
            } else {
                flush()
                result.append(character)
            }
        }
        flush()
        return result
    }
}
