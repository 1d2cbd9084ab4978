import Synchronization

/// How much audio each real-time stream has in hand, so a new stream starts only when the
/// running ones can afford it.
///
/// A new stream's first piece is due now, so the scheduler runs it ahead of every running
/// stream's next piece. A stream that started a moment ago has about a second of audio in
/// hand, less than its own next piece and a newcomer's first piece take together: admitting
/// the newcomer then makes both stutter. The ledger refuses it instead, with the seconds
/// until the running streams are likely to have enough, and admits it once they do.
public final class StreamLedger: Sendable {
    struct Entry {
        /// When the listener started playing (the first piece was sent); nil before that.
        var playbackStart: ContinuousClock.Instant?
        /// Seconds of audio sent so far.
        var audioSent = 0.0
        /// Tokens of the next piece the model must make; nil when none is left.
        var nextTokens: Int?

        /// When the listener runs out of audio already sent (before the first piece: now).
        func deadline(now: ContinuousClock.Instant) -> ContinuousClock.Instant {
            playbackStart.map { $0 + .seconds(audioSent) } ?? now
        }
    }

    private let entries = Mutex<[UInt64: Entry]>([:])
    private let nextID = Atomic<UInt64>(0)
    /// Seconds of audio in hand kept beyond the two pieces' estimated time, for the estimate's error.
    public let margin: Double

    public init(margin: Double = 0.25) { self.margin = margin }

    /// Streams being made now.
    public var count: Int { entries.withLock { $0.count } }

    /// Registers a stream whose first piece has `firstTokens` tokens (nil: no model work,
    /// e.g. all cached) unless a running stream could not afford it, given `runSeconds`
    /// (estimated seconds to make a piece of so many tokens). Returns the new stream's id,
    /// or throws `EngineError.streamsStarting` with the seconds to wait.
    func admit(firstTokens: Int?, now: ContinuousClock.Instant = .now, runSeconds: (Int) -> Double) throws(EngineError) -> UInt64 {
        let firstCost = firstTokens.map(runSeconds) ?? 0
        let id = nextID.add(1, ordering: .relaxed).newValue
        let shortfall: Double? = entries.withLock { entries in
            let shortfall = entries.values.compactMap { entry -> Double? in
                guard firstCost > 0, let next = entry.nextTokens else { return nil }
                let inHand = now.duration(to: entry.deadline(now: now)).seconds
                let needed = firstCost + runSeconds(next) + margin
                return inHand < needed ? needed - inHand : nil
            }.max()
            if shortfall == nil { entries[id] = Entry(nextTokens: firstTokens) }
            return shortfall
        }
        if let shortfall { throw .streamsStarting(retryAfter: shortfall) }
        return id
    }

    /// Registers a stream without the check (a caller that did not ask to be admitted).
    func enter(firstTokens: Int?) -> UInt64 {
        let id = nextID.add(1, ordering: .relaxed).newValue
        entries.withLock { $0[id] = Entry(nextTokens: firstTokens) }
        return id
    }

    /// When stream `id`'s listener runs out of audio: its next piece's deadline.
    func deadline(_ id: UInt64) -> ContinuousClock.Instant {
        let now = ContinuousClock.now
        return entries.withLock { $0[id]?.deadline(now: now) } ?? now
    }

    /// Records a piece sent to the listener and the size of the next one to make.
    func sent(_ id: UInt64, audioSeconds: Double, nextTokens: Int?, now: ContinuousClock.Instant = .now) {
        entries.withLock {
            guard var entry = $0[id] else { return }
            if entry.playbackStart == nil { entry.playbackStart = now }
            entry.audioSent += audioSeconds
            entry.nextTokens = nextTokens
            $0[id] = entry
        }
    }

    /// Forgets a stream whose model work is over (done, failed or cancelled).
    func finished(_ id: UInt64) {
        _ = entries.withLock { $0.removeValue(forKey: id) }
    }
}
