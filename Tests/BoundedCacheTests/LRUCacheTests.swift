import Testing
@testable import BoundedCache

@Suite struct LRUCacheTests {
    @Test func theLeastRecentlyUsedGoesFirst() {
        let cache = LRUCache<String, [UInt8]>(capacity: 30) { _, value in value.count }
        cache.insert(Array(repeating: 1, count: 10), for: "a")
        cache.insert(Array(repeating: 2, count: 10), for: "b")
        cache.insert(Array(repeating: 3, count: 10), for: "c")
        #expect(cache.value(for: "a") != nil)
        cache.insert(Array(repeating: 4, count: 10), for: "d")
        #expect(cache.value(for: "b") == nil)
        #expect(cache.value(for: "a") == Array(repeating: 1, count: 10))
        #expect(cache.value(for: "c") == Array(repeating: 3, count: 10))
        #expect(cache.value(for: "d") == Array(repeating: 4, count: 10))
        let statistics = cache.statistics
        #expect(statistics.cost == 30 && statistics.entries == 3 && statistics.evictions == 1)
    }

    @Test func replacingAnEntryCountsItOnce() {
        let cache = LRUCache<Int, String>(capacity: 100) { _, value in value.utf8.count }
        cache.insert("short", for: 1)
        cache.insert("a longer value", for: 1)
        #expect(cache.statistics.cost == 14 && cache.statistics.entries == 1)
        #expect(cache.value(for: 1) == "a longer value")
    }

    @Test func whatCannotFitIsNotKept() {
        let cache = LRUCache<Int, String>(capacity: 4) { _, value in value.utf8.count }
        cache.insert("too long", for: 1)
        #expect(cache.value(for: 1) == nil)
        let off = LRUCache<Int, String>(capacity: 0) { _, value in value.utf8.count }
        off.insert("", for: 1)
        #expect(off.statistics.entries == 0)
    }

    /// Many small entries through a small bound, in a shuffled but fixed order: the cost
    /// never exceeds the bound, and the survivors are exactly the most recent ones (checked
    /// against a plain model of recency).
    @Test func manySmallEntriesStayWithinTheBoundInRecencyOrder() {
        let cache = LRUCache<Int, Int>(capacity: 64) { _, _ in 1 }
        var order: [Int] = []
        var generator = SplitMix(seed: 7)
        for _ in 0..<5_000 {
            let key = Int(generator.next() % 200)
            if Bool.random(using: &generator) {
                cache.insert(key, for: key)
                order.removeAll { $0 == key }
                order.append(key)
                if order.count > 64 { order.removeFirst() }
            } else if cache.value(for: key) != nil {
                order.removeAll { $0 == key }
                order.append(key)
            }
            #expect(cache.statistics.cost <= 64)
        }
        #expect(Set(order) == Set((0..<200).filter { cache.value(for: $0) != nil }))
    }
}

struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
