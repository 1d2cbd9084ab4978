import Testing
@testable import KokoroEngine

/// What runs cost, learned without the model.
@Suite struct CostModelTests {
    @Test func beforeAnyRunTheWarmUpsSpeedIsSharedByTheThroughputSessions() {
        var costs = CostModel(throughputSessions: 2, hasLatencySession: true)
        costs.warmupRealTimeFactor = 0.2
        // 0.2 s of the pool per audio second, shared by 2 sessions, at 0.059 s of audio a token.
        #expect(abs(costs.run(.throughput).secondsPerToken - 0.2 * 2 * 0.059) < 1e-12)
        #expect(abs(costs.run(.latency).secondsPerToken - 0.2 * 0.059) < 1e-12)
        #expect(costs.overflowSlowdown == DeadlineScheduler.RunCost.initialOverflowSlowdown)
    }

    /// The first run sets the cost; later ones move it a fifth of the way each.
    @Test func runsTeachTheirRolesCostAsAMovingAverage() {
        var costs = CostModel(throughputSessions: 2, hasLatencySession: false)
        costs.learnRun(seconds: 1.7, tokens: 10, role: .throughput)
        #expect(abs(costs.run(.throughput).secondsPerToken - 0.1) < 1e-12)
        costs.learnRun(seconds: 3.4, tokens: 10, role: .throughput)
        #expect(abs(costs.run(.throughput).secondsPerToken - 0.12) < 1e-12)
        #expect(abs(costs.run(.throughput).seconds(tokens: 3) - 1.2) < 1e-12)
        costs.learnOverflow(seconds: 2.4, tokens: 3)
        #expect(abs(costs.overflowSlowdown - (0.8 * 2 + 0.2 * 2)) < 1e-12)
    }

    /// A lone stream's windows are planned at the latency session's pace, several streams' at
    /// the throughput sessions'; without a latency session, always the latter.
    @Test func thePaceFollowsWhereWindowsWillRun() {
        var costs = CostModel(throughputSessions: 2, hasLatencySession: true)
        costs.setDecoderPace(0.2, role: .latency)
        costs.setDecoderPace(0.5, role: .throughput)
        #expect(costs.pace(streams: 1) == 0.2 && costs.pace(streams: 3) == 0.5)
        costs.learnDecoderPace(1.0, role: .throughput)
        #expect(abs(costs.pace(streams: 2) - 0.6) < 1e-12)
        var single = CostModel(throughputSessions: 1, hasLatencySession: false)
        single.setDecoderPace(0.5, role: .throughput)
        #expect(single.pace(streams: 1) == 0.5)
    }
}
