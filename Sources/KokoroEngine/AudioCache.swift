import BoundedCache

/// Audio of recent (tokens, style, speed) runs, with their timing, so a repeated phrase (a UI prompt, a
/// notification) streams in milliseconds instead of a model run.
public struct AudioCache: Sendable {
    struct Key: Hashable, Sendable {
        let tokens: [Int64]
        let style: [Float]
        let speed: Float
    }

    private let entries: LRUCache<Key, SentenceAudio>

    /// `capacityBytes` of samples and keys are kept; 0 disables the cache.
    public init(capacityBytes: Int) {
        entries = LRUCache(capacity: capacityBytes) { key, sentence in
            (sentence.samples.count + key.style.count) * MemoryLayout<Float>.size
                + key.tokens.count * MemoryLayout<Int64>.size
                + ((sentence.timing?.tokenFrames.count ?? 0) + (sentence.timing?.soundStarts.count ?? 0)) * MemoryLayout<Int>.size
        }
    }

    public var statistics: CacheStatistics { entries.statistics }

    func sentence(tokens: [Int64], style: ArraySlice<Float>, speed: Float) -> SentenceAudio? {
        entries.value(for: Key(tokens: tokens, style: Array(style), speed: speed))
    }

    func store(_ sentence: SentenceAudio, tokens: [Int64], style: ArraySlice<Float>, speed: Float) {
        entries.insert(sentence, for: Key(tokens: tokens, style: Array(style), speed: speed))
    }
}
