/// Runs model work a fixed number of runs at a time, earliest playback deadline first.
///
/// Every piece carries the moment its stream's listener runs out of audio already sent
/// (a first piece's deadline is now). Running pieces one at a time with all threads is the
/// most efficient use of a small CPU, and ordering them by deadline lets a new request's
/// first piece go ahead of pieces other streams will not need for seconds, so new streams
/// start fast while running streams never run dry.
public actor DeadlineScheduler {
    private struct Job {
        let id: UInt64
        let deadline: ContinuousClock.Instant
        let tokens: [Int64]
        let style: ArraySlice<Float>
        let speed: Float
        let continuation: CheckedContinuation<[Float], any Error>
    }

    public struct Statistics: Sendable, Encodable {
        public let workers: Int
        public let running: Int
        public let waiting: Int
        /// Fraction of the time since start the workers spent running the model.
        public let utilization: Double
        public let runs: Int
        /// Runs that started after their deadline had passed.
        public let late_runs: Int
    }

    public nonisolated let workers: Int
    private let base: any SpeechSynthesizer
    private var waiting: [Job] = []
    private var running: [UInt64: Task<Void, Never>] = [:]
    private var nextID: UInt64 = 0
    private var busySeconds = 0.0
    private var runs = 0
    private var lateRuns = 0
    private let started = ContinuousClock.now

    public init(base: any SpeechSynthesizer, workers: Int = 1) {
        self.base = base
        self.workers = max(1, workers)
    }

    /// The piece's samples, once a worker is free and no earlier deadline waits.
    public func synthesize(tokens: [Int64], style: ArraySlice<Float>, speed: Float, deadline: ContinuousClock.Instant) async throws -> [Float] {
        nextID += 1
        let id = nextID
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                waiting.append(Job(id: id, deadline: deadline, tokens: tokens, style: style, speed: speed, continuation: continuation))
                startWork()
            }
        } onCancel: {
            Task { await self.cancel(id) }
        }
    }

    private func startWork() {
        while running.count < workers, let index = waiting.indices.min(by: { waiting[$0].deadline < waiting[$1].deadline }) {
            let job = waiting.remove(at: index)
            let start = ContinuousClock.now
            runs += 1
            if start > job.deadline { lateRuns += 1 }
            running[job.id] = Task { [base] in
                let result = await Result { try await base.synthesize(tokens: job.tokens, style: job.style, speed: job.speed) }
                self.finished(job.id, after: start.duration(to: .now).seconds)
                job.continuation.resume(with: result)
            }
        }
    }

    private func finished(_ id: UInt64, after seconds: Double) {
        running[id] = nil
        busySeconds += seconds
        startWork()
    }

    private func cancel(_ id: UInt64) {
        if let index = waiting.firstIndex(where: { $0.id == id }) {
            waiting.remove(at: index).continuation.resume(throwing: CancellationError())
        } else {
            running[id]?.cancel()
        }
    }

    public var statistics: Statistics {
        let elapsed = started.duration(to: .now).seconds
        return Statistics(workers: workers, running: running.count, waiting: waiting.count,
                          utilization: elapsed > 0 ? min(1, busySeconds / (elapsed * Double(workers))) : 0,
                          runs: runs, late_runs: lateRuns)
    }
}

extension Result where Failure == any Error {
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}
