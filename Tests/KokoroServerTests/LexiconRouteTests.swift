import Foundation
import Hummingbird
import HummingbirdTesting
import KokoroEngine
import KokoroPhonemizer
import Testing
@testable import KokoroServer

/// The user lexicon through the API and its file: a change counts from the next request,
/// without a restart. One suite, in order, since the tests share the engine's lexicon.
@Suite(.serialized) struct LexiconRouteTests {
    static func phonemes(_ client: some TestClientProtocol, _ text: String) async throws -> String {
        try await client.execute(uri: "/dev/phonemize", method: .post, body: json(["input": text])) { response in
            #expect(response.status == .ok)
            return decodeJSON(response.body)["phonemes"] as? String ?? ""
        }
    }

    static func put(_ client: some TestClientProtocol, _ body: String) async throws -> (HTTPResponse.Status, [String: Any]) {
        try await client.execute(uri: "/v1/lexicon", method: .put, body: ByteBuffer(string: body)) { ($0.status, decodeJSON($0.body)) }
    }

    @Test func anEntryChangesTheNextRequest() async throws {
        let file = try #require(try sharedEngine.get().lexicon?.file)
        try await makeApp().test(.router) { client in
            let before = try await Self.phonemes(client, "Say zorblatt twice.")
            #expect(!before.contains("ʤˈɛlO"))
            let (status, lexicon) = try await Self.put(client, #"{"en-us": {"zorblatt": "/ʤˈɛlO/"}}"#)
            #expect(status == .ok)
            #expect((lexicon["en-us"] as? [String: String])?["zorblatt"] == "/ʤˈɛlO/")
            #expect(try await Self.phonemes(client, "Say zorblatt twice.").contains("ʤˈɛlO"))
            // Stored in the file, and read back by GET.
            #expect(try String(contentsOf: file, encoding: .utf8).contains("zorblatt"))
            try await client.execute(uri: "/v1/lexicon", method: .get) { response in
                #expect(response.status == .ok)
                #expect((decodeJSON(response.body)["en-us"] as? [String: String])?["zorblatt"] == "/ʤˈɛlO/")
            }
            // A respelling is read the way the language reads it.
            #expect(try await Self.put(client, #"{"en-us": {"zorblatt": "apple"}}"#).0 == .ok)
            #expect(try await Self.phonemes(client, "Say zorblatt twice.") == Self.phonemes(client, "Say apple twice."))
        }
    }

    @Test func anEditOfTheFileCountsFromTheNextRequest() async throws {
        let file = try #require(try sharedEngine.get().lexicon?.file)
        try await makeApp().test(.router) { client in
            try Data(#"{"en-us": {"quibblewick": "/bənˈænə/"}}"#.utf8).write(to: file)
            #expect(try await Self.phonemes(client, "A quibblewick.").contains("bənˈænə"))
            // An edit that does not parse keeps the lexicon in use.
            try Data(#"{"en-us": {"quibblewick": "/☃/", "oops"#.utf8).write(to: file)
            #expect(try await Self.phonemes(client, "A quibblewick.").contains("bənˈænə"))
        }
    }

    @Test func aBadLexiconIsRefusedWithTheReasonAndChangesNothing() async throws {
        try await makeApp().test(.router) { client in
            #expect(try await Self.put(client, #"{"en-us": {"frobnitz": "/tˈOst/"}}"#).0 == .ok)
            let (status, body) = try await Self.put(client, #"{"en-us": {"frobnitz": "/☃/"}}"#)
            #expect(status == .badRequest)
            let error = body["error"] as? [String: Any] ?? [:]
            #expect((error["message"] as? String)?.contains("frobnitz") == true)
            #expect(error["code"] as? String == "invalid_lexicon")
            #expect(try await Self.put(client, "not json").0 == .badRequest)
            #expect(try await Self.phonemes(client, "One frobnitz.").contains("tˈOst"))
        }
    }

    @Test func withoutAFileTheLexiconCannotBeKept() throws {
        let store = try LexiconStore(file: nil, vocabulary: nil)
        #expect(throws: LexiconError.notConfigured) { try store.replace(with: Data("{}".utf8)) }
        #expect(store.current().lexicon.count == 0)
    }

    @Test func aBadFileAtStartNamesTheProblem() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("kokoro-bad-lexicon-\(UUID()).json")
        try Data(#"{"en-us": {"two words": "x"}}"#.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        #expect(throws: LexiconError.invalidWord("two words")) { try LexiconStore(file: file, vocabulary: nil) }
    }
}
