import ArgumentParser
import Foundation
import KokoroEngine
import KokoroPhonemizer
import ONNXRuntime

struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure speed; prints a table and writes JSON under reports/.",
        subcommands: [EngineBench.self, G2PBench.self])
}

/// The sentence and paragraph every benchmark uses (`## sentence` / `## paragraph`
/// sections of a Markdown file), so figures stay comparable between runs and systems.
struct BenchTexts {
    let sentence: String
    let paragraph: String

    init(path: String) throws {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ValidationError("cannot read benchmark texts at \(path); pass --texts PATH (the shared eval/bench-texts.md)")
        }
        var sections: [String: String] = [:]
        var current: String?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("## ") {
                current = line.dropFirst(3).trimmingCharacters(in: .whitespaces).lowercased()
            } else if let current, !line.trimmingCharacters(in: .whitespaces).isEmpty {
                sections[current, default: ""] += (sections[current] == nil ? "" : " ") + line
            }
        }
        guard let sentence = sections["sentence"], let paragraph = sections["paragraph"] else {
            throw ValidationError("\(path) needs '## sentence' and '## paragraph' sections")
        }
        self.sentence = sentence
        self.paragraph = paragraph
    }
}

/// Writes a benchmark's JSON report under reports/.
func writeReport<T: Encodable>(_ report: T, name: String) throws -> String {
    let directory = URL(fileURLWithPath: "reports")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let url = directory.appendingPathComponent("\(name).json")
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    try encoder.encode(report).write(to: url)
    return url.path
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    guard !sorted.isEmpty else { return 0 }
    return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

struct EngineBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "engine",
        abstract: "The engine's time for the paragraph against bare ONNX Runtime runs of the same tokens.")

    @Option(help: "Markdown file with the benchmark texts.")
    var texts = "../shared/eval/bench-texts.md"

    @Option(help: "Timed rounds (after one warm-up round).")
    var rounds = 5

    @OptionGroup var engineOptions: EngineOptions

    struct Report: Encodable {
        let rounds: Int
        let threads: Int
        let segments: Int
        let tokens: Int
        let audioSeconds: Double
        let engineSecondsMedian: Double
        let bareORTSecondsMedian: Double
        let overheadPercent: Double
        let engineSeconds: [Double]
        let bareORTSeconds: [Double]
    }

    func run() async throws {
        let paragraph = try BenchTexts(path: texts).paragraph
        let engine = try engineOptions.makeEngine()
        // Bare ORT: the whole model, with every core, as the engine's lone runs have.
        let assets = try engineOptions.assets
        let environment = try ORTEnvironment(runtime: try ORTRuntime.load(explicitPath: assets.onnxRuntimeLibrary, cacheDirectory: assets.cacheDirectory))
        let bare = try ORTSession(environment: environment, modelPath: assets.model.path,
                                  configuration: KokoroEngine.sessionConfiguration(threads: EngineOptions.cores))
        let request = SpeechRequest(text: paragraph, voice: engine.defaultVoice, useCache: false)
        let job = try engine.prepare(request)
        let pieces: [(tokens: [Int64], style: ArraySlice<Float>)] = job.segments.compactMap {
            guard case .speech(_, let tokens, _, _) = $0 else { return nil }
            return (tokens, job.style.style(forTokenCount: tokens.count))
        }
        var clip = try await engine.synthesize(request)
        for piece in pieces { _ = try KokoroModel.run(session: bare, tokens: piece.tokens, style: piece.style, speed: 1) }

        var engineTimes: [Double] = []
        var bareTimes: [Double] = []
        let clock = ContinuousClock()
        for _ in 0..<rounds {
            // Interleaved so drift in machine load affects both sides alike.
            engineTimes.append(try await clock.measure { clip = try await engine.synthesize(request) }.seconds)
            bareTimes.append(try clock.measure {
                for piece in pieces { _ = try KokoroModel.run(session: bare, tokens: piece.tokens, style: piece.style, speed: 1) }
            }.seconds)
        }
        let engineMedian = median(engineTimes)
        let bareMedian = median(bareTimes)
        let report = Report(rounds: rounds, threads: bare.configuration.intraOpThreads, segments: pieces.count, tokens: job.tokenCount,
                            audioSeconds: clip.duration, engineSecondsMedian: engineMedian, bareORTSecondsMedian: bareMedian,
                            overheadPercent: (engineMedian / bareMedian - 1) * 100,
                            engineSeconds: engineTimes, bareORTSeconds: bareTimes)
        print("| paragraph (\(pieces.count) pieces, \(job.tokenCount) tokens, \(String(format: "%.1f", clip.duration)) s audio) | median of \(rounds) |")
        print("|---|---|")
        print(String(format: "| engine (plan + phonemize + runs + join%@) | %.3f s |", engine.windows == nil ? "" : ", decoder in windows", engineMedian))
        print(String(format: "| bare ORT Run on the same tokens | %.3f s |", bareMedian))
        print(String(format: "| engine overhead | %+.2f %% |", report.overheadPercent))
        print("wrote \(try writeReport(report, name: "bench-engine"))")
    }
}

struct G2PBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "g2p",
        abstract: "A language's G2P against misaki's phonemes (word agreement, as g2p_score.py counts it), its load time, and sentences per second on one thread.")

    @Option(help: "en-us, en-gb, zh or ja.")
    var lang = "en-us"

    @Option(help: "misaki's phonemes, TEXT<TAB>PHONEMES per line (default: ../shared/eval/ljs-test.misaki.tsv for en-us, zh-test.misaki.tsv for zh, ja-test.misaki.tsv for ja; none for en-gb).")
    var reference: String?

    @Option(help: "Timed passes over the sentences.")
    var passes = 10

    @OptionGroup var engineOptions: EngineOptions

    struct Report: Encodable {
        let language: String
        let reference: String
        let sentences: Int
        let wordAgreement: Double
        let exactSentences: Double
        let readySeconds: Double
        let sentencesPerSecond: Double
    }

    /// The language `lang` names and its reference file: `reference`, else the shared set's.
    static func reference(lang: String, given reference: String?) throws -> (Language, path: String) {
        guard let language = Language(code: lang), language.isEnglish || language == .mandarin || language == .japanese else {
            throw ValidationError("--lang \(lang): kokoro-swift has its own G2P for en-us, en-gb, zh and ja (the others are espeak-ng's)")
        }
        let defaults: [Language: String] = [.americanEnglish: "ljs", .mandarin: "zh", .japanese: "ja"]
        let path = reference ?? defaults[language].map { "../shared/eval/\($0)-test.misaki.tsv" }
        guard let path else { throw ValidationError("no reference for \(language.rawValue): pass --reference TSV (TEXT<TAB>PHONEMES)") }
        return (language, path)
    }

    func run() async throws {
        let (language, path) = try Self.reference(lang: lang, given: reference)
        guard let file = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ValidationError("cannot read \(path); pass --reference TSV (TEXT<TAB>PHONEMES per line)")
        }
        let rows = PhonemeAgreement.references(in: file)
        guard !rows.isEmpty else { throw ValidationError("\(path) has no TEXT<TAB>PHONEMES lines") }
        let clock = ContinuousClock()
        var router: PhonemizerRouter?
        // Ready: the phonemizers built and the language's dictionaries loaded (first sentence).
        let ready = try clock.measure {
            router = try KokoroEngine.phonemizers(assets: engineOptions.assets)
            _ = try router?.phonemize(rows[0].text, language: language)
        }
        guard let router else { return }
        let score = try PhonemeAgreement.score(reference: file) { try router.phonemize($0, language: language) }.score
        let elapsed = try clock.measure {
            for _ in 0..<passes { for row in rows { _ = try router.phonemize(row.text, language: language) } }
        }
        let count = rows.count * passes
        let report = Report(language: language.rawValue, reference: path, sentences: rows.count, wordAgreement: score.wordAgreement,
                            exactSentences: Double(score.exactSentences) / Double(rows.count), readySeconds: ready.seconds,
                            sentencesPerSecond: Double(count) / elapsed.seconds)
        print("| \(language.englishName) G2P against misaki (\(rows.count) sentences of \(path)) | |")
        print("|---|---|")
        print(String(format: "| word agreement | %.4f (sentences exact: %.2f) |", score.wordAgreement, report.exactSentences))
        print(String(format: "| ready (phonemizers built, dictionaries loaded) | %.0f ms |", ready.seconds * 1000))
        print(String(format: "| throughput, one thread | %.0f sentences/s (%d in %.2f s) |", report.sentencesPerSecond, count, elapsed.seconds))
        print("wrote \(try writeReport(report, name: "bench-g2p-\(language.rawValue)"))")
    }
}
