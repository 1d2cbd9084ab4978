import Synchronization

/// A cache's measured use: lookups that hit and missed, and what it holds.
public struct CacheStatistics: Sendable, Equatable, Encodable {
    public var hits = 0
    public var misses = 0
    public var entries = 0
    public var cost = 0
    public var capacity = 0
    public var evictions = 0
    public var hitRate: Double { hits + misses == 0 ? 0 : Double(hits) / Double(hits + misses) }

    public init() {}

    enum CodingKeys: String, CodingKey { case hits, misses, entries, cost, capacity, evictions, hitRate = "hit_rate" }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(hits, forKey: .hits)
        try container.encode(misses, forKey: .misses)
        try container.encode(entries, forKey: .entries)
        try container.encode(cost, forKey: .cost)
        try container.encode(capacity, forKey: .capacity)
        try container.encode(evictions, forKey: .evictions)
        try container.encode(hitRate, forKey: .hitRate)
    }
}

/// A thread-safe least-recently-used cache bounded by a total cost (bytes), that counts
/// its hits and misses so the server can report real hit rates. Every operation is O(1):
/// a full cache of many small entries (phonemes of words) evicts as cheaply as one of a few
/// large ones (audio).
public final class LRUCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private let state: Mutex<Recency<Key, Value>>
    private let cost: @Sendable (Key, Value) -> Int

    /// `capacity` 0 disables the cache (every lookup is a miss, nothing is kept). `cost` is
    /// what an entry takes, its key included.
    public init(capacity: Int, cost: @escaping @Sendable (Key, Value) -> Int) {
        state = Mutex(Recency(capacity: max(0, capacity)))
        self.cost = cost
    }

    public func value(for key: Key) -> Value? {
        state.withLock { $0.value(for: key) }
    }

    public func insert(_ value: Value, for key: Key) {
        let cost = cost(key, value)
        state.withLock { $0.insert(value, for: key, cost: cost) }
    }

    public var statistics: CacheStatistics { state.withLock { $0.statistics } }
}

/// The cache's bookkeeping, a plain value: entries in a doubly linked list from most to
/// least recently used, threaded through a dense array of nodes by index (a removed node's
/// place is taken by the last one, so nothing evicted stays alive).
struct Recency<Key: Hashable, Value> {
    private struct Node {
        var key: Key
        var value: Value
        var cost: Int
        var newer: Int?
        var older: Int?
    }

    private var nodes: [Node] = []
    private var index: [Key: Int] = [:]
    private var newest: Int?
    private var oldest: Int?
    private(set) var statistics = CacheStatistics()

    init(capacity: Int) { statistics.capacity = capacity }

    mutating func value(for key: Key) -> Value? {
        guard let slot = index[key] else {
            statistics.misses += 1
            return nil
        }
        statistics.hits += 1
        unlink(slot)
        pushNewest(slot)
        return nodes[slot].value
    }

    mutating func insert(_ value: Value, for key: Key, cost: Int) {
        if let slot = index[key] { remove(slot) }
        guard statistics.capacity > 0, cost <= statistics.capacity else { return }
        let node = Node(key: key, value: value, cost: cost, newer: nil, older: nil)
        nodes.append(node)
        let slot = nodes.count - 1
        index[key] = slot
        pushNewest(slot)
        statistics.cost += cost
        while statistics.cost > statistics.capacity, let victim = oldest {
            remove(victim)
            statistics.evictions += 1
        }
        statistics.entries = index.count
    }

    private mutating func remove(_ slot: Int) {
        unlink(slot)
        index[nodes[slot].key] = nil
        statistics.cost -= nodes[slot].cost
        statistics.entries = index.count
        let last = nodes.count - 1
        if slot != last {
            nodes.swapAt(slot, last)
            index[nodes[slot].key] = slot
            if let newer = nodes[slot].newer { nodes[newer].older = slot } else { newest = slot }
            if let older = nodes[slot].older { nodes[older].newer = slot } else { oldest = slot }
        }
        nodes.removeLast()
    }

    private mutating func unlink(_ slot: Int) {
        let (newer, older) = (nodes[slot].newer, nodes[slot].older)
        if let newer { nodes[newer].older = older } else { newest = older }
        if let older { nodes[older].newer = newer } else { oldest = newer }
        nodes[slot].newer = nil
        nodes[slot].older = nil
    }

    private mutating func pushNewest(_ slot: Int) {
        nodes[slot].older = newest
        if let newest { nodes[newest].newer = slot }
        newest = slot
        if oldest == nil { oldest = slot }
    }
}
