import ArgumentParser

/// The `kokoro` command: speak, phonemize, list voices, check the install, benchmark.
@main
struct Kokoro: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kokoro",
        abstract: "Kokoro-82M text to speech: command line and OpenAI-compatible server.",
        subcommands: [Serve.self, Say.self, Phonemize.self, Voices.self, Doctor.self, Bench.self])
}
