import Foundation

/// A reader for the JSON subset of pypinyin's dictionaries (objects, arrays, strings).
///
/// Foundation's JSON decoders build every value as a boxed object first; reading the bytes
/// straight into the tables takes a fraction of the time (see `MandarinG2P`'s load time).
struct JSONReader {
    struct Malformed: Error {}

    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0

    /// Runs `body` with a reader over the file's bytes.
    static func read<T>(_ url: URL, _ body: (inout JSONReader) throws -> T) throws -> T {
        let data = try Data(contentsOf: url)
        return try data.withUnsafeBytes { raw in
            var reader = JSONReader(bytes: raw.bindMemory(to: UInt8.self))
            let result = try body(&reader)
            reader.skipWhitespace()
            guard reader.index == reader.bytes.count else { throw Malformed() }
            return result
        }
    }

    private init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    /// `{ "key": value, ... }`, with `member` reading each value.
    mutating func object(_ member: (inout JSONReader, String) throws -> Void) throws {
        try expect(UInt8(ascii: "{"))
        try elements(until: UInt8(ascii: "}")) { reader in
            let key = try reader.string()
            try reader.expect(UInt8(ascii: ":"))
            try member(&reader, key)
        }
    }

    /// `[ value, ... ]`, with `element` reading each value.
    mutating func array(_ element: (inout JSONReader) throws -> Void) throws {
        try expect(UInt8(ascii: "["))
        try elements(until: UInt8(ascii: "]"), element)
    }

    mutating func string() throws -> String {
        try expect(UInt8(ascii: "\""))
        let start = index
        while index < bytes.count && bytes[index] != UInt8(ascii: "\"") {
            if bytes[index] == UInt8(ascii: "\\") { return try escapedString(from: start) }
            index += 1
        }
        guard index < bytes.count else { throw Malformed() }
        index += 1
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index - 1]), as: UTF8.self)
    }

    /// A string with backslash escapes, left to JSONSerialization (pypinyin's files have none).
    private mutating func escapedString(from start: Int) throws -> String {
        var end = start
        while end < bytes.count && bytes[end] != UInt8(ascii: "\"") { end += bytes[end] == UInt8(ascii: "\\") ? 2 : 1 }
        guard end < bytes.count else { throw Malformed() }
        index = end + 1
        let literal = Data(UnsafeBufferPointer(rebasing: bytes[start - 1...end]))
        guard let string = try JSONSerialization.jsonObject(with: literal, options: .fragmentsAllowed) as? String else {
            throw Malformed()
        }
        return string
    }

    private mutating func elements(until close: UInt8, _ element: (inout JSONReader) throws -> Void) throws {
        skipWhitespace()
        if index < bytes.count && bytes[index] == close {
            index += 1
            return
        }
        while true {
            try element(&self)
            skipWhitespace()
            guard index < bytes.count else { throw Malformed() }
            let separator = bytes[index]
            index += 1
            if separator == close { return }
            guard separator == UInt8(ascii: ",") else { throw Malformed() }
        }
    }

    private mutating func expect(_ byte: UInt8) throws {
        skipWhitespace()
        guard index < bytes.count && bytes[index] == byte else { throw Malformed() }
        index += 1
    }

    private mutating func skipWhitespace() {
        while index < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[index]) { index += 1 }
    }
}
