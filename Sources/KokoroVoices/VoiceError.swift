/// Why a voice could not be loaded or resolved; each message says how to fix it.
public enum VoiceError: Error, Equatable, CustomStringConvertible {
    case malformed(String, String)
    case wrongType(String, String)
    case wrongShape(String, [Int])
    case unreadable(String, String)
    case unknownVoice(String, suggestions: [String], available: Int)
    case invalidName(String)
    case malformedBlend(String, String)
    case tooManyTerms(String, limit: Int)
    case noVoices([String])

    public var description: String {
        switch self {
        case .malformed(let name, let why):
            "voice file \(name) is corrupt: \(why); fetch it again with scripts/setup.sh"
        case .wrongType(let name, let type):
            "voice \(name) holds \(type) values, Kokoro voices are float32 ('<f4')"
        case .wrongShape(let name, let shape):
            "voice \(name) has shape \(shape), Kokoro voices are (510, 1, 256)"
        case .unreadable(let path, let why):
            "cannot read voices from \(path): \(why). Run scripts/setup.sh, or pass --voices PATH / set KOKORO_VOICES"
        case .unknownVoice(let name, let suggestions, let available):
            suggestions.isEmpty
                ? "unknown voice \(name); `kokoro voices` lists the \(available) available"
                : "unknown voice \(name); did you mean \(suggestions.joined(separator: ", "))? (`kokoro voices` lists all \(available))"
        case .invalidName(let name):
            "invalid voice name \(Self.quoted(name)): names use letters, digits and _ only (e.g. af_heart)"
        case .malformedBlend(let spec, let why):
            "malformed voice blend \(Self.quoted(spec)): \(why); write e.g. af_bella+af_sky or af_bella(2)+af_sky(1)"
        case .tooManyTerms(let spec, let limit):
            "voice blend \(Self.quoted(spec)) has too many terms: a blend mixes at most \(limit) voices, e.g. af_bella(2)+af_sky(1)"
        case .noVoices(let paths):
            "no voices found in \(paths.joined(separator: ", ")); run scripts/setup.sh or pass --voices PATH"
        }
    }

    /// A request's text in a message, shortened: an error must not echo 500 KB back.
    static func quoted(_ text: String) -> String {
        text.count <= 80 ? text : "\(text.prefix(60))… (\(text.count) characters)"
    }
}
