import Foundation
import Hummingbird
import KokoroEngine
import KokoroPhonemizer

/// `GET` and `PUT /v1/lexicon`: users' pronunciations, read and replaced whole (behind the
/// API key like every route but the probes). The body is the lexicon file's JSON.
struct LexiconRoutes: Sendable {
    let state: ServerState

    func get(_ request: Request, context: some RequestContext) throws -> Response {
        let lexicon = try store().current().lexicon
        return Self.response(lexicon)
    }

    func put(_ request: Request, context: some RequestContext) async throws -> Response {
        let store = try store()
        var request = request
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: SpeechRoutes.maxBodyBytes)
        } catch {
            throw APIError(.contentTooLarge, "lexicon over \(SpeechRoutes.maxBodyBytes) bytes; keep the words Kokoro misreads", code: "lexicon_too_large")
        }
        do {
            return Self.response(try store.replace(with: Data(body.readableBytesView)))
        } catch .notConfigured {
            throw APIError(.conflict, LexiconError.notConfigured.description, code: "no_lexicon_file")
        } catch .unreadable(let path, let why) {
            throw APIError(.internalServerError, LexiconError.unreadable(path, why).description, type: "server_error")
        } catch {
            throw APIError.badRequest(error.description, code: "invalid_lexicon")
        }
    }

    private func store() throws -> LexiconStore {
        guard let store = try state.requireEngine().lexicon else {
            throw APIError(.conflict, LexiconError.notConfigured.description, code: "no_lexicon_file")
        }
        return store
    }

    private static func response(_ lexicon: PronunciationLexicon) -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: lexicon.json())))
    }
}
