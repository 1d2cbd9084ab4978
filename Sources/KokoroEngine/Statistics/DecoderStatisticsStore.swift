import BoundedCache
import Foundation
import KokoroVoices

/// Every voice's decoder statistics: read from `decoder-statistics/` (set-up calibrates the
/// default voice there, the server any other on first use), kept in memory for the voices
/// in use, and written there when the server has calibrated one.
public final class DecoderStatisticsStore: Sendable {
    public let calibration: DecoderCalibration
    public let directory: URL
    /// By canonical voice or blend; a voice's statistics are 725 KB.
    private let cache: LRUCache<String, VoiceStatistics>

    public static let directoryName = "decoder-statistics"

    /// The store in `directory`, nil when set-up made no calibration there.
    public init?(directory: URL, cacheBytes: Int = 16 << 20) throws(EngineError) {
        let file = directory.appendingPathComponent(DecoderCalibration.fileName)
        guard FileManager.default.fileExists(atPath: file.path) else { return nil }
        calibration = try DecoderCalibration(contentsOf: file)
        self.directory = directory
        cache = LRUCache(capacity: cacheBytes) { _, statistics in statistics.byteCount }
    }

    /// What a voice (a name or a blend) needs before its sentences can be decoded in windows.
    public enum Lookup: Sendable {
        case ready(VoiceStatistics)
        /// These voices (or this blend) must be calibrated first.
        case missing([String])
    }

    /// `voice`'s statistics: a voice's own; a blend of positive weights, its voices' mixed by
    /// weight; a blend with a subtracted voice, its own calibration.
    public func lookup(_ voice: String, in voices: VoiceLibrary) -> Lookup {
        guard let blend = try? VoiceBlend(parsing: voice) else { return .missing([]) }
        if let known = cache.value(for: blend.canonical) { return .ready(known) }
        let weights = blend.normalizedWeights
        if blend.isSingleVoice || weights.contains(where: { $0 <= 0 }) {
            guard let style = try? voices.resolve(voice), let statistics = stored(blend.canonical, style: style) else {
                return .missing([voice])
            }
            return .ready(statistics)
        }
        var terms: [(statistics: VoiceStatistics, weight: Float)] = []
        var missing: [String] = []
        for (term, weight) in zip(blend.terms, weights) {
            guard let style = try? voices.resolve(term.name), let statistics = stored(term.name, style: style) else {
                missing.append(term.name)
                continue
            }
            terms.append((statistics, weight))
        }
        guard missing.isEmpty, let mixed = VoiceStatistics.blend(terms) else { return .missing(Array(Set(missing)).sorted()) }
        cache.insert(mixed, for: blend.canonical)
        return .ready(mixed)
    }

    /// Keeps a voice's newly calibrated statistics and writes them atomically beside set-up's.
    public func store(_ statistics: VoiceStatistics, voice: String, style: VoiceStyle) throws {
        let key = try VoiceBlend(parsing: voice).canonical
        try statistics.array(voice: style).npyData().write(to: file(key), options: .atomic)
        cache.insert(statistics, for: key)
    }

    /// From memory, else from the voice's file if it was calibrated with these style rows.
    private func stored(_ key: String, style: VoiceStyle) -> VoiceStatistics? {
        if let known = cache.value(for: key) { return known }
        guard let data = try? Data(contentsOf: file(key), options: .alwaysMapped),
              let array = try? NPYArray(npy: data, name: key),
              let statistics = VoiceStatistics(array, calibration: calibration, voice: style) else { return nil }
        cache.insert(statistics, for: key)
        return statistics
    }

    /// Voices and blends with a statistics file (checked against the voice when used).
    public var calibratedVoices: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(".npy") }.map { String($0.dropLast(4)) }.sorted()
    }

    private func file(_ key: String) -> URL { directory.appendingPathComponent("\(key).npy") }
}
