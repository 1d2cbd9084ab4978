import ArgumentParser
import AudioEncoding
import Foundation
import KokoroClient

// `kokoro say --server URL`: wiring of `KokoroClient` (the HTTP client, the sinks and the
// players) to the command's options. Audio is streamed, and every byte goes to its file,
// stdout or player as it arrives, so the first words play while the server is still
// synthesizing the rest.

extension Say {
    /// Streams `text` from the server at `server` into the file, stdout and/or player.
    func speakRemotely(_ text: String, server: String, apiKey: String?) async throws {
        do {
            let sink: any AudioByteSink
            let format: AudioFormat
            if play {
                guard let player = AudioPlayer.find(searchPath: ProcessInfo.processInfo.environment["PATH"]) else {
                    throw SinkError.failed(AudioPlayer.installHint)
                }
                format = .pcm
                // Validate -o before anything plays.
                let file = try output.map { path in PCMSampleSink(try EncodingSink(path: path, format: try outputFormat(path))) }
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
            let body = SpeechRequestBody(input: text, voice: voice, responseFormat: format, speed: speed, lang: lang)
            let request = try SpeechClient.makeRequest(server: server, body: body, apiKey: apiKey)
            let headers: [String: String]
            do {
                headers = try await SpeechClient.stream(request, server: server, into: sink)
                try sink.finish()
            } catch {
                sink.abandon()
                throw error
            }
            if let clamped = headers["x-speed-clamped"] {
                FileHandle.standardError.write(Data("note: speed clamped by the server (\(clamped))\n".utf8))
            }
        } catch let error as SpeechClientError {
            try fail(error.description)
        } catch SinkError.readerGone {
            throw ExitCode.failure
        } catch let error as SinkError {
            try fail(error.description)
        }
    }

    private func fail(_ message: String) throws -> Never {
        FileHandle.standardError.write(Data("Error: \(message)\n".utf8))
        throw ExitCode.failure
    }
}
