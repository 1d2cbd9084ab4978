import DynamicLibrary
import Foundation
import Synchronization

/// espeak-ng's text-to-phoneme function, loaded at run time.
///
/// espeak-ng keeps global state (the current voice), so every call holds one lock; the
/// library is opened once per process and shared.
public final class ESpeak: Sendable {
    private typealias Initialize = @convention(c) (Int32, Int32, UnsafePointer<CChar>?, Int32) -> Int32
    private typealias SetVoiceByName = @convention(c) (UnsafePointer<CChar>) -> Int32
    private typealias SetVoiceByProperties = @convention(c) (UnsafeMutableRawPointer) -> Int32
    private typealias TextToPhonemes = @convention(c) (UnsafeMutablePointer<UnsafeRawPointer?>, Int32, Int32) -> UnsafePointer<CChar>?
    private typealias Info = @convention(c) (UnsafeMutablePointer<UnsafePointer<CChar>?>?) -> UnsafePointer<CChar>?

    private struct State: ~Copyable { var voice: String? }

    /// The library's own version string, e.g. `1.51`.
    public let version: String
    /// Where the library was loaded from.
    public let libraryPath: String
    private let library: DynamicLibrary
    private let setVoiceByName: SetVoiceByName
    private let setVoiceByProperties: SetVoiceByProperties
    private let textToPhonemes: TextToPhonemes
    private let state = Mutex(State(voice: nil))

    /// The process-wide instance from `library` (nil: the usual names) with `dataPath`
    /// (nil: espeak-ng's own data), loaded on first use: espeak-ng keeps global state, so
    /// each library and data folder is initialized once.
    public static func shared(library: String? = nil, dataPath: String? = nil) throws(PhonemizerError) -> ESpeak {
        let key = [library ?? "", dataPath ?? ""]
        return try loaded.withLock { loaded in
            if let result = loaded[key] { return result }
            let result = Result { () throws(PhonemizerError) in
                try ESpeak(libraryCandidates: library.map { [$0] } ?? defaultCandidates, dataPath: dataPath)
            }
            loaded[key] = result
            return result
        }.get()
    }

    private static let loaded = Mutex<[[String]: Result<ESpeak, PhonemizerError>]>([:])

    public static let defaultCandidates = [
        "libespeak-ng.so.1", "libespeak-ng.so", "libespeak-ng.dylib",
        "/opt/homebrew/lib/libespeak-ng.dylib", "/usr/local/lib/libespeak-ng.dylib",
    ]

    public init(libraryCandidates: [String], dataPath: String? = nil) throws(PhonemizerError) {
        do {
            library = try DynamicLibrary(candidates: libraryCandidates)
            let initialize = try library.function("espeak_Initialize", as: Initialize.self)
            setVoiceByName = try library.function("espeak_SetVoiceByName", as: SetVoiceByName.self)
            setVoiceByProperties = try library.function("espeak_SetVoiceByProperties", as: SetVoiceByProperties.self)
            textToPhonemes = try library.function("espeak_TextToPhonemes", as: TextToPhonemes.self)
            let info = try library.function("espeak_Info", as: Info.self)
            // AUDIO_OUTPUT_RETRIEVAL (1): no sound device; espeakINITIALIZE_DONT_EXIT (0x8000).
            let rate = initialize(1, 0, dataPath, 0x8000)
            guard rate > 0 else {
                throw PhonemizerError.espeakUnavailable("espeak_Initialize failed (is espeak-ng-data installed\(dataPath.map { " at \($0)" } ?? "")?)")
            }
            version = info(nil).map { String(cString: $0) } ?? "unknown"
            libraryPath = library.path
        } catch let error as DynamicLibraryError {
            throw .espeakUnavailable(error.description)
        } catch let error as PhonemizerError {
            throw error
        } catch {
            throw .espeakUnavailable("\(error)")
        }
    }

    /// Selects the best voice for a language code (`en-gb`, `pt-br`), as espeak's own
    /// `-v` does, through an `espeak_VOICE` spec with only its `languages` field set.
    private func select(language: String) -> Bool {
        // struct espeak_VOICE { char *name, *languages, *identifier; uint8 gender, age, variant, xx1; int score; void *spare; }
        let size = 3 * MemoryLayout<UnsafeRawPointer>.stride + 8 + MemoryLayout<UnsafeRawPointer>.stride
        let spec = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: MemoryLayout<UnsafeRawPointer>.alignment)
        defer { spec.deallocate() }
        spec.initializeMemory(as: UInt8.self, repeating: 0, count: size)
        return language.withCString { code in
            spec.storeBytes(of: code, toByteOffset: MemoryLayout<UnsafeRawPointer>.stride, as: UnsafePointer<CChar>.self)
            return setVoiceByProperties(spec) == 0
        }
    }

    /// espeak-ng's IPA for `text` in `voice` (an espeak voice name such as `en-us`), with
    /// stress marks and `^` joining the letters of one phoneme (`a^ɪ`). Clauses are joined
    /// by a space; espeak drops punctuation, so callers keep their own.
    public func ipa(_ text: String, voice: String) throws(PhonemizerError) -> String {
        try state.withLock { (state: inout State) throws(PhonemizerError) -> String in
            if state.voice != voice {
                guard select(language: voice) || setVoiceByName(voice) == 0 else {
                    throw .espeakFailed("espeak-ng has no voice for \(voice) (is espeak-ng-data complete?)")
                }
                state.voice = voice
            }
            // Bit 1: IPA; bit 7: bits 8-23 hold a tie character placed inside multi-letter phonemes.
            let mode = Int32(0x02 | 0x80 | (Int32(UInt8(ascii: "^")) << 8))
            var clauses: [String] = []
            text.withCString { start in
                var cursor: UnsafeRawPointer? = UnsafeRawPointer(start)
                while cursor != nil {
                    guard let output = textToPhonemes(&cursor, 1, mode) else { break }
                    let clause = String(cString: output).trimmingCharacters(in: .whitespaces)
                    if !clause.isEmpty { clauses.append(clause) }
                }
            }
            return clauses.joined(separator: " ")
        }
    }
}
