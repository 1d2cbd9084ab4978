import AudioEncoding
import KokoroEngine
import KokoroPhonemizer
import Logging
import NIOCore

/// Speaks text that a connection hands over piece by piece (Wyoming's `synthesize-chunk`,
/// the live WebSocket): each text admitted as a real-time request like HTTP's, its audio
/// through an `AudioPipe` on the connection, so a client that leaves cancels its work.
struct TextSpeaker: Sendable {
    let state: ServerState
    let admission: Admission
    let stallTimeout: Duration
    let logger: Logger
    let connection: any Channel

    /// How to speak: the voice (nil or empty: the server's default), speed and language, and
    /// whether the audio cache may serve it.
    struct Voice: Sendable {
        var name: String?
        var speed: Float = 1
        var language: Language?
        var useCache = true
    }

    /// The pipe `text`'s audio comes through, once admitted; errors are `APIError`s (a
    /// refusal under load, or the input's fault).
    func admit(_ text: String, voice: Voice, format: AudioFormat) async throws(APIError) -> AudioPipe {
        let received = ContinuousClock.now
        do {
            let engine = try state.requireEngine()
            let name = VoiceCatalog.resolveAliases(voice.name.flatMap { $0.isEmpty ? nil : $0 }
                                                       ?? admission.configuration.defaultVoice ?? engine.defaultVoice,
                                                   known: engine.hasVoice)
            let request = SpeechRequest(text: text, voice: name, speed: voice.speed, language: voice.language, useCache: voice.useCache,
                                        realTime: true)
            let ticket = try await admission.admit(engine, arrival: received) { try await $0.plan(request) }
            return AudioPipe(engine: engine, ticket: ticket, format: format, received: received, inputCharacters: text.count,
                             metrics: admission.metrics, logger: logger, connection: connection, stallTimeout: stallTimeout)
        } catch {
            throw APIError.from(error)
        }
    }
}
