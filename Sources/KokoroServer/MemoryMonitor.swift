import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Samples the process's resident memory on an interval and keeps a short history, so
/// `/v1/stats` can report memory now, at peak and its trend (growth with no load is a leak
/// or fragmentation to look into).
public final class MemoryMonitor: Service, Sendable {
    public struct Sample: Sendable, Codable {
        public let uptimeSeconds: Double
        public let residentMB: Double
    }

    public struct Report: Sendable, Codable {
        public let resident_mb: Double
        public let peak_mb: Double
        /// Least-squares slope of the history, MB per minute; nil until the history spans a
        /// minute (the climb while loading would read as a leak).
        public let trend_mb_per_minute: Double?
        public let samples: Int
        public let interval_seconds: Double
    }

    public let interval: Duration
    /// Acts on what the samples show; it needs the engine, which loads after the monitor starts.
    public let watchdog: MemoryWatchdog
    private let state: ServerState?
    private let logger: Logger
    private let history = Mutex<[Sample]>([])
    private let capacity = 240
    private let started = ContinuousClock.now

    public init(interval: Duration = .seconds(5), watchdog: MemoryWatchdog = MemoryWatchdog(), state: ServerState? = nil,
                logger: Logger = Logger(label: "kokoro.memory")) {
        self.interval = interval
        self.logger = logger
        self.watchdog = watchdog
        self.state = state
    }

    /// VmRSS and VmHWM of this process in MB, from /proc (nil where there is no /proc).
    public static func residentAndPeakMB() -> (Double, Double)? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        func field(_ name: String) -> Double? {
            status.split(separator: "\n").first { $0.hasPrefix(name + ":") }
                .flatMap { Double($0.split(whereSeparator: \.isWhitespace)[1]) }.map { $0 / 1024 }
        }
        guard let rss = field("VmRSS"), let peak = field("VmHWM") else { return nil }
        return (rss, peak)
    }

    @discardableResult
    public func sample() -> Double? {
        guard let (rss, _) = Self.residentAndPeakMB() else { return nil }
        let sample = Sample(uptimeSeconds: started.duration(to: .now).seconds, residentMB: rss)
        history.withLock {
            $0.append(sample)
            if $0.count > capacity { $0.removeFirst($0.count - capacity) }
        }
        return rss
    }

    public func report() -> Report? {
        guard let (rss, peak) = Self.residentAndPeakMB() else { return nil }
        let samples = history.withLock { $0 }
        let span = (samples.last?.uptimeSeconds ?? 0) - (samples.first?.uptimeSeconds ?? 0)
        return Report(resident_mb: rss, peak_mb: peak, trend_mb_per_minute: span >= 60 ? Self.slope(samples) * 60 : nil,
                      samples: samples.count, interval_seconds: interval.seconds)
    }

    /// MB per second over the samples (0 with fewer than two).
    static func slope(_ samples: [Sample]) -> Double {
        guard samples.count >= 2 else { return 0 }
        let n = Double(samples.count)
        let meanX = samples.map(\.uptimeSeconds).reduce(0, +) / n
        let meanY = samples.map(\.residentMB).reduce(0, +) / n
        let covariance = samples.reduce(0) { $0 + ($1.uptimeSeconds - meanX) * ($1.residentMB - meanY) }
        let variance = samples.reduce(0) { $0 + ($1.uptimeSeconds - meanX) * ($1.uptimeSeconds - meanX) }
        return variance == 0 ? 0 : covariance / variance
    }

    /// Samples until shutdown; a shutdown ends the wait between samples at once (waiting it
    /// out held every server stop, and every test of the app, up to `interval` longer).
    public func run() async throws {
        try? await cancelWhenGracefulShutdown { [self] in
            while !Task.isCancelled {
                // The history starts at ready: loading is not a trend.
                let ready = state.map { $0.phase == .ready } ?? true
                if ready, let rss = sample(), let engine = state?.engine {
                    await watchdog.recordBaseline(rss)
                    if let action = await watchdog.check(residentMB: rss, engine: engine) {
                        logger.notice("memory watchdog: \(action.reason); \(Int(action.resident_after_mb)) MB after, \(action.sessions_rebuilt) session(s) rebuilt")
                    }
                }
                try await Task.sleep(for: interval)
            }
        }
    }
}
