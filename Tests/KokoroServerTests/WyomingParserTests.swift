import Foundation
import Testing
@testable import KokoroServer

@Suite struct WyomingParserTests {
    /// Events written by `encoded` come back whole, however the bytes are split.
    @Test func eventsRoundTripInAnySplit() throws {
        struct Chunk: Codable { let rate: Int; let width: Int; let channels: Int }
        let events = [
            try WyomingEvent(type: "audio-chunk", encoding: Chunk(rate: 24_000, width: 2, channels: 1), payload: Array(0..<200).map { UInt8($0) }),
            WyomingEvent(type: "describe"),
            try WyomingEvent(type: "synthesize", encoding: ["text": "Hello — “there”.\n"]),
        ]
        let bytes = events.flatMap(\.encoded)
        for size in [1, 3, 7, 64, bytes.count] {
            var parser = WyomingParser()
            var parsed: [WyomingEvent] = []
            var index = 0
            while index < bytes.count {
                parsed += try parser.feed(bytes[index ..< min(bytes.count, index + size)])
                index += size
            }
            #expect(parsed.map(\.type) == events.map(\.type), "split \(size)")
            #expect(parsed[0].payload == events[0].payload)
            #expect(try parsed[0].decode(Chunk.self).rate == 24_000)
            #expect(try parsed[2].decode([String: String].self)["text"] == "Hello — “there”.\n")
        }
    }

    /// Data may come inline in the header (older clients) as well as after it.
    @Test func inlineAndSeparateDataMerge() throws {
        var parser = WyomingParser()
        let separate = Data(#"{"text":"Hi."}"#.utf8)
        let bytes = Array(#"{"type":"synthesize","data":{"voice":{"name":"af_heart"}},"data_length":\#(separate.count)}"#.utf8) + [10] + Array(separate)
        let event = try #require(try parser.feed(bytes).first)
        let object = try #require(try JSONSerialization.jsonObject(with: event.data) as? [String: Any])
        #expect(object["text"] as? String == "Hi.")
        #expect((object["voice"] as? [String: Any])?["name"] as? String == "af_heart")
    }

    /// What a client sends is bounded: an endless header line or a huge declared payload is
    /// an error, not a buffer that grows.
    @Test func oversizedInputIsRefused() {
        var parser = WyomingParser()
        #expect(throws: WyomingParser.Failure.headerTooLong) { try parser.feed([UInt8](repeating: 65, count: WyomingParser.maxHeaderBytes + 1)) }
        var second = WyomingParser()
        #expect(throws: WyomingParser.Failure.tooLarge("payload", 1 << 30)) {
            try second.feed(Array(#"{"type":"audio-chunk","payload_length":1073741824}"#.utf8) + [10])
        }
        var third = WyomingParser()
        #expect(throws: WyomingParser.Failure.self) { try third.feed(Array("not json\n".utf8)) }
    }
}
