/// The response formats of OpenAI's `/v1/audio/speech`.
public enum AudioFormat: String, CaseIterable, Sendable {
    case mp3, opus, aac, flac, wav, pcm

    /// The `Content-Type` header value.
    ///
    /// Opus is sent as `audio/ogg; codecs=opus` because the bytes are an Ogg
    /// file (RFC 7845 §9); `audio/opus` names bare RTP payloads (RFC 7587), and
    /// browsers and `<audio>` recognise the Ogg type. `audio/pcm` is what
    /// OpenAI documents for its headerless 16-bit stream.
    public var contentType: String {
        switch self {
        case .mp3: "audio/mpeg"
        case .opus: "audio/ogg; codecs=opus"
        case .aac: "audio/aac"
        case .flac: "audio/flac"
        case .wav: "audio/wav"
        case .pcm: "audio/pcm"
        }
    }

    public var fileExtension: String {
        switch self {
        case .opus: "ogg"
        default: rawValue
        }
    }

    /// The format an output file's name asks for, by its extension (Opus as `.ogg` or
    /// `.opus`); "-" (standard output) is WAV. Nil: an extension of no format here.
    public init?(outputPath path: String) {
        if path == "-" {
            self = .wav
            return
        }
        let name = path.split(separator: "/").last ?? ""
        let ext = name.contains(".") ? String(name.split(separator: ".").last ?? "").lowercased() : ""
        guard let format = Self.allCases.first(where: { $0.fileExtension == ext || $0.rawValue == ext }) else { return nil }
        self = format
    }
}
