import BoundedCache

/// Audio of recent (tokens, style, speed) runs, so a repeated phrase (a UI prompt, a
/// notification) streams in milliseconds instead of a model run.
public struct AudioCache: Sendable {
    struct Key: Hashable, Sendable {
        let tokens: [Int64]
        let style: [Float]
        let speed: Float
    }

    private let entries: LRUCache<Key, [Float]>

    /// `capacityBytes` of samples and keys are kept; 0 disables the cache.
    public init(capacityBytes: Int) {
        entries = LRUCache(capacity: capacityBytes) { key, samples in
            (samples.count + key.style.count) * MemoryLayout<Float>.size + key.tokens.count * MemoryLayout<Int64>.size
        }
    }

    public var statistics: CacheStatistics { entries.statistics }

    public func samples(tokens: [Int64], style: ArraySlice<Float>, speed: Float) -> [Float]? {
        entries.value(for: Key(tokens: tokens, style: Array(style), speed: speed))
    }

    public func store(_ samples: [Float], tokens: [Int64], style: ArraySlice<Float>, speed: Float) {
        entries.insert(samples, for: Key(tokens: tokens, style: Array(style), speed: speed))
    }
}
