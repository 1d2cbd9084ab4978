import Foundation

/// Whether ORT gives its CPU arena back after every run.
///
/// The arena keeps the buffers of the largest run a session has made. Measured on Kokoro
/// int8 (ORT 1.32, 2 cores) it holds about 2.5 MB per token of the longest piece (≈630 MB
/// after a 250-token piece), while shrinking it after each run cost no measurable time
/// (579 vs 593 ms for 24 tokens, 1.84 vs 1.87 s for 100) and kept the process at ≈200 MB
/// between runs. Turning the arena off instead tripled the peak (malloc per tensor). So the
/// arena stays on, and is shrunk after each run unless what it would keep fits the budget.
/// The same budget bounds the buffers of the runs in progress together (`DispatchPolicy`).
public struct ArenaPolicy: Sendable, Encodable, Equatable {
    /// Measured arena growth per token of the longest piece.
    public static let bytesPerToken = 2_500_000

    public let shrink_after_each_run: Bool
    /// What the arenas would hold if never shrunk.
    public let retained_estimate_mb: Int
    public let budget_mb: Int
    public let reason: String

    /// `budgetBytes` is the memory ORT's buffers may take, kept between runs or in the runs in
    /// progress; by default 160 MB, less on a machine with under 1.25 GB: the 600 MB a replica
    /// is sized for, less what the server holds between runs while serving (400–430 MB through
    /// `scripts/bench/reliability.py`'s soak: 344 MB at ready, then caches and heap). With
    /// 192 MB the soak peaked at 600 MB, two long windows of 169 and 148 frames side by side.
    public static func choose(sessions: Int, maxPieceTokens: Int, budgetBytes: Int? = nil,
                              physicalMemory: UInt64 = ProcessInfo.processInfo.physicalMemory) -> ArenaPolicy {
        let budget = budgetBytes ?? Int(min(physicalMemory / 8, 160 << 20))
        let retained = sessions * maxPieceTokens * bytesPerToken
        let shrink = retained > budget
        let mb = { (bytes: Int) in bytes >> 20 }
        let reason = shrink
            ? "\(sessions) session(s) × \(maxPieceTokens) tokens would keep ≈\(mb(retained)) MB of arena, over the \(mb(budget)) MB budget: shrink after each run (measured free of cost)"
            : "\(sessions) session(s) × \(maxPieceTokens) tokens keep ≈\(mb(retained)) MB of arena, within the \(mb(budget)) MB budget: keep it between runs"
        return ArenaPolicy(shrink_after_each_run: shrink, retained_estimate_mb: mb(retained), budget_mb: mb(budget), reason: reason)
    }
}
