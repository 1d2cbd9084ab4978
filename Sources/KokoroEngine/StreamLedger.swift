import Synchronization

/// The real-time streams being made: when each listener runs out of audio, and what is
/// left to make for it.
///
/// The scheduler orders runs by the deadlines kept here, and admission plays the pool
/// forward over the pieces kept here (`AdmissionForecast`) before letting one more stream
/// in. Entries are keyed by an id carried in the admitted `SynthesisJob`.
public final class StreamLedger: Sendable {
    struct Entry {
        /// When the request arrived (its first audio is due a budget later).
        let arrival: ContinuousClock.Instant
        /// When the listener started playing (the first piece was sent); nil before that.
        var playbackStart: ContinuousClock.Instant?
        /// Seconds of audio sent so far.
        var audioSent = 0.0
        /// Segments not sent yet, as the forecast sees them.
        var upcoming: [AdmissionForecast.Stream.Piece]

        /// When the listener runs out of audio already sent (before the first piece: now).
        func deadline(now: ContinuousClock.Instant) -> ContinuousClock.Instant {
            playbackStart.map { $0 + .seconds(audioSent) } ?? now
        }
    }

    private let entries = Mutex<[UInt64: Entry]>([:])
    private let nextID = Atomic<UInt64>(0)
    /// Seconds from a request to its first audio that admission plans for.
    public let firstAudioBudget: Double

    public init(firstAudioBudget: Double = 0.85) { self.firstAudioBudget = firstAudioBudget }

    /// Streams being made now.
    public var count: Int { entries.withLock { $0.count } }

    /// Registers a stream with the pieces still to make, and returns its id.
    func enter(pieces: [AdmissionForecast.Stream.Piece], arrival: ContinuousClock.Instant = .now) -> UInt64 {
        let id = nextID.add(1, ordering: .relaxed).newValue
        entries.withLock { $0[id] = Entry(arrival: arrival, upcoming: pieces) }
        return id
    }

    /// Registers the stream (returning its id and the forecast's verdict) unless `forecast`
    /// finds it would make itself or another stream late (returning why); the check and the
    /// registration are one step, so two newcomers cannot both take the last room.
    /// `running`: seconds until each stream's piece in progress ends. `acceptLateStart`: a
    /// newcomer that would only be late itself (the others keep their time) is registered.
    func admit(pieces: [AdmissionForecast.Stream.Piece], forecast: AdmissionForecast, running: [UInt64: Double],
               acceptLateStart: Bool = false,
               now: ContinuousClock.Instant = .now) -> Result<(id: UInt64, verdict: AdmissionForecast.Verdict), AdmissionForecast.Verdict> {
        let id = nextID.add(1, ordering: .relaxed).newValue
        return entries.withLock { entries in
            let streams = Self.streams(entries, running: running, now: now, budget: firstAudioBudget)
            let newcomer = AdmissionForecast.Stream(id: id, playbackEnd: nil, firstAudioDue: firstAudioBudget, pieces: pieces)
            let verdict = forecast.verdict(newcomer, beside: streams)
            guard verdict.fits || (acceptLateStart && verdict.othersLater <= verdict.tolerance) else { return .failure(verdict) }
            entries[id] = Entry(arrival: now, upcoming: pieces)
            return .success((id, verdict))
        }
    }

    /// The first delay among `delays` (seconds) after which a stream with `pieces` would
    /// fit, if the streams now running went on as planned.
    func fitsAfter(_ delays: [Double], pieces: [AdmissionForecast.Stream.Piece], forecast: AdmissionForecast, running: [UInt64: Double],
                   now: ContinuousClock.Instant = .now) -> Double? {
        let streams = entries.withLock { Self.streams($0, running: running, now: now, budget: firstAudioBudget) }
        return delays.first { delay in
            let newcomer = AdmissionForecast.Stream(id: .max, playbackEnd: nil, firstAudioDue: delay + firstAudioBudget, pieces: pieces,
                                                    startsIn: delay)
            return forecast.verdict(newcomer, beside: streams).fits
        }
    }

    private static func streams(_ entries: [UInt64: Entry], running: [UInt64: Double], now: ContinuousClock.Instant,
                                budget: Double) -> [AdmissionForecast.Stream] {
        entries.map { id, entry in
            AdmissionForecast.Stream(id: id, playbackEnd: entry.playbackStart.map { _ in now.duration(to: entry.deadline(now: now)).seconds },
                                     firstAudioDue: now.duration(to: entry.arrival).seconds + budget,
                                     pieces: entry.upcoming, runningEndsIn: running[id])
        }
    }

    /// When stream `id`'s listener runs out of audio: its next piece's deadline.
    func deadline(_ id: UInt64) -> ContinuousClock.Instant {
        let now = ContinuousClock.now
        return entries.withLock { $0[id]?.deadline(now: now) } ?? now
    }

    /// Whether stream `id`'s listener has had any audio yet.
    func hasStarted(_ id: UInt64) -> Bool {
        entries.withLock { $0[id]?.playbackStart != nil }
    }

    /// Records audio sent to the listener (playback starts with the first audio) and the
    /// planned runs it completes.
    func sent(_ id: UInt64, audioSeconds: Double, completing pieces: Int = 1, now: ContinuousClock.Instant = .now) {
        entries.withLock {
            guard var entry = $0[id] else { return }
            if entry.playbackStart == nil && audioSeconds > 0 { entry.playbackStart = now }
            entry.audioSent += audioSeconds
            entry.upcoming.removeFirst(min(max(0, pieces), entry.upcoming.count))
            $0[id] = entry
        }
    }

    /// Forgets a stream whose model work is over (done, failed or cancelled).
    func finished(_ id: UInt64) {
        _ = entries.withLock { $0.removeValue(forKey: id) }
    }
}
