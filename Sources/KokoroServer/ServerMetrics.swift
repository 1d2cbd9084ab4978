import Prometheus

/// The Prometheus figures `/metrics` exposes, each recorded where the event happens.
public final class ServerMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
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

    /// Time to first audio, labelled by input length class (short < 100 chars ≤ medium < 1000 ≤ long).
    func recordTTFA(seconds: Double, inputCharacters: Int) {
        let lengthClass = inputCharacters < 100 ? "short" : inputCharacters < 1000 ? "medium" : "long"
        registry.makeValueHistogram(name: "kokoro_ttfa_seconds", labels: [("length", lengthClass)],
                                    buckets: [0.025, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5, 0.75, 1, 2, 5],
                                    help: "Seconds from request to the first audio byte.").record(seconds)
    }

    public func exposition() -> String { registry.emitToString() }
}
