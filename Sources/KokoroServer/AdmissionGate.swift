import Foundation
import KokoroEngine

/// Bounds how many requests synthesize at once and how many may wait, and for how long.
///
/// The bound is the smaller of the configured cap and the caller's limit (`Admission`
/// gives the measured real-time capacity, never below the pool's sessions). A request over
/// it waits in a short queue, up to a timeout; a full queue or a wait that runs out is
/// refused at once with 503 and a `Retry-After` estimated from recent request durations:
/// a fast, explicit refusal under real overload is better than degraded audio for everyone.
/// So is a wait that recent durations say cannot end in time: when every slot a waiter
/// would get is held by a request likely to run past the timeout, it is refused at once
/// (streams of a 51 s paragraph at capacity: the sixth waited the whole 5 s for a 503,
/// `scripts/bench-peers`, 2026-12-06).
public actor AdmissionGate {
    public let maxActive: Int
    public let maxQueued: Int
    private(set) var active = 0
    /// When each request holding a slot got it, by slot.
    private var started: [UInt64: ContinuousClock.Instant] = [:]
    private var waiters: [(id: UInt64, continuation: CheckedContinuation<Void, any Error>)] = []
    private var nextID: UInt64 = 0
    /// Recent request durations: their median is how long a request typically holds a slot.
    private var recentSeconds: [Double] = []

    public init(maxActive: Int, maxQueued: Int) {
        self.maxActive = max(1, maxActive)
        self.maxQueued = max(0, maxQueued)
    }

    /// The configured cap and queue.
    public init(configuration: ServerConfiguration) {
        self.init(maxActive: configuration.maxConcurrentRequests, maxQueued: configuration.maxQueuedRequests)
    }

    public var queued: Int { waiters.count }

    /// Takes a slot, waiting for one up to `timeout` if the queue has room; throws a 503
    /// `APIError` when it is full, the wait runs out, or no slot is likely to free in time.
    /// `limit` lowers the configured cap for this decision. Returns the slot, for `leave`.
    @discardableResult
    public func enter(limit: Int? = nil, timeout: Duration = .zero) async throws -> UInt64 {
        nextID += 1
        let id = nextID
        if active < min(maxActive, max(1, limit ?? maxActive)) {
            active += 1
            started[id] = .now
            return id
        }
        guard waiters.count < maxQueued, .zero < timeout else {
            throw APIError.overloaded(retryAfter: retryAfter(),
                                      message: "the server is at capacity (\(active) synthesizing, \(waiters.count) queued); retry later")
        }
        if let typical = typicalSeconds, let free = likelyFree(after: waiters.count, typical: typical), .seconds(free) > timeout {
            throw APIError.overloaded(retryAfter: retryAfter(), message: "the server is at capacity (\(active) synthesizing, "
                + "\(waiters.count) queued), and no request in progress is likely to end within the \(timeout.components.seconds) s a "
                + "request may wait (requests have taken \(Int(typical.rounded())) s); retry later")
        }
        let timer = Task { [timeout] in
            try await Task.sleep(for: timeout)
            await self.expire(id, after: timeout)
        }
        defer { timer.cancel() }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                waiters.append((id, continuation))
            }
        } onCancel: {
            Task { await self.cancelWaiter(id) }
        }
        return id
    }

    /// A waiter whose time ran out: refused, with the same advice as a full queue.
    private func expire(_ id: UInt64, after timeout: Duration) {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return }
        let waiter = waiters.remove(at: index)
        waiter.continuation.resume(throwing: APIError.overloaded(
            retryAfter: retryAfter(),
            message: "the server stayed at capacity (\(active) synthesizing, \(waiters.count) queued) for the \(timeout.components.seconds) s a request may wait; retry later"))
    }

    /// Frees `slot` (handing it straight to the longest waiter) and records the duration
    /// (nil: the request ended before synthesis, which says nothing about how long one takes).
    public func leave(_ slot: UInt64, after seconds: Double?) {
        if let seconds {
            recentSeconds.append(seconds)
            if recentSeconds.count > 32 { recentSeconds.removeFirst(recentSeconds.count - 32) }
        }
        started[slot] = nil
        if waiters.isEmpty {
            active -= 1
        } else {
            let waiter = waiters.removeFirst()
            started[waiter.id] = .now
            waiter.continuation.resume()
        }
    }

    private func cancelWaiter(_ id: UInt64) {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return }
        waiters.remove(at: index).continuation.resume(throwing: CancellationError())
    }

    /// The median of recent request durations (nil: none measured yet).
    private var typicalSeconds: Double? {
        recentSeconds.isEmpty ? nil : recentSeconds.sorted()[recentSeconds.count / 2]
    }

    /// Seconds until the slot that `ahead` waiters leave for the next one likely frees, if the
    /// requests holding slots last `typical` seconds each (nil: that slot's request has already
    /// run longer, so it could end any moment).
    private func likelyFree(after ahead: Int, typical: Double, now: ContinuousClock.Instant = .now) -> Double? {
        let remaining = started.values.map { typical - $0.duration(to: now).seconds }.sorted()
        guard ahead < remaining.count, remaining[ahead] > 0 else { return nil }
        return remaining[ahead]
    }

    /// Seconds until a slot is likely free for one more request: when the next slot its place
    /// in the queue gets likely frees, else (its holder already past the typical duration, or
    /// nothing measured yet: 2 s) queue length × the typical duration / slots.
    func retryAfter() -> Int {
        let typical = typicalSeconds ?? 2
        let seconds = likelyFree(after: waiters.count, typical: typical) ?? Double(waiters.count + 1) * typical / Double(maxActive)
        return Int(seconds.rounded(.up))
    }
}
