import KokoroEngine
import Synchronization

/// What one admitted request holds: its admission-gate slot and, for a stream the engine
/// admitted, its ledger entry and any session kept for its first piece.
///
/// Released exactly once, however the request ends: by `release(after:)` when its audio
/// is done (finished, failed or cancelled), or when the ticket is dropped unreleased. The
/// second is how a client that hangs up between admission and the response head gives its
/// place back: the response's body, which would have released it, never runs, and dropping
/// the response drops the ticket.
final class AdmissionTicket: Sendable {
    private let gate: AdmissionGate
    private let engine: KokoroEngine
    /// The admitted job, carrying its ledger id.
    let job: SynthesisJob
    private let released = Atomic(false)

    init(gate: AdmissionGate, engine: KokoroEngine, job: SynthesisJob) {
        self.gate = gate
        self.engine = engine
        self.job = job
    }

    /// Gives the slot back; `seconds` is how long the request took (nil: it ended before
    /// synthesis, which says nothing of how long one takes). Later calls do nothing.
    func release(after seconds: Double?) async {
        guard claimRelease() else { return }
        await Self.release(gate: gate, engine: engine, job: job, after: seconds)
    }

    deinit {
        guard claimRelease() else { return }
        Task { [gate, engine, job] in await Self.release(gate: gate, engine: engine, job: job, after: nil) }
    }

    private func claimRelease() -> Bool {
        released.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged
    }

    private static func release(gate: AdmissionGate, engine: KokoroEngine, job: SynthesisJob, after seconds: Double?) async {
        await engine.withdraw(job)
        await gate.leave(after: seconds)
    }
}
