import DynamicLibrary
import Foundation
import Synchronization

/// MeCab, the morphological analyser cutlet reads Japanese with, loaded at run time.
///
/// It is opened with `dlopen` rather than linked so that the binary runs without it: only
/// Japanese needs it, and without it Japanese is refused with an error saying how to install
/// it. A tagger is not thread-safe, so every parse holds one lock.
final class MeCab: Sendable {
    private typealias New = @convention(c) (Int32, UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> OpaquePointer?
    private typealias SparseToNode = @convention(c) (OpaquePointer, UnsafePointer<CChar>, Int) -> UnsafeRawPointer?
    private typealias StrError = @convention(c) (OpaquePointer?) -> UnsafePointer<CChar>?
    private typealias Destroy = @convention(c) (OpaquePointer) -> Void
    private typealias Version = @convention(c) () -> UnsafePointer<CChar>?

    /// A word as MeCab found it: its text and where it is in the parsed text (UTF-8 offsets),
    /// its dictionary features (comma-separated) and what fugashi calls `char_type` and `is_unk`.
    struct Node {
        var surface: String
        var utf8Range: Range<Int>
        var feature: String
        /// The character class (char.def) of the word's first character; 3 is SYMBOL, 6 HIRAGANA, 7 KATAKANA.
        var characterType: UInt8
        /// Not in the dictionary: MeCab made the word up from its unknown-word rules.
        var isUnknown: Bool
    }

    /// The library's own version string, e.g. `0.996`.
    let version: String
    /// Where the library was loaded from.
    let libraryPath: String
    private let library: DynamicLibrary
    private let sparseToNode: SparseToNode
    private let destroy: Destroy
    private let tagger: Mutex<Tagger>

    /// The `mecab_t *`, used only under the lock.
    private struct Tagger: @unchecked Sendable { let pointer: OpaquePointer }

    static let defaultCandidates = [
        "libmecab.so.2", "libmecab.so", "libmecab.2.dylib", "libmecab.dylib",
        "/opt/homebrew/lib/libmecab.dylib", "/usr/local/lib/libmecab.dylib",
    ]

    /// A tagger on the compiled dictionary in `dictionary` (its `dicrc`, `sys.dic`, ...), with
    /// that folder's `mecabrc`, as fugashi opens unidic-lite.
    init(libraryCandidates: [String], dictionary: URL) throws(JapaneseG2PError) {
        do {
            library = try DynamicLibrary(candidates: libraryCandidates)
            let new = try library.function("mecab_new", as: New.self)
            let strerror = try library.function("mecab_strerror", as: StrError.self)
            sparseToNode = try library.function("mecab_sparse_tonode2", as: SparseToNode.self)
            destroy = try library.function("mecab_destroy", as: Destroy.self)
            version = try library.function("mecab_version", as: Version.self)().map { String(cString: $0) } ?? "unknown"
            libraryPath = library.path
            // An argv array, not mecab_new2's one string, so paths with spaces need no quoting.
            let arguments = ["mecab", "-d", dictionary.path, "-r", dictionary.appendingPathComponent("mecabrc").path]
            var argv = arguments.map { strdup($0) }
            defer { argv.forEach { free($0) } }
            guard let created = new(Int32(argv.count), &argv) else {
                let why = strerror(nil).map { String(cString: $0) } ?? "unknown error"
                throw JapaneseG2PError.dictionaryUnreadable(dictionary.path, why)
            }
            tagger = Mutex(Tagger(pointer: created))
        } catch let error as DynamicLibraryError {
            throw .mecabUnavailable(error.description)
        } catch let error as JapaneseG2PError {
            throw error
        } catch {
            throw .mecabUnavailable("\(error)")
        }
    }

    deinit { tagger.withLock { destroy($0.pointer) } }

    /// The words of `text` in order, without MeCab's sentence-boundary nodes.
    func parse(_ text: String) -> [Node] {
        tagger.withLock { tagger in
            var nodes: [Node] = []
            var utf8 = Array(text.utf8)
            utf8.append(0)
            utf8.withUnsafeBufferPointer { buffer in
                buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) { start in
                    var node = sparseToNode(tagger.pointer, start, buffer.count - 1)
                    while let current = node {
                        let fields = NodeLayout(current)
                        if fields.status != NodeLayout.beginning && fields.status != NodeLayout.end {
                            let offset = fields.start.map { UnsafeRawPointer(start).distance(to: UnsafeRawPointer($0)) } ?? 0
                            nodes.append(Node(
                                surface: fields.surface, utf8Range: offset..<offset + fields.length, feature: fields.feature,
                                characterType: fields.characterType, isUnknown: fields.status == NodeLayout.unknown
                            ))
                        }
                        node = fields.next
                    }
                }
            }
            return nodes
        }
    }
}

/// The fields of MeCab's `mecab_node_t` (mecab.h, 0.996) that cutlet reads, at their offsets:
/// eight pointers (prev, next, enext, bnext, rpath, lpath, surface, feature), then
/// `unsigned int id; unsigned short length, rlength, rcAttr, lcAttr, posid;`
/// `unsigned char char_type, stat;`.
private struct NodeLayout {
    static let unknown: UInt8 = 1, beginning: UInt8 = 2, end: UInt8 = 3
    private static let pointer = MemoryLayout<UnsafeRawPointer>.stride

    let next: UnsafeRawPointer?
    let start: UnsafePointer<UInt8>?
    let length: Int
    let surface: String
    let feature: String
    let characterType: UInt8
    let status: UInt8

    init(_ node: UnsafeRawPointer) {
        let p = Self.pointer
        next = node.load(fromByteOffset: p, as: UnsafeRawPointer?.self)
        let length = Int(node.load(fromByteOffset: 8 * p + 4, as: UInt16.self))
        // The surface points into the input and is not terminated: `length` bytes are the word.
        let start = node.load(fromByteOffset: 6 * p, as: UnsafePointer<UInt8>?.self)
        surface = start.map { String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self) } ?? ""
        self.length = length
        self.start = start
        feature = node.load(fromByteOffset: 7 * p, as: UnsafePointer<CChar>?.self).map { String(cString: $0) } ?? ""
        characterType = node.load(fromByteOffset: 8 * p + 14, as: UInt8.self)
        status = node.load(fromByteOffset: 8 * p + 15, as: UInt8.self)
    }
}
