import Synchronization

/// One job's audio as the engine makes it, for one consumer, with backpressure: the
/// producer waits while more than `limitSamples` are made but not taken. A consumer that
/// reads slowly (a client on a slow link, or one that stopped reading) slows its own
/// synthesis instead of growing the server's memory. A consumer that stops iterating, or
/// whose task is cancelled, ends the production (`onConsumerGone`).
///
/// At most one chunk over the limit waits: a chunk is never split, and a whole sentence can
/// be longer than the limit.
public final class AudioStream: AsyncSequence, Sendable {
    public typealias Element = AudioChunk

    private struct State {
        var queue: [AudioChunk] = []
        var buffered = 0
        var finished = false
        var failure: (any Error)?
        var consumer: CheckedContinuation<AudioChunk?, any Error>?
        var producer: CheckedContinuation<Void, any Error>?
        var consumerGone = false
        var onConsumerGone: (@Sendable () -> Void)?
    }

    public let limitSamples: Int
    private let state = Mutex(State())

    public init(limitSamples: Int) {
        self.limitSamples = Swift.max(0, limitSamples)
    }

    /// Called once when the consumer goes away before the end (at once if it already has).
    public func onConsumerGone(_ action: @escaping @Sendable () -> Void) {
        let gone = state.withLock { state in
            if state.consumerGone { return true }
            state.onConsumerGone = action
            return false
        }
        if gone { action() }
    }

    /// Hands `chunk` to the consumer, then waits while the audio not yet taken is over the
    /// limit. Throws `CancellationError` once the consumer is gone.
    public func send(_ chunk: AudioChunk) async throws {
        let waiting = try state.withLock { state throws -> CheckedContinuation<AudioChunk?, any Error>? in
            guard !state.consumerGone else { throw CancellationError() }
            if let consumer = state.consumer {
                state.consumer = nil
                return consumer
            }
            state.queue.append(chunk)
            state.buffered += chunk.samples.count
            return nil
        }
        waiting?.resume(returning: chunk)
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let verdict: Result<Void, any Error>? = state.withLock { state in
                    if state.consumerGone || Task.isCancelled { return .failure(CancellationError()) }
                    if state.buffered <= limitSamples { return .success(()) }
                    state.producer = continuation
                    return nil
                }
                if let verdict { continuation.resume(with: verdict) }
            }
        } onCancel: {
            state.withLock { state in defer { state.producer = nil }; return state.producer }?.resume(throwing: CancellationError())
        }
    }

    /// Ends the stream after the chunks already sent, with `error` if given.
    public func finish(throwing error: (any Error)? = nil) {
        let consumer = state.withLock { state -> CheckedContinuation<AudioChunk?, any Error>? in
            guard !state.finished else { return nil }
            state.finished = true
            state.failure = error
            defer { state.consumer = nil }
            return state.consumer
        }
        if let error { consumer?.resume(throwing: error) } else { consumer?.resume(returning: nil) }
    }

    /// Ends the stream for its consumer from outside (the client's connection closed): a
    /// waiting or later `next()` throws `CancellationError`, and the production stops.
    public func cancel() {
        // One step: a consumer leaving between marking the stream finished and stopping the
        // production would count as the end of a finished stream and skip the clean-up.
        let (consumer, producer, action) = state.withLock { state in
            state.finished = true
            state.failure = state.failure ?? CancellationError()
            defer { state.consumer = nil }
            let (producer, action) = Self.leave(&state, force: true)
            return (state.consumer, producer, action)
        }
        consumer?.resume(throwing: CancellationError())
        producer?.resume(throwing: CancellationError())
        action?()
    }

    fileprivate func next() async throws -> AudioChunk? {
        if Task.isCancelled {
            consumerLeft()
            throw CancellationError()
        }
        enum Step { case chunk(AudioChunk, CheckedContinuation<Void, any Error>?), end((any Error)?), wait }
        let step = state.withLock { state -> Step in
            if !state.queue.isEmpty {
                let chunk = state.queue.removeFirst()
                state.buffered -= chunk.samples.count
                var producer: CheckedContinuation<Void, any Error>?
                if state.buffered <= limitSamples {
                    producer = state.producer
                    state.producer = nil
                }
                return .chunk(chunk, producer)
            }
            if state.finished {
                defer { state.failure = nil }
                return .end(state.failure)
            }
            return .wait
        }
        switch step {
        case .chunk(let chunk, let producer):
            producer?.resume()
            return chunk
        case .end(let failure):
            if let failure { throw failure }
            return nil
        case .wait:
            return try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<AudioChunk?, any Error>) in
                    enum Now { case chunk(AudioChunk), end((any Error)?), cancelled, stored }
                    let now = state.withLock { state -> Now in
                        if Task.isCancelled { return .cancelled }
                        if !state.queue.isEmpty {
                            let chunk = state.queue.removeFirst()
                            state.buffered -= chunk.samples.count
                            return .chunk(chunk)
                        }
                        if state.finished {
                            defer { state.failure = nil }
                            return .end(state.failure)
                        }
                        state.consumer = continuation
                        return .stored
                    }
                    switch now {
                    case .chunk(let chunk): continuation.resume(returning: chunk)
                    case .end(let failure?): continuation.resume(throwing: failure)
                    case .end(nil): continuation.resume(returning: nil)
                    case .cancelled: continuation.resume(throwing: CancellationError())
                    case .stored: break
                    }
                }
            } onCancel: {
                let consumer = state.withLock { state in defer { state.consumer = nil }; return state.consumer }
                consumer?.resume(throwing: CancellationError())
                consumerLeft()
            }
        }
    }

    /// The consumer will take nothing more: drop what waits, release the producer, and
    /// stop the production.
    fileprivate func consumerLeft() {
        let (producer, action) = state.withLock { Self.leave(&$0, force: false) }
        producer?.resume(throwing: CancellationError())
        action?()
    }

    /// Marks the consumer gone in `state`; returns the producer to release and the clean-up
    /// to run (none when the production had ended by itself, unless `force`d).
    private static func leave(_ state: inout State, force: Bool) -> (CheckedContinuation<Void, any Error>?, (@Sendable () -> Void)?) {
        guard !state.consumerGone else { return (nil, nil) }
        state.consumerGone = true
        state.queue.removeAll()
        state.buffered = 0
        defer {
            state.producer = nil
            state.onConsumerGone = nil
        }
        return (state.producer, state.finished && !force ? nil : state.onConsumerGone)
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        /// Tells the stream when the consumer drops its iterator.
        private final class Lease: Sendable {
            let stream: AudioStream
            init(_ stream: AudioStream) { self.stream = stream }
            deinit { stream.consumerLeft() }
        }

        private let lease: Lease

        fileprivate init(_ stream: AudioStream) { lease = Lease(stream) }

        public mutating func next() async throws -> AudioChunk? {
            try await lease.stream.next()
        }
    }

    /// One consumer per stream.
    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(self) }
}
