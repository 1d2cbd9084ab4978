import Synchronization

/// The measured figures behind `/v1/stats`: time to first audio by input length, real-time
/// factor, and request outcomes. Every number is a measurement of a request that happened.
public final class RequestStatistics: Sendable {
    public enum LengthClass: String, Sendable, CaseIterable, Codable {
        case short, medium, long

        /// short < 100 characters ≤ medium < 1000 ≤ long.
        init(characters: Int) { self = characters < 100 ? .short : characters < 1000 ? .medium : .long }
    }

    public struct Percentiles: Sendable, Codable, Equatable {
        public let count: Int
        public let p50: Double?
        public let p95: Double?
        public let p99: Double?

        init(_ values: [Double]) {
            let sorted = values.sorted()
            func rank(_ q: Double) -> Double? {
                sorted.isEmpty ? nil : sorted[min(sorted.count - 1, Int((q * Double(sorted.count)).rounded(.up)) - 1)]
            }
            count = sorted.count
            p50 = rank(0.5)
            p95 = rank(0.95)
            p99 = rank(0.99)
        }
    }

    private struct State {
        var ttfa: [LengthClass: [Double]] = [:]
        var ttfaCacheHits: [Double] = []
        var realTimeFactors: [Double] = []
        var audioSeconds = 0.0
        var completed = 0
        var cancelled = 0
        var refused = 0
    }

    /// Samples kept per series (the most recent).
    let window = 2_000
    private let state = Mutex(State())

    public init() {}

    func recordTTFA(seconds: Double, characters: Int, fromCache: Bool) {
        state.withLock {
            if fromCache {
                Self.append(seconds, to: &$0.ttfaCacheHits, window: window)
            } else {
                Self.append(seconds, to: &$0.ttfa[LengthClass(characters: characters), default: []], window: window)
            }
        }
    }

    func recordFinished(audioSeconds: Double, elapsedSeconds: Double, completed: Bool) {
        state.withLock {
            $0.audioSeconds += audioSeconds
            if completed {
                $0.completed += 1
                if audioSeconds > 0 { Self.append(elapsedSeconds / audioSeconds, to: &$0.realTimeFactors, window: window) }
            } else {
                $0.cancelled += 1
            }
        }
    }

    func recordRefused() { state.withLock { $0.refused += 1 } }

    private static func append(_ value: Double, to series: inout [Double], window: Int) {
        series.append(value)
        if series.count > window { series.removeFirst(series.count - window) }
    }

    public struct Report: Sendable, Codable {
        /// Model-made first audio, by input length class.
        public let ttfa_seconds: [String: Percentiles]
        /// First audio served from the audio cache, reported apart so it cannot flatter the above.
        public let ttfa_cache_hit_seconds: Percentiles
        public let real_time_factor: Percentiles
        public let audio_seconds_total: Double
        public let requests_completed: Int
        public let requests_cancelled: Int
        public let requests_refused: Int
    }

    public func report() -> Report {
        state.withLock { state in
            Report(ttfa_seconds: Dictionary(uniqueKeysWithValues: LengthClass.allCases.map { ($0.rawValue, Percentiles(state.ttfa[$0] ?? [])) }),
                   ttfa_cache_hit_seconds: Percentiles(state.ttfaCacheHits),
                   real_time_factor: Percentiles(state.realTimeFactors),
                   audio_seconds_total: state.audioSeconds,
                   requests_completed: state.completed, requests_cancelled: state.cancelled, requests_refused: state.refused)
        }
    }
}
