import ArgumentParser
import KokoroEngine
import KokoroPhonemizer
import KokoroVoices

struct Voices: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the installed voices.")

    @OptionGroup var engineOptions: EngineOptions

    func run() async throws {
        let library = try VoiceLibrary(paths: engineOptions.assets.voicePacks)
        for name in library.names {
            print("\(name)\t\(Language(voiceName: name)?.rawValue ?? "?")")
        }
    }
}
