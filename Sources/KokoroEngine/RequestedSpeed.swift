import KokoroPhonemizer

/// A speed as a client asks for it, and the speed the model is given: one policy for HTTP,
/// the live WebSocket and the developer routes.
///
/// OpenAI's API accepts 0.25 to 4.0, and clients written for it send such values; Kokoro
/// speaks well from 0.5 to 2.0. A value in OpenAI's range is served at the nearest speed
/// Kokoro has (`isClamped` says so, for a response header); outside it, or not a number,
/// it is the client's error.
public struct RequestedSpeed: Sendable, Equatable {
    public static let accepted = 0.25...4.0

    public let requested: Double
    public let applied: Float
    public var isClamped: Bool { Double(applied) != requested }

    public init(_ requested: Double) throws(EngineError) {
        guard requested.isFinite, Self.accepted.contains(requested) else { throw .speedOutOfRange(requested) }
        self.requested = requested
        applied = min(max(Float(requested), EngineError.speedRange.lowerBound), EngineError.speedRange.upperBound)
    }
}

extension Language {
    /// A request's language code ("en-us", "en", "ja", …), or the error naming the codes there are.
    public static func parse(_ code: String) throws(EngineError) -> Language {
        guard let language = Language(code: code) else { throw .unknownLanguage(code) }
        return language
    }
}
