import Dispatch
import ONNXRuntime

/// Runs one ORT inference off Swift's cooperative threads (ORT's Run blocks for the whole
/// inference), terminated when the calling task is cancelled, with the arena given back
/// afterwards when `shrinkArena` (see `ArenaPolicy`).
func blockingRun<T: Sendable>(runtime: ORTRuntime, shrinkArena: Bool,
                              _ body: @escaping @Sendable (RunOptions) throws -> T) async throws -> T {
    try Task.checkCancellation()
    let options = try RunOptions(runtime: runtime)
    if shrinkArena { try options.setConfigEntry("memory.enable_memory_arena_shrinkage", "cpu:0") }
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            DispatchQueue.global(qos: .userInitiated).async {
                continuation.resume(with: Result { try body(options) })
            }
        }
    } onCancel: {
        options.terminate()
    }
}
