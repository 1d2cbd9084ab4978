/// A prefix tree over Unicode scalars, with a value on the nodes that end a word.
///
/// jieba's and pypinyin's dictionaries are queried one growing prefix at a time ("is this
/// fragment a prefix of some word? is it a word?"), which a trie answers with one step per
/// character. All edges live in one hash table keyed by (node, scalar) rather than a
/// dictionary per node, so the 600,000 nodes of jieba's dictionary take two flat arrays.
struct ScalarTrie<Value: Sendable>: Sendable {
    /// The root; `child(of:_:)` walks from here.
    static var root: Int32 { 0 }

    private var edges: EdgeTable
    private var values: [Value?] = [nil]

    init(capacity: Int = 0) {
        edges = EdgeTable(minimumCapacity: capacity)
        values.reserveCapacity(capacity + 1)
    }

    /// The node reached from `node` by `scalar`, or nil when no word continues that way.
    func child(of node: Int32, _ scalar: UInt32) -> Int32? {
        edges.target(of: Self.edge(node, scalar))
    }

    /// The node that `word` leads to, or nil when it is no prefix of any word.
    func node<S: Sequence>(for word: S) -> Int32? where S.Element == UInt32 {
        var node = Self.root
        for scalar in word {
            guard let next = child(of: node, scalar) else { return nil }
            node = next
        }
        return node
    }

    func value(at node: Int32) -> Value? { values[Int(node)] }

    /// Stores `value` for `word` (replacing any earlier one), creating its prefixes.
    mutating func insert<S: Sequence>(_ word: S, value: Value) where S.Element == UInt32 {
        var node = Self.root
        for scalar in word {
            let fresh = Int32(values.count)
            node = edges.target(of: Self.edge(node, scalar), insertingIfAbsent: fresh)
            if node == fresh { values.append(nil) }
        }
        values[Int(node)] = value
    }

    private static func edge(_ node: Int32, _ scalar: UInt32) -> UInt64 {
        UInt64(UInt32(bitPattern: node)) << 32 | UInt64(scalar)
    }
}

/// Edge key → child node, by open addressing with linear probing and a multiplicative hash.
/// Swift's `Dictionary` hashes with SipHash and took most of jieba's load time (some 350 ms
/// for a million inserts); this takes a fraction of it.
private struct EdgeTable: Sendable {
    /// No edge has this key: its node would be 2³² − 1.
    private static let empty = UInt64.max

    private var keys: [UInt64]
    private var targets: [Int32]
    private var shift: UInt64
    private var count = 0

    init(minimumCapacity: Int) {
        var capacity = 16
        while capacity < minimumCapacity * 2 { capacity <<= 1 }
        keys = Array(repeating: Self.empty, count: capacity)
        targets = Array(repeating: 0, count: capacity)
        shift = UInt64(64 - capacity.trailingZeroBitCount)
    }

    func target(of key: UInt64) -> Int32? {
        let mask = keys.count - 1
        var slot = slot(of: key)
        while true {
            let stored = keys[slot]
            if stored == key { return targets[slot] }
            if stored == Self.empty { return nil }
            slot = (slot + 1) & mask
        }
    }

    /// The child stored for `key`, or `fresh` once stored.
    mutating func target(of key: UInt64, insertingIfAbsent fresh: Int32) -> Int32 {
        if (count + 1) * 2 > keys.count { grow() }
        let mask = keys.count - 1
        var slot = slot(of: key)
        while true {
            let stored = keys[slot]
            if stored == key { return targets[slot] }
            if stored == Self.empty {
                keys[slot] = key
                targets[slot] = fresh
                count += 1
                return fresh
            }
            slot = (slot + 1) & mask
        }
    }

    private func slot(of key: UInt64) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift)
    }

    /// Twice the slots, every edge inserted again: the table stays at most half full.
    private mutating func grow() {
        var larger = EdgeTable(minimumCapacity: keys.count)
        for (key, target) in zip(keys, targets) where key != Self.empty {
            _ = larger.target(of: key, insertingIfAbsent: target)
        }
        self = larger
    }
}
