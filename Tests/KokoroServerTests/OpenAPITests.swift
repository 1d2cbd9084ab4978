import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing
@testable import KokoroServer

/// The OpenAPI document at /openapi.json stays true: every route the server has is in it
/// and nothing else, and every field a request body accepts is described.
@Suite struct OpenAPITests {
    static func document() throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(OpenAPIDocument.json.utf8)) as? [String: Any])
    }

    static func routes(devRoutes: Bool) throws -> [Route] {
        // The table needs no engine: routes look it up per request.
        let state = ServerState()
        let configuration = ServerConfiguration()
        let gate = AdmissionGate(configuration: configuration)
        let metrics = ServerMetrics()
        let memory = MemoryMonitor(watchdog: MemoryWatchdog(settings: .init(limitMB: nil)), state: state, logger: Logger(label: "test"))
        return routeTable(speech: SpeechRoutes(state: state, configuration: configuration,
                                               admission: Admission(gate: gate, configuration: configuration, metrics: metrics)),
                          info: InfoRoutes(state: state, configuration: configuration, gate: gate, metrics: metrics, memory: memory),
                          lexicon: LexiconRoutes(state: state), devRoutes: devRoutes)
    }

    @Test func everyRouteIsDocumentedAndNothingElse() throws {
        let document = try Self.document()
        #expect(document["openapi"] as? String == "3.1.0")
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        let documented = Set(paths.flatMap { path, operations in operations.keys.map { "\($0.uppercased()) \(path)" } })
        let served = Set(try Self.routes(devRoutes: true).map { "\($0.method.rawValue) \($0.path)" })
        #expect(documented == served)
        // Without the developer routes, those are the only ones missing.
        let withoutDev = Set(try Self.routes(devRoutes: false).map { "\($0.method.rawValue) \($0.path)" })
        #expect(served.subtracting(withoutDev) == ["POST /dev/phonemize", "POST /dev/generate_from_phonemes", "POST /dev/captioned_speech"])
    }

    @Test func everyRequestFieldIsDescribed() throws {
        let schemas = try #require((try Self.document()["components"] as? [String: Any])?["schemas"] as? [String: [String: Any]])
        func properties(_ name: String) -> Set<String> { Set((schemas[name]?["properties"] as? [String: Any])?.keys.map { $0 } ?? []) }
        #expect(properties("SpeechRequest") == Set(SpeechBody.Keys.allCases.map(\.rawValue)))
        #expect(properties("PhonemizeRequest") == Set(SpeechRoutes.PhonemizeBody.CodingKeys.allCases.map(\.rawValue)))
        #expect(properties("PhonemesRequest") == Set(SpeechRoutes.PhonemesBody.CodingKeys.allCases.map(\.rawValue)))
    }

    /// Every `$ref` points at something the document defines.
    @Test func everyReferenceResolves() throws {
        let document = try Self.document()
        var references: [String] = []
        func collect(_ value: Any) {
            if let object = value as? [String: Any] {
                if let reference = object["$ref"] as? String { references.append(reference) }
                object.values.forEach(collect)
            } else if let array = value as? [Any] {
                array.forEach(collect)
            }
        }
        collect(document)
        #expect(!references.isEmpty)
        for reference in references {
            var node: Any? = document
            for part in reference.dropFirst(2).split(separator: "/") { node = (node as? [String: Any])?[String(part)] }
            #expect(node != nil, "\(reference) does not resolve")
        }
    }

    @Test func theServerServesIt() async throws {
        let app = try makeApp()
        try await app.test(.router) { client in
            try await client.execute(uri: "/openapi.json", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) == OpenAPIDocument.json)
            }
        }
    }
}
