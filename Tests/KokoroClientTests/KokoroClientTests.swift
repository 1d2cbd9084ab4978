import AudioEncoding
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Hummingbird
import HummingbirdTesting
import KokoroClient
import Testing

@Suite("Speech client")
struct SpeechClientTests {
    @Test func theBodyIsOpenAIsWithAudioStreamed() throws {
        let body = SpeechRequestBody(input: "Hi.", voice: nil, responseFormat: .mp3, speed: 1.5, lang: "en-gb")
        let object = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(body)) as? [String: Any])
        #expect(object["model"] as? String == "kokoro" && object["input"] as? String == "Hi." && object["response_format"] as? String == "mp3")
        #expect(object["stream"] as? Bool == true && object["speed"] as? Double == 1.5 && object["lang"] as? String == "en-gb")
        #expect(object["voice"] == nil)
    }

    @Test(arguments: [
        ("127.0.0.1:8880", "http://127.0.0.1:8880/v1/audio/speech"),
        ("http://host:1/", "http://host:1/v1/audio/speech"),
        ("https://host/v1", "https://host/v1/audio/speech"),
        ("http://host/v1/audio/speech", "http://host/v1/audio/speech"),
    ])
    func anyFormOfTheServerNamesTheEndpoint(server: String, endpoint: String) throws {
        #expect(try SpeechClient.endpoint(for: server).absoluteString == endpoint)
    }

    @Test func aURLThatIsNoServerIsRefusedWithAnExample() {
        #expect(throws: SpeechClientError.self) { try SpeechClient.endpoint(for: "ftp://host") }
        #expect(SpeechClientError.invalidURL("ftp://host").description.contains("http://127.0.0.1:8880"))
        #expect(SpeechClientError.server(status: 401, message: "invalid key").description.contains("--api-key"))
    }

    @Test func theServersOwnMessageIsShown() {
        let openAI = Data(#"{"error":{"message":"unknown voice xx","type":"invalid_request_error"}}"#.utf8)
        #expect(SpeechClient.errorMessage(status: 404, body: openAI) == "unknown voice xx")
        #expect(SpeechClient.errorMessage(status: 502, body: Data("bad\ngateway".utf8)) == "bad gateway")
        #expect(SpeechClient.errorMessage(status: 503, body: Data()) == HTTPURLResponse.localizedString(forStatusCode: 503))
    }

    /// A streamed response reaches the sink byte for byte, and an error response becomes the
    /// server's message with its status; against a small server, without the model.
    @Test func aStreamReachesTheSinkAndAnErrorNamesItsCause() async throws {
        let chunks = (0..<5).map { index in [UInt8](repeating: UInt8(index), count: 10_000) }
        let router = Router()
        router.post("/v1/audio/speech") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 1 << 16)
            guard String(buffer: body).contains(#""input":"Hi.""#) else {
                return Response(status: .badRequest, body: .init(byteBuffer: ByteBuffer(string: #"{"error":{"message":"no input"}}"#)))
            }
            return Response(status: .ok, headers: [.contentType: "audio/pcm"], body: ResponseBody { writer in
                for chunk in chunks { try await writer.write(ByteBuffer(bytes: chunk)) }
                try await writer.finish(nil)
            })
        }
        try await Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0))).test(.live) { client in
            let server = "127.0.0.1:\(try #require(client.port))"
            let sink = MemorySink()
            let request = try SpeechClient.makeRequest(server: server, body: .init(input: "Hi.", voice: nil, responseFormat: .pcm, speed: 1, lang: nil),
                                                       apiKey: "sk-test")
            #expect(request.value(forHTTPHeaderField: "Authorization") == "Bearer sk-test")
            _ = try await SpeechClient.stream(request, server: server, into: sink)
            #expect(sink.bytes == Data(chunks.joined()))
            let empty = try SpeechClient.makeRequest(server: server, body: .init(input: "", voice: nil, responseFormat: .pcm, speed: 1, lang: nil), apiKey: nil)
            await #expect(throws: SpeechClientError.server(status: 400, message: "no input")) {
                try await SpeechClient.stream(empty, server: server, into: MemorySink())
            }
        }
    }

    @Test func noServerSaysHowToStartOne() async throws {
        let request = try SpeechClient.makeRequest(server: "127.0.0.1:9", body: .init(input: "Hi.", voice: nil, responseFormat: .pcm, speed: 1, lang: nil),
                                                   apiKey: nil)
        await #expect(throws: SpeechClientError.noServer("127.0.0.1:9")) { try await SpeechClient.stream(request, server: "127.0.0.1:9", into: MemorySink()) }
    }
}

@Suite("Encoding sink")
struct EncodingSinkTests {
    /// Samples written in chunks come out as one WAV file whose header counts them all.
    @Test func aFileIsWrittenWholeAtTheEnd() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("sink-\(UUID().uuidString).wav")
        let sink = try EncodingSink(path: url.path, format: .wav)
        try sink.write([Float](repeating: 0.25, count: 100))
        try sink.write([Float](repeating: -0.25, count: 140))
        #expect(!FileManager.default.fileExists(atPath: url.path))
        try sink.finish()
        let data = try Data(contentsOf: url)
        #expect(data.prefix(4) == Data("RIFF".utf8))
        #expect(data.count == 44 + 240 * 2)
        let dataSize = data[40..<44].enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        #expect(dataSize == 240 * 2)
    }

    @Test func aFileThatCannotBeWrittenSaysWhere() throws {
        let sink = try EncodingSink(path: "/nonexistent-folder/out.wav", format: .wav)
        try sink.write([0.1])
        #expect(throws: SinkError.self) { try sink.finish() }
        do { try sink.finish() } catch { #expect("\(error)".contains("/nonexistent-folder/out.wav") && "\(error)".contains("writable")) }
    }

    @Test(arguments: [("out.wav", AudioFormat.wav), ("a/b.MP3", .mp3), ("x.ogg", .opus), ("x.opus", .opus), ("-", .wav), ("raw.pcm", .pcm)])
    func theFormatComesFromTheFilesExtension(path: String, format: AudioFormat) {
        #expect(AudioFormat(outputPath: path) == format)
    }

    @Test(arguments: ["out.txt", "noextension", "dir.wav/file"])
    func anExtensionOfNoFormatIsNone(path: String) {
        #expect(AudioFormat(outputPath: path) == nil)
    }
}

@Suite("Client sinks and players")
struct ClientSinkTests {
    /// A streamed WAV (sizes unknown) is written under `.part` and renamed with its sizes
    /// filled in; an abandoned one leaves nothing.
    @Test func aStreamedWAVFileGetsItsSizesAndOnlyWhenComplete() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kokoro-client-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("out.wav").path
        let sink = try StreamingFileSink(path: path, format: .wav)
        try sink.write(Data(WAVHeader.bytes(sampleRate: 24_000, dataBytes: nil)))
        try sink.write(Data(repeating: 1, count: 4_800))
        #expect(!FileManager.default.fileExists(atPath: path))
        try sink.finish()
        let file = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(file.prefix(44) == Data(WAVHeader.bytes(sampleRate: 24_000, dataBytes: 4_800)))
        #expect(file.count == 44 + 4_800 && !FileManager.default.fileExists(atPath: path + ".part"))

        let abandoned = try StreamingFileSink(path: folder.appendingPathComponent("gone.wav").path, format: .wav)
        try abandoned.write(Data(repeating: 1, count: 100))
        abandoned.abandon()
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["out.wav"])
    }

    @Test func aFileInAFolderThatIsNotThereIsAClearError() {
        #expect(throws: SinkError.self) { try StreamingFileSink(path: "/nonexistent-kokoro/out.wav", format: .wav) }
    }

    /// 16-bit PCM decodes to samples however the bytes are split across writes.
    @Test func pcmDecodesAcrossSplitSamples() throws {
        let samples = SampleCollector()
        let sink = PCMSampleSink(samples)
        let pcm: [Int16] = [0, 32767, -32767, 16384, -2]
        let bytes = pcm.flatMap { [UInt8(UInt16(bitPattern: $0) & 0xFF), UInt8(UInt16(bitPattern: $0) >> 8)] }
        try sink.write(Data(bytes[0..<3]))
        try sink.write(Data(bytes[3..<7]))
        try sink.write(Data(bytes[7...]))
        try sink.finish()
        #expect(samples.samples == pcm.map { Float($0) / 32767 })
        #expect(samples.finished)
    }

    @Test func aTeeFeedsEverySink() throws {
        let first = MemorySink(), second = MemorySink()
        let tee = TeeSink([first, second])
        try tee.write(Data([1, 2, 3]))
        try tee.finish()
        #expect(first.bytes == Data([1, 2, 3]) && second.bytes == first.bytes && first.finished && second.finished)
    }

    /// The first player of the preference order found on PATH; none is a message naming
    /// what to install.
    @Test func playersAreFoundOnThePathInOrder() {
        let installed: Set = ["/opt/bin/paplay", "/usr/bin/aplay", "/usr/bin/afplay"]
        let found = AudioPlayer.find(searchPath: "/opt/bin:/usr/bin") { installed.contains($0) }
        #expect(found?.name == "aplay" && found?.path == "/usr/bin/aplay" && found?.readsStandardInput == true)
        #expect(AudioPlayer.find(searchPath: "/opt/bin") { installed.contains($0) }?.name == "paplay")
        #expect(AudioPlayer.find(searchPath: "/usr/local/bin") { _ in false } == nil)
        #expect(AudioPlayer.installHint.contains("apt install alsa-utils"))
    }
}

/// Collects bytes in memory.
private final class MemorySink: AudioByteSink, @unchecked Sendable {
    var bytes = Data()
    var finished = false
    func write(_ bytes: Data) throws { self.bytes.append(bytes) }
    func finish() throws { finished = true }
    func abandon() {}
}

/// Collects decoded samples.
private final class SampleCollector: SampleSink {
    var samples: [Float] = []
    var finished = false
    func write(_ samples: [Float]) throws { self.samples += samples }
    func finish() throws { finished = true }
}
