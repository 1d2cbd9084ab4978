import Foundation
import Synchronization
import ZIPFoundation

/// Every voice found in the configured voice packs, loaded on first use and kept.
///
/// Packs are `.npz` archives (stored or deflated `.npy` members, as kokoro-onnx's
/// `voices-v1.0.bin` and the official Hugging Face files are), single `.npy` files, or
/// folders of them. Only the index is read at start; a voice's 510 KB are read when a
/// request first names it, so start-up stays fast with 54 voices.
public final class VoiceLibrary: Sendable {
    private enum Location: Sendable {
        case archiveMember(URL, String)
        case file(URL)
    }

    /// Every voice name, sorted.
    public let names: [String]
    private let locations: [String: Location]
    private let loaded = Mutex<[String: VoiceStyle]>([:])

    /// Indexes the voice packs at `paths` (later packs override earlier ones by name).
    public init(paths: [URL]) throws(VoiceError) {
        var locations: [String: Location] = [:]
        for path in paths {
            for (name, location) in try Self.index(path) { locations[name] = location }
        }
        guard !locations.isEmpty else { throw .noVoices(paths.map(\.path)) }
        self.locations = locations
        self.names = locations.keys.sorted()
    }

    private static func index(_ url: URL) throws(VoiceError) -> [(String, Location)] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw .unreadable(url.path, "no such file or folder")
        }
        if isDirectory.boolValue {
            let children = (try? FileManager.default.contentsOfDirectory(at: url, includingPropertiesForKeys: nil)) ?? []
            var found: [(String, Location)] = []
            for child in children.filter({ ["npz", "npy", "bin"].contains($0.pathExtension) })
                .sorted(by: { $0.lastPathComponent < $1.lastPathComponent }) {
                found += try index(child)
            }
            return found
        }
        if url.pathExtension == "npy" {
            return [(url.deletingPathExtension().lastPathComponent, .file(url))]
        }
        let archive: Archive
        do { archive = try Archive(url: url, accessMode: .read) } catch {
            throw .unreadable(url.path, "not a voice pack (.npz zip archive): \(error)")
        }
        return archive.compactMap { entry in
            guard entry.type == .file, entry.path.hasSuffix(".npy") else { return nil }
            let name = String(entry.path.dropLast(4).split(separator: "/").last ?? "")
            return (try? VoiceBlend.validate(name: name)) == nil ? nil : (name, .archiveMember(url, entry.path))
        }
    }

    public func contains(_ name: String) -> Bool { locations[name] != nil }

    /// One voice by name, read and validated on first use.
    public func voice(named name: String) throws(VoiceError) -> VoiceStyle {
        try VoiceBlend.validate(name: name)
        if let cached = loaded.withLock({ $0[name] }) { return cached }
        guard let location = locations[name] else {
            throw .unknownVoice(name, suggestions: suggestions(for: name), available: names.count)
        }
        let voice = try VoiceStyle(NPYArray(npy: try Self.read(location), name: name), name: name)
        loaded.withLock { $0[name] = voice }
        return voice
    }

    /// A voice or a blend (`af_bella(2)+af_sky(1)`), as one style tensor.
    public func resolve(_ spec: String) throws(VoiceError) -> VoiceStyle {
        let blend = try VoiceBlend(parsing: spec)
        if blend.isSingleVoice { return try voice(named: blend.terms[0].name) }
        var terms: [(voice: VoiceStyle, weight: Float)] = []
        for (term, weight) in zip(blend.terms, blend.normalizedWeights) {
            terms.append((try voice(named: term.name), weight))
        }
        return VoiceStyle.weightedSum(terms)
    }

    /// Up to three known names closest to `name`, for "did you mean" messages.
    public func suggestions(for name: String) -> [String] {
        let scored = names.map { ($0, Self.editDistance(Array(name.lowercased()), Array($0))) }
        return scored.filter { $0.1 <= max(2, name.count / 3) }
            .sorted { $0.1 == $1.1 ? $0.0 < $1.0 : $0.1 < $1.1 }
            .prefix(3).map(\.0)
    }

    private static func read(_ location: Location) throws(VoiceError) -> Data {
        switch location {
        case .file(let url):
            do { return try Data(contentsOf: url) } catch { throw .unreadable(url.path, "\(error.localizedDescription)") }
        case .archiveMember(let url, let member):
            do {
                let archive = try Archive(url: url, accessMode: .read)
                guard let entry = archive[member] else { throw VoiceError.unreadable(url.path, "\(member) vanished") }
                var data = Data()
                _ = try archive.extract(entry, skipCRC32: false) { data.append($0) }
                return data
            } catch let error as VoiceError {
                throw error
            } catch {
                throw .malformed("\(url.lastPathComponent):\(member)", "\(error)")
            }
        }
    }

    private static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        var previous = Array(0...b.count)
        for (i, x) in a.enumerated() {
            var current = [i + 1]
            for (j, y) in b.enumerated() {
                current.append(min(previous[j + 1] + 1, current[j] + 1, previous[j] + (x == y ? 0 : 1)))
            }
            previous = current
        }
        return previous[b.count]
    }
}
