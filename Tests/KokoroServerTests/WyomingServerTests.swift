import Foundation
import Hummingbird
import HummingbirdTesting
import KokoroEngine
import Synchronization
import Testing
@testable import KokoroServer

/// The Wyoming server as Home Assistant talks to it, over a real socket: describe, a whole
/// text, and a text streamed in chunks that split words.
@Suite("Wyoming", .serialized)
struct WyomingServerTests {
    final class Port: Sendable {
        let value = Atomic(0)
    }

    /// Reads events from a raw socket until `last` arrives.
    static func events(_ client: RawHTTPClient, until last: String) async throws -> [WyomingEvent] {
        var parser = WyomingParser()
        var events: [WyomingEvent] = []
        while events.last?.type != last {
            let bytes = await client.read(atLeast: 1)
            if bytes.isEmpty { break }
            events += try parser.feed(bytes)
        }
        return events
    }

    /// `body` gets the Wyoming port and an HTTP client of the same server.
    func withWyoming(_ body: @Sendable (Int, any TestClientProtocol) async throws -> Void) async throws {
        let port = Port()
        let app = try makeApp { configuration in
            configuration.wyomingPort = 0
            configuration.onWyomingListening = { port.value.store($0, ordering: .relaxed) }
        }
        try await app.test(.live) { http in
            while port.value.load(ordering: .relaxed) == 0 { try await Task.sleep(for: .milliseconds(10)) }
            try await body(port.value.load(ordering: .relaxed), http)
        }
    }

    @Test(.timeLimit(.minutes(2))) func describeListsEveryVoiceAndStreaming() async throws {
        try await withWyoming { port, _ in
            let client = try RawHTTPClient(port: port)
            client.send(String(decoding: WyomingEvent(type: "describe").encoded, as: UTF8.self))
            let info = try #require(try await Self.events(client, until: "info").last)
            let object = try #require(try JSONSerialization.jsonObject(with: info.data) as? [String: Any])
            let program = try #require((object["tts"] as? [[String: Any]])?.first)
            #expect(program["supports_synthesize_streaming"] as? Bool == true)
            let voices = program["voices"] as? [[String: Any]] ?? []
            // Every voice, each with its language.
            #expect(voices.count == (try sharedEngine.get().voices.names.count))
            #expect(voices.contains { $0["name"] as? String == "zf_xiaobei" && ($0["languages"] as? [String]) == ["zh_CN"] })
            #expect(voices.contains { $0["name"] as? String == "af_heart" && ($0["languages"] as? [String]) == ["en_US"] })
            client.close()
        }
    }

    @Test(.timeLimit(.minutes(2))) func aWholeTextComesBackAsAudio() async throws {
        try await withWyoming { port, _ in
            let client = try RawHTTPClient(port: port)
            let request = try WyomingEvent(type: "synthesize", encoding: WyomingTestSynthesize(text: "Hello there. This is a test.", voice: .init(name: "af_heart")))
            client.send(String(decoding: request.encoded, as: UTF8.self))
            let events = try await Self.events(client, until: "audio-stop")
            #expect(events.first?.type == "audio-start")
            let start = try #require(try events.first.map { try JSONSerialization.jsonObject(with: $0.data) as? [String: Int] } ?? nil)
            #expect(start == ["rate": 24_000, "width": 2, "channels": 1])
            let seconds = Double(events.filter { $0.type == "audio-chunk" }.reduce(0) { $0 + $1.payload.count }) / 48_000
            #expect(seconds > 1 && seconds < 6)
            client.close()
        }
    }

    /// Text arriving as an assistant writes it, split mid-word: every sentence is spoken,
    /// then `synthesize-stopped`.
    @Test(.timeLimit(.minutes(2))) func streamedTextIsSpokenSentenceBySentence() async throws {
        try await withWyoming { port, _ in
            let client = try RawHTTPClient(port: port)
            var bytes = try WyomingEvent(type: "synthesize-start", encoding: ["voice": ["name": "af_heart"]]).encoded
            for chunk in ["The first sente", "nce is here. And the sec", "ond one follows."] {
                bytes += try WyomingEvent(type: "synthesize-chunk", encoding: ["text": chunk]).encoded
            }
            bytes += WyomingEvent(type: "synthesize-stop").encoded
            client.send(String(decoding: bytes, as: UTF8.self))
            let events = try await Self.events(client, until: "synthesize-stopped")
            #expect(events.last?.type == "synthesize-stopped")
            #expect(events.filter { $0.type == "audio-start" }.count == 2)
            #expect(events.filter { $0.type == "audio-stop" }.count == 2)
            let seconds = Double(events.filter { $0.type == "audio-chunk" }.reduce(0) { $0 + $1.payload.count }) / 48_000
            #expect(seconds > 2 && seconds < 8)
            client.close()
        }
    }

    @Test(.timeLimit(.minutes(2))) func anUnknownVoiceIsAnError() async throws {
        try await withWyoming { port, _ in
            let client = try RawHTTPClient(port: port)
            let request = try WyomingEvent(type: "synthesize", encoding: WyomingTestSynthesize(text: "Hi.", voice: .init(name: "nobody")))
            client.send(String(decoding: request.encoded, as: UTF8.self))
            let event = try #require(try await Self.events(client, until: "error").last)
            #expect(String(decoding: event.data, as: UTF8.self).contains("unknown voice nobody"))
            // Then the server closes the connection: Home Assistant waits for that.
            #expect(await client.read(atLeast: 1).isEmpty)
            client.close()
        }
    }

    /// A client that leaves mid-stream stops its synthesis: nothing stays active.
    @Test(.timeLimit(.minutes(2))) func aClientThatLeavesMidStreamFreesItsSlot() async throws {
        try await withWyoming { port, http in
            let client = try RawHTTPClient(port: port)
            let text = Array(repeating: "A long answer goes on and on, sentence after sentence, until the listener has heard enough.", count: 20)
                .joined(separator: " ")
            let request = try WyomingEvent(type: "synthesize", encoding: WyomingTestSynthesize(text: text, voice: .init(name: "af_heart")))
            client.send(String(decoding: request.encoded, as: UTF8.self))
            let heard = try await Self.events(client, until: "audio-chunk")
            #expect(heard.last?.type == "audio-chunk")
            #expect(try await activeRequests(http) == 1)
            client.close(reset: true)
            // Released within moments; a leak never is, and the time limit fails the test.
            while try await activeRequests(http) != 0 { try await Task.sleep(for: .milliseconds(100)) }
        }
    }
}

struct WyomingTestSynthesize: Encodable {
    struct Voice: Encodable { let name: String }
    let text: String
    let voice: Voice
}
