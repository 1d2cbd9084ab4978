/// Where a piece of model work runs, and when: the one set of rules that the live scheduler
/// (`DeadlineScheduler`) follows and the admission forecast (`AdmissionForecast`) plays
/// forward, so that what admission predicts is what the pool will do.
///
/// Listener work goes earliest deadline first (the moment its listener runs out of audio;
/// a stream's first piece is due when it is asked for). Work not due soon (a stream well
/// ahead of its listener) takes a session only while another stays free, since a run cannot
/// be interrupted and new streams and pieces due soon need one. Background work (warm-up of
/// the cache, calibration) runs only while nothing else does. A stream's first piece that
/// finds every session busy takes the overflow session (outside the current mode) if it ends
/// sooner there: the runs in progress slow down for a while, but their listeners have audio
/// in hand and this one has none. (Letting a stream's first three pieces, or any piece due
/// within twice its time, do the same was measured worse: with four streams starting a
/// second apart, three runs shared the two cores most of the time, each slower, so more
/// pieces came due.) Whatever its priority, a run starts beside others only if ORT's buffers
/// of all of them stay within the memory budget (`ArenaPolicy`); alone, it runs whatever its
/// size; and while a listener's run waits for memory, no work behind it starts (it would
/// keep the memory taken, and a stream of such work starve the run) and background runs
/// holding memory stop. Only long runs reach the budget: as whole sentences, two of 345 frames side by side
/// took the server from about 470 MB to 806 MB (`scripts/bench/reliability.py`); the long
/// windows of a voice not calibrated yet take up to 170 MB, the standard windows up to 75 MB.
/// So while a voice is not calibrated, its windows and other streams' may wait for each
/// other: the price of a bound on memory, paid until calibration (set-up's for the voices a
/// server is meant to use).
public struct DispatchPolicy: Sendable, Equatable {
    /// Who waits for a piece.
    public enum Priority: Sendable, Equatable {
        /// A listener, whose audio runs out `dueIn` seconds from now (negative: already ran dry).
        case listener(dueIn: Double)
        /// Nobody: it runs when the pool is otherwise idle.
        case background

        /// Whether this goes before `other`: listeners by deadline, then background work.
        public func precedes(_ other: Priority) -> Bool {
            switch (self, other) {
            case (.listener(let a), .listener(let b)): a < b
            case (.listener, .background): true
            case (.background, _): false
            }
        }
    }

    /// A piece waiting for a session.
    public struct Piece: Sendable, Equatable {
        public var priority: Priority
        /// Seconds it takes on a session of the current mode beside the others.
        public var runSeconds: Double
        /// The audio it adds, and the seconds of the stream's next run (0: none): together
        /// they say how early it is due soon (`DeadlineScheduler.RunCost.dueSoonLead`).
        public var audioSeconds: Double
        public var nextRunSeconds: Double
        /// The first piece of a stream: its listener has no audio at all yet.
        public var opensStream: Bool
        /// ORT's buffers its run takes (`ModelWork.bufferBytes`).
        public var bufferBytes: Int

        public init(priority: Priority, runSeconds: Double, audioSeconds: Double = 0, nextRunSeconds: Double = 0, opensStream: Bool = false,
                    bufferBytes: Int = 0) {
            self.priority = priority
            self.runSeconds = runSeconds
            self.audioSeconds = audioSeconds
            self.nextRunSeconds = nextRunSeconds
            self.opensStream = opensStream
            self.bufferBytes = bufferBytes
        }
    }

    /// The pool as a piece finds it.
    public struct Pool: Sendable, Equatable {
        /// Sessions of the current mode free for it (not counting one kept for a stream's next piece).
        public var freeSessions: Int
        /// A run in progress, or a session kept for a stream's next piece.
        public var occupied: Bool
        /// A session outside the current mode is free (the overflow).
        public var overflowFree: Bool
        /// Seconds until the first of the mode's busy sessions is likely free (0: none busy).
        public var modeFreesIn: Double
        /// ORT's buffers the runs in progress take, and what all runs may take together.
        public var bufferBytesInUse: Int
        public var bufferBudget: Int

        public init(freeSessions: Int, occupied: Bool, overflowFree: Bool = false, modeFreesIn: Double = 0,
                    bufferBytesInUse: Int = 0, bufferBudget: Int = .max) {
            self.freeSessions = freeSessions
            self.occupied = occupied
            self.overflowFree = overflowFree
            self.modeFreesIn = modeFreesIn
            self.bufferBytesInUse = bufferBytesInUse
            self.bufferBudget = bufferBudget
        }
    }

    public enum Decision: Sendable, Equatable {
        /// On a free session of the current mode.
        case session
        /// On the overflow session.
        case overflow
        /// Not now; `dueSoonIn`: the seconds after which it is due soon and may take the last
        /// free session (nil: until the pool changes).
        case wait(dueSoonIn: Double?)
        /// Not beside the runs in progress: its buffers and theirs would pass the budget.
        case waitForMemory
    }

    /// A piece is due soon when its listener runs out within `RunCost.dueSoonLead` plus this.
    public var dueSoonMargin: Double
    /// How much longer a run takes on the overflow session than on one of the mode's.
    public var overflowSlowdown: Double

    public init(dueSoonMargin: Double, overflowSlowdown: Double = DeadlineScheduler.RunCost.initialOverflowSlowdown) {
        self.dueSoonMargin = dueSoonMargin
        self.overflowSlowdown = overflowSlowdown
    }

    public func decide(_ piece: Piece, pool: Pool) -> Decision {
        if pool.bufferBytesInUse > 0, piece.bufferBytes > pool.bufferBudget - pool.bufferBytesInUse { return .waitForMemory }
        if pool.occupied {
            switch piece.priority {
            case .background:
                return .wait(dueSoonIn: nil)
            case .listener(let dueIn):
                let dueSoonIn = dueIn - dueSoonMargin - DeadlineScheduler.RunCost.dueSoonLead(
                    run: piece.runSeconds, audio: piece.audioSeconds, nextRun: piece.nextRunSeconds)
                if dueSoonIn > 0, pool.freeSessions < 2 { return .wait(dueSoonIn: pool.freeSessions == 1 ? dueSoonIn : nil) }
            }
        }
        if pool.freeSessions > 0 { return .session }
        if piece.opensStream, pool.overflowFree, piece.runSeconds * overflowSlowdown < pool.modeFreesIn + piece.runSeconds {
            return .overflow
        }
        return .wait(dueSoonIn: nil)
    }
}
