import BoundedCache
import Foundation
import KokoroEngine
import KokoroPhonemizer
import KokoroVoices
import Synchronization

/// A `SpeechService` without the model, for testing every route, error and admission path
/// in milliseconds: it plans each sentence as one segment of one token per character, makes
/// a tone of `samplesPerToken` per token, and admits, refuses or fails as a test tells it.
/// It counts what it was asked, so a test can check that every admission was given back.
final class InMemorySpeechService: SpeechService {
    struct Counts: Equatable {
        var planned = 0
        var admitted = 0
        var withdrawn = 0
        var streamed = 0
        /// Streams whose consumer went away before the end.
        var abandoned = 0
    }

    /// What `admit` does: admit, or refuse as the forecast would, with its retry advice.
    enum Admission: Sendable {
        case admit
        case refuse(retryAfter: Double)
    }

    let voiceNames: [String]
    let defaultVoice: String
    let sessionCount: Int
    var lexicon: LexiconStore? { nil }
    let samplesPerToken: Int
    /// Pause before each segment's audio, as a model run would take.
    let runTime: Duration

    private struct State {
        var counts = Counts()
        var admission = Admission.admit
        var capacity = DeadlineScheduler.Capacity(streams: 0, realTimeFactor: nil, basis: "not measured")
        var nextID: UInt64 = 0
        var open: Set<UInt64> = []
        var failure: (any Error & Sendable)?
    }
    private let state = Mutex(State())
    /// An idle scheduler over one silent session: the statistics a snapshot reports.
    private let scheduler = DeadlineScheduler(sessions: [SilentSession()])

    init(voices: [String] = ["af_heart", "am_adam", "bf_emma"], sessionCount: Int = 1,
         samplesPerToken: Int = 600, runTime: Duration = .zero) {
        voiceNames = voices.sorted()
        defaultVoice = voices[0]
        self.sessionCount = sessionCount
        self.samplesPerToken = samplesPerToken
        self.runTime = runTime
    }

    var counts: Counts { state.withLock { $0.counts } }
    /// Admitted jobs not yet withdrawn.
    var openAdmissions: Int { state.withLock { $0.open.count } }

    func setAdmission(_ admission: Admission) { state.withLock { $0.admission = admission } }
    func setCapacity(streams: Int) {
        state.withLock { $0.capacity = .init(streams: streams, realTimeFactor: DeadlineScheduler.streamUtilization / Double(streams), basis: "test") }
    }
    /// Makes every stream fail with `error` after its first chunk.
    func failStreams(with error: any Error & Sendable) { state.withLock { $0.failure = error } }

    func hasVoice(_ name: String) -> Bool { voiceNames.contains(name) }

    func plan(_ request: SpeechRequest) async throws -> SynthesisJob {
        guard hasVoice(request.voice) else {
            throw VoiceError.unknownVoice(request.voice, suggestions: [], available: voiceNames.count)
        }
        guard !request.text.allSatisfy(\.isWhitespace) else { throw EngineError.emptyText }
        state.withLock { $0.counts.planned += 1 }
        let sentences = request.text.split(separator: ".", omittingEmptySubsequences: true).filter { !$0.allSatisfy(\.isWhitespace) }
        let segments = sentences.map { sentence -> Segment in
            .speech(phonemes: String(sentence), tokens: sentence.unicodeScalars.map { Int64($0.value % 170) }, pauseAfter: 0, words: [])
        }
        return SynthesisJob(request: request, language: Language(voiceName: request.voice) ?? .americanEnglish,
                            style: Self.style, segments: segments)
    }

    func plan(phonemes: String, voice: String, speed: Float) async throws -> SynthesisJob {
        try await plan(SpeechRequest(text: phonemes, voice: voice, speed: speed))
    }

    func admit(_ job: SynthesisJob, acceptLateStart: Bool) async throws(EngineError) -> SynthesisJob {
        let decision = state.withLock { state -> Result<UInt64, EngineError> in
            switch state.admission {
            case .refuse(let seconds) where !acceptLateStart:
                return .failure(.noRealTimeRoom(retryAfter: seconds, verdict: .init(newcomerLate: 0.5, othersLater: 0.3, tolerance: 0.05,
                                                                                   firstAudioIn: nil)))
            default:
                state.nextID += 1
                state.open.insert(state.nextID)
                state.counts.admitted += 1
                return .success(state.nextID)
            }
        }
        var admitted = job
        admitted.streamID = try decision.get()
        return admitted
    }

    func withdraw(_ job: SynthesisJob) async {
        state.withLock { state in
            guard let id = job.streamID, state.open.remove(id) != nil else { return }
            state.counts.withdrawn += 1
        }
    }

    func stream(_ job: SynthesisJob) -> AudioStream {
        let stream = AudioStream(limitSamples: 5 * KokoroModel.sampleRate)
        let failure = state.withLock { state in
            state.counts.streamed += 1
            return state.failure
        }
        let speeches = job.segments.compactMap { segment -> [Int64]? in
            if case .speech(_, let tokens, _, _) = segment { tokens } else { nil }
        }
        let work = Task { [samplesPerToken, runTime] in
            do {
                for (index, tokens) in speeches.enumerated() {
                    try await Task.sleep(for: runTime)
                    let samples = (0..<tokens.count * samplesPerToken).map { Float(sin(Double($0) * 0.05)) * 0.3 }
                    try await stream.send(AudioChunk(index: index, samples: samples, phonemes: "", synthesisSeconds: 0,
                                                     isLast: index == speeches.count - 1, fromCache: false, words: []))
                    if let failure { throw failure }
                }
                stream.finish()
            } catch {
                stream.finish(throwing: error)
            }
        }
        stream.onConsumerGone { [weak self] in
            work.cancel()
            self?.state.withLock { $0.counts.abandoned += 1 }
        }
        return stream
    }

    func realTimeCapacity() async -> DeadlineScheduler.Capacity { state.withLock { $0.capacity } }

    func snapshot() async -> EngineSnapshot {
        let empty = CacheStatistics()
        return EngineSnapshot(modelDescription: "in-memory", providers: [], decoderWindows: nil, calibratedVoices: [],
                              calibratingVoices: [], audioCache: empty, phonemeCache: empty, scheduler: await scheduler.statistics,
                              capacity: await realTimeCapacity(), arena: nil, loudness: nil)
    }

    func warm(with warmer: EngineWarmer, voice: String?,
              progress: @escaping @Sendable (Int, Int) -> Void) async throws -> EngineWarmer.Report {
        progress(1, 1)
        return EngineWarmer.Report(runs: 0, sessions: sessionCount, seconds: 0, realTimeFactor: 0, calibratedVoice: nil)
    }

    func prewarm(phrases: [String], voice: String) async throws -> Int { 0 }

    func recycleSessions() async -> Int { 0 }
    func stopBackgroundWork() async {}

    private static let style = VoiceStyle(values: [Float](repeating: 0, count: VoiceStyle.rows * VoiceStyle.width))
}

/// A model session that is never run (the in-memory service makes its own audio).
private struct SilentSession: SpeechSynthesizer {
    func synthesize(tokens: [Int64], style: ArraySlice<Float>, speed: Float) async throws -> [Float] { [] }
}
