import Synchronization
import Testing
@testable import KokoroEngine

/// The engine's output holds a bounded amount of audio ahead of its consumer, and a
/// consumer that leaves stops the production.
@Suite struct AudioStreamTests {
    static func chunk(_ index: Int, seconds: Double = 1) -> AudioChunk {
        AudioChunk(index: index, samples: [Float](repeating: 0, count: Int(seconds * 24_000)), phonemes: "", synthesisSeconds: 0,
                   isLast: false, fromCache: false, words: [])
    }

    /// A consumer that does not read: the producer stops once the limit is passed, and goes
    /// on as the consumer takes chunks; everything arrives, in order.
    @Test(.timeLimit(.minutes(1))) func aProducerWaitsForASlowConsumer() async throws {
        let stream = AudioStream(limitSamples: 3 * 24_000)
        let sent = Atomic(0)
        let producer = Task {
            for index in 0..<20 {
                try await stream.send(Self.chunk(index))
                sent.add(1, ordering: .relaxed)
            }
            stream.finish()
        }
        try await Task.sleep(for: .milliseconds(300))
        // Three seconds waiting, and the fourth chunk's send waits for room.
        #expect(sent.load(ordering: .relaxed) == 3)
        var received: [Int] = []
        for try await chunk in stream { received.append(chunk.index) }
        #expect(received == Array(0..<20))
        try await producer.value
    }

    /// A consumer that drops its iterator part-way stops the producer (its send throws)
    /// and runs the stream's clean-up once.
    @Test(.timeLimit(.minutes(1))) func aConsumerThatLeavesStopsTheProducer() async throws {
        let stream = AudioStream(limitSamples: 24_000)
        let gone = Atomic(0)
        stream.onConsumerGone { gone.add(1, ordering: .relaxed) }
        let producer = Task {
            for index in 0..<100 { try await stream.send(Self.chunk(index)) }
        }
        do {
            var iterator = stream.makeAsyncIterator()
            _ = try await iterator.next()
        }
        await #expect(throws: CancellationError.self) { try await producer.value }
        #expect(gone.load(ordering: .relaxed) == 1)
    }

    /// A connection that closes while the consumer waits for audio ends its wait at once.
    @Test(.timeLimit(.minutes(1))) func cancellingFromOutsideEndsTheWait() async throws {
        let stream = AudioStream(limitSamples: 24_000)
        let consumer = Task { for try await _ in stream {} }
        try await Task.sleep(for: .milliseconds(100))
        stream.cancel()
        await #expect(throws: CancellationError.self) { try await consumer.value }
        await #expect(throws: CancellationError.self) { try await stream.send(Self.chunk(0)) }
    }

    /// A connection that closes stops the production however the consumer's own leaving
    /// interleaves with it (its task is cancelled as the connection closes): the clean-up
    /// runs once, every time. (The consumer could leave between the two steps of the cancel,
    /// and its leaving then counted as the end of a finished stream: the clean-up was
    /// skipped, and a client that hung up left its work running to the next chunk.)
    @Test(.timeLimit(.minutes(1))) func aClosedConnectionAlwaysStopsTheProduction() async throws {
        var skipped = 0
        for _ in 0..<2_000 {
            let stream = AudioStream(limitSamples: 24_000)
            let gone = Atomic(0)
            stream.onConsumerGone { gone.add(1, ordering: .relaxed) }
            let consumer = Task { for try await _ in stream {} }
            try await stream.send(Self.chunk(0, seconds: 0.01))
            await Task.yield()
            let closing = Task.detached { stream.cancel() }
            consumer.cancel()
            _ = await consumer.result
            await closing.value
            if gone.load(ordering: .relaxed) != 1 { skipped += 1 }
        }
        #expect(skipped == 0)
    }

    /// A failure reaches the consumer after the chunks sent before it.
    @Test func aFailureComesAfterTheAudioBeforeIt() async throws {
        struct Failure: Error {}
        let stream = AudioStream(limitSamples: 10 * 24_000)
        try await stream.send(Self.chunk(0))
        stream.finish(throwing: Failure())
        var received = 0
        await #expect(throws: Failure.self) { for try await _ in stream { received += 1 } }
        #expect(received == 1)
    }
}
