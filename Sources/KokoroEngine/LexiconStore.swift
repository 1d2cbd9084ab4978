import Foundation
import KokoroPhonemizer
import Logging
import Synchronization

/// The user lexicon and the file it lives in: read at start, read again whenever the file
/// changes on disk (checked at each use, one `stat`, so an edit counts from the next
/// request), and replaced through the API (written atomically, then used at once).
///
/// An edit that does not parse keeps the lexicon in use and is logged; a file that does not
/// parse at start stops the server with the reason.
public final class LexiconStore: Sendable {
    /// The file (nil: no lexicon, and none can be stored).
    public let file: URL?
    private let vocabulary: PhonemeVocabulary?
    private let state: Mutex<State>
    private let logger = Logger(label: "kokoro.lexicon")

    private struct State {
        var lexicon = PronunciationLexicon()
        var stamp: FileStamp?
        /// Counts changes, so caches of phonemes can tell an old reading from a new one.
        var generation = 0
    }

    /// What identifies a version of the file without reading it.
    private struct FileStamp: Equatable {
        let modified: Date
        let size: Int

        init?(_ url: URL) {
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: url.path),
                  let modified = attributes[.modificationDate] as? Date, let size = attributes[.size] as? Int else { return nil }
            self.modified = modified
            self.size = size
        }
    }

    /// A missing file is an empty lexicon (the API creates it); an unreadable or invalid one
    /// throws.
    public init(file: URL?, vocabulary: PhonemeVocabulary?) throws(LexiconError) {
        self.file = file
        self.vocabulary = vocabulary
        var state = State()
        if let file, let stamp = FileStamp(file) {
            state.lexicon = try Self.read(file, vocabulary: vocabulary)
            state.stamp = stamp
        }
        self.state = Mutex(state)
    }

    /// The lexicon in use and its generation, after reading the file again if it changed.
    public func current() -> (lexicon: PronunciationLexicon, generation: Int) {
        guard let file else { return (PronunciationLexicon(), 0) }
        let stamp = FileStamp(file)
        return state.withLock { state in
            if stamp != state.stamp {
                state.stamp = stamp
                do {
                    state.lexicon = stamp == nil ? PronunciationLexicon() : try Self.read(file, vocabulary: vocabulary)
                    state.generation += 1
                    logger.info("lexicon reloaded", metadata: ["file": "\(file.path)", "entries": "\(state.lexicon.count)"])
                } catch {
                    logger.error("lexicon edit ignored, the previous one stays in use: \(error)", metadata: ["file": "\(file.path)"])
                }
            }
            return (state.lexicon, state.generation)
        }
    }

    /// Replaces the lexicon with `json` (checked first) and stores it in the file.
    @discardableResult
    public func replace(with json: Data) throws(LexiconError) -> PronunciationLexicon {
        guard let file else { throw .notConfigured }
        let lexicon = try PronunciationLexicon(json: json, vocabulary: vocabulary)
        try state.withLock { state throws(LexiconError) in
            do {
                try lexicon.json().write(to: file, options: .atomic)
            } catch {
                throw .unreadable(file.path, "cannot write it: \(error.localizedDescription)")
            }
            state.lexicon = lexicon
            state.stamp = FileStamp(file)
            state.generation += 1
        }
        return lexicon
    }

    private static func read(_ file: URL, vocabulary: PhonemeVocabulary?) throws(LexiconError) -> PronunciationLexicon {
        let data: Data
        do {
            data = try Data(contentsOf: file)
        } catch {
            throw .unreadable(file.path, error.localizedDescription)
        }
        return try PronunciationLexicon(json: data, vocabulary: vocabulary)
    }
}
