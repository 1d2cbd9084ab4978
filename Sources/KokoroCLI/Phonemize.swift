import ArgumentParser
import Foundation
import KokoroEngine
import KokoroPhonemizer

struct Phonemize: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the phonemes Kokoro is given for text.",
        discussion: "With no TEXT, reads standard input and prints one line per input line: the input, a tab, the phonemes.")

    @Option(help: "Language (en-us, en-gb, es, fr, hi, it, ja, pt-br, zh).")
    var lang: String = "en-us"

    @Argument(help: "Text to phonemize; omit to read lines from standard input.")
    var text: String?

    @OptionGroup var engineOptions: EngineOptions

    func run() async throws {
        let language = try Language.parse(lang)
        let assets = try engineOptions.assets
        let vocabulary = try PhonemeVocabulary(contentsOf: assets.vocabulary)
        let phonemizers = try KokoroEngine.phonemizers(assets: assets, vocabulary: vocabulary,
                                                       lexicon: LexiconStore(file: try engineOptions.lexiconFile, vocabulary: vocabulary))
        if let text {
            print(try phonemizers.phonemize(text, language: language))
            return
        }
        var output = ""
        while let line = readLine() {
            output += line + "\t" + (try phonemizers.phonemize(line, language: language)) + "\n"
            if output.utf8.count > 1 << 16 {
                FileHandle.standardOutput.write(Data(output.utf8))
                output = ""
            }
        }
        FileHandle.standardOutput.write(Data(output.utf8))
    }
}
