import Foundation
import KokoroEngine
import Synchronization

/// What the server is doing and the engine it does it with, once loaded.
///
/// The server listens before the model is loaded, so `/health` answers at once and
/// `/ready` can say 503 until the engine is loaded and warmed.
public final class ServerState: Sendable {
    public enum Phase: Sendable, Equatable {
        case loading
        case warming(done: Int, of: Int)
        case ready
        /// Shutting down: running streams finish, nothing new is taken.
        case draining
        case failed(String)

        public var label: String {
            switch self {
            case .loading: "loading"
            case .warming: "warming"
            case .ready: "ready"
            case .draining: "draining"
            case .failed: "failed"
            }
        }
    }

    private struct Storage {
        var phase = Phase.loading
        var engine: (any SpeechService)?
        var startupSeconds: Double?
        var warmup: EngineWarmer.Report?
    }

    public let startedAt = ContinuousClock.now
    public let startedAtDate = Date()
    private let storage = Mutex(Storage())

    public init() {}

    /// A state that is already serving `engine` (tests, embedding).
    public convenience init(readyEngine engine: any SpeechService) {
        self.init()
        setEngine(engine)
        markReady()
    }

    public var phase: Phase { storage.withLock { $0.phase } }
    public var engine: (any SpeechService)? { storage.withLock { $0.engine } }
    /// Seconds from process start to ready, once ready.
    public var startupSeconds: Double? { storage.withLock { $0.startupSeconds } }
    public var uptimeSeconds: Double { startedAt.duration(to: .now).seconds }

    /// The warm-up that ran before ready.
    public var warmup: EngineWarmer.Report? { storage.withLock { $0.warmup } }

    public func setEngine(_ engine: any SpeechService) { storage.withLock { $0.engine = engine } }
    public func setWarmup(_ report: EngineWarmer.Report) { storage.withLock { $0.warmup = report } }
    public func setPhase(_ phase: Phase) { storage.withLock { $0.phase = phase } }

    public func markReady() {
        let elapsed = uptimeSeconds
        storage.withLock {
            guard $0.phase != .draining else { return }
            $0.phase = .ready
            $0.startupSeconds = elapsed
        }
    }

    /// From now on `/ready` says 503 and new work is refused; what runs finishes.
    public func beginDraining() { storage.withLock { $0.phase = .draining } }

    /// The engine, or the 503 a request gets while it loads.
    func requireEngine() throws -> any SpeechService {
        let (phase, engine) = storage.withLock { ($0.phase, $0.engine) }
        if let engine, phase == .ready { return engine }
        if case .failed(let why) = phase {
            throw APIError(.internalServerError, "the engine failed to start: \(why)", type: "server_error")
        }
        if phase == .draining {
            throw APIError.overloaded(retryAfter: 5, message: "the server is shutting down; retry in a moment (another replica, or this one once restarted)")
        }
        throw APIError.overloaded(retryAfter: 1, message: "the model is still \(phase.label); retry in a moment (GET /ready says when)")
    }
}
