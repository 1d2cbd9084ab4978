import ArgumentParser
import AudioEncoding
import Foundation
import KokoroClient
import KokoroEngine
import KokoroPhonemizer
import KokoroServer

struct Say: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Speak text into an audio file (or stdout), or play it.",
        discussion: "With --server (or KOKORO_SERVER) the text is sent to a running `kokoro serve` and the audio streamed back; no model is loaded here.")

    @Argument(help: "The text to speak; - reads it from standard input.")
    var text: String

    @Option(name: .shortAndLong, help: "Voice name or blend, e.g. af_heart or af_bella(2)+af_sky(1) (default af_heart).")
    var voice: String?

    @Option(name: .shortAndLong, help: "Speaking speed, 0.5 to 2.0.")
    var speed: Float = 1

    @Option(name: .shortAndLong, help: "Output file (format from its extension: wav, mp3, opus, aac, flac, pcm); - writes WAV to stdout (default out.wav; none with --play).")
    var output: String?

    @Option(help: "Language (en-us, en-gb, es, fr, hi, it, ja, pt-br, zh); default from the voice's first letter.")
    var lang: String?

    @Option(help: "Speak through a running kokoro server instead of loading the model, e.g. http://127.0.0.1:8880 (default: $KOKORO_SERVER, else the config file's \"server\").")
    var server: String?

    @Option(name: .customLong("api-key"), help: "The server's API key, if it requires one (default: $KOKORO_API_KEY, else the config file's \"api-key\").")
    var apiKey: String?

    @Flag(help: "Play the audio as it streams (aplay, paplay or afplay), besides writing -o if given; needs --server.")
    var play = false

    @OptionGroup var engineOptions: EngineOptions

    /// These flags and the engine's, over the environment and the config file.
    func settings() throws -> KokoroSettings {
        try engineOptions.settings(adding: [(KokoroSettings.server, server), (KokoroSettings.apiKey, apiKey)])
    }

    func run() async throws {
        let settings = try settings()
        let server = try validated { try settings.value(KokoroSettings.server) }
        if play, server == nil { throw ValidationError("--play needs --server URL (or KOKORO_SERVER): start one with `kokoro serve`") }
        let text = self.text == "-" ? String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self) : self.text
        if let server {
            try await speakRemotely(text, server: server, apiKey: try validated { try settings.value(KokoroSettings.apiKey) })
            return
        }
        let output = self.output ?? "out.wav"
        let language = try lang.map(Language.parse)
        let format = try outputFormat(output)
        let engine = try engineOptions.makeEngine()
        let job = try engine.prepare(SpeechRequest(text: text, voice: voice ?? engine.defaultVoice, speed: speed, language: language))
        // A voice never measured is measured first (once, then kept in the cache), so this file has its final level.
        if let loudness = engine.loudness, loudness.gain(for: engine.loudnessKey(job.request.voice)) == nil {
            try await engine.calibrateLoudness(voice: job.request.voice)
        }
        let sink = try EncodingSink(path: output, format: format)
        let progress = ProgressBar(total: job.segments.count)
        for try await chunk in engine.stream(job) {
            try sink.write(chunk.samples)
            progress.advance()
        }
        try sink.finish()
        progress.finish()
    }

    func outputFormat(_ output: String) throws -> AudioFormat {
        guard let format = AudioFormat(outputPath: output) else {
            throw ValidationError("-o \(output): name a .wav, .mp3, .opus (or .ogg), .aac, .flac or .pcm file, or - for WAV on standard output")
        }
        return format
    }
}

/// A one-line progress bar on stderr, shown only on a terminal and for multi-piece jobs.
final class ProgressBar {
    private let total: Int
    private var completed = 0
    private let enabled: Bool

    init(total: Int) {
        self.total = total
        enabled = total > 1 && isatty(STDERR_FILENO) != 0
    }

    func advance() {
        completed += 1
        guard enabled else { return }
        let width = 30
        let filled = width * completed / total
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        FileHandle.standardError.write(Data("\r\(bar) \(completed)/\(total) pieces".utf8))
    }

    func finish() {
        if enabled { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
