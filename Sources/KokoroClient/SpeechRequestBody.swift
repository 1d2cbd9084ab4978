import AudioEncoding

/// The JSON body sent to `/v1/audio/speech`: audio streamed (`stream: true`), so every byte
/// reaches its file, stdout or player as it arrives.
public struct SpeechRequestBody: Encodable, Equatable, Sendable {
    public var model = "kokoro"
    public var input: String
    public var voice: String?
    public var responseFormat: AudioFormat
    public var speed: Float
    public var stream = true
    public var lang: String?

    public init(input: String, voice: String?, responseFormat: AudioFormat, speed: Float, lang: String?) {
        self.input = input
        self.voice = voice
        self.responseFormat = responseFormat
        self.speed = speed
        self.lang = lang
    }

    enum CodingKeys: String, CodingKey {
        case model, input, voice, response_format, speed, stream, lang
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(model, forKey: .model)
        try container.encode(input, forKey: .input)
        try container.encodeIfPresent(voice, forKey: .voice)
        try container.encode(responseFormat.rawValue, forKey: .response_format)
        try container.encode(speed, forKey: .speed)
        try container.encode(stream, forKey: .stream)
        try container.encodeIfPresent(lang, forKey: .lang)
    }
}
