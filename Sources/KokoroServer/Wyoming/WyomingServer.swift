import Foundation
import KokoroEngine
import KokoroPhonemizer
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

/// Home Assistant's Wyoming protocol on its own TCP port (`--wyoming-port`), speaking with
/// the engine, admission and statistics HTTP uses: it only translates events to engine calls.
///
/// `describe` → `info` (every voice with its language; streaming supported); `synthesize`
/// (a whole text) and `synthesize-start` / `-chunk` / `-stop` (text as an assistant writes
/// it: each sentence is spoken once it is complete) are answered with `audio-start`,
/// `audio-chunk`s of 16-bit mono PCM at 24 kHz and `audio-stop`, and a stream with
/// `synthesize-stopped`. See docs/wyoming-protocol.md.
public struct WyomingServer: Service {
    let host: String
    let port: Int
    let state: ServerState
    let admission: Admission
    let stallTimeout: Duration
    let logger: Logger
    /// Called with the bound port once listening (tests bind port 0).
    let onListening: @Sendable (Int) -> Void

    init(host: String, port: Int, state: ServerState, admission: Admission, stallTimeout: Duration, logger: Logger,
         onListening: @escaping @Sendable (Int) -> Void = { _ in }) {
        self.host = host
        self.port = port
        self.state = state
        self.admission = admission
        self.stallTimeout = stallTimeout
        self.logger = logger
        self.onListening = onListening
    }

    public func run() async throws {
        let listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        onListening(listener.channel.localAddress?.port ?? port)
        logger.info("Wyoming listening on tcp://\(host):\(listener.channel.localAddress?.port ?? port)")
        try await withGracefulShutdownHandler {
            try await withThrowingDiscardingTaskGroup { group in
                try await listener.executeThenClose { connections in
                    for try await connection in connections {
                        group.addTask { await self.serve(connection) }
                    }
                }
            }
        } onGracefulShutdown: {
            listener.channel.close(promise: nil)
        }
    }

    /// One client's events, in order; a malformed stream ends the connection with an error event.
    private func serve(_ connection: NIOAsyncChannel<ByteBuffer, ByteBuffer>) async {
        do {
            try await connection.executeThenClose { inbound, outbound in
                var session = WyomingSession(server: self, channel: connection.channel, outbound: outbound)
                var parser = WyomingParser()
                var inbound = inbound.makeAsyncIterator()
                reading: while let buffer = try await inbound.next() {
                    let events: [WyomingEvent]
                    do {
                        events = try parser.feed(buffer.readableBytesView)
                    } catch {
                        try await session.send(error: "\(error)", code: "malformed")
                        break reading
                    }
                    for event in events where try await !session.handle(event) { break reading }
                }
                // After an error, as wyoming-piper does: the client (Home Assistant has no read
                // timeout) learns the request is over when the connection closes. Half-close
                // first and drop what it still sends for a moment, so the close is no reset
                // that could lose the error event.
                if session.failed {
                    try? await connection.channel.close(mode: .output)
                    let drained = ContinuousClock.now + .seconds(2)
                    while ContinuousClock.now < drained, (try? await inbound.next()) != nil {}
                }
            }
        } catch {
            if !(error is CancellationError) { logger.debug("Wyoming connection ended", metadata: ["error": "\(error)"]) }
        }
    }
}

/// What one Wyoming connection is doing: at most one streamed synthesis, its text so far.
struct WyomingSession {
    let server: WyomingServer
    let channel: any Channel
    let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    /// The voice and text of a `synthesize-start` stream not yet stopped.
    private var streaming: (voice: String?, text: SentenceCollector)?
    /// An error event was sent: the connection ends.
    private(set) var failed = false

    init(server: WyomingServer, channel: any Channel, outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>) {
        self.server = server
        self.channel = channel
        self.outbound = outbound
    }

    struct VoiceRequest: Decodable { let name: String? }
    struct Synthesize: Decodable { let text: String?; let voice: VoiceRequest? }

    /// Answers `event`; false once the connection should end (an error was sent).
    mutating func handle(_ event: WyomingEvent) async throws -> Bool {
        switch event.type {
        case "describe":
            try await send(WyomingEvent(type: "info", encoding: try WyomingInfo(engine: server.state.requireEngine())))
        case "synthesize":
            // Sent alone by older clients, and after a streamed request's chunks by newer ones
            // (for those, the streamed text was already spoken).
            guard streaming == nil else { return true }
            let request = try event.decode(Synthesize.self)
            try await speak(request.text ?? "", voice: request.voice?.name)
        case "synthesize-start":
            streaming = (try event.decode(Synthesize.self).voice?.name, SentenceCollector())
        case "synthesize-chunk":
            guard var stream = streaming else { return true }
            // Every sentence already complete is spoken now; the last, maybe unfinished, waits.
            let complete = stream.text.append(try event.decode(Synthesize.self).text ?? "")
            streaming = stream
            if let complete { try await speak(complete, voice: stream.voice) }
        case "synthesize-stop":
            if var stream = streaming, let rest = stream.text.finish() {
                try await speak(rest, voice: stream.voice)
            }
            streaming = nil
            if !failed { try await send(WyomingEvent(type: "synthesize-stopped")) }
        default:
            break
        }
        return !failed
    }

    struct AudioFormat: Encodable {
        let rate = KokoroModel.sampleRate
        let width = 2
        let channels = 1
    }

    /// `text`'s audio as `audio-start`, `audio-chunk`s and `audio-stop`, admitted and measured
    /// like an HTTP request; a refusal or an input error is an `error` event.
    private mutating func speak(_ text: String, voice: String?) async throws {
        guard !failed, !text.allSatisfy(\.isWhitespace) else { return }
        let speaker = TextSpeaker(state: server.state, admission: server.admission, stallTimeout: server.stallTimeout,
                                  logger: server.logger, connection: channel)
        let pipe: AudioPipe
        do {
            pipe = try await speaker.admit(text, voice: .init(name: voice), format: .pcm)
        } catch {
            try await send(error: error.message, code: error.code ?? "\(error.status.code)")
            failed = true
            return
        }
        try await send(WyomingEvent(type: "audio-start", encoding: AudioFormat()))
        try await pipe.pump { bytes, _ in
            guard !bytes.isEmpty else { return }
            try await send(WyomingEvent(type: "audio-chunk", encoding: AudioFormat(), payload: bytes))
        }
        try await send(WyomingEvent(type: "audio-stop", data: Data(#"{"timestamp":null}"#.utf8)))
    }

    func send(_ event: WyomingEvent) async throws {
        try await outbound.write(ByteBuffer(bytes: event.encoded))
    }

    func send(error text: String, code: String) async throws {
        try await send(WyomingEvent(type: "error", encoding: ["text": text, "code": code]))
    }
}

/// The `info` event's data: this server as a Wyoming TTS program and its voices.
struct WyomingInfo: Encodable {
    struct Attribution: Encodable {
        let name: String
        let url: String
    }
    struct Voice: Encodable {
        let name: String
        let description: String
        let attribution: Attribution
        let installed = true
        let version: String? = nil
        let languages: [String]
        let speakers: [String]? = nil
    }
    struct Program: Encodable {
        let name = "kokoro-swift"
        let description = "Kokoro-82M text to speech"
        let attribution = WyomingInfo.kokoro
        let installed = true
        let version = "1.0.0"
        let voices: [Voice]
        let supports_synthesize_streaming = true
    }

    static let kokoro = Attribution(name: "hexgrad", url: "https://huggingface.co/hexgrad/Kokoro-82M")

    /// The language tag Home Assistant matches (`en_US` style, as wyoming-piper sends; it
    /// would not match espeak's `cmn` with its `zh`).
    static func tag(_ language: Language) -> String {
        switch language {
        case .americanEnglish: "en_US"
        case .britishEnglish: "en_GB"
        case .spanish: "es_ES"
        case .french: "fr_FR"
        case .hindi: "hi_IN"
        case .italian: "it_IT"
        case .japanese: "ja_JP"
        case .brazilianPortuguese: "pt_BR"
        case .mandarin: "zh_CN"
        }
    }
    let tts: [Program]
    let asr: [String] = []
    let handle: [String] = []
    let intent: [String] = []
    let wake: [String] = []
    let mic: [String] = []
    let snd: [String] = []

    init(engine: any SpeechService) {
        // Only voices whose language is spoken: Home Assistant offers every voice listed.
        tts = [Program(voices: engine.voiceNames.map { name in
            let entry = VoiceCatalog.entry(for: name)
            let language = Language(voiceName: name)
            return Voice(name: name, description: "\(entry.name) (\(language?.englishName ?? entry.language), \(entry.gender))",
                         attribution: Self.kokoro, languages: [language.map(Self.tag) ?? entry.language])
        })]
    }
}
