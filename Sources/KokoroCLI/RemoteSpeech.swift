import ArgumentParser
import AudioEncoding
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

// `kokoro say --server URL`: the client side of `/v1/audio/speech`. Audio is streamed
// (`stream: true`) and every byte goes to its file, stdout or player as it arrives,
// so the first words play while the server is still synthesizing the rest.

/// The JSON body sent to `/v1/audio/speech`.
struct RemoteSpeechBody: Encodable, Equatable {
    var model = "kokoro"
    var input: String
    var voice: String?
    var responseFormat: AudioFormat
    var speed: Float
    var stream = true
    var lang: String?

    enum CodingKeys: String, CodingKey {
        case model, input, voice, response_format, speed, stream, lang
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(model, forKey: .model)
        try container.encode(input, forKey: .input)
        try container.encodeIfPresent(voice, forKey: .voice)
        try container.encode(responseFormat.rawValue, forKey: .response_format)
        try container.encode(speed, forKey: .speed)
        try container.encode(stream, forKey: .stream)
        try container.encodeIfPresent(lang, forKey: .lang)
    }
}

/// What went wrong talking to the server, as the one line `kokoro say` prints.
enum RemoteSpeechError: Error, CustomStringConvertible {
    case invalidURL(String)
    case noServer(String)
    case server(status: Int, message: String)
    case transport(String, detail: String)
    case interrupted(detail: String)

    var description: String {
        switch self {
        case .invalidURL(let url):
            "invalid server URL \(url): use e.g. http://127.0.0.1:8880"
        case .noServer(let url):
            "no kokoro server at \(url): start one with `kokoro serve` (or scripts/serve.sh)"
        case .server(let status, let message):
            status == 401
                ? "\(message) (HTTP \(status); give the key with --api-key or KOKORO_API_KEY)"
                : "\(message) (HTTP \(status))"
        case .transport(let url, let detail):
            "cannot reach \(url): \(detail)"
        case .interrupted(let detail):
            "the server's stream broke off: \(detail)"
        }
    }
}

enum RemoteSpeech {
    /// `http://host:port`, `host:port`, `.../v1` or the full endpoint → the speech endpoint.
    static func endpoint(for server: String) throws -> URL {
        var base = server.trimmingCharacters(in: .whitespaces)
        if !base.contains("://") { base = "http://" + base }
        while base.hasSuffix("/") { base.removeLast() }
        if base.hasSuffix("/v1/audio/speech") {
            // already the endpoint
        } else if base.hasSuffix("/v1") {
            base += "/audio/speech"
        } else {
            base += "/v1/audio/speech"
        }
        guard let url = URL(string: base), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme), url.host != nil else {
            throw RemoteSpeechError.invalidURL(server)
        }
        return url
    }

    static func makeRequest(server: String, body: RemoteSpeechBody, apiKey: String?) throws -> URLRequest {
        var request = URLRequest(url: try endpoint(for: server))
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue(body.responseFormat.contentType, forHTTPHeaderField: "Accept")
        if let apiKey, !apiKey.isEmpty { request.setValue("Bearer \(apiKey)", forHTTPHeaderField: "Authorization") }
        request.httpBody = try JSONEncoder().encode(body)
        // Generous: a busy server may queue the request before the first byte.
        request.timeoutInterval = 300
        return request
    }

    /// The server's `error.message`, else the body's text, else the status's reason.
    static func errorMessage(status: Int, body: Data) -> String {
        struct Envelope: Decodable {
            struct Detail: Decodable { let message: String }
            let error: Detail
        }
        if let envelope = try? JSONDecoder().decode(Envelope.self, from: body) { return envelope.error.message }
        let text = String(decoding: body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if !text.isEmpty, text.count <= 300 { return text.replacingOccurrences(of: "\n", with: " ") }
        return HTTPURLResponse.localizedString(forStatusCode: status)
    }

    /// Posts the request and hands every received byte to `sink` (on one serial queue) as
    /// it arrives; returns the response's headers once the stream has ended.
    static func stream(_ request: URLRequest, server: String, into sink: any AudioByteSink) async throws -> [String: String] {
        let queue = OperationQueue()
        queue.maxConcurrentOperationCount = 1
        queue.name = "kokoro.say.remote"
        let delegate = StreamDelegate(sink: sink, server: server)
        let session = URLSession(configuration: .ephemeral, delegate: delegate, delegateQueue: queue)
        defer { session.finishTasksAndInvalidate() }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                delegate.start(session: session, request: request, continuation: continuation)
            }
        } onCancel: {
            delegate.cancel()
        }
    }
}

/// URLSession's callbacks for one streamed response. Every callback runs on the session's
/// serial delegate queue, which is what makes the mutable state safe.
private final class StreamDelegate: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    private let sink: any AudioByteSink
    private let server: String
    private var continuation: CheckedContinuation<[String: String], any Error>?
    private var task: URLSessionDataTask?
    private var errorBody = Data()
    private var sinkError: (any Error)?

    init(sink: any AudioByteSink, server: String) {
        self.sink = sink
        self.server = server
    }

    func start(session: URLSession, request: URLRequest, continuation: CheckedContinuation<[String: String], any Error>) {
        session.delegateQueue.addOperation {
            self.continuation = continuation
            let task = session.dataTask(with: request)
            self.task = task
            task.resume()
        }
    }

    func cancel() {
        task?.cancel()
    }

    private func status(of task: URLSessionTask) -> Int {
        (task.response as? HTTPURLResponse)?.statusCode ?? 0
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        guard sinkError == nil else { return }
        guard (200..<300).contains(status(of: dataTask)) else {
            if errorBody.count < 65_536 { errorBody.append(data) }
            return
        }
        do {
            try sink.write(data)
        } catch {
            sinkError = error
            dataTask.cancel()
        }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        guard let continuation else { return }
        self.continuation = nil
        continuation.resume(with: Result { try outcome(task: task, error: error) })
    }

    private func outcome(task: URLSessionTask, error: (any Error)?) throws -> [String: String] {
        if let sinkError { throw sinkError }
        let status = status(of: task)
        if let error {
            if error is CancellationError { throw error }
            let urlError = error as? URLError
            if status == 0 {
                switch urlError?.code {
                case .cannotConnectToHost?: throw RemoteSpeechError.noServer(server)
                case .cancelled?: throw CancellationError()
                default: throw RemoteSpeechError.transport(server, detail: error.localizedDescription)
                }
            }
            throw RemoteSpeechError.interrupted(detail: error.localizedDescription)
        }
        guard (200..<300).contains(status) else {
            throw RemoteSpeechError.server(status: status, message: RemoteSpeech.errorMessage(status: status, body: errorBody))
        }
        var headers: [String: String] = [:]
        for case let (name as String, value as String) in (task.response as? HTTPURLResponse)?.allHeaderFields ?? [:] {
            headers[name.lowercased()] = value
        }
        return headers
    }
}

// MARK: - Where the bytes go

/// Receives the response's bytes in order, on one queue. `finish` runs after the last
/// byte; `abandon` after a failure (remove partial files, stop players).
protocol AudioByteSink: AnyObject {
    func write(_ bytes: Data) throws
    func finish() throws
    func abandon()
}

/// The error for a failed write or a player that quit.
struct SinkError: Error, CustomStringConvertible {
    let description: String
}

/// Standard output, as it arrives.
final class StandardOutputSink: AudioByteSink {
    func write(_ bytes: Data) throws {
        try bytes.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) in
            var offset = 0
            while offset < buffer.count {
                let count = Foundation.write(STDOUT_FILENO, buffer.baseAddress! + offset, buffer.count - offset)
                if count >= 0 {
                    offset += count
                } else if errno == EINTR {
                    continue
                } else if errno == EPIPE {
                    // The reader went away (`| head`): stop quietly, as a pipeline member should.
                    throw ExitCode.failure
                } else {
                    throw SinkError(description: "cannot write to standard output: \(String(cString: strerror(errno)))")
                }
            }
        }
    }

    func finish() throws {}
    func abandon() {}
}

/// A file, written as the bytes arrive to `PATH.part` and renamed over `PATH` at the end,
/// so an interrupted run never leaves a truncated file under the real name. A streamed
/// WAV's open-ended sizes are filled in before the rename.
final class StreamingFileSink: AudioByteSink {
    private let path: String
    private let partialPath: String
    private let format: AudioFormat
    private let handle: FileHandle
    private var written = 0

    init(path: String, format: AudioFormat) throws {
        self.path = path
        self.format = format
        partialPath = path + ".part"
        guard FileManager.default.createFile(atPath: partialPath, contents: nil),
              let handle = FileHandle(forUpdatingAtPath: partialPath) else {
            throw SinkError(description: "cannot create \(partialPath)")
        }
        self.handle = handle
    }

    func write(_ bytes: Data) throws {
        do {
            try handle.write(contentsOf: bytes)
            written += bytes.count
        } catch {
            throw SinkError(description: "cannot write \(partialPath): \(error.localizedDescription)")
        }
    }

    func finish() throws {
        do {
            if format == .wav, written >= 44 { try fixWAVSizes() }
            try handle.close()
        } catch {
            throw SinkError(description: "cannot finish \(partialPath): \(error.localizedDescription)")
        }
        guard rename(partialPath, path) == 0 else {
            throw SinkError(description: "cannot rename \(partialPath) to \(path): \(String(cString: strerror(errno)))")
        }
    }

    func abandon() {
        try? handle.close()
        try? FileManager.default.removeItem(atPath: partialPath)
    }

    /// A streamed WAV says 0xFFFFFFFF for its sizes; now that the length is known, say it.
    private func fixWAVSizes() throws {
        try handle.seek(toOffset: 0)
        guard let header = try handle.read(upToCount: 44), header.count == 44,
              header.prefix(4) == Data("RIFF".utf8), header[36..<40] == Data("data".utf8) else { return }
        try handle.seek(toOffset: 4)
        try handle.write(contentsOf: littleEndian32(written - 8))
        try handle.seek(toOffset: 40)
        try handle.write(contentsOf: littleEndian32(written - 44))
    }
}

/// Bare 16-bit PCM decoded to samples and handed to the local encoder, for `--play -o FILE`
/// (the server sends PCM for the player, the file is encoded here).
final class PCMToOutputSink: AudioByteSink {
    private let output: OutputSink
    private var carry: UInt8?

    init(_ output: OutputSink) {
        self.output = output
    }

    func write(_ bytes: Data) throws {
        var samples: [Float] = []
        samples.reserveCapacity(bytes.count / 2 + 1)
        var index = bytes.startIndex
        var low = carry
        carry = nil
        while index < bytes.endIndex {
            if let first = low {
                let value = Int16(bitPattern: UInt16(first) | UInt16(bytes[index]) << 8)
                samples.append(Float(value) / 32767)
                low = nil
            } else {
                low = bytes[index]
            }
            index += 1
        }
        carry = low
        if !samples.isEmpty { try output.write(samples) }
    }

    func finish() throws {
        try output.finish()
    }

    func abandon() {}
}

/// Several sinks fed the same bytes (the player and the file).
final class TeeSink: AudioByteSink {
    private let sinks: [any AudioByteSink]

    init(_ sinks: [any AudioByteSink]) {
        self.sinks = sinks
    }

    func write(_ bytes: Data) throws {
        for sink in sinks { try sink.write(bytes) }
    }

    func finish() throws {
        for sink in sinks { try sink.finish() }
    }

    func abandon() {
        for sink in sinks { sink.abandon() }
    }
}

// MARK: - Players

/// A command-line audio player for 24 kHz mono 16-bit PCM.
struct AudioPlayer: Equatable {
    let name: String
    let path: String
    let arguments: [String]
    /// `afplay` cannot read a pipe: it gets a WAV file once the stream has ended.
    let readsStandardInput: Bool

    /// In order of preference; the first one on `PATH` is used.
    static let candidates: [(name: String, arguments: [String], readsStandardInput: Bool)] = [
        ("aplay", ["-q", "-f", "S16_LE", "-r", "24000", "-c", "1", "-"], true),
        ("paplay", ["--raw", "--format=s16le", "--rate=24000", "--channels=1"], true),
        ("afplay", [], false),
    ]

    static let installHint = "no audio player found (aplay, paplay or afplay): install alsa-utils or pulseaudio-utils (apt install alsa-utils), or write a file with -o"

    /// The first candidate whose executable `isExecutable` finds in `searchPath` (`PATH`).
    static func find(searchPath: String?, isExecutable: (String) -> Bool = { FileManager.default.isExecutableFile(atPath: $0) }) -> AudioPlayer? {
        let directories = (searchPath ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":").map(String.init)
        for candidate in candidates {
            for directory in directories where !directory.isEmpty {
                let path = directory + "/" + candidate.name
                if isExecutable(path) {
                    return AudioPlayer(name: candidate.name, path: path, arguments: candidate.arguments, readsStandardInput: candidate.readsStandardInput)
                }
            }
        }
        return nil
    }

    func makeSink() throws -> any AudioByteSink {
        readsStandardInput ? try PipePlayerSink(self) : WAVFilePlayerSink(self)
    }
}

/// Runs a player and collects what it says on stderr, for the error when it fails.
private func launch(_ player: AudioPlayer, extraArguments: [String] = [], standardInput: Pipe?) throws -> (Process, Pipe) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: player.path)
    process.arguments = player.arguments + extraArguments
    let errors = Pipe()
    process.standardError = errors
    process.standardOutput = FileHandle.nullDevice
    if let standardInput { process.standardInput = standardInput }
    do {
        try process.run()
    } catch {
        throw SinkError(description: "cannot start \(player.path): \(error.localizedDescription)")
    }
    return (process, errors)
}

/// Waits for a player and turns a non-zero exit into a message with the player's own words.
private func waitForPlayer(_ player: AudioPlayer, _ process: Process, errors: Pipe) throws {
    let said = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        .split(whereSeparator: \.isNewline).last.map(String.init) ?? ""
    process.waitUntilExit()
    guard process.terminationReason == .exit, process.terminationStatus == 0 else {
        let how = process.terminationReason == .exit ? "exited with status \(process.terminationStatus)" : "was killed by signal \(process.terminationStatus)"
        throw SinkError(description: "\(player.name) \(how)\(said.isEmpty ? "" : " (\(said))"): is there a sound device? (write a file with -o instead)")
    }
}

/// `aplay`/`paplay` reading PCM from a pipe as it arrives.
final class PipePlayerSink: AudioByteSink {
    private let player: AudioPlayer
    private let input = Pipe()
    private let process: Process
    private let errors: Pipe

    init(_ player: AudioPlayer) throws {
        self.player = player
        // A player that quits must not kill us with SIGPIPE; the write fails instead.
        signal(SIGPIPE, SIG_IGN)
        (process, errors) = try launch(player, standardInput: input)
    }

    func write(_ bytes: Data) throws {
        do {
            try input.fileHandleForWriting.write(contentsOf: bytes)
        } catch {
            try? input.fileHandleForWriting.close()
            try waitForPlayer(player, process, errors: errors)
            throw SinkError(description: "\(player.name) stopped reading: \(error.localizedDescription)")
        }
    }

    func finish() throws {
        try? input.fileHandleForWriting.close()
        try waitForPlayer(player, process, errors: errors)
    }

    func abandon() {
        try? input.fileHandleForWriting.close()
        if process.isRunning { process.terminate() }
    }
}

/// `afplay`: the PCM is collected into a temporary WAV file that is played at the end.
final class WAVFilePlayerSink: AudioByteSink {
    private let player: AudioPlayer
    private var pcm = Data()

    init(_ player: AudioPlayer) {
        self.player = player
    }

    func write(_ bytes: Data) throws {
        pcm.append(bytes)
    }

    func finish() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("kokoro-say-\(ProcessInfo.processInfo.processIdentifier).wav")
        try (wavHeader(dataBytes: pcm.count) + pcm).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let (process, errors) = try launch(player, extraArguments: [url.path], standardInput: nil)
        try waitForPlayer(player, process, errors: errors)
    }

    func abandon() {}
}

private func littleEndian32(_ value: Int) -> Data {
    let v = UInt32(clamping: value)
    return Data([UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 24)])
}

/// The canonical 44-byte header of 24 kHz mono 16-bit PCM.
func wavHeader(dataBytes: Int, sampleRate: Int = 24_000) -> Data {
    func le16(_ v: UInt16) -> Data { Data([UInt8(v & 0xFF), UInt8(v >> 8)]) }
    var header = Data("RIFF".utf8)
    header.append(littleEndian32(dataBytes + 36))
    header.append(Data("WAVEfmt ".utf8))
    header.append(littleEndian32(16))
    header.append(le16(1))  // PCM
    header.append(le16(1))  // mono
    header.append(littleEndian32(sampleRate))
    header.append(littleEndian32(sampleRate * 2))
    header.append(le16(2))
    header.append(le16(16))
    header.append(Data("data".utf8))
    header.append(littleEndian32(dataBytes))
    return header
}

// MARK: - kokoro say --server

extension Say {
    /// Streams `text` from the server at `server` into the file, stdout and/or player.
    func speakRemotely(_ text: String, server: String, apiKey: String?) async throws {
        do {
            let sink: any AudioByteSink
            let format: AudioFormat
            if play {
                guard let player = AudioPlayer.find(searchPath: ProcessInfo.processInfo.environment["PATH"]) else {
                    throw SinkError(description: AudioPlayer.installHint)
                }
                format = .pcm
                // Validate -o before anything plays.
                let file = try output.map { path in PCMToOutputSink(try OutputSink(path: path, format: try outputFormat(path))) }
                let playing = try player.makeSink()
                sink = file.map { TeeSink([playing, $0]) } ?? playing
            } else {
                let path = output ?? "out.wav"
                format = try outputFormat(path)
                if path == "-" {
                    signal(SIGPIPE, SIG_IGN)
                    sink = StandardOutputSink()
                } else {
                    sink = try StreamingFileSink(path: path, format: format)
                }
            }
            let body = RemoteSpeechBody(input: text, voice: voice, responseFormat: format, speed: speed, lang: lang)
            let request = try RemoteSpeech.makeRequest(server: server, body: body, apiKey: apiKey)
            let headers: [String: String]
            do {
                headers = try await RemoteSpeech.stream(request, server: server, into: sink)
                try sink.finish()
            } catch {
                sink.abandon()
                throw error
            }
            if let clamped = headers["x-speed-clamped"] {
                FileHandle.standardError.write(Data("note: speed clamped by the server (\(clamped))\n".utf8))
            }
        } catch let error as RemoteSpeechError {
            try fail(error.description)
        } catch let error as SinkError {
            try fail(error.description)
        }
    }

    private func fail(_ message: String) throws -> Never {
        FileHandle.standardError.write(Data("Error: \(message)\n".utf8))
        throw ExitCode.failure
    }
}
