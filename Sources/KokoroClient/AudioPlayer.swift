import AudioEncoding
import Foundation

/// A command-line audio player for 24 kHz mono 16-bit PCM.
public struct AudioPlayer: Equatable, Sendable {
    public let name: String
    public let path: String
    public let arguments: [String]
    /// `afplay` cannot read a pipe: it gets a WAV file once the stream has ended.
    public let readsStandardInput: Bool

    /// In order of preference; the first one on `PATH` is used.
    public static let candidates: [(name: String, arguments: [String], readsStandardInput: Bool)] = [
        ("aplay", ["-q", "-f", "S16_LE", "-r", "24000", "-c", "1", "-"], true),
        ("paplay", ["--raw", "--format=s16le", "--rate=24000", "--channels=1"], true),
        ("afplay", [], false),
    ]

    public static let installHint = "no audio player found (aplay, paplay or afplay): install alsa-utils or pulseaudio-utils (apt install alsa-utils), or write a file with -o"

    /// The first candidate whose executable `isExecutable` finds in `searchPath` (`PATH`).
    public static func find(searchPath: String?, isExecutable: (String) -> Bool = { FileManager.default.isExecutableFile(atPath: $0) }) -> AudioPlayer? {
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

    /// A sink that plays what it is given: as it arrives, or at the end for `afplay`.
    public func makeSink() throws -> any AudioByteSink {
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
        throw SinkError.failed("cannot start \(player.path): \(error.localizedDescription); reinstall \(player.name), or write a file with -o")
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
        throw SinkError.failed("\(player.name) \(how)\(said.isEmpty ? "" : " (\(said))"): is there a sound device? (write a file with -o instead)")
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
            throw SinkError.failed("\(player.name) stopped reading: \(error.localizedDescription)")
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
        try (Data(WAVHeader.bytes(sampleRate: 24_000, dataBytes: pcm.count)) + pcm).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let (process, errors) = try launch(player, extraArguments: [url.path], standardInput: nil)
        try waitForPlayer(player, process, errors: errors)
    }

    func abandon() {}
}

