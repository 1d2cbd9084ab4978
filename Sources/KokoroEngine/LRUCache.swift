import Synchronization

/// A cache's measured use: lookups that hit and missed, and what it holds.
public struct CacheStatistics: Sendable, Equatable, Encodable {
    public var hits = 0
    public var misses = 0
    public var entries = 0
    public var cost = 0
    public var capacity = 0
    public var hitRate: Double { hits + misses == 0 ? 0 : Double(hits) / Double(hits + misses) }

    enum CodingKeys: String, CodingKey { case hits, misses, entries, cost, capacity, hitRate = "hit_rate" }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(hits, forKey: .hits)
        try container.encode(misses, forKey: .misses)
        try container.encode(entries, forKey: .entries)
        try container.encode(cost, forKey: .cost)
        try container.encode(capacity, forKey: .capacity)
        try container.encode(hitRate, forKey: .hitRate)
    }
}

/// A thread-safe least-recently-used cache bounded by a total cost (bytes, usually), that
/// counts its hits and misses so the server can report real hit rates.
public final class LRUCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private struct Entry {
        var value: Value
        var cost: Int
        var lastUse: UInt64
    }

    private struct State {
        var entries: [Key: Entry] = [:]
        var clock: UInt64 = 0
        var statistics = CacheStatistics()
    }

    private let state: Mutex<State>
    private let cost: @Sendable (Value) -> Int

    /// `capacity` 0 disables the cache (every lookup is a miss, nothing is kept).
    public init(capacity: Int, cost: @escaping @Sendable (Value) -> Int) {
        var initial = State()
        initial.statistics.capacity = capacity
        state = Mutex(initial)
        self.cost = cost
    }

    public func value(for key: Key) -> Value? {
        state.withLock { state in
            state.clock += 1
            guard var entry = state.entries[key] else {
                state.statistics.misses += 1
                return nil
            }
            state.statistics.hits += 1
            entry.lastUse = state.clock
            state.entries[key] = entry
            return entry.value
        }
    }

    public func insert(_ value: Value, for key: Key) {
        let cost = cost(value)
        state.withLock { state in
            guard cost <= state.statistics.capacity else { return }
            state.clock += 1
            if let old = state.entries.updateValue(Entry(value: value, cost: cost, lastUse: state.clock), forKey: key) {
                state.statistics.cost -= old.cost
            }
            state.statistics.cost += cost
            // Evict the least recently used until within budget (a scan: entries are few and large).
            while state.statistics.cost > state.statistics.capacity,
                  let oldest = state.entries.min(by: { $0.value.lastUse < $1.value.lastUse }) {
                state.entries[oldest.key] = nil
                state.statistics.cost -= oldest.value.cost
            }
            state.statistics.entries = state.entries.count
        }
    }

    public var statistics: CacheStatistics { state.withLock { $0.statistics } }
}
