import Foundation

/// One dictionary entry: a pronunciation, or pronunciations keyed by part of speech.
enum LexiconEntry: Sendable {
    case word(String)
    /// `DEFAULT` is always present; a key may map to nil ("no pronunciation for this tag"),
    /// which sends the word to spelling out.
    case tagged([String: String?])
}

/// Reads misaki's `{word: phonemes | {tag: phonemes | null}}` JSON.
///
/// A dedicated byte parser, because the four files hold 300,000 entries and the general
/// JSON decoders take several times our 300 ms start-up budget to build them.
struct LexiconFile {
    enum ParseError: Error, CustomStringConvertible {
        case malformed(String, Int)
        var description: String {
            switch self {
            case .malformed(let path, let offset): "malformed misaki dictionary \(path) near byte \(offset)"
            }
        }
    }

    static func load(_ url: URL) throws -> [String: LexiconEntry] {
        let data = try Data(contentsOf: url)
        return try data.withUnsafeBytes { raw in
            var parser = Parser(bytes: raw.bindMemory(to: UInt8.self), path: url.path)
            return try parser.parseTop()
        }
    }

    private struct Parser {
        let bytes: UnsafeBufferPointer<UInt8>
        let path: String
        var i = 0

        init(bytes: UnsafeBufferPointer<UInt8>, path: String) {
            self.bytes = bytes
            self.path = path
        }

        func fail() -> ParseError { .malformed(path, i) }

        mutating func skipSpace() {
            while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i += 1 }
        }

        mutating func expect(_ byte: UInt8) throws {
            skipSpace()
            guard i < bytes.count, bytes[i] == byte else { throw fail() }
            i += 1
        }

        mutating func peek() -> UInt8? {
            skipSpace()
            return i < bytes.count ? bytes[i] : nil
        }

        mutating func parseTop() throws -> [String: LexiconEntry] {
            var result: [String: LexiconEntry] = [:]
            result.reserveCapacity(100_000)
            try expect(UInt8(ascii: "{"))
            if peek() == UInt8(ascii: "}") { i += 1; return result }
            while true {
                let key = try parseString()
                try expect(UInt8(ascii: ":"))
                if peek() == UInt8(ascii: "{") {
                    result[key] = .tagged(try parseTagged())
                } else {
                    result[key] = .word(try parseString())
                }
                guard let next = peek() else { throw fail() }
                i += 1
                if next == UInt8(ascii: "}") { return result }
                guard next == UInt8(ascii: ",") else { throw fail() }
            }
        }

        mutating func parseTagged() throws -> [String: String?] {
            var result: [String: String?] = [:]
            try expect(UInt8(ascii: "{"))
            while true {
                let key = try parseString()
                try expect(UInt8(ascii: ":"))
                if peek() == UInt8(ascii: "n") {
                    guard i + 4 <= bytes.count else { throw fail() }
                    i += 4
                    result[key] = .some(nil)
                } else {
                    result[key] = try parseString()
                }
                guard let next = peek() else { throw fail() }
                i += 1
                if next == UInt8(ascii: "}") { break }
                guard next == UInt8(ascii: ",") else { throw fail() }
            }
            guard result["DEFAULT"] != nil else { throw fail() }
            return result
        }

        mutating func parseString() throws -> String {
            try expect(UInt8(ascii: "\""))
            let start = i
            var simple = true
            while i < bytes.count, bytes[i] != UInt8(ascii: "\"") {
                if bytes[i] == UInt8(ascii: "\\") { simple = false; i += 1 }
                i += 1
            }
            guard i < bytes.count else { throw fail() }
            let slice = UnsafeBufferPointer(rebasing: bytes[start..<i])
            i += 1
            if simple { return String(decoding: slice, as: UTF8.self) }
            return try unescape(slice)
        }

        func unescape(_ slice: UnsafeBufferPointer<UInt8>) throws -> String {
            var scalars = String.UnicodeScalarView()
            var utf8: [UInt8] = []
            func flush() {
                if !utf8.isEmpty { scalars.append(contentsOf: String(decoding: utf8, as: UTF8.self).unicodeScalars); utf8 = [] }
            }
            var j = 0
            var pendingHigh: UInt32?
            while j < slice.count {
                let b = slice[j]
                guard b == UInt8(ascii: "\\"), j + 1 < slice.count else { utf8.append(b); j += 1; continue }
                let e = slice[j + 1]
                j += 2
                switch e {
                case UInt8(ascii: "n"): utf8.append(0x0A)
                case UInt8(ascii: "t"): utf8.append(0x09)
                case UInt8(ascii: "u"):
                    guard j + 4 <= slice.count,
                          let code = UInt32(String(decoding: UnsafeBufferPointer(rebasing: slice[j..<j + 4]), as: UTF8.self), radix: 16)
                    else { throw fail() }
                    j += 4
                    flush()
                    if (0xD800..<0xDC00).contains(code) {
                        pendingHigh = code
                    } else if let high = pendingHigh, (0xDC00..<0xE000).contains(code) {
                        pendingHigh = nil
                        if let scalar = Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (code - 0xDC00)) { scalars.append(scalar) }
                    } else if let scalar = Unicode.Scalar(code) {
                        scalars.append(scalar)
                    }
                default: utf8.append(e)
                }
            }
            flush()
            return String(scalars)
        }
    }
}
