import Foundation

/// Bounds how many requests synthesize at once and how many may wait.
///
/// The bound is the smaller of the configured cap and the real-time capacity the caller
/// measured (how many streams the model keeps ahead of playback). A request over both bounds is refused at once with 503 and a `Retry-After` estimated
/// from recent request durations, rather than queued into a wait that would stall every
/// stream: a fast, explicit refusal is better than degraded audio for everyone.
public actor AdmissionGate {
    public let maxActive: Int
    public let maxQueued: Int
    private(set) var active = 0
    private var waiters: [(id: UInt64, continuation: CheckedContinuation<Void, any Error>)] = []
    private var nextID: UInt64 = 0
    /// Recent request durations, for Retry-After.
    private var recentSeconds: [Double] = []

    public init(maxActive: Int, maxQueued: Int) {
        self.maxActive = max(1, maxActive)
        self.maxQueued = max(0, maxQueued)
    }

    public var queued: Int { waiters.count }

    /// Waits for a slot; throws a 503 `APIError` when the queue is full. `limit` lowers the
    /// configured cap for this decision.
    public func enter(limit: Int? = nil) async throws {
        if active < min(maxActive, max(1, limit ?? maxActive)) {
            active += 1
            return
        }
        guard waiters.count < maxQueued else {
            throw APIError.overloaded(retryAfter: retryAfter(),
                                      message: "the server is at capacity (\(active) synthesizing, \(waiters.count) queued); retry later")
        }
        nextID += 1
        let id = nextID
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                waiters.append((id, continuation))
            }
        } onCancel: {
            Task { await self.cancelWaiter(id) }
        }
    }

    /// Frees a slot (handing it straight to the longest waiter) and records the duration
    /// (nil: the request ended before synthesis, which says nothing about how long one takes).
    public func leave(after seconds: Double?) {
        if let seconds {
            recentSeconds.append(seconds)
            if recentSeconds.count > 32 { recentSeconds.removeFirst(recentSeconds.count - 32) }
        }
        if waiters.isEmpty {
            active -= 1
        } else {
            waiters.removeFirst().continuation.resume()
        }
    }

    private func cancelWaiter(_ id: UInt64) {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return }
        waiters.remove(at: index).continuation.resume(throwing: CancellationError())
    }

    /// Seconds until a slot is likely free: queue length × mean duration / slots.
    func retryAfter() -> Int {
        let mean = recentSeconds.isEmpty ? 2 : recentSeconds.reduce(0, +) / Double(recentSeconds.count)
        return Int((Double(waiters.count + 1) * mean / Double(maxActive)).rounded(.up))
    }
}
