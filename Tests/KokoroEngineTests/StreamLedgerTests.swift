import Foundation
import Testing
@testable import KokoroEngine

@Suite("Admission forecast: a new stream starts only if every stream stays in time")
struct AdmissionForecastTests {
    typealias Stream = AdmissionForecast.Stream
    typealias Piece = AdmissionForecast.Stream.Piece

    /// 10 ms per token, no fixed part: a 50-token piece takes 0.5 s.
    func forecast(sessions: Int) -> AdmissionForecast {
        AdmissionForecast(sessions: sessions) { Double($0) * 0.01 }
    }

    func newcomer(_ pieces: [Piece], id: UInt64 = 99) -> Stream {
        Stream(id: id, playbackEnd: nil, firstAudioDue: 0.75, pieces: pieces)
    }

    /// An idle pool takes any stream: refusing one it cannot serve within the budget (a
    /// slow machine) would help no one.
    @Test func anIdlePoolAdmitsEveryNewcomer() {
        let pool = forecast(sessions: 1)
        let quick = pool.verdict(newcomer([Piece(tokens: 50, audioSeconds: 2), Piece(tokens: 100, audioSeconds: 4)]), beside: [])
        #expect(quick.fits && quick.newcomerLate == 0 && quick.othersLater == 0)
        #expect(abs((pool.lateness([newcomer([Piece(tokens: 100, audioSeconds: 4)])])[99] ?? 0) - 0.25) < 1e-9)
        #expect(pool.verdict(newcomer([Piece(tokens: 100, audioSeconds: 4)]), beside: []).fits)
    }

    /// A stream with 1 s in hand and a 0.6 s piece to make: a newcomer's first piece (0.5 s,
    /// first in line) on the one session makes it 0.1 s late; two sessions make both.
    @Test func aNewcomerThatWouldMakeARunningStreamLateIsRefused() {
        let running = Stream(id: 1, playbackEnd: 1, firstAudioDue: -1, pieces: [Piece(tokens: 60, audioSeconds: 3)])
        let arriving = newcomer([Piece(tokens: 50, audioSeconds: 2)])
        let one = forecast(sessions: 1).verdict(arriving, beside: [running])
        #expect(!one.fits && abs(one.othersLater - 0.1) < 1e-9 && one.newcomerLate <= 0)
        #expect(forecast(sessions: 2).verdict(arriving, beside: [running]).fits)
    }

    /// A newcomer whose own first audio would miss the budget is refused even by a little
    /// (its forecast errs late on a crowded pool); the running streams get a tolerance.
    @Test func aNewcomerLateByEvenALittleIsRefused() {
        let running = Stream(id: 1, playbackEnd: 5, firstAudioDue: -1, pieces: [Piece(tokens: 50, audioSeconds: 3)], runningEndsIn: 0.53)
        let late = forecast(sessions: 1).verdict(newcomer([Piece(tokens: 25, audioSeconds: 2)]), beside: [running])
        #expect(!late.fits && abs(late.newcomerLate - 0.03) < 1e-9 && late.newcomerLate < late.tolerance)
        let inTime = forecast(sessions: 1).verdict(newcomer([Piece(tokens: 20, audioSeconds: 2)]), beside: [running])
        #expect(inTime.fits && inTime.newcomerLate == 0)
    }

    /// A piece in progress holds its session until it ends.
    @Test func runsInProgressHoldTheirSessions() {
        let running = Stream(id: 1, playbackEnd: 1, firstAudioDue: -1, pieces: [Piece(tokens: 60, audioSeconds: 3)], runningEndsIn: 0.9)
        let arriving = newcomer([Piece(tokens: 50, audioSeconds: 2)])
        let one = forecast(sessions: 1).verdict(arriving, beside: [running])
        #expect(!one.fits && abs(one.newcomerLate - 0.65) < 1e-9)
        #expect(forecast(sessions: 2).verdict(arriving, beside: [running]).fits)
        // Background work holds a session the same way, but keeps no one out: refusing would
        // not make it end sooner.
        let busy = AdmissionForecast(sessions: 1, otherRunsEndIn: [0.5]) { Double($0) * 0.01 }
        #expect(abs((busy.lateness([arriving])[99] ?? 0) - 0.25) < 1e-9 && busy.verdict(arriving, beside: []).fits)
    }

    /// With both sessions busy, a first piece takes the overflow session (as the scheduler
    /// does), at 1.6 times its cost, and the runs beside it lose its cost.
    @Test func aFirstPieceMayTakeTheOverflowSession() {
        let busy = (1...2).map { Stream(id: UInt64($0), playbackEnd: 3, firstAudioDue: -1, pieces: [Piece(tokens: 50, audioSeconds: 2)], runningEndsIn: 2) }
        let arriving = newcomer([Piece(tokens: 20, audioSeconds: 1)])
        let plain = forecast(sessions: 2).verdict(arriving, beside: busy)
        #expect(!plain.fits && abs(plain.newcomerLate - 1.45) < 1e-9)
        let overflow = AdmissionForecast(sessions: 2, overflowSession: true) { Double($0) * 0.01 }
        #expect(overflow.verdict(arriving, beside: busy).fits)
        // Its first audio at 0.5 s; the sessions beside it free at 2.2 s instead of 2.
        #expect(abs((overflow.lateness(busy + [arriving])[99] ?? -1) - 0) < 1e-9)
        let later = overflow.lateness(busy.map { var stream = $0; stream.playbackEnd = 2.1; return stream } + [arriving])
        #expect(abs((later[1] ?? 0) - 0.1) < 1e-9)
        // Sessions that free at 0.1 s serve it by 0.3 s, sooner than the overflow would (0.32 s).
        let soon = busy.map { var stream = $0; stream.runningEndsIn = 0.1; return stream }
        #expect(overflow.lateness(soon + [arriving]) == [1: 0, 2: 0, 99: 0])
    }

    /// A stream far ahead of its listener leaves the last free session to a newcomer, as
    /// the scheduler does: its 3 s piece, due at 10 s, waits until 3 s (10 − 1 − 2 × 3).
    @Test func workNotDueSoonLeavesTheLastSessionFree() {
        let ahead = Stream(id: 1, playbackEnd: 10, firstAudioDue: -1, pieces: [Piece(tokens: 300, audioSeconds: 12)])
        var arriving = newcomer([Piece(tokens: 20, audioSeconds: 1)])
        arriving.startsIn = 0.1
        let greedy = AdmissionForecast(sessions: 2, otherRunsEndIn: [5]) { Double($0) * 0.01 }
        #expect(abs((greedy.lateness([ahead, arriving])[99] ?? 0) - 2.45) < 1e-9)
        var patient = greedy
        patient.dueSoonMargin = 1
        let late = patient.lateness([ahead, arriving])
        #expect(late[99] == 0 && late[1] == 0)
    }

    /// An inline pause is audio without a model run: it starts the listener at once.
    @Test func inlinePausesNeedNoSession() {
        let late = forecast(sessions: 1).lateness([newcomer([Piece(tokens: 0, audioSeconds: 1), Piece(tokens: 80, audioSeconds: 3)])])
        #expect(late[99] == 0)
    }

    /// A stream late anyway (the pool is slower than planned) does not keep a newcomer out
    /// unless the newcomer makes it later still.
    @Test func streamsLateAnywayOnlyCountWhenMadeLater() {
        let behind = Stream(id: 1, playbackEnd: 0.1, firstAudioDue: -1, pieces: [Piece(tokens: 100, audioSeconds: 4)])
        let pool = forecast(sessions: 2)
        #expect(abs((pool.lateness([behind])[1] ?? 0) - 0.9) < 1e-9)
        #expect(pool.verdict(newcomer([Piece(tokens: 50, audioSeconds: 2)]), beside: [behind]).fits)
        #expect(!forecast(sessions: 1).verdict(newcomer([Piece(tokens: 50, audioSeconds: 2)]), beside: [behind]).fits)
    }

    /// A listener whose audio ends inside the horizon, with its next piece not started by
    /// then, is late by the horizon at least.
    @Test func theHorizonCountsListenersLeftWithoutAudio() {
        var pool = AdmissionForecast(sessions: 1, otherRunsEndIn: [2.5]) { Double($0) * 0.01 }
        pool.horizon = 2
        let starved = Stream(id: 1, playbackEnd: 0.5, firstAudioDue: -1, pieces: [Piece(tokens: 10, audioSeconds: 1)])
        #expect(abs((pool.lateness([starved])[1] ?? 0) - 1.5) < 1e-9)
    }
}

@Suite("Stream ledger")
struct StreamLedgerTests {
    let start = ContinuousClock.now
    func at(_ seconds: Double) -> ContinuousClock.Instant { start + .seconds(seconds) }
    let piece = AdmissionForecast.Stream.Piece(tokens: 50, audioSeconds: 2)

    @Test func theDeadlineIsWhenTheListenerRunsOutOfAudio() {
        var ledger = StreamLedger()
        let id = ledger.enter(pieces: [piece, piece])
        #expect(ledger.deadline(id) <= .now && !ledger.hasStarted(id))
        let sentAt = ContinuousClock.now
        ledger.sent(id, audioSeconds: 2, now: sentAt)
        #expect(ledger.deadline(id) == sentAt + .seconds(2) && ledger.hasStarted(id))
        ledger.sent(id, audioSeconds: 1.5, now: sentAt + .seconds(1))
        #expect(ledger.deadline(id) == sentAt + .seconds(3.5))
        ledger.finished(id)
        #expect(ledger.count == 0)
    }

    /// One session at 10 ms per token: the first newcomer fits, a second at the same moment
    /// would make one of them late; once the first has audio well in hand, it fits.
    @Test func admissionChecksAndRegistersInOneStep() {
        var ledger = StreamLedger(firstAudioBudget: 0.75)
        let pool = AdmissionForecast(sessions: 1) { Double($0) * 0.01 }
        let pieces = [piece, AdmissionForecast.Stream.Piece(tokens: 100, audioSeconds: 4)]
        guard case .success(let (first, verdict)) = ledger.admit(pieces: pieces, forecast: pool, running: [:], now: at(0)) else {
            Issue.record("an idle pool refused a stream")
            return
        }
        #expect(abs((verdict.firstAudioIn ?? 0) - Double(piece.tokens) * 0.01) < 1e-9)
        guard case .failure(let refusal) = ledger.admit(pieces: pieces, forecast: pool, running: [:], now: at(0)) else {
            Issue.record("two streams admitted where one fits")
            return
        }
        #expect(refusal.newcomerLate > 0)
        #expect(ledger.count == 1)
        #expect(ledger.fitsAfter([1, 2, 4], pieces: pieces, forecast: pool, running: [:], now: at(0)) == 2)
        ledger.sent(first, audioSeconds: 2, now: at(0.5))
        ledger.sent(first, audioSeconds: 4, now: at(1.5))
        guard case .success = ledger.admit(pieces: pieces, forecast: pool, running: [:], now: at(1.5)) else {
            Issue.record("refused beside a stream with nothing left to make")
            return
        }
        #expect(ledger.count == 2)
    }

    /// The scheduler owns the ledger: two newcomers asking at the same moment are admitted
    /// one after the other against the same load, so only one takes the room there is (one
    /// session at about 12 ms per token: a 50-token first piece is in time alone, not second).
    @Test func twoNewcomersAtOnceCannotBothTakeTheLastRoom() async {
        let scheduler = DeadlineScheduler(sessions: [TimedSession(log: .init())], firstAudioBudget: 0.75)
        await scheduler.setWarmupRealTimeFactor(0.2)
        let pieces = [piece, AdmissionForecast.Stream.Piece(tokens: 100, audioSeconds: 4)]
        async let first = scheduler.admitStream { _ in pieces }
        async let second = scheduler.admitStream { _ in pieces }
        let admitted = [await first, await second].compactMap { if case .admitted(let stream, _) = $0 { stream } else { nil } }
        #expect(admitted.count == 1)
        #expect(await scheduler.activeStreams == 1)
        // Given back (twice: closing is idempotent), the room is there again.
        for stream in admitted {
            await scheduler.closeStream(stream)
            await scheduler.closeStream(stream)
        }
        #expect(await scheduler.activeStreams == 0)
        guard case .admitted = await scheduler.admitStream(pieces: { _ in pieces }) else {
            Issue.record("refused on an idle pool")
            return
        }
    }

    /// Through the engine, on a stand-in model that makes audio exactly as fast as it plays
    /// (40 ms per token, 40 ms of audio; one session): while a stream is being read, a
    /// second listener is refused, with when to retry, whether the first's next sentence is
    /// already running (the newcomer would wait for it) or not (its run would make the first
    /// listener wait); once the first has left, it is admitted. At any other pace one of the
    /// two cases admits the newcomer rightly, so a busy machine would change the answer.
    @Test(.timeLimit(.minutes(2))) func theEngineRefusesAStreamThatWouldMakeAnotherStutter() async throws {
        let planner = try sharedEngine.get().planner
        let engine = KokoroEngine(planner: planner, sessions: [TimedSession(log: .init(), millisecondsPerToken: 40, audioPerToken: 0.04)])
        let text = (1...3).map { "Sentence number \($0) keeps the first listener busy for a while." }.joined(separator: " ")
        let first = try await engine.admit(try engine.prepare(SpeechRequest(text: text, voice: "af_heart", realTime: true)))
        let second = try engine.prepare(SpeechRequest(text: "Me too, please.", voice: "af_heart", realTime: true))
        for try await _ in engine.stream(first) {
            do {
                await engine.withdraw(try await engine.admit(second))
                Issue.record("admitted beside a stream with no audio to spare")
            } catch let error {
                guard case .noRealTimeRoom(let retryAfter, _) = error else { throw error }
                #expect(retryAfter >= 1 && error.description.contains("retry in"))
            }
            break
        }
        // The listener left: its stream and its run in progress end.
        while await engine.scheduler.statistics.running > 0 { try await Task.sleep(for: .milliseconds(10)) }
        while await engine.scheduler.activeStreams > 0 { try await Task.sleep(for: .milliseconds(10)) }
        let admitted = try await engine.admit(second)
        #expect(await engine.scheduler.activeStreams == 1)
        await engine.withdraw(admitted)
        #expect(await engine.scheduler.activeStreams == 0)
    }
}

@Suite("Stream ledger: runs without audio")
struct StreamLedgerRunTests {
    /// A run that adds no audio (a sentence's front) completes its planned piece without
    /// starting playback: the listener's clock starts with the first audio.
    @Test func playbackStartsWithTheFirstAudio() {
        var ledger = StreamLedger()
        let id = ledger.enter(pieces: [.init(tokens: 2, audioSeconds: 0), .init(tokens: 20, audioSeconds: 1)])
        ledger.sent(id, audioSeconds: 0)
        #expect(!ledger.hasStarted(id))
        ledger.sent(id, audioSeconds: 1)
        #expect(ledger.hasStarted(id))
    }
}
