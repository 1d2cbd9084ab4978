import AudioEncoding
import KokoroPhonemizer

/// The JSON body of `/v1/audio/speech`: OpenAI's fields (`stream_format` "sse" for Server-Sent
/// Events; `instructions` accepted but not followed, which the response says), the aliases
/// older Kokoro clients send (`text`, `format`), Kokoro-FastAPI's `normalization_options`,
/// and Kokoro's extensions (`stream`, `lang`, `no_cache`).
struct SpeechBody: Decodable {
    var model: String?
    var input: String
    var voice: String?
    var responseFormat: String?
    var speed: Double?
    var stream: Bool?
    var lang: String?
    var noCache: Bool?
    var streamFormat: String?
    var instructions: String?
    var normalization: NormalizationOptions

    enum Keys: String, CodingKey, CaseIterable {
        case model, input, text, voice, response_format, format, speed, stream, lang, lang_code, no_cache, stream_format, instructions,
             normalization_options
    }

    /// Kokoro-FastAPI's `normalization_options`, with its defaults for fields left out (units
    /// off, the rest on). `replace_remaining_symbols` is accepted and changes nothing: misaki
    /// reads the symbols it knows (%, &, +, @) itself, as Kokoro was trained.
    struct NormalizationBody: Decodable {
        var normalize: Bool?
        var unit_normalization: Bool?
        var url_normalization: Bool?
        var email_normalization: Bool?
        var optional_pluralization_normalization: Bool?
        var phone_normalization: Bool?
        var replace_remaining_symbols: Bool?

        var options: NormalizationOptions {
            NormalizationOptions(normalize: normalize ?? true, units: unit_normalization ?? false, urls: url_normalization ?? true,
                                 emails: email_normalization ?? true, optionalPlurals: optional_pluralization_normalization ?? true,
                                 phones: phone_normalization ?? true)
        }
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Keys.self)
        model = try container.decodeIfPresent(String.self, forKey: .model)
        guard let input = try container.decodeIfPresent(String.self, forKey: .input)
            ?? container.decodeIfPresent(String.self, forKey: .text) else {
            throw APIError.badRequest("missing required field `input` (the text to speak)", param: "input")
        }
        self.input = input
        voice = try container.decodeIfPresent(String.self, forKey: .voice)
        responseFormat = try container.decodeIfPresent(String.self, forKey: .response_format)
            ?? container.decodeIfPresent(String.self, forKey: .format)
        speed = try container.decodeIfPresent(Double.self, forKey: .speed)
        stream = try container.decodeIfPresent(Bool.self, forKey: .stream)
        lang = try container.decodeIfPresent(String.self, forKey: .lang) ?? container.decodeIfPresent(String.self, forKey: .lang_code)
        noCache = try container.decodeIfPresent(Bool.self, forKey: .no_cache)
        streamFormat = try container.decodeIfPresent(String.self, forKey: .stream_format)
        instructions = try container.decodeIfPresent(String.self, forKey: .instructions)
        normalization = try container.decodeIfPresent(NormalizationBody.self, forKey: .normalization_options)?.options ?? .standard
    }

    /// Whether the audio goes out as Server-Sent Events (`stream_format` "sse") rather than
    /// as the audio file's bytes ("audio", the default).
    func sendsEvents() throws -> Bool {
        switch streamFormat {
        case nil, "audio": false
        case "sse": true
        case let other?: throw APIError.badRequest("unsupported stream_format \(other.prefix(40)): use sse or audio", param: "stream_format")
        }
    }

    static let acceptedModels: Set<String> = ["kokoro", "tts-1", "tts-1-hd", "gpt-4o-mini-tts"]

    func format() throws -> AudioFormat {
        guard let name = responseFormat?.lowercased() else { return .mp3 }
        guard let format = AudioFormat(rawValue: name) else {
            throw APIError.badRequest("unsupported response_format \(name): use one of \(AudioFormat.allCases.map(\.rawValue).joined(separator: ", "))",
                                      param: "response_format")
        }
        return format
    }

    func validateModel() throws {
        guard let model, !Self.acceptedModels.contains(model) else { return }
        throw APIError.badRequest("unknown model \(model): use one of \(Self.acceptedModels.sorted().joined(separator: ", "))",
                                  param: "model", code: "model_not_found")
    }
}
