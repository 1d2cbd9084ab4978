import AudioEncoding
import Foundation

/// Samples encoded in `format`: into a file written whole at the end (so its header carries
/// exact sizes and an interrupted run leaves no broken file), or, for the path "-", streamed
/// to standard output as they are made.
public final class EncodingSink: SampleSink {
    private let path: String
    private let format: AudioFormat
    private let standardOutput: (encoder: any AudioEncoder, sink: StandardOutputSink)?
    private var samples: [Float] = []

    public init(path: String, format: AudioFormat) throws {
        self.path = path
        self.format = format
        standardOutput = path == "-" ? (try makeEncoder(format, streaming: true), StandardOutputSink()) : nil
    }

    public func write(_ chunk: [Float]) throws {
        if let standardOutput {
            try standardOutput.sink.write(Data(try standardOutput.encoder.encode(chunk)))
        } else {
            samples += chunk
        }
    }

    public func finish() throws {
        if let standardOutput {
            try standardOutput.sink.write(Data(try standardOutput.encoder.finish()))
            return
        }
        do {
            try Data(try encodeAll(samples: samples, format: format)).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch let error as AudioEncodingError {
            throw error
        } catch {
            throw SinkError.failed("cannot write \(path): \(error.localizedDescription); check the folder exists and is writable")
        }
    }
}
