import Foundation
import Hummingbird
import HummingbirdTesting
import KokoroEngine
import Testing
@testable import KokoroServer

/// One engine for every server test: loading the model takes a moment. Its lexicon file
/// starts absent (an empty lexicon); `LexiconRouteTests` fills it with made-up words only.
let sharedEngine: Result<KokoroEngine, any Error> = Result {
    try KokoroEngine(configuration: .init(session: .init(intraOpThreads: 2), calibratesVoices: false,
                                          lexiconFile: FileManager.default.temporaryDirectory.appendingPathComponent("kokoro-test-lexicon-\(UUID()).json")))
}

func makeApp(_ configure: (inout ServerConfiguration) -> Void = { _ in }, state: ServerState? = nil,
             metrics: ServerMetrics = ServerMetrics()) throws -> some ApplicationProtocol {
    var configuration = ServerConfiguration()
    configuration.port = 0
    // The test process's memory is every parallel test's: the app's own watchdog would
    // rebuild sessions under the tests' feet (its behaviour is tested on its own).
    configuration.memoryLimitMB = .greatestFiniteMagnitude
    // Likewise every parallel test's streams share one engine, more than the machine keeps
    // in real time: the forecast would refuse them (it is tested on its own).
    configuration.forecastAdmission = false
    configure(&configuration)
    return buildApplication(configuration: configuration, state: try state ?? ServerState(readyEngine: sharedEngine.get()), metrics: metrics)
}

/// The app on `InMemorySpeechService`: for what the server does whatever the model (routes,
/// errors, access, admission, metrics), in milliseconds.
func makeInMemoryApp(_ configure: (inout ServerConfiguration) -> Void = { _ in }, service: InMemorySpeechService = InMemorySpeechService(),
                     metrics: ServerMetrics = ServerMetrics()) throws -> some ApplicationProtocol {
    try makeApp(configure, state: ServerState(readyEngine: service), metrics: metrics)
}

/// A pcm speech request of `sentence` × `count` on a connection of its own, once its first
/// `bytes` have come: the server is busy with it until the client hangs up.
func busySpeech(_ client: some TestClientProtocol, repeating sentence: String, count: Int, bytes: Int) async throws -> RawHTTPClient {
    let raw = try RawHTTPClient(port: try #require(client.port))
    raw.postSpeech(#"{"input":"\#(String(repeating: sentence, count: count))","response_format":"pcm"}"#)
    _ = await raw.read(atLeast: bytes)
    return raw
}

/// A stand-in model session: 40 ms and 50 ms of audio per token, so a test can set up
/// load the real model would make only on a slower machine.
struct SlowSession: SpeechSynthesizer {
    func synthesize(tokens: [Int64], style: ArraySlice<Float>, speed: Float) async throws -> [Float] {
        try await Task.sleep(for: .milliseconds(40 * tokens.count))
        return [Float](repeating: 0.1, count: tokens.count * KokoroModel.sampleRate / 20)
    }
}

func json(_ object: [String: Any]) -> ByteBuffer {
    ByteBuffer(bytes: try! JSONSerialization.data(withJSONObject: object))
}

/// Requests synthesizing now (GET /v1/stats): a 503 seen while the request that filled the
/// server still runs came at once, not after waiting for room.
func activeRequests(_ client: some TestClientProtocol) async throws -> Int? {
    try await client.execute(uri: "/v1/stats", method: .get) { (decodeJSON($0.body)["queue"] as? [String: Any])?["active"] as? Int }
}

/// A JSON object body; records an issue (and returns an empty object) when it is not one.
func decodeJSON(_ buffer: ByteBuffer, sourceLocation: SourceLocation = #_sourceLocation) -> [String: Any] {
    guard let object = (try? JSONSerialization.jsonObject(with: Data(buffer.readableBytesView))) as? [String: Any] else {
        Issue.record("not a JSON object: \(String(buffer: buffer).prefix(200))", sourceLocation: sourceLocation)
        return [:]
    }
    return object
}

/// The OpenAI error's fields, checking the shape on the way.
func errorBody(_ buffer: ByteBuffer, sourceLocation: SourceLocation = #_sourceLocation) -> [String: Any] {
    let error = decodeJSON(buffer, sourceLocation: sourceLocation)["error"] as? [String: Any] ?? [:]
    #expect(error["message"] is String && error["type"] is String, sourceLocation: sourceLocation)
    return error
}

/// What ffprobe says of an audio file: sample rate, channels, duration, codec.
struct Probe {
    let sampleRate: Int
    let channels: Int
    let duration: Double
    let codec: String

    init(_ bytes: [UInt8], fileExtension: String) throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("probe-\(UUID()).\(fileExtension)")
        try Data(bytes).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        // Decode fully (not the container's claim), so a broken stream shows as a short one.
        let decoded = try Self.run("/usr/bin/ffmpeg", ["-v", "error", "-i", url.path, "-f", "s16le", "-ac", "1", "-"])
        let streams = try Self.run("/usr/bin/ffprobe", ["-v", "error", "-show_entries", "stream=sample_rate,channels,codec_name", "-of", "default=nw=1", url.path])
        let fields = Dictionary(String(decoding: streams, as: UTF8.self).split(separator: "\n").compactMap { line -> (String, String)? in
            let parts = line.split(separator: "=", maxSplits: 1)
            return parts.count == 2 ? (String(parts[0]), String(parts[1])) : nil
        }, uniquingKeysWith: { first, _ in first })
        sampleRate = Int(fields["sample_rate"] ?? "") ?? 0
        channels = Int(fields["channels"] ?? "") ?? 0
        codec = fields["codec_name"] ?? ""
        duration = Double(decoded.count / 2) / Double(sampleRate == 0 ? 1 : sampleRate)
    }

    static func run(_ tool: String, _ arguments: [String]) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw CocoaError(.fileReadCorruptFile) }
        return data
    }
}

/// A bare HTTP/1.1 client on a socket, so a test can read part of a stream and hang up.
final class RawHTTPClient: @unchecked Sendable {
    private let socket: Int32

    /// `receiveBuffer`: bytes the kernel may hold for this socket, set before connecting,
    /// so a client that stops reading fills its buffers quickly.
    init(port: Int, receiveBuffer: Int32? = nil) throws {
        socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        if var size = receiveBuffer {
            _ = setsockopt(socket, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw POSIXError(.ECONNREFUSED) }
    }

    func send(_ text: String) {
        _ = text.withCString { Glibc.send(socket, $0, strlen($0), 0) }
    }

    /// Sends `POST /v1/audio/speech` with the JSON `body` (with `close`, asking the server to
    /// close the connection after the response).
    func postSpeech(_ body: String, close: Bool = false) {
        send("POST /v1/audio/speech HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" + (close ? "Connection: close\r\n" : "")
             + "Content-Length: \(body.utf8.count)\r\n\r\n\(body)")
    }

    /// Reads until at least `count` bytes arrived (or the peer closed), on a thread of its
    /// own: a blocking read on Swift's cooperative threads (two on a 2-core machine) can
    /// starve the server the test talks to, and on Dispatch's global queues it starves the
    /// engine's model runs, which run there (on Linux those queues add threads slowly beyond
    /// the cores; fresh-clone runs hung with several tests' reads blocked in them).
    func read(atLeast count: Int) async -> [UInt8] {
        await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: self.blockingRead(atLeast: count)) }.start()
        }
    }

    private func blockingRead(atLeast count: Int) -> [UInt8] {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while received.count < count {
            let n = recv(socket, &buffer, buffer.count, 0)
            if n <= 0 { break }
            received += buffer[0..<n]
        }
        return received
    }

    /// Hangs up: with `reset`, abortively (RST, as a killed client or a dropped network
    /// does), so the server sees the connection gone at once rather than a half-close.
    func close(reset: Bool = false) {
        if reset {
            var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
            _ = setsockopt(socket, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
        }
        _ = Glibc.close(socket)
    }
}
