/// A prefix tree over Unicode scalars, with a value on the nodes that end a word.
///
/// jieba's and pypinyin's dictionaries are queried one growing prefix at a time ("is this
/// fragment a prefix of some word? is it a word?"), which a trie answers with one step per
/// character. All edges live in one `[UInt64: Int32]` table keyed by (node, scalar) instead
/// of a dictionary per node: the 600,000 nodes of jieba's dictionary then load in a fraction
/// of the time and memory.
struct ScalarTrie<Value: Sendable>: Sendable {
    /// The root; `child(of:_:)` walks from here.
    static var root: Int32 { 0 }

    private var edges: [UInt64: Int32] = [:]
    private(set) var values: [Value?] = [nil]

    init(capacity: Int = 0) {
        edges.reserveCapacity(capacity)
        values.reserveCapacity(capacity + 1)
    }

    /// The node reached from `node` by `scalar`, or nil when no word continues that way.
    func child(of node: Int32, _ scalar: UInt32) -> Int32? {
        edges[UInt64(UInt32(bitPattern: node)) << 32 | UInt64(scalar)]
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

    /// Stores `value` for `word`, creating its prefixes; `merge` decides when the word is already there.
    mutating func insert<S: Sequence>(_ word: S, value: Value, merge: (Value, Value) -> Value = { _, new in new })
    where S.Element == UInt32 {
        var node = Self.root
        for scalar in word {
            let key = UInt64(UInt32(bitPattern: node)) << 32 | UInt64(scalar)
            if let next = edges[key] {
                node = next
            } else {
                let next = Int32(values.count)
                values.append(nil)
                edges[key] = next
                node = next
            }
        }
        values[Int(node)] = values[Int(node)].map { merge($0, value) } ?? value
    }
}
