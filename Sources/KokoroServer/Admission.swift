import KokoroEngine

/// How a request gets to use the model: one policy, for every route that does.
///
/// 1. **A slot.** At most `maxConcurrentRequests` synthesize at once, fewer when the
///    engine's measured real-time capacity says so, but never fewer than the pool's
///    sessions: an idle session is not refused because another program made the machine
///    slow. A request over the bound waits in a queue of `maxQueuedRequests` for at most
///    `queueTimeoutSeconds`; a full queue, or a wait that runs out, is a 503 with
///    `Retry-After` at once.
/// 2. **Planning in the slot.** Only parsing and validation happen before it; phonemizing
///    and blending run after, on the engine's planning threads (`SpeechService.plan`), off
///    Swift's cooperative pool.
/// 3. **The forecast**, for a real-time stream (`SpeechService.admit`). A newcomer that
///    would make a running stream run dry waits, in its slot, while the forecast says it
///    fits within its queue time, until it fits (then 503 if that time runs out); one the
///    forecast does not see fitting within that time is a 503 at once, with the forecast's
///    Retry-After (it waited the whole queue time for nothing before: `scripts/bench/streams.py`
///    on a fresh server, 4 streams arriving together, two 503s after 5.0 s). Streams already
///    admitted keep their guarantees. One that would only be late itself is served when its
///    slot is one of the pool's sessions, its first audio later than the budget rather than
///    refused.
struct Admission: Sendable {
    let gate: AdmissionGate
    let configuration: ServerConfiguration
    let metrics: ServerMetrics

    /// How often a stream waiting for the forecast's room asks again.
    static let forecastRetry = Duration.milliseconds(200)

    /// A slot for `engine`'s work, before planning (for routes that do not synthesize).
    func slot(_ engine: any SpeechService) async throws -> GateSlot {
        let capacity = await engine.realTimeCapacity().streams
        let limit = max(capacity, engine.sessionCount)
        metrics.queueDepth.set(Double(await gate.queued + 1))
        defer { Task { [gate, metrics] in metrics.queueDepth.set(Double(await gate.queued)) } }
        do {
            return try await GateSlot(gate: gate, limit: limit, queueTimeout: .seconds(configuration.queueTimeoutSeconds))
        } catch {
            metrics.statistics.recordRefused()
            throw error
        }
    }

    /// A slot, then `plan` run on the planning threads, then the forecast: the ticket the
    /// request's audio runs under. Errors are the client's (4xx from planning) or 503s.
    func admit(_ engine: any SpeechService, arrival: ContinuousClock.Instant,
               plan: @Sendable (any SpeechService) async throws -> SynthesisJob) async throws -> AdmissionTicket {
        let slot = try await slot(engine)
        let job: SynthesisJob
        do {
            job = try await plan(engine)
        } catch {
            await slot.release(after: nil)
            throw APIError.from(error)
        }
        guard job.request.realTime, configuration.forecastAdmission else { return AdmissionTicket(slot: slot, engine: engine, job: job) }
        let deadline = arrival + .seconds(configuration.queueTimeoutSeconds)
        let acceptLate = await gate.active <= engine.sessionCount
        while true {
            do {
                return AdmissionTicket(slot: slot, engine: engine, job: try await engine.admit(job, acceptLateStart: acceptLate))
            } catch {
                guard case .noRealTimeRoom(let retryAfter, _) = error, ContinuousClock.now + max(.seconds(retryAfter), Self.forecastRetry) <= deadline else {
                    await slot.release(after: nil)
                    metrics.statistics.recordRefused()
                    throw APIError.from(error)
                }
                try await Task.sleep(for: Self.forecastRetry)
            }
        }
    }
}
