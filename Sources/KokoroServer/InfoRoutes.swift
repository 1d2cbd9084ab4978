import BoundedCache
import Foundation
import Hummingbird
import KokoroEngine

/// Voices, models, probes, status and metrics: everything that is read, not synthesized.
struct InfoRoutes: Sendable {
    let state: ServerState
    let configuration: ServerConfiguration
    let gate: AdmissionGate
    let metrics: ServerMetrics
    let memory: MemoryMonitor

    struct VoiceList: Encodable { let voices: [VoiceCatalog.Entry] }
    struct LegacyVoiceList: Encodable { let voices: [String] }

    func voices(_ request: Request, context: some RequestContext) throws -> Response {
        let engine = try state.requireEngine()
        if request.uri.queryParameters["legacy"].map({ $0 == "true" || $0 == "1" }) == true {
            return try jsonResponse(LegacyVoiceList(voices: engine.voiceNames))
        }
        return try jsonResponse(VoiceList(voices: engine.voiceNames.map(VoiceCatalog.entry)))
    }

    struct Model: Encodable {
        let id: String
        let object = "model"
        let created: Int
        let owned_by = "kokoro-swift"
    }
    struct ModelList: Encodable {
        let object = "list"
        let data: [Model]
    }

    func models(_ request: Request, context: some RequestContext) throws -> Response {
        let created = Int(state.startedAtDate.timeIntervalSince1970)
        return try jsonResponse(ModelList(data: SpeechBody.acceptedModels.sorted().map { Model(id: $0, created: created) }))
    }

    struct Probe: Encodable {
        let status: String
        let detail: String?
    }

    func health(_ request: Request, context: some RequestContext) throws -> Response {
        try jsonResponse(Probe(status: "ok", detail: nil))
    }

    func ready(_ request: Request, context: some RequestContext) throws -> Response {
        switch state.phase {
        case .ready: return try jsonResponse(Probe(status: "ready", detail: nil))
        case .failed(let why): return try jsonResponse(Probe(status: "failed", detail: why), status: .serviceUnavailable)
        case .warming(let done, let total): return try jsonResponse(Probe(status: "warming", detail: "\(done)/\(total)"), status: .serviceUnavailable)
        case .loading: return try jsonResponse(Probe(status: "loading", detail: nil), status: .serviceUnavailable)
        case .draining: return try jsonResponse(Probe(status: "draining", detail: "shutting down"), status: .serviceUnavailable)
        }
    }

    struct Status: Encodable {
        let status: String
        let detail: String?
        let model: String?
        let providers: [String]
        let voices: Int
        let default_voice: String?
        let uptime_seconds: Double
        let startup_seconds: Double?
        let active_requests: Int
        let queued_requests: Int
        let max_concurrent_requests: Int
        let max_queued_requests: Int
        /// How sentences are decoded: `FIRST/LONGEST/CONTEXT` frames, nil for whole sentences.
        let decoder_windows: String?
        /// Frames of a lone new stream's first window at the decoder's measured pace.
        let first_window_frames: Int?
        /// Voices with decoder statistics (they speak in windows), and those being calibrated
        /// (they speak in long self-normalized windows until done).
        let calibrated_voices: [String]
        let calibrating_voices: [String]
    }

    func status(_ request: Request, context: some RequestContext) async throws -> Response {
        let engine = state.engine
        let snapshot = await engine?.snapshot()
        let detail: String? = switch state.phase {
        case .warming(let done, let total): "warming \(done)/\(total)"
        case .failed(let why): why
        default: nil
        }
        return try jsonResponse(Status(
            status: state.phase.label, detail: detail, model: snapshot?.modelDescription,
            providers: snapshot?.providers ?? [], voices: engine?.voiceNames.count ?? 0,
            default_voice: engine.map { configuration.defaultVoice ?? $0.defaultVoice },
            uptime_seconds: state.uptimeSeconds, startup_seconds: state.startupSeconds,
            active_requests: await gate.active, queued_requests: await gate.queued,
            max_concurrent_requests: gate.maxActive, max_queued_requests: gate.maxQueued,
            decoder_windows: snapshot?.decoderWindows, first_window_frames: snapshot?.firstWindowFrames,
            calibrated_voices: snapshot?.calibratedVoices ?? [],
            calibrating_voices: snapshot?.calibratingVoices ?? []))
    }

    struct Stats: Encodable {
        struct Caches: Encodable {
            let audio: CacheStatistics
            let phoneme: CacheStatistics
        }
        struct Warmup: Encodable {
            let status: String
            let startup_seconds: Double?
            let warmup_seconds: Double?
            let warmup_runs: Int?
            let warmup_sessions: Int?
            let warmup_real_time_factor: Double?
        }
        struct Loudness: Encodable {
            let target_lufs: Double
            let true_peak_ceiling_dbtp: Double
            /// Measured voices (key: voice@packs) with their loudness, true peak and gain.
            let voices: [String: VoiceGain]
        }
        struct Queue: Encodable {
            let active: Int
            let queued: Int
            let max_active: Int
            let max_queued: Int
            /// Streams the model keeps in real time, from measured speed: admission's other bound.
            let real_time_capacity: DeadlineScheduler.Capacity?
        }
        let uptime_seconds: Double
        let requests: RequestStatistics.Report
        let queue: Queue
        let caches: Caches?
        /// The session pool and its run queue: per-session utilization, queue depth, runs that
        /// started past their deadline, the optimizer's mode, measurements and decisions.
        let scheduler: DeadlineScheduler.Statistics?
        let memory: MemoryMonitor.Report?
        let memory_watchdog: MemoryWatchdog.Report
        /// How ORT's arena is managed, and why.
        let arena: ArenaPolicy?
        let loudness: Loudness?
        let warmup: Warmup
    }

    /// Measured figures only: every number here counts or times something that happened.
    func stats(_ request: Request, context: some RequestContext) async throws -> Response {
        let engine = state.engine
        let snapshot = await engine?.snapshot()
        let warmup = state.warmup
        return try jsonResponse(Stats(
            uptime_seconds: state.uptimeSeconds,
            requests: metrics.statistics.report(),
            queue: .init(active: await gate.active, queued: await gate.queued, max_active: gate.maxActive, max_queued: gate.maxQueued,
                         real_time_capacity: snapshot?.capacity),
            caches: snapshot.map { .init(audio: $0.audioCache, phoneme: $0.phonemeCache) },
            scheduler: snapshot?.scheduler,
            memory: memory.report(),
            memory_watchdog: await memory.watchdog.report,
            arena: snapshot?.arena,
            loudness: snapshot?.loudness.map { .init(target_lufs: $0.targetLUFS, true_peak_ceiling_dbtp: $0.truePeakCeilingDBTP, voices: $0.voices) },
            warmup: .init(status: state.phase.label, startup_seconds: state.startupSeconds, warmup_seconds: warmup?.seconds,
                          warmup_runs: warmup?.runs, warmup_sessions: warmup?.sessions, warmup_real_time_factor: warmup?.real_time_factor)))
    }

    func prometheus(_ request: Request, context: some RequestContext) async -> Response {
        let snapshot = await state.engine?.snapshot()
        var load: ServerMetrics.Load?
        if let snapshot {
            load = .init(active: await gate.active, queued: await gate.queued, capacity: snapshot.capacity)
        }
        let text = metrics.exposition(engine: snapshot, memory: memory.report(), load: load)
        return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    func page(_ request: Request, context: some RequestContext) -> Response {
        Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-cache"],
                 body: .init(byteBuffer: ByteBuffer(bytes: WebPage.html)))
    }
}
