import ArgumentParser
import Foundation
import KokoroEngine

struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure speed; prints a table and writes JSON under reports/.",
        subcommands: [EngineBench.self])
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
        guard let model = engine.model as? KokoroModel else { throw ValidationError("the engine does not run a single ONNX session") }
        let request = SpeechRequest(text: paragraph, voice: engine.defaultVoice, useCache: false)
        let job = try engine.prepare(request)
        let pieces: [(tokens: [Int64], style: ArraySlice<Float>)] = job.segments.compactMap {
            guard case .speech(_, let tokens, _) = $0 else { return nil }
            return (tokens, job.style.style(forTokenCount: tokens.count))
        }
        var clip = try await engine.synthesize(request)
        for piece in pieces { _ = try KokoroModel.run(session: model.session, tokens: piece.tokens, style: piece.style, speed: 1) }

        var engineTimes: [Double] = []
        var bareTimes: [Double] = []
        let clock = ContinuousClock()
        for _ in 0..<rounds {
            // Interleaved so drift in machine load affects both sides alike.
            engineTimes.append(try await clock.measure { clip = try await engine.synthesize(request) }.seconds)
            bareTimes.append(try clock.measure {
                for piece in pieces { _ = try KokoroModel.run(session: model.session, tokens: piece.tokens, style: piece.style, speed: 1) }
            }.seconds)
        }
        let engineMedian = median(engineTimes)
        let bareMedian = median(bareTimes)
        let report = Report(rounds: rounds, threads: engineOptions.threadCount, segments: pieces.count, tokens: job.tokenCount,
                            audioSeconds: clip.duration, engineSecondsMedian: engineMedian, bareORTSecondsMedian: bareMedian,
                            overheadPercent: (engineMedian / bareMedian - 1) * 100,
                            engineSeconds: engineTimes, bareORTSeconds: bareTimes)
        print("| paragraph (\(pieces.count) pieces, \(job.tokenCount) tokens, \(String(format: "%.1f", clip.duration)) s audio) | median of \(rounds) |")
        print("|---|---|")
        print(String(format: "| engine (plan + phonemize + runs + join) | %.3f s |", engineMedian))
        print(String(format: "| bare ORT Run on the same tokens | %.3f s |", bareMedian))
        print(String(format: "| engine overhead | %+.2f %% |", report.overheadPercent))
        print("wrote \(try writeReport(report, name: "bench-engine"))")
    }
}
