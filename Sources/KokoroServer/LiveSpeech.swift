import AudioEncoding
import Foundation
import Hummingbird
import HummingbirdWebSocket
import KokoroEngine
import KokoroPhonemizer
import Logging
import NIOCore

/// `GET /v1/audio/speech/live`, a WebSocket for text that arrives as it is written (an LLM's
/// answer, token by token): each sentence is spoken as soon as it is complete
/// (`SentenceCollector`, as for Wyoming's `synthesize-chunk`), so the first words sound
/// while the rest is still being written, and the model still hears whole sentences.
///
/// The client sends JSON text messages: `{"type":"text","text":"…"}` any number of times
/// (the first may carry `voice`, `speed`, `lang` and `no_cache`, as may a `{"type":"start"}` before it),
/// then `{"type":"end"}`. The server answers with binary messages of audio (16-bit mono PCM
/// at 24 kHz, little-endian) and JSON text messages: `{"type":"sentence","text"}` as a
/// sentence starts, `{"type":"timestamps","timestamps":[{"word","start_time","end_time"}]}`
/// (seconds from the start of the connection's audio), `{"type":"done","audio_seconds"}`
/// after the last, or `{"type":"error","error":{"message","code"}}`, after which it closes.
/// Each sentence is admitted like a speech request; a client that leaves cancels its work.
struct LiveSpeech: Sendable {
    static let path = "/v1/audio/speech/live"
    let state: ServerState
    let admission: Admission
    let configuration: ServerConfiguration

    struct Message: Decodable {
        let type: String
        let text: String?
        let voice: String?
        let speed: Double?
        let lang: String?
        let no_cache: Bool?
    }

    /// What the reader passes to the speaker, in order.
    enum Item: Sendable {
        case text(String, TextSpeaker.Voice?)
        case end
        /// A message the speaker answers with an error, after what came before it.
        case failure(Failure)
    }

    struct Failure: Error, Sendable {
        let message: String
        let code: String
    }

    func run(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, channel: any Channel, logger: Logger) async {
        let speaker = TextSpeaker(state: state, admission: admission, stallTimeout: .seconds(configuration.stallTimeoutSeconds),
                                  logger: logger, connection: channel)
        let (items, feed) = AsyncStream<Item>.makeStream()
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                // The reader: the client's messages, checked as they come, so a client that
                // leaves is noticed while a sentence is being spoken.
                group.addTask { try await read(inbound, into: feed) }
                try await speak(items, with: speaker, to: outbound)
                group.cancelAll()
            }
            try await outbound.close(.normalClosure, reason: nil)
        } catch let failure as Failure {
            try? await send(["type": "error", "error": ["message": failure.message, "code": failure.code]], to: outbound)
            try? await outbound.close(.unacceptableData, reason: nil)
        } catch {
            if !(error is CancellationError) { logger.debug("live speech ended", metadata: ["error": "\(error)"]) }
        }
    }

    /// Decodes the client's messages until `end` or a bad one; text past `--max-input` in
    /// all is refused. A client that leaves without `end` just ends the items.
    private func read(_ inbound: WebSocketInboundStream, into feed: AsyncStream<Item>.Continuation) async throws {
        defer { feed.finish() }
        do {
            try await decode(inbound, into: feed)
        } catch let failure as Failure {
            feed.yield(.failure(failure))
        }
    }

    private func decode(_ inbound: WebSocketInboundStream, into feed: AsyncStream<Item>.Continuation) async throws {
        var characters = 0
        for try await message in inbound.messages(maxSize: SpeechRoutes.maxBodyBytes) {
            guard case .text(let json) = message, let decoded = try? JSONDecoder().decode(Message.self, from: Data(json.utf8)) else {
                throw Failure(message: #"messages are JSON text: {"type":"text","text":"…"} then {"type":"end"}"#, code: "bad_message")
            }
            let voice = try voice(of: decoded)
            switch decoded.type {
            case "start":
                feed.yield(.text("", voice))
            case "text":
                let text = decoded.text ?? ""
                characters += text.count
                guard characters <= configuration.maxInputCharacters else {
                    throw Failure(message: "the text is over \(configuration.maxInputCharacters) characters in all (raise --max-input, or open a new connection)",
                                  code: "input_too_large")
                }
                feed.yield(.text(text, voice))
            case "end":
                feed.yield(.end)
                return
            default:
                throw Failure(message: "unknown message type \(decoded.type.prefix(40)): use start, text or end", code: "bad_message")
            }
        }
    }

    /// The voice a message asks for (nil: it does not say).
    private func voice(of message: Message) throws -> TextSpeaker.Voice? {
        guard message.voice != nil || message.speed != nil || message.lang != nil || message.no_cache != nil else { return nil }
        var voice = TextSpeaker.Voice(name: message.voice, useCache: !(message.no_cache ?? false))
        if let speed = message.speed {
            do {
                voice.speed = try RequestedSpeed(speed).applied
            } catch {
                throw Failure(message: error.description, code: "bad_speed")
            }
        }
        if let code = message.lang {
            do {
                voice.language = try Language.parse(code)
            } catch {
                throw Failure(message: error.description, code: "bad_language")
            }
        }
        return voice
    }

    /// Speaks each sentence as it completes; after `end`, the rest, then `done`.
    private func speak(_ items: AsyncStream<Item>, with speaker: TextSpeaker, to outbound: WebSocketOutboundWriter) async throws {
        var collector = SentenceCollector()
        var voice = TextSpeaker.Voice()
        var samples = 0
        func say(_ text: String) async throws {
            let pipe: AudioPipe
            do {
                pipe = try await speaker.admit(text, voice: voice, format: .pcm)
            } catch {
                throw Failure(message: error.message, code: error.code ?? "\(error.status.code)")
            }
            try await send(["type": "sentence", "text": text], to: outbound)
            let offset = Double(samples) / Double(KokoroModel.sampleRate)
            samples += try await pipe.pump { bytes, words in
                if !bytes.isEmpty { try await outbound.write(.binary(ByteBuffer(bytes: bytes))) }
                if !words.isEmpty {
                    let timestamps = words.map { word in
                        SpeechRoutes.Timestamp(WordTiming(word: word.word, start: word.start + offset, end: word.end + offset))
                    }
                    try await send(Timestamps(timestamps: timestamps), to: outbound)
                }
            }
        }
        for await item in items {
            switch item {
            case .text(let text, let asked):
                if let asked { voice = asked }
                if let sentence = collector.append(text) { try await say(sentence) }
            case .end:
                if let rest = collector.finish() { try await say(rest) }
                try await send(["type": "done", "audio_seconds": (Double(samples) / Double(KokoroModel.sampleRate) * 1000).rounded() / 1000], to: outbound)
                return
            case .failure(let failure):
                throw failure
            }
        }
        // The client left without `end`: nothing more is wanted.
        throw CancellationError()
    }

    private struct Timestamps: Encodable {
        let type = "timestamps"
        let timestamps: [SpeechRoutes.Timestamp]
    }

    private func send(_ object: [String: Any], to outbound: WebSocketOutboundWriter) async throws {
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        try await outbound.write(.text(String(decoding: data, as: UTF8.self)))
    }

    private func send(_ value: some Encodable, to outbound: WebSocketOutboundWriter) async throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        try await outbound.write(.text(String(decoding: try encoder.encode(value), as: UTF8.self)))
    }
}
