import Foundation
import KokoroEngine

/// Gives memory back when the process holds far more than it did when it became ready
/// while the model is idle: growth with no matching load is fragmentation or retained
/// buffers, not work. It first returns freed heap to the system, and if that is not enough
/// rebuilds the model sessions one at a time (`DeadlineScheduler.recycleSessions`), which
/// never drops a request. A cool-down keeps it from acting again and again when memory
/// cannot go lower.
public actor MemoryWatchdog {
    public struct Settings: Sendable {
        /// Act above this resident size (nil: the size at ready plus `allowanceMB`).
        public var limitMB: Double?
        public var allowanceMB: Double = 300
        public var cooldownSeconds: Double = 120
        public init(limitMB: Double? = nil) { self.limitMB = limitMB }
    }

    public struct Action: Sendable, Encodable {
        public let uptime_seconds: Double
        public let resident_before_mb: Double
        public let resident_after_trim_mb: Double
        public let resident_after_mb: Double
        public let sessions_rebuilt: Int
        public let reason: String
    }

    public struct Report: Sendable, Encodable {
        public let limit_mb: Double?
        public let baseline_mb: Double?
        public let actions: [Action]
    }

    public let settings: Settings
    private var baselineMB: Double?
    private var actions: [Action] = []
    private var lastAction: ContinuousClock.Instant?
    private let started = ContinuousClock.now

    public init(settings: Settings = Settings()) { self.settings = settings }

    /// The resident size when the engine became ready (the first call wins); the default limit builds on it.
    public func recordBaseline(_ residentMB: Double) {
        if baselineMB == nil { baselineMB = residentMB }
    }

    public var limitMB: Double? { settings.limitMB ?? baselineMB.map { $0 + settings.allowanceMB } }

    /// Checks one sample; acts when over the limit, the scheduler is idle and the cool-down has passed.
    @discardableResult
    public func check(residentMB: Double, engine: any SpeechService) async -> Action? {
        guard let limit = limitMB, residentMB > limit else { return nil }
        if let lastAction, lastAction.duration(to: .now).seconds < settings.cooldownSeconds { return nil }
        let load = await engine.snapshot().scheduler
        guard load.running == 0, load.waiting == 0 else { return nil }
        lastAction = .now
        Self.returnFreedMemory()
        let afterTrim = MemoryMonitor.residentAndPeakMB()?.0 ?? residentMB
        var rebuilt = 0
        if afterTrim > limit {
            rebuilt = await engine.recycleSessions()
            Self.returnFreedMemory()
        }
        let action = Action(uptime_seconds: started.duration(to: .now).seconds, resident_before_mb: residentMB,
                            resident_after_trim_mb: afterTrim, resident_after_mb: MemoryMonitor.residentAndPeakMB()?.0 ?? afterTrim,
                            sessions_rebuilt: rebuilt,
                            reason: String(format: "%.0f MB resident with the model idle, over the %.0f MB limit", residentMB, limit))
        actions.append(action)
        if actions.count > 20 { actions.removeFirst() }
        return action
    }

    public var report: Report { Report(limit_mb: limitMB, baseline_mb: baselineMB, actions: actions) }

    /// Hands the allocator's free pages back to the system: glibc keeps them otherwise.
    static func returnFreedMemory() {
        typealias Trim = @convention(c) (Int) -> Int32
        guard let symbol = glibcSymbol("malloc_trim") else { return }
        _ = unsafeBitCast(symbol, to: Trim.self)(0)
    }

    /// Makes glibc give large buffers back when they are freed, called once at start before
    /// threads allocate. Its default raises the mmap threshold after each large free, so the
    /// model's big per-run tensors end up on the heap and stay resident: measured after two
    /// paragraph requests and two concurrent streams, 644 MB resident with the defaults, 377
    /// MB with a fixed 256 KB threshold and two malloc arenas (ready was 360–385 MB).
    /// Returns what was set, for the stats (nil where the allocator is not glibc's).
    @discardableResult
    public static func configureAllocator() -> String? {
        typealias MallOpt = @convention(c) (Int32, Int32) -> Int32
        guard let symbol = glibcSymbol("mallopt") else { return nil }
        let mallopt = unsafeBitCast(symbol, to: MallOpt.self)
        let mmapThreshold: Int32 = -3, arenaMax: Int32 = -8
        guard mallopt(mmapThreshold, 256 << 10) == 1, mallopt(arenaMax, 2) == 1 else { return nil }
        return "glibc: mmap threshold fixed at 256 KB, 2 arenas"
    }

    /// Looked up at run time, as these are glibc's own (absent on macOS and musl).
    private static func glibcSymbol(_ name: String) -> UnsafeMutableRawPointer? {
        dlopen(nil, RTLD_NOW).flatMap { dlsym($0, name) }
    }
}
