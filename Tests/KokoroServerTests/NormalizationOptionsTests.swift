import Foundation
import Hummingbird
import HummingbirdTesting
import KokoroPhonemizer
import Testing
@testable import KokoroServer

/// Kokoro-FastAPI's `normalization_options`, as its clients send them.
@Suite struct NormalizationOptionsTests {
    static func body(_ json: String) throws -> SpeechBody {
        try JSONDecoder().decode(SpeechBody.self, from: Data(json.utf8))
    }

    @Test func fieldsLeftOutTakeKokoroFastAPIsDefaults() throws {
        #expect(try Self.body(#"{"input": "x"}"#).normalization == .standard)
        #expect(try Self.body(#"{"input": "x", "normalization_options": {}}"#).normalization == NormalizationOptions(units: false))
        let off = try Self.body(#"{"input": "x", "normalization_options": {"normalize": false, "unit_normalization": true, "phone_normalization": false, "replace_remaining_symbols": false}}"#)
        #expect(off.normalization == NormalizationOptions(normalize: false, units: true, phones: false))
    }

    @Test func aWrongTypeIsABadRequest() async throws {
        try await makeApp().test(.router) { client in
            let body = ByteBuffer(string: #"{"input": "Hi.", "normalization_options": {"normalize": "no"}}"#)
            try await client.execute(uri: "/v1/audio/speech", method: .post, body: body) { response in
                #expect(response.status == .badRequest)
                #expect((errorBody(response.body)["message"] as? String)?.contains("normalization_options.normalize") == true)
            }
        }
    }

    @Test func normalizeOffReachesThePhonemizer() async throws {
        try await makeApp().test(.router) { client in
            func phonemes(_ options: String) async throws -> String {
                let body = ByteBuffer(string: #"{"input": "Write to a.b@example.com today.", "normalization_options": \#(options)}"#)
                return try await client.execute(uri: "/dev/phonemize", method: .post, body: body) { response in
                    #expect(response.status == .ok)
                    return decodeJSON(response.body)["phonemes"] as? String ?? ""
                }
            }
            let on = try await phonemes("{}"), off = try await phonemes(#"{"normalize": false}"#)
            #expect(on.contains("dˈɑt"))
            #expect(!off.contains("dˈɑt"))
            #expect(try await phonemes(#"{"email_normalization": false}"#) == off)
        }
    }
}
