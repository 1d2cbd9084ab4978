import ArgumentParser
import AudioEncoding
import Foundation
import KokoroEngine
import KokoroPhonemizer

struct Say: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Speak text into an audio file (or stdout).")

    @Argument(help: "The text to speak; - reads it from standard input.")
    var text: String

    @Option(name: .shortAndLong, help: "Voice name or blend, e.g. af_heart or af_bella(2)+af_sky(1) (default af_heart).")
    var voice: String?

    @Option(name: .shortAndLong, help: "Speaking speed, 0.5 to 2.0.")
    var speed: Float = 1

    @Option(name: .shortAndLong, help: "Output file (format from its extension: wav, mp3, opus, aac, flac, pcm); - writes WAV to stdout.")
    var output: String = "out.wav"

    @Option(help: "Language (en-us, en-gb, es, fr, hi, it, ja, pt-br, zh); default from the voice's first letter.")
    var lang: String?

    @OptionGroup var engineOptions: EngineOptions

    func run() async throws {
        let text = self.text == "-" ? String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self) : self.text
        let language = try lang.map { code throws -> Language in
            guard let language = Language(code: code) else { throw EngineError.unknownLanguage(code) }
            return language
        }
        let format = try outputFormat()
        let engine = try engineOptions.makeEngine()
        let job = try engine.prepare(SpeechRequest(text: text, voice: voice ?? engine.defaultVoice, speed: speed, language: language))
        let sink = try OutputSink(path: output, format: format)
        let progress = ProgressBar(total: job.segments.count)
        for try await chunk in engine.stream(job) {
            try sink.write(chunk.samples)
            progress.advance()
        }
        try sink.finish()
        progress.finish()
    }

    private func outputFormat() throws -> AudioFormat {
        if output == "-" { return .wav }
        let ext = URL(fileURLWithPath: output).pathExtension.lowercased()
        guard let format = AudioFormat.allCases.first(where: { $0.fileExtension == ext || $0.rawValue == ext }) else {
            throw ValidationError("unknown output extension .\(ext): use .wav, .mp3, .opus, .aac, .flac or .pcm")
        }
        return format
    }
}

/// Writes audio as it is made: streamed to stdout, or a finished file written at the end
/// (so a file's header carries exact sizes and an interrupted run leaves no broken file).
final class OutputSink {
    private let path: String
    private let format: AudioFormat
    private let encoder: (any AudioEncoder)?
    private var samples: [Float] = []

    init(path: String, format: AudioFormat) throws {
        self.path = path
        self.format = format
        encoder = path == "-" ? try makeEncoder(format, streaming: true) : nil
    }

    func write(_ chunk: [Float]) throws {
        if let encoder {
            FileHandle.standardOutput.write(Data(try encoder.encode(chunk)))
        } else {
            samples += chunk
        }
    }

    func finish() throws {
        if let encoder {
            FileHandle.standardOutput.write(Data(try encoder.finish()))
        } else {
            try Data(try encodeAll(samples: samples, format: format)).write(to: URL(fileURLWithPath: path), options: .atomic)
        }
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
