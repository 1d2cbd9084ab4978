import KokoroEngine
import Prometheus

/// The Prometheus figures `/metrics` exposes, each recorded where the event happens.
public final class ServerMetrics: Sendable {
    /// `kokoro_NAME`, with its help text.
    private static func metric(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "kokoro", metricName: name, unitName: "", helpText: help)
    }

    public let registry: PrometheusCollectorRegistry
    /// The same events as the Prometheus series, kept as samples for percentiles.
    public let statistics = RequestStatistics()
    let audioSeconds: Counter
    let queueDepth: Gauge
    let activeStreams: Gauge
    let realTimeFactor: ValueHistogram
    let synthesisSeconds: ValueHistogram

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        audioSeconds = registry.makeCounter(descriptor: Self.metric("audio_seconds_total", "Seconds of audio produced."))
        queueDepth = registry.makeGauge(descriptor: Self.metric("queue_depth", "Requests waiting for a synthesis slot."))
        activeStreams = registry.makeGauge(descriptor: Self.metric("active_requests", "Requests synthesizing now."))
        realTimeFactor = registry.makeValueHistogram(descriptor: Self.metric("real_time_factor", "Synthesis seconds per audio second, per request."), buckets: [0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2])
        synthesisSeconds = registry.makeValueHistogram(descriptor: Self.metric("segment_synthesis_seconds", "Model time per segment."), buckets: [0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 2, 4])
    }

    func requestFinished(route: String, status: Int) {
        registry.makeCounter(descriptor: Self.metric("requests_total", "HTTP requests by route and status."), labels: [("route", route), ("status", String(status))]).increment()
    }

    /// Time to first audio, labelled by input length class (short < 100 chars ≤ medium < 1000 ≤ long)
    /// and by whether the audio came from the cache.
    func recordTTFA(seconds: Double, inputCharacters: Int, fromCache: Bool) {
        statistics.recordTTFA(seconds: seconds, characters: inputCharacters, fromCache: fromCache)
        let lengthClass = RequestStatistics.LengthClass(characters: inputCharacters).rawValue
        registry.makeValueHistogram(descriptor: Self.metric("ttfa_seconds", "Seconds from request to the first audio byte."), labels: [("length", lengthClass), ("cache", fromCache ? "hit" : "miss")], buckets: [0.025, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5, 0.75, 1, 2, 5]).record(seconds)
    }

    /// What the server is asked for against what it can carry, sampled at scrape time: the
    /// autoscaler's signal (deploy/k8s).
    public struct Load: Sendable {
        /// Requests synthesizing and waiting for a slot (`AdmissionGate`).
        public let active: Int
        public let queued: Int
        /// The real-time streams the measured speed carries (`DeadlineScheduler.realTimeCapacity`).
        public let capacity: DeadlineScheduler.Capacity
    }

    /// Figures sampled at scrape time (caches, sessions, memory, load), then the whole registry.
    public func exposition(engine: EngineSnapshot?, memory: MemoryMonitor.Report?,
                           load: Load? = nil) -> String {
        // Only once the speed is measured (by the warm-up, then by served requests): never the
        // one-stream-per-session guess.
        if let load, load.capacity.real_time_factor != nil, load.capacity.streams > 0 {
            registry.makeGauge(descriptor: Self.metric("realtime_capacity_streams", "Real-time streams this server carries at \(Int(DeadlineScheduler.streamUtilization * 100)) % of its measured speed (admission's bound).")).set(Double(load.capacity.streams))
            registry.makeGauge(descriptor: Self.metric("realtime_capacity_in_use", "Requests synthesizing or queued over the real-time streams this server carries: 1 is full, above 1 requests wait.")).set(Double(load.active + load.queued) / Double(load.capacity.streams))
        }
        if let engine {
            for (name, stats) in [("audio", engine.audioCache), ("phoneme", engine.phonemeCache)] {
                registry.makeGauge(descriptor: Self.metric("cache_hits", "Cache lookups that hit."), labels: [("cache", name)]).set(Double(stats.hits))
                registry.makeGauge(descriptor: Self.metric("cache_misses", "Cache lookups that missed."), labels: [("cache", name)]).set(Double(stats.misses))
                registry.makeGauge(descriptor: Self.metric("cache_bytes", "Cache contents (bytes of audio, characters of phonemes)."), labels: [("cache", name)]).set(Double(stats.cost))
            }
        }
        if let scheduler = engine?.scheduler {
            for session in scheduler.sessions {
                let labels = [("session", String(session.index))]
                registry.makeGauge(descriptor: Self.metric("session_utilization", "Fraction of the time a model session spent running, since it was built."), labels: labels).set(session.utilization)
                registry.makeGauge(descriptor: Self.metric("session_runs", "Model runs on a session since it was built."), labels: labels).set(Double(session.runs))
            }
            registry.makeGauge(descriptor: Self.metric("model_runs_waiting", "Model runs waiting for a session.")).set(Double(scheduler.waiting))
            registry.makeGauge(descriptor: Self.metric("model_runs_late", "Model runs that started after their playback deadline.")).set(Double(scheduler.late_runs))
            registry.makeGauge(descriptor: Self.metric("sessions_recycled", "Sessions rebuilt to give memory back.")).set(Double(scheduler.recycled_sessions))
            for mode in RealTimeOptimizer.Mode.allCases {
                registry.makeGauge(descriptor: Self.metric("optimizer_mode", "1 for the mode the optimizer runs in."), labels: [("mode", mode.rawValue)]).set(Double(scheduler.optimizer.mode == mode ? 1 : 0))
                if let rtf = scheduler.optimizer.modes[mode.rawValue]?.real_time_factor {
                    registry.makeGauge(descriptor: Self.metric("optimizer_real_time_factor", "Busy seconds per audio second, by mode."), labels: [("mode", mode.rawValue)]).set(rtf)
                }
            }
        }
        if let memory {
            registry.makeGauge(descriptor: Self.metric("resident_memory_mb", "Resident memory now.")).set(memory.resident_mb)
            registry.makeGauge(descriptor: Self.metric("resident_memory_peak_mb", "Peak resident memory.")).set(memory.peak_mb)
        }
        return registry.emitToString()
    }
}
