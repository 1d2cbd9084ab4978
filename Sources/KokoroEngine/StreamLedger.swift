/// The real-time streams being made: when each listener runs out of audio, and what is
/// left to make for it.
///
/// The scheduler orders runs by the deadlines kept here, and admission plays the pool
/// forward over the pieces kept here (`AdmissionForecast`) before letting one more stream
/// in. A value owned by `DeadlineScheduler`, so that the load admission reads and the
/// stream it admits are one step of one actor. Entries are keyed by an id carried in the
/// admitted `SynthesisJob`.
struct StreamLedger: Sendable {
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

    private var entries: [UInt64: Entry] = [:]
    private var lastID: UInt64 = 0
    /// Seconds from a request to its first audio that admission plans for.
    let firstAudioBudget: Double

    init(firstAudioBudget: Double = 0.85) { self.firstAudioBudget = firstAudioBudget }

    /// Streams being made now.
    var count: Int { entries.count }

    /// Registers a stream with the pieces still to make, and returns its id.
    mutating func enter(pieces: [AdmissionForecast.Stream.Piece], arrival: ContinuousClock.Instant = .now) -> UInt64 {
        lastID += 1
        entries[lastID] = Entry(arrival: arrival, upcoming: pieces)
        return lastID
    }

    /// Registers the stream (returning its id and the forecast's verdict) unless `forecast`
    /// finds it would make itself or another stream late (returning why); the check and the
    /// registration are one step.
    /// `running`: seconds until each stream's piece in progress ends. `acceptLateStart`: a
    /// newcomer that would only be late itself (the others keep their time) is registered.
    mutating func admit(pieces: [AdmissionForecast.Stream.Piece], forecast: AdmissionForecast, running: [UInt64: Double],
               acceptLateStart: Bool = false,
               now: ContinuousClock.Instant = .now) -> Result<(id: UInt64, verdict: AdmissionForecast.Verdict), AdmissionForecast.Verdict> {
        let newcomer = AdmissionForecast.Stream(id: lastID + 1, playbackEnd: nil, firstAudioDue: firstAudioBudget, pieces: pieces)
        let verdict = forecast.verdict(newcomer, beside: streams(running: running, now: now))
        guard verdict.fits || (acceptLateStart && verdict.othersLater <= verdict.tolerance) else { return .failure(verdict) }
        return .success((enter(pieces: pieces, arrival: now), verdict))
    }

    /// The first delay among `delays` (seconds) after which a stream with `pieces` would
    /// fit, if the streams now running went on as planned.
    func fitsAfter(_ delays: [Double], pieces: [AdmissionForecast.Stream.Piece], forecast: AdmissionForecast, running: [UInt64: Double],
                   now: ContinuousClock.Instant = .now) -> Double? {
        let streams = streams(running: running, now: now)
        return delays.first { delay in
            let newcomer = AdmissionForecast.Stream(id: .max, playbackEnd: nil, firstAudioDue: delay + firstAudioBudget, pieces: pieces,
                                                    startsIn: delay)
            return forecast.verdict(newcomer, beside: streams).fits
        }
    }

    /// The streams as the forecast plays them, with `running`: seconds until each stream's
    /// run in progress likely ends.
    func streams(running: [UInt64: Double], now: ContinuousClock.Instant) -> [AdmissionForecast.Stream] {
        entries.map { id, entry in
            AdmissionForecast.Stream(id: id, playbackEnd: entry.playbackStart.map { _ in now.duration(to: entry.deadline(now: now)).seconds },
                                     firstAudioDue: now.duration(to: entry.arrival).seconds + firstAudioBudget,
                                     pieces: entry.upcoming, runningEndsIn: running[id])
        }
    }

    /// When stream `id`'s listener runs out of audio: its next piece's deadline.
    func deadline(_ id: UInt64, now: ContinuousClock.Instant = .now) -> ContinuousClock.Instant {
        entries[id]?.deadline(now: now) ?? now
    }

    /// Whether stream `id`'s listener has had any audio yet.
    func hasStarted(_ id: UInt64) -> Bool {
        entries[id]?.playbackStart != nil
    }

    /// Seconds of audio stream `id`'s listener has in hand (nil: playback has not started).
    func audioInHand(_ id: UInt64, now: ContinuousClock.Instant = .now) -> Double? {
        hasStarted(id) ? max(0, now.duration(to: deadline(id, now: now)).seconds) : nil
    }

    /// Records audio sent to the listener (playback starts with the first audio) and the
    /// planned runs it completes.
    mutating func sent(_ id: UInt64, audioSeconds: Double, completing pieces: Int = 1, now: ContinuousClock.Instant = .now) {
        guard var entry = entries[id] else { return }
        if entry.playbackStart == nil && audioSeconds > 0 { entry.playbackStart = now }
        entry.audioSent += audioSeconds
        entry.upcoming.removeFirst(min(max(0, pieces), entry.upcoming.count))
        entries[id] = entry
    }

    /// Forgets a stream whose model work is over (done, failed or cancelled).
    /// Returns whether it was there (a stream is closed once, however often it is asked).
    @discardableResult
    mutating func finished(_ id: UInt64) -> Bool {
        entries.removeValue(forKey: id) != nil
    }
}
