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

        public init(id: UInt64, playbackEnd: Double?, firstAudioDue: Double, pieces: [Piece], runningEndsIn: Double? = nil,
                    startsIn: Double = 0) {
            self.id = id
            self.playbackEnd = playbackEnd
            self.firstAudioDue = firstAudioDue
            self.pieces = pieces
            self.runningEndsIn = runningEndsIn
            self.startsIn = startsIn
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
    /// Whether the pool has a session outside throughput mode that a stream's first piece
    /// takes when the others are busy (the scheduler's overflow).
    public var overflowSession: Bool
    /// How much longer a run takes there than on a throughput session (`RunCost.overflowSlowdown`).
    public var overflowSlowdown: Double
    /// A piece is due soon when its listener runs out within `RunCost.dueSoonLead` plus this; one
    /// not due soon takes a session only while another stays free (nil: any free session).
    public var dueSoonMargin: Double?

    public init(sessions: Int, otherRunsEndIn: [Double] = [], overflowSession: Bool = false,
                overflowSlowdown: Double = DeadlineScheduler.RunCost.initialOverflowSlowdown, dueSoonMargin: Double? = nil,
                horizon: Double = 10, runSeconds: @escaping @Sendable (Int) -> Double) {
        self.sessions = max(1, sessions)
        self.otherRunsEndIn = otherRunsEndIn
        self.overflowSession = overflowSession
        self.overflowSlowdown = overflowSlowdown
        self.dueSoonMargin = dueSoonMargin
        self.runSeconds = runSeconds
        self.horizon = horizon
    }

    /// The latest any piece of each stream would be (seconds past its due time; 0 when all
    /// are in time), by stream id.
    public func lateness(_ streams: [Stream]) -> [UInt64: Double] { play(streams).late }

    /// What playing the scheduler forward gives each stream, by stream id.
    struct Outcome {
        /// The latest any of its pieces would be (seconds past due; 0 when all are in time).
        var late: [UInt64: Double]
        /// When its first audio would be sent (seconds from now), for a stream not started
        /// that gets it within the horizon.
        var firstAudio: [UInt64: Double] = [:]
        /// When its first waiting piece would start, and whether on the overflow session.
        var started: [UInt64: (at: Double, overflow: Bool)] = [:]
    }

    func play(_ streams: [Stream]) -> Outcome {
        /// A run in progress: when it ends, and whose next piece it makes (nil: background).
        struct Run {
            var end: Double
            let stream: Int?
        }
        var streams = streams
        var outcome = Outcome(late: Dictionary(uniqueKeysWithValues: streams.map { ($0.id, 0.0) }))
        // When each stream's next piece can start (infinity while it is being made).
        var ready = streams.map(\.startsIn)
        var inProgress = otherRunsEndIn.map { Run(end: $0, stream: nil) }
        for index in streams.indices {
            guard let end = streams[index].runningEndsIn, !streams[index].pieces.isEmpty else { continue }
            inProgress.append(Run(end: end, stream: index))
            ready[index] = .infinity
        }
        // The pool's sessions take the runs that end first; one more is on the overflow session.
        inProgress.sort { $0.end < $1.end }
        var sessionRuns: [Run?] = Array(inProgress.prefix(sessions)) + [Run?](repeating: nil, count: max(0, sessions - inProgress.count))
        var overflowRun: Run? = inProgress.dropFirst(sessions).last
        // A stream's next piece is due when its listener runs out; a first piece when it is
        // asked for (the live scheduler's deadline for it is the moment it is enqueued).
        var asked = ready
        let policy = DispatchPolicy(dueSoonMargin: dueSoonMargin ?? .infinity, overflowSlowdown: overflowSlowdown)
        var clock = 0.0
        while true {
            for index in streams.indices where ready[index].isFinite {
                // An inline pause needs no session: it is sent as soon as the piece before it.
                while streams[index].pieces.first?.tokens == 0 { deliver(&streams[index], at: ready[index], outcome: &outcome) }
            }
            let sessionEnds = sessionRuns.compactMap { $0?.end }
            let nextEnd = (sessionEnds + [overflowRun?.end].compactMap { $0 }).min() ?? .infinity
            let occupied = !sessionEnds.isEmpty || overflowRun != nil
            let free = sessionRuns.count { $0 == nil }
            let deadline = { (index: Int) in streams[index].playbackEnd ?? asked[index] }
            // When each waiting piece would start, and where, as the policy decides with the
            // pool as it is until the next run ends.
            let starts = streams.indices.compactMap { index -> (index: Int, at: Double, overflow: Bool)? in
                guard ready[index].isFinite, let first = streams[index].pieces.first else { return nil }
                let at = max(clock, ready[index])
                let piece = DispatchPolicy.Piece(
                    priority: .listener(dueIn: deadline(index) - at), runSeconds: runSeconds(first.tokens), audioSeconds: first.audioSeconds,
                    nextRunSeconds: streams[index].pieces.dropFirst().first { $0.tokens > 0 }.map { runSeconds($0.tokens) } ?? 0,
                    opensStream: streams[index].playbackEnd == nil)
                let pool = DispatchPolicy.Pool(freeSessions: free, occupied: occupied, overflowFree: overflowSession && overflowRun == nil,
                                               modeFreesIn: max(0, (sessionEnds.min() ?? at) - at))
                switch policy.decide(piece, pool: pool) {
                case .session: return (index, at, false)
                case .overflow: return (index, at, true)
                case .wait(let dueSoonIn?): return (index, at + dueSoonIn, false)
                case .wait(nil), .waitForMemory: return nil
                }
            }
            let nextStart = starts.map(\.at).min() ?? .infinity
            let next = min(nextEnd, nextStart)
            guard next < horizon else { break }
            clock = next
            if nextEnd <= next {
                // A run ends: its piece is sent, its session is free.
                if let index = sessionRuns.firstIndex(where: { $0?.end == nextEnd }) {
                    let run = sessionRuns[index]!
                    sessionRuns[index] = nil
                    run.stream.map { deliver(&streams[$0], at: nextEnd, outcome: &outcome); ready[$0] = nextEnd; asked[$0] = nextEnd }
                } else if let run = overflowRun {
                    overflowRun = nil
                    run.stream.map { deliver(&streams[$0], at: nextEnd, outcome: &outcome); ready[$0] = nextEnd; asked[$0] = nextEnd }
                }
            } else {
                // Earliest deadline first among the pieces that may start now.
                let chosen = starts.filter { $0.at <= clock }.min { deadline($0.index) < deadline($1.index) }!
                let cost = runSeconds(streams[chosen.index].pieces[0].tokens)
                if chosen.overflow {
                    for index in sessionRuns.indices { sessionRuns[index]?.end += cost }
                    overflowRun = Run(end: clock + cost * overflowSlowdown, stream: chosen.index)
                } else {
                    sessionRuns[sessionRuns.firstIndex { $0 == nil }!] = Run(end: clock + cost, stream: chosen.index)
                }
                ready[chosen.index] = .infinity
                let id = streams[chosen.index].id
                if outcome.started[id] == nil { outcome.started[id] = (clock, chosen.overflow) }
            }
        }
        // A listener whose audio ends before the horizon with pieces still unmade is late by then at least.
        for stream in streams where !stream.pieces.isEmpty {
            outcome.late[stream.id] = max(outcome.late[stream.id] ?? 0, horizon - (stream.playbackEnd ?? stream.firstAudioDue))
        }
        return outcome
    }

    /// The next piece of `stream` is sent at `time`: records how late it is and what the
    /// listener then has (a listener that ran dry resumes when the piece arrives).
    private func deliver(_ stream: inout Stream, at time: Double, outcome: inout Outcome) {
        let piece = stream.pieces.removeFirst()
        let due = stream.playbackEnd ?? stream.firstAudioDue
        outcome.late[stream.id] = max(outcome.late[stream.id] ?? 0, time - due)
        if stream.playbackEnd == nil { outcome.firstAudio[stream.id] = time }
        stream.playbackEnd = max(stream.playbackEnd ?? time, time) + piece.audioSeconds
    }

    /// What one more stream would do.
    public struct Verdict: Error, Sendable, Equatable {
        /// How much later the newcomer's audio would be than on an idle pool (its first
        /// audio against the budget).
        public let newcomerLate: Double
        /// The most any running stream would be later with it than without it.
        public let othersLater: Double
        /// Lateness of the running streams accepted as noise in the estimates. The newcomer
        /// gets none: where the pool is crowded its own forecast errs late (with four streams
        /// joining a second apart, forecasts of its first audio up to 0.77 s came true within
        /// 0.05 s, but 0.79 s became 0.93 s, and 0.89 s, admitted within this tolerance,
        /// became 1.05 s and its next piece ran dry).
        public let tolerance: Double
        /// When the newcomer's first audio would be sent beside the others (seconds from now;
        /// nil: not within the horizon): what the server logs to compare with the measured TTFA.
        public let firstAudioIn: Double?

        public var fits: Bool { newcomerLate <= 0 && othersLater <= tolerance }

        /// Public so that `SpeechService` implementations other than the engine can refuse.
        public init(newcomerLate: Double, othersLater: Double, tolerance: Double, firstAudioIn: Double?) {
            self.newcomerLate = newcomerLate
            self.othersLater = othersLater
            self.tolerance = tolerance
            self.firstAudioIn = firstAudioIn
        }
    }

    /// Whether `newcomer` fits: the others do not make it late, and it does not make them
    /// later (beyond `tolerance` seconds for them, see `Verdict.tolerance`). Lateness there
    /// anyway (on an idle pool slower than the budget, or streams already behind) keeps no
    /// one out.
    public func verdict(_ newcomer: Stream, beside streams: [Stream], tolerance: Double = 0.05) -> Verdict {
        let alone = lateness([newcomer])
        let without = lateness(streams)
        let with = play(streams + [newcomer])
        let othersLater = streams.map { (with.late[$0.id] ?? 0) - (without[$0.id] ?? 0) }.max() ?? 0
        return Verdict(newcomerLate: (with.late[newcomer.id] ?? 0) - (alone[newcomer.id] ?? 0), othersLater: othersLater,
                       tolerance: tolerance, firstAudioIn: with.firstAudio[newcomer.id])
    }
}
