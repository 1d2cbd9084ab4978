import AudioEncoding
import Foundation
import KokoroEngine
import Logging
import NIOCore
import Synchronization

/// One response's audio: engine chunks through one encoder to the client, with the
/// response's measurements and its admission ticket released however it ends (dropped
/// unrun, the pipe drops the ticket, which releases itself).
struct AudioPipe: Sendable {
    let engine: any SpeechService
    let ticket: AdmissionTicket
    let format: AudioFormat
    let received: ContinuousClock.Instant
    let inputCharacters: Int
    let metrics: ServerMetrics
    let logger: Logger
    /// The client's connection: synthesis stops when it closes, and a stalled reader's is closed.
    let connection: any Channel
    /// How long one write may wait for a client that stopped reading before its connection
    /// is closed and its slot freed.
    let stallTimeout: Duration

    struct Collected {
        let bytes: [UInt8]
        let audioSeconds: Double
        let elapsedSeconds: Double
        let words: [WordTiming]
    }

    /// The engine's chunks, ended (and the model run in progress terminated) as soon as the
    /// client's connection closes, not only when the next write fails.
    private func chunks() -> AudioStream {
        let stream = engine.stream(ticket.job)
        connection.closeFuture.whenComplete { _ in stream.cancel() }
        return stream
    }

    /// Streams encoded bytes to `write` as the engine produces audio, each write with the
    /// words that end in the audio so far and were not written yet (the encoder may hold
    /// audio back, so words go with the next bytes it gives, the last with its tail). If the
    /// client goes away (the connection closes, or `write` throws), synthesis is cancelled.
    /// The engine makes a few seconds ahead at most (`AudioStream`), so a slow reader slows
    /// its own synthesis; one whose write waits longer than `stallTimeout` is disconnected.
    /// Returns the samples sent.
    @discardableResult
    func pump(_ write: ([UInt8], [WordTiming]) async throws -> Void) async throws -> Int {
        metrics.activeStreams.increment()
        var samples = 0
        var firstAudio = true
        let pending = PendingWrite()
        let watchdog = Task { [connection, stallTimeout, logger] in
            while !Task.isCancelled {
                try await Task.sleep(for: min(.seconds(1), stallTimeout / 4))
                guard let since = pending.since, since.duration(to: .now) > stallTimeout else { continue }
                logger.warning("client stopped reading; closing its connection", metadata: ["stalled_s": "\(since.duration(to: .now).seconds)"])
                connection.close(promise: nil)
                return
            }
        }
        defer { watchdog.cancel() }
        var words: [WordTiming] = []
        func send(_ bytes: [UInt8]) async throws {
            pending.begin()
            defer { pending.end() }
            try await write(bytes, words)
            words = []
        }
        do {
            let encoder = try makeEncoder(format, streaming: true)
            for try await chunk in chunks() {
                samples += chunk.samples.count
                words += chunk.words
                metrics.synthesisSeconds.record(chunk.synthesisSeconds)
                let bytes = try encoder.encode(chunk.samples)
                guard !bytes.isEmpty else { continue }
                if firstAudio {
                    firstAudio = false
                    metrics.recordTTFA(seconds: received.duration(to: .now).seconds, inputCharacters: inputCharacters, fromCache: chunk.fromCache)
                }
                try await send(bytes)
            }
            let tail = try encoder.finish()
            if !tail.isEmpty || !words.isEmpty { try await send(tail) }
        } catch {
            await finish(samples: samples, completed: false)
            if !(error is CancellationError) {
                logger.warning("stream ended early", metadata: ["error": "\(error)", "audio_seconds": "\(Double(samples) / 24_000)"])
            }
            throw error
        }
        await finish(samples: samples, completed: true)
        return samples
    }

    /// The whole response at once (a finished file with exact headers).
    /// Each chunk goes to the file's encoder as it comes, so what is held is the encoded
    /// file (16-bit for WAV, half the samples' size), never the samples.
    func collect() async throws -> Collected {
        metrics.activeStreams.increment()
        var samples = 0
        var allCached = true
        var words: [WordTiming] = []
        do {
            let encoder = try makeEncoder(format, streaming: false)
            var bytes: [UInt8] = []
            for try await chunk in chunks() {
                allCached = allCached && chunk.fromCache
                samples += chunk.samples.count
                words += chunk.words
                bytes += try encoder.encode(chunk.samples)
                metrics.synthesisSeconds.record(chunk.synthesisSeconds)
            }
            bytes += try encoder.finish()
            metrics.recordTTFA(seconds: received.duration(to: .now).seconds, inputCharacters: inputCharacters, fromCache: allCached)
            await finish(samples: samples, completed: true)
            return Collected(bytes: bytes, audioSeconds: Double(samples) / 24_000, elapsedSeconds: received.duration(to: .now).seconds, words: words)
        } catch {
            await finish(samples: samples, completed: false)
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

/// When the write in progress began (nil: none waiting), for the stall watchdog.
private final class PendingWrite: Sendable {
    private let started = Mutex<ContinuousClock.Instant?>(nil)
    var since: ContinuousClock.Instant? { started.withLock { $0 } }
    func begin() { started.withLock { $0 = .now } }
    func end() { started.withLock { $0 = nil } }
}
