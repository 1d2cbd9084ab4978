import Foundation

/// One event of the Wyoming protocol (Home Assistant's): a JSON header line, then optional
/// JSON data and a binary payload, their lengths given in the header.
struct WyomingEvent: Sendable, Equatable {
    var type: String
    /// The data object's JSON (`{}` when the event has none).
    var data: Data
    var payload: [UInt8]

    init(type: String, data: Data = Data("{}".utf8), payload: [UInt8] = []) {
        self.type = type
        self.data = data
        self.payload = payload
    }

    init(type: String, encoding value: some Encodable, payload: [UInt8] = []) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        self.init(type: type, data: try encoder.encode(value), payload: payload)
    }

    /// The data decoded as `T`.
    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try JSONDecoder().decode(T.self, from: data)
    }

    /// The bytes on the wire: the header line (type, version, data and payload lengths),
    /// then the data, then the payload.
    var encoded: [UInt8] {
        var header = #"{"type":"# + Self.quoted(type) + #","version":"# + Self.quoted(WyomingParser.version)
        let hasData = data != Data("{}".utf8) && !data.isEmpty
        if hasData { header += ",\"data_length\":\(data.count)" }
        if !payload.isEmpty { header += ",\"payload_length\":\(payload.count)" }
        header += "}\n"
        return Array(header.utf8) + (hasData ? Array(data) : []) + payload
    }

    private static func quoted(_ text: String) -> String {
        String(decoding: (try? JSONEncoder().encode(text)) ?? Data("\"\"".utf8), as: UTF8.self)
    }
}

/// Splits a byte stream into Wyoming events: a small pure state machine (header line, data,
/// payload), fed whatever the socket delivered. Bounded: a header line, data or payload over
/// its limit is an error, never a buffer that grows with what a client sends.
struct WyomingParser {
    /// The protocol version written in headers: the wyoming library's whose streaming events
    /// this server speaks (readers ignore it; streaming appeared in 1.7.0).
    static let version = "1.10.2"
    static let maxHeaderBytes = 64 << 10
    static let maxDataBytes = 1 << 20
    static let maxPayloadBytes = 1 << 20

    enum Failure: Error, Equatable, CustomStringConvertible {
        case headerTooLong
        case malformedHeader(String)
        case tooLarge(String, Int)

        var description: String {
            switch self {
            case .headerTooLong: "a Wyoming header line over \(WyomingParser.maxHeaderBytes) bytes"
            case .malformedHeader(let why): "a malformed Wyoming header: \(why)"
            case .tooLarge(let part, let bytes): "a Wyoming event's \(part) of \(bytes) bytes is over the limit"
            }
        }
    }

    private enum State {
        case header
        case body(type: String, inline: [String: Any], dataLength: Int, payloadLength: Int)
    }

    private var buffer: [UInt8] = []
    private var state = State.header

    /// The events completed by `bytes` (and the bytes before them).
    mutating func feed(_ bytes: some Sequence<UInt8>) throws(Failure) -> [WyomingEvent] {
        buffer.append(contentsOf: bytes)
        var events: [WyomingEvent] = []
        while true {
            switch state {
            case .header:
                guard let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) else {
                    guard buffer.count <= Self.maxHeaderBytes else { throw .headerTooLong }
                    return events
                }
                let line = buffer[..<newline]
                buffer.removeSubrange(...newline)
                guard !line.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\r") }) else { continue }
                guard line.count <= Self.maxHeaderBytes else { throw .headerTooLong }
                guard let header = (try? JSONSerialization.jsonObject(with: Data(line))) as? [String: Any] else {
                    throw .malformedHeader("not a JSON object")
                }
                guard let type = header["type"] as? String, !type.isEmpty else { throw .malformedHeader("no type") }
                let dataLength = header["data_length"] as? Int ?? 0
                let payloadLength = header["payload_length"] as? Int ?? 0
                guard dataLength >= 0, payloadLength >= 0 else { throw .malformedHeader("a negative length") }
                guard dataLength <= Self.maxDataBytes else { throw .tooLarge("data", dataLength) }
                guard payloadLength <= Self.maxPayloadBytes else { throw .tooLarge("payload", payloadLength) }
                state = .body(type: type, inline: header["data"] as? [String: Any] ?? [:], dataLength: dataLength, payloadLength: payloadLength)
            case .body(let type, let inline, let dataLength, let payloadLength):
                guard buffer.count >= dataLength + payloadLength else { return events }
                var data = inline
                if dataLength > 0 {
                    guard let separate = (try? JSONSerialization.jsonObject(with: Data(buffer[..<dataLength]))) as? [String: Any] else {
                        throw .malformedHeader("its data is not a JSON object")
                    }
                    data.merge(separate) { _, new in new }
                }
                let payload = Array(buffer[dataLength ..< dataLength + payloadLength])
                buffer.removeSubrange(..<(dataLength + payloadLength))
                let json = (try? JSONSerialization.data(withJSONObject: data, options: [.sortedKeys])) ?? Data("{}".utf8)
                events.append(WyomingEvent(type: type, data: json, payload: payload))
                state = .header
            }
        }
    }
}
