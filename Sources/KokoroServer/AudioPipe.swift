import AudioEncoding
import Foundation
import KokoroEngine
import Logging
import NIOCore

/// One response's audio: engine chunks through one encoder to the client, with the
/// response's measurements and its admission ticket released however it ends (dropped
/// unrun, the pipe drops the ticket, which releases itself).
struct AudioPipe: Sendable {
    let engine: KokoroEngine
    let ticket: AdmissionTicket
    let format: AudioFormat
    let received: ContinuousClock.Instant
    let inputCharacters: Int
    let metrics: ServerMetrics
    let logger: Logger
    /// Completes when the client's connection closes: synthesis for it stops then.
    let connection: EventLoopFuture<Void>

    struct Collected {
        let bytes: [UInt8]
        let audioSeconds: Double
        let elapsedSeconds: Double
    }

    /// The engine's chunks, ended (and the model run in progress terminated) as soon as the
    /// client's connection closes, not only when the next write fails.
    private func chunks() -> AsyncThrowingStream<AudioChunk, any Error> {
        let (chunks, continuation) = AsyncThrowingStream.makeStream(of: AudioChunk.self)
        let producer = Task { [engine, job = ticket.job] in
            do {
                for try await chunk in engine.stream(job) { continuation.yield(chunk) }
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in producer.cancel() }
        connection.whenComplete { _ in continuation.finish(throwing: CancellationError()) }
        return chunks
    }

    /// Streams encoded bytes to `write` as the engine produces audio. If the client goes
    /// away (the connection closes, or `write` throws), synthesis is cancelled.
    func pump(_ write: ([UInt8]) async throws -> Void) async throws {
        metrics.activeStreams.increment()
        var samples = 0
        var firstAudio = true
        do {
            let encoder = try makeEncoder(format, streaming: true)
            for try await chunk in chunks() {
                samples += chunk.samples.count
                metrics.synthesisSeconds.record(chunk.synthesisSeconds)
                let bytes = try encoder.encode(chunk.samples)
                guard !bytes.isEmpty else { continue }
                if firstAudio {
                    firstAudio = false
                    metrics.recordTTFA(seconds: received.duration(to: .now).seconds, inputCharacters: inputCharacters, fromCache: chunk.fromCache)
                }
                try await write(bytes)
            }
            let tail = try encoder.finish()
            if !tail.isEmpty { try await write(tail) }
        } catch {
            await finish(samples: samples, completed: false)
            if !(error is CancellationError) {
                logger.warning("stream ended early", metadata: ["error": "\(error)", "audio_seconds": "\(Double(samples) / 24_000)"])
            }
            throw error
        }
        await finish(samples: samples, completed: true)
    }

    /// The whole response at once (a finished file with exact headers).
    func collect() async throws -> Collected {
        metrics.activeStreams.increment()
        var samples: [Float] = []
        var allCached = true
        do {
            for try await chunk in chunks() {
                allCached = allCached && chunk.fromCache
                samples += chunk.samples
                metrics.synthesisSeconds.record(chunk.synthesisSeconds)
            }
            let bytes = try encodeAll(samples: samples, format: format)
            metrics.recordTTFA(seconds: received.duration(to: .now).seconds, inputCharacters: inputCharacters, fromCache: allCached)
            await finish(samples: samples.count, completed: true)
            return Collected(bytes: bytes, audioSeconds: Double(samples.count) / 24_000, elapsedSeconds: received.duration(to: .now).seconds)
        } catch {
            await finish(samples: samples.count, completed: false)
            throw APIError.from(error)
        }
    }

    private func finish(samples: Int, completed: Bool) async {
        let elapsed = received.duration(to: .now).seconds
        let audio = Double(samples) / Double(KokoroModel.sampleRate)
        metrics.activeStreams.decrement()
        metrics.audioSeconds.increment(by: audio)
        if completed && audio > 0 { metrics.realTimeFactor.record(elapsed / audio) }
        metrics.statistics.recordFinished(audioSeconds: audio, elapsedSeconds: elapsed, completed: completed)
        await ticket.release(after: elapsed)
    }
}
