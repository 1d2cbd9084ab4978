/// What model runs cost on this pool, learned from its runs: a value the scheduler keeps
/// and plans with (and hands admission), tested without the model.
///
/// Before any run has taught it, costs come from the warm-up's speed (a throughput session
/// shares the pool's speed with the others); then from moving averages of runs that ran as
/// planned (`DeadlineScheduler.teachesCost`), so they follow load.
struct CostModel: Sendable, Equatable {
    let throughputSessions: Int
    let hasLatencySession: Bool
    /// The pool's speed measured by the warm-up, in seconds per second of audio.
    var warmupRealTimeFactor: Double?
    /// Recent runs' seconds per token, overhead included (see `RunCost`), by session role.
    private var secondsPerToken: [RealTimeOptimizer.Mode: Double] = [:]
    /// Recent overflow runs' time over a throughput run's (see `RunCost.overflowSlowdown`).
    private(set) var overflowSlowdown = DeadlineScheduler.RunCost.initialOverflowSlowdown
    /// Wall seconds the decoder takes per second of audio it decodes, by the role of the
    /// session a window runs on: the warm-up's, then followed by windows decoded.
    private var decoderPace: [RealTimeOptimizer.Mode: Double] = [:]

    /// The weight of the newest observation in each moving average.
    static let learningRate = 0.2

    init(throughputSessions: Int, hasLatencySession: Bool) {
        self.throughputSessions = throughputSessions
        self.hasLatencySession = hasLatencySession
    }

    /// The cost of a run on a session of `role`.
    func run(_ role: RealTimeOptimizer.Mode) -> DeadlineScheduler.RunCost {
        let sessions = role == .throughput ? Double(throughputSessions) : 1
        return .init(secondsPerToken: secondsPerToken[role]
                     ?? (warmupRealTimeFactor ?? 0.35) * sessions * DeadlineScheduler.RunCost.audioSecondsPerToken,
                     overflowSlowdown: overflowSlowdown)
    }

    /// The decoder's pace to plan windows with while `streams` real-time streams run, in
    /// wall seconds per second of audio decoded: a lone stream's windows run on the latency
    /// session (when the pool has one, with every core), several streams' on the throughput
    /// sessions side by side, slower each. Planning two streams with the lone pace sized
    /// their windows for a decoder twice as fast as they got, and both ran dry (316 underruns,
    /// `scripts/bench/streams.py --gap 1`, 2026-12-05). Before any measurement, from runs'
    /// cost, which overstates it (the front's and a short run's fixed part count too).
    func pace(streams: Int) -> Double {
        let role: RealTimeOptimizer.Mode = streams <= 1 && hasLatencySession ? .latency : .throughput
        return decoderPace[role] ?? run(role).secondsPerToken / DeadlineScheduler.RunCost.audioSecondsPerToken
    }

    /// A run of `tokens` on a `role` session took `seconds`.
    mutating func learnRun(seconds: Double, tokens: Int, role: RealTimeOptimizer.Mode) {
        secondsPerToken[role] = Self.averaged(secondsPerToken[role], seconds / (Double(tokens) + DeadlineScheduler.RunCost.overheadTokens))
    }

    /// A first piece of `tokens` took `seconds` on the overflow session.
    mutating func learnOverflow(seconds: Double, tokens: Int) {
        overflowSlowdown = Self.averaged(overflowSlowdown, seconds / run(.throughput).seconds(tokens: tokens))
    }

    /// A decoder window on a `role` session decoded at `pace` (seconds per second of audio).
    mutating func learnDecoderPace(_ pace: Double, role: RealTimeOptimizer.Mode) {
        decoderPace[role] = Self.averaged(decoderPace[role], pace)
    }

    /// The warm-up's measurement of the decoder's pace on `role` sessions.
    mutating func setDecoderPace(_ pace: Double, role: RealTimeOptimizer.Mode) {
        decoderPace[role] = pace
    }

    /// The moving average after `observed`; the first observation stands alone.
    private static func averaged(_ value: Double?, _ observed: Double) -> Double {
        value.map { (1 - learningRate) * $0 + learningRate * observed } ?? observed
    }
}

extension DeadlineScheduler {
    /// What a run costs, to plan around: about linear in its tokens plus a fixed part.
    public struct RunCost: Sendable {
        /// The fixed part of a run's cost, in tokens: the straight line through runs of 16 to
        /// 200 tokens on a 1-thread session beside another (bare ORT 1.32, 2 cores,
        /// `scripts/bench/overflow.py`, reports/overflow.json) put it at 6.6 and 7.3 tokens in
        /// two runs. (13, the silence's share of the audio, made a short first piece look
        /// 25-30 % dearer than it is once the cost was learned from long pieces: the forecast
        /// refused a third client arriving with two others, though its first audio came in
        /// 0.74-0.85 s whenever it was let in.)
        public static let overheadTokens = 7.0
        /// The silence the model makes around every piece (measured: 0.3 s before, 0.45 s after).
        public static let silentEdgeSeconds = 0.75
        /// Seconds of audio the model makes per token, silence included (measured on
        /// af_heart: 16 tokens make 1.73 s, 90 make 6.1 s).
        public static let audioSecondsPerToken = 0.059
        /// How much longer a first piece takes on the overflow session (the latency session,
        /// every core) beside a busy throughput pool than on a throughput session, before the
        /// server has measured it on its own overflow runs. Measured on 2 cores (ORT 1.32):
        /// bare ORT alone 1.17–1.6× (scripts/bench/overflow.py, reports/overflow.json), but
        /// in the server, beside its HTTP and encoder threads and the clients, 1.7–2.4× (six
        /// overflow runs under `scripts/bench/streams.py --gap 1`).
        public static let initialOverflowSlowdown = 2.0
        public let secondsPerToken: Double
        /// The overflow's slowdown, learned from recent overflow runs; each run beside an
        /// overflow run loses about the overflow's cost (0.64–0.66 of it measured in bare ORT).
        public let overflowSlowdown: Double

        public init(secondsPerToken: Double, overflowSlowdown: Double = initialOverflowSlowdown) {
            self.secondsPerToken = secondsPerToken
            self.overflowSlowdown = overflowSlowdown
        }

        /// How long before its listener runs out (besides the horizon) a piece is due soon:
        /// twice its run (a wait for a session, then its own run), or more when the next piece
        /// is much longer (a short sentence before a long one), so that the audio this one adds
        /// still covers a wait and that next run. Measured before this: four streams joining
        /// a second apart, a listener ran dry after a 23-token piece followed by a 96-token one.
        public static func dueSoonLead(run: Double, audio: Double, nextRun: Double) -> Double {
            max(2 * run, 2 * nextRun + run - audio)
        }

        public func seconds(tokens: Int) -> Double { (Double(tokens) + Self.overheadTokens) * secondsPerToken }
    }
}
