/// Whether the pool can carry one more real-time stream: a simulation of the deadline
/// scheduler over the next seconds, with every stream's planned pieces.
///
/// A rate test (streams × real-time factor under the pool's capacity) holds once streams
/// run long pieces, but a stream's first seconds are made of short pieces whose silent
/// edges cost as much as speech: several streams starting at once need more than the pool
/// makes, and admitting one more then makes all of them stutter. The forecast plays the
/// scheduler forward (earliest deadline first on the throughput sessions, each run taking
/// its measured cost) and reports how late each stream's pieces would be, with and without
/// the newcomer, so the server refuses only a stream that would make someone late.
public struct AdmissionForecast: Sendable {
    /// One stream as the forecast sees it; times are seconds from now.
    public struct Stream: Sendable {
        /// A piece still to make: its tokens (0 for an inline pause) and the audio it adds.
        public struct Piece: Sendable, Equatable {
            public var tokens: Int
            public var audioSeconds: Double
            public init(tokens: Int, audioSeconds: Double) {
                self.tokens = tokens
                self.audioSeconds = audioSeconds
            }
        }

        public var id: UInt64
        /// When the listener runs out of audio already sent; nil before the first piece.
        public var playbackEnd: Double?
        /// When the first audio is due (request time + the first-audio budget), before it is sent.
        public var firstAudioDue: Double
        /// Pieces not sent yet, the next first.
        public var pieces: [Piece]
        /// When the next piece, already running on a session, will likely be done.
        public var runningEndsIn: Double?
        /// When its first piece may start (a request that would come later).
        public var startsIn: Double
        /// Segments already sent (its first `StreamLedger.earlyPieces` may overflow).
        public var piecesSent: Int

        public init(id: UInt64, playbackEnd: Double?, firstAudioDue: Double, pieces: [Piece], runningEndsIn: Double? = nil,
                    startsIn: Double = 0, piecesSent: Int = 0) {
            self.id = id
            self.playbackEnd = playbackEnd
            self.firstAudioDue = firstAudioDue
            self.pieces = pieces
            self.runningEndsIn = runningEndsIn
            self.startsIn = startsIn
            self.piecesSent = piecesSent
        }
    }

    /// Sessions that run side by side.
    public var sessions: Int
    /// Seconds until each run that belongs to no stream (background work) is likely done.
    public var otherRunsEndIn: [Double]
    /// Seconds one run of so many tokens takes on a session beside the others.
    public var runSeconds: @Sendable (Int) -> Double
    /// How far ahead to play the scheduler.
    public var horizon: Double
    /// Whether the pool has a session outside throughput mode that a stream's early pieces
    /// take when the others are busy (the scheduler's overflow).
    public var overflowSession: Bool

    public init(sessions: Int, otherRunsEndIn: [Double] = [], overflowSession: Bool = false, horizon: Double = 10,
                runSeconds: @escaping @Sendable (Int) -> Double) {
        self.sessions = max(1, sessions)
        self.otherRunsEndIn = otherRunsEndIn
        self.overflowSession = overflowSession
        self.runSeconds = runSeconds
        self.horizon = horizon
    }

    /// The latest any piece of each stream would be (seconds past its due time; 0 when all
    /// are in time), by stream id.
    public func lateness(_ streams: [Stream]) -> [UInt64: Double] {
        var streams = streams
        var late = Dictionary(uniqueKeysWithValues: streams.map { ($0.id, 0.0) })
        // Runs already in progress: sessions are busy until they end (one beyond the pool's
        // sessions is an overflow run, whose session leaves the simulation when it ends).
        var busy: [(freeAt: Double, overflow: Bool)] = otherRunsEndIn.map { ($0, false) }
        var ready = streams.map(\.startsIn)
        for index in streams.indices {
            guard let end = streams[index].runningEndsIn, !streams[index].pieces.isEmpty else { continue }
            busy.append((end, false))
            deliver(&streams[index], at: end, late: &late)
            ready[index] = end
        }
        busy.sort { $0.freeAt < $1.freeAt }
        for index in busy.indices { busy[index].overflow = index >= sessions }
        var free = busy.filter { !$0.overflow }.map(\.freeAt)
        free += [Double](repeating: 0, count: max(0, sessions - free.count))
        var overflowFree = overflowSession ? busy.filter(\.overflow).map(\.freeAt).max() ?? 0 : nil
        while true {
            for index in streams.indices {
                // An inline pause needs no session: it is sent as soon as the piece before it.
                while streams[index].pieces.first?.tokens == 0 { deliver(&streams[index], at: ready[index], late: &late) }
            }
            let waiting = streams.indices.filter { !streams[$0].pieces.isEmpty }
            guard !waiting.isEmpty, let server = free.indices.min(by: { free[$0] < free[$1] }) else { break }
            let start = max(free[server], waiting.map { ready[$0] }.min()!)
            // An early piece that finds every session busy takes the overflow one: three runs then
            // share the cores, so it takes half again as long and delays the others by half its time.
            if let overflowAt = overflowFree,
               let early = waiting.filter({ streams[$0].piecesSent < StreamLedger.earlyPieces }).min(by: { ready[$0] < ready[$1] }),
               case let earlyStart = max(ready[early], overflowAt), earlyStart < free.min()!, earlyStart < horizon {
                let cost = runSeconds(streams[early].pieces[0].tokens)
                for index in free.indices where free[index] > earlyStart { free[index] += cost / 2 }
                overflowFree = earlyStart + cost * 1.5
                deliver(&streams[early], at: earlyStart + cost * 1.5, late: &late)
                ready[early] = earlyStart + cost * 1.5
                continue
            }
            guard start < horizon else { break }
            // Earliest deadline first among the pieces that can start; a first piece is due at once.
            let next = waiting.filter { ready[$0] <= start }.min { deadline(streams[$0]) < deadline(streams[$1]) }!
            let end = start + runSeconds(streams[next].pieces[0].tokens)
            free[server] = end
            deliver(&streams[next], at: end, late: &late)
            ready[next] = end
        }
        // A listener whose audio ends before the horizon with pieces still unmade is late by then at least.
        for stream in streams where !stream.pieces.isEmpty {
            late[stream.id] = max(late[stream.id] ?? 0, horizon - (stream.playbackEnd ?? stream.firstAudioDue))
        }
        return late
    }

    /// The order key of a stream's next piece: when its listener runs out (a stream not
    /// started yet goes first, as in the scheduler).
    private func deadline(_ stream: Stream) -> Double { stream.playbackEnd ?? -.infinity }

    /// The next piece of `stream` is sent at `time`: records how late it is and what the
    /// listener then has (a listener that ran dry resumes when the piece arrives).
    private func deliver(_ stream: inout Stream, at time: Double, late: inout [UInt64: Double]) {
        let piece = stream.pieces.removeFirst()
        stream.piecesSent += 1
        let due = stream.playbackEnd ?? stream.firstAudioDue
        late[stream.id] = max(late[stream.id] ?? 0, time - due)
        stream.playbackEnd = max(stream.playbackEnd ?? time, time) + piece.audioSeconds
    }

    /// What one more stream would do.
    public struct Verdict: Error, Sendable, Equatable {
        /// How much later the newcomer's audio would be than on an idle pool (its first
        /// audio against the budget).
        public let newcomerLate: Double
        /// The most any running stream would be later with it than without it.
        public let othersLater: Double
        /// Lateness accepted as noise in the estimates.
        public let tolerance: Double

        public var fits: Bool { newcomerLate <= tolerance && othersLater <= tolerance }
    }

    /// Whether `newcomer` fits: the others do not make it late, and it does not make them
    /// later (beyond `tolerance` seconds). Lateness there anyway (on an idle pool slower
    /// than the budget, or streams already behind) keeps no one out.
    public func verdict(_ newcomer: Stream, beside streams: [Stream], tolerance: Double = 0.05) -> Verdict {
        let alone = lateness([newcomer])
        let without = lateness(streams)
        let with = lateness(streams + [newcomer])
        let othersLater = streams.map { (with[$0.id] ?? 0) - (without[$0.id] ?? 0) }.max() ?? 0
        return Verdict(newcomerLate: (with[newcomer.id] ?? 0) - (alone[newcomer.id] ?? 0), othersLater: othersLater, tolerance: tolerance)
    }
}
