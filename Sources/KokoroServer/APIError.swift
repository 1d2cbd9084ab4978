import Foundation
import Hummingbird
import KokoroEngine
import KokoroPhonemizer
import KokoroVoices

/// An error as OpenAI's API shapes it: `{"error": {"message", "type", "param", "code"}}`,
/// so OpenAI clients show our message instead of failing to parse.
public struct APIError: HTTPResponseError, Equatable {
    public let status: HTTPResponse.Status
    public let message: String
    public let type: String
    public let param: String?
    public let code: String?
    public var headers: HTTPFields = [:]

    public init(_ status: HTTPResponse.Status, _ message: String, type: String = "invalid_request_error",
                param: String? = nil, code: String? = nil) {
        self.status = status
        self.message = message
        self.type = type
        self.param = param
        self.code = code
    }

    struct Body: Codable, Equatable {
        struct Detail: Codable, Equatable {
            let message: String
            let type: String
            let param: String?
            let code: String?
        }
        let error: Detail
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let body = Body(error: .init(message: message, type: type, param: param, code: code))
        var headers = self.headers
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: try JSONEncoder().encode(body))))
    }

    static func badRequest(_ message: String, param: String? = nil, code: String? = nil) -> APIError {
        APIError(.badRequest, message, param: param, code: code)
    }

    /// Refusal under load, telling the client when to come back.
    static func overloaded(retryAfter seconds: Int, message: String) -> APIError {
        var error = APIError(.serviceUnavailable, message, type: "server_error", code: "overloaded")
        error.headers[.retryAfter] = String(max(1, seconds))
        return error
    }

    /// The HTTP shape of an engine error.
    static func from(_ error: any Error) -> APIError {
        switch error {
        case let error as APIError:
            return error
        case is CancellationError:
            // Nobody reads this answer: the client left, which cancelled the work. Logged and
            // counted as nginx's 499, never as a server error.
            return APIError(HTTPResponse.Status(code: 499, reasonPhrase: "Client Closed Request"),
                            "the client closed the connection before the response was complete", type: "cancelled")
        case let error as EngineError:
            switch error {
            case .emptyText, .noPhonemes: return .badRequest(error.description, param: "input")
            case .tooLong: return APIError(.contentTooLarge, error.description, param: "input", code: "audio_too_long")
            case .speedOutOfRange: return .badRequest(error.description, param: "speed")
            case .unknownLanguage: return .badRequest(error.description, param: "lang")
            case .tooManyTokens: return .badRequest(error.description, param: "input")
            case .noRealTimeRoom(let seconds, _): return .overloaded(retryAfter: Int(seconds.rounded(.up)), message: error.description)
            case .missingModel, .corruptModel: return APIError(.internalServerError, error.description, type: "server_error")
            }
        case let error as VoiceError:
            switch error {
            case .unknownVoice: return APIError(.notFound, error.description, param: "voice", code: "voice_not_found")
            case .invalidName, .malformedBlend, .tooManyTerms: return .badRequest(error.description, param: "voice", code: "invalid_voice")
            default: return APIError(.internalServerError, error.description, type: "server_error")
            }
        case let error as PhonemizerError:
            switch error {
            case .invalidInlinePhonemes: return .badRequest(error.description, param: "input")
            case .unsupportedLanguage: return .badRequest(error.description, param: "lang")
            default: return APIError(.internalServerError, error.description, type: "server_error")
            }
        default:
            return APIError(.internalServerError, "synthesis failed: \(error)", type: "server_error")
        }
    }
}
