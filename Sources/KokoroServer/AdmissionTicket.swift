import KokoroEngine
import Synchronization

/// One admission-gate slot, given back exactly once: by `release(after:)`, or when it is
/// dropped unreleased (a request that failed or whose client left before it was released).
final class GateSlot: Sendable {
    private let gate: AdmissionGate
    private let slot: UInt64
    private let released = Atomic(false)

    /// Takes a slot (waiting in the gate's queue if it must); throws its 503 otherwise.
    init(gate: AdmissionGate, limit: Int, queueTimeout: Duration) async throws {
        slot = try await gate.enter(limit: limit, timeout: queueTimeout)
        self.gate = gate
    }

    /// `seconds` is how long the request took (nil: it ended before synthesis, which says
    /// nothing of how long one takes). Later calls do nothing.
    func release(after seconds: Double?) async {
        guard released.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged else { return }
        await gate.leave(slot, after: seconds)
    }

    deinit {
        guard released.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged else { return }
        Task { [gate, slot] in await gate.leave(slot, after: nil) }
    }
}

/// What one admitted request holds: its gate slot and, for a stream the engine admitted,
/// its ledger entry and any session kept for its first piece.
///
/// Released exactly once, however the request ends: by `release(after:)` when its audio
/// is done (finished, failed or cancelled), or when the ticket is dropped unreleased. The
/// second is how a client that hangs up between admission and the response head gives its
/// place back: the response's body, which would have released it, never runs, and dropping
/// the response drops the ticket.
final class AdmissionTicket: Sendable {
    private let slot: GateSlot
    private let engine: any SpeechService
    /// The admitted job, carrying its ledger id.
    let job: SynthesisJob
    private let released = Atomic(false)

    init(slot: GateSlot, engine: any SpeechService, job: SynthesisJob) {
        self.slot = slot
        self.engine = engine
        self.job = job
    }

    /// Gives everything back; later calls do nothing.
    func release(after seconds: Double?) async {
        guard claimRelease() else { return }
        await engine.withdraw(job)
        await slot.release(after: seconds)
    }

    deinit {
        guard claimRelease() else { return }
        Task { [slot, engine, job] in
            await engine.withdraw(job)
            await slot.release(after: nil)
        }
    }

    private func claimRelease() -> Bool {
        released.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged
    }
}
