import KokoroEngine
import Prometheus

/// The Prometheus figures `/metrics` exposes, each recorded where the event happens.
public final class ServerMetrics: Sendable {
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
        audioSeconds = registry.makeCounter(name: "kokoro_audio_seconds_total", help: "Seconds of audio produced.")
        queueDepth = registry.makeGauge(name: "kokoro_queue_depth", help: "Requests waiting for a synthesis slot.")
        activeStreams = registry.makeGauge(name: "kokoro_active_requests", help: "Requests synthesizing now.")
        realTimeFactor = registry.makeValueHistogram(name: "kokoro_real_time_factor", buckets: [0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2],
                                                     help: "Synthesis seconds per audio second, per request.")
        synthesisSeconds = registry.makeValueHistogram(name: "kokoro_segment_synthesis_seconds",
                                                       buckets: [0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 2, 4],
                                                       help: "Model time per segment.")
    }

    func requestFinished(route: String, status: Int) {
        registry.makeCounter(name: "kokoro_requests_total", labels: [("route", route), ("status", String(status))],
                             help: "HTTP requests by route and status.").increment()
    }

    /// Time to first audio, labelled by input length class (short < 100 chars ≤ medium < 1000 ≤ long)
    /// and by whether the audio came from the cache.
    func recordTTFA(seconds: Double, inputCharacters: Int, fromCache: Bool) {
        statistics.recordTTFA(seconds: seconds, characters: inputCharacters, fromCache: fromCache)
        let lengthClass = RequestStatistics.LengthClass(characters: inputCharacters).rawValue
        registry.makeValueHistogram(name: "kokoro_ttfa_seconds", labels: [("length", lengthClass), ("cache", fromCache ? "hit" : "miss")],
                                    buckets: [0.025, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5, 0.75, 1, 2, 5],
                                    help: "Seconds from request to the first audio byte.").record(seconds)
    }

    /// Figures sampled at scrape time (caches, memory), then the whole registry.
    public func exposition(engine: KokoroEngine?, memory: MemoryMonitor.Report?) -> String {
        if let engine {
            for (name, stats) in [("audio", engine.audioCache.statistics), ("phoneme", engine.planner.phonemeCache.statistics)] {
                registry.makeGauge(name: "kokoro_cache_hits", labels: [("cache", name)], help: "Cache lookups that hit.").set(Double(stats.hits))
                registry.makeGauge(name: "kokoro_cache_misses", labels: [("cache", name)], help: "Cache lookups that missed.").set(Double(stats.misses))
                registry.makeGauge(name: "kokoro_cache_bytes", labels: [("cache", name)], help: "Cache contents (bytes of audio, characters of phonemes).").set(Double(stats.cost))
            }
        }
        if let memory {
            registry.makeGauge(name: "kokoro_resident_memory_mb", help: "Resident memory now.").set(memory.resident_mb)
            registry.makeGauge(name: "kokoro_resident_memory_peak_mb", help: "Peak resident memory.").set(memory.peak_mb)
        }
        return registry.emitToString()
    }
}
