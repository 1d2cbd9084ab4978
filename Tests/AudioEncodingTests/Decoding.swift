import Foundation

/// What the `ffprobe`/`ffmpeg` command-line tools make of an encoded file: an
/// independent decoder checking our bytes.
struct Decoded {
    let codec: String
    let sampleRate: Int
    let channels: Int
    let samples: [Float]

    var duration: Double { Double(samples.count) / Double(sampleRate) }

    init(_ bytes: [UInt8], format: String) throws {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("audioencoding-\(UUID().uuidString).\(format)")
        try Data(bytes).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let probe = try run("ffprobe", ["-v", "error", "-select_streams", "a:0",
                                        "-show_entries", "stream=codec_name,sample_rate,channels",
                                        "-of", "default=noprint_wrappers=1", url.path])
        var fields: [String: String] = [:]
        for line in String(decoding: probe, as: UTF8.self).split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
            if parts.count == 2 { fields[parts[0]] = parts[1] }
        }
        codec = fields["codec_name"] ?? "?"
        sampleRate = Int(fields["sample_rate"] ?? "") ?? 0
        channels = Int(fields["channels"] ?? "") ?? 0
        let raw = try run("ffmpeg", ["-v", "error", "-i", url.path, "-f", "f32le", "-acodec", "pcm_f32le", "-"])
        samples = raw.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
    }
}

struct ToolFailed: Error, CustomStringConvertible {
    let description: String
}

private func run(_ tool: String, _ arguments: [String]) throws -> Data {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [tool] + arguments
    let output = Pipe()
    let errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    let messages = errors.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0, messages.isEmpty else {
        throw ToolFailed(description: "\(tool) \(arguments.joined(separator: " ")): status \(process.terminationStatus): "
                         + String(decoding: messages, as: UTF8.self))
    }
    return data
}

func sine(hertz: Double, seconds: Double, sampleRate: Int = 24_000, amplitude: Float = 0.5) -> [Float] {
    (0..<Int(seconds * Double(sampleRate))).map {
        amplitude * Float(sin(2 * Double.pi * hertz * Double($0) / Double(sampleRate)))
    }
}

/// 1.5 s of 440 Hz under a slow tremolo: a pure sine repeats every 600
/// samples, which would let misaligned audio pass as equal.
func tremoloTone() -> [Float] {
    sine(hertz: 440, seconds: 1.5).enumerated().map { index, sample in
        let tremolo = 0.6 + 0.4 * sin(2 * Double.pi * 3.1 * Double(index) / 24_000)
        return sample * Float(tremolo)
    }
}

/// Sign changes, counted only across a margin so codec noise around zero in
/// silent padding does not add crossings.
func zeroCrossings(_ samples: [Float]) -> Int {
    var count = 0
    var positive: Bool?
    for sample in samples where abs(sample) > 0.05 {
        let isPositive = sample > 0
        if let positive, positive != isPositive { count += 1 }
        positive = isPositive
    }
    return count
}

func rms(_ samples: ArraySlice<Float>) -> Float {
    guard !samples.isEmpty else { return 0 }
    return (samples.reduce(0) { $0 + $1 * $1 } / Float(samples.count)).squareRoot()
}

/// The shift of `b` against `a` (b[i + lag] ≈ a[i]) that best lines them up,
/// searched over a window: finished MP3 files tell decoders to trim the
/// encoder delay, streams cannot, so the same audio starts at different offsets.
func bestLag(_ a: [Float], _ b: [Float], maxLag: Int = 2400) -> Int {
    let start = 4800, length = 2400
    var best = (lag: 0, error: Float.infinity)
    for lag in -maxLag...maxLag where start + lag >= 0 && start + lag + length <= b.count && start + length <= a.count {
        var error: Float = 0
        for i in start..<(start + length) {
            let d = a[i] - b[i + lag]
            error += d * d
        }
        if error < best.error { best = (lag, error) }
    }
    return best.lag
}

/// Splits samples like a synthesiser might deliver them: uneven, including a
/// tiny chunk smaller than any codec frame.
func unevenChunks(_ samples: [Float]) -> [[Float]] {
    var chunks: [[Float]] = []
    var index = 0
    for size in [1000, 4801, 7, 24_000] where index < samples.count {
        let end = min(index + size, samples.count)
        chunks.append(Array(samples[index..<end]))
        index = end
    }
    chunks.append(Array(samples[index...]))
    return chunks
}
