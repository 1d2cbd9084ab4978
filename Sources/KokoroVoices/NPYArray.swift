import Foundation

/// A float32 array read from NumPy's `.npy` format, the format Kokoro voices ship in.
public struct NPYArray: Sendable, Equatable {
    public let shape: [Int]
    public let values: [Float]

    public init(shape: [Int], values: [Float]) {
        self.shape = shape
        self.values = values
    }

    /// Parses `.npy` bytes (format versions 1–3), accepting only little-endian float32 in C order.
    public init(npy data: Data, name: String = "array") throws(VoiceError) {
        let bytes = [UInt8](data)
        let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]  // \x93NUMPY
        guard bytes.count >= 10, Array(bytes[0..<6]) == magic else {
            throw .malformed(name, "not a .npy file (bad magic)")
        }
        let major = bytes[6]
        let headerLength: Int
        let headerStart: Int
        switch major {
        case 1:
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
            headerStart = 10
        case 2, 3:
            guard bytes.count >= 12 else { throw .malformed(name, "truncated header") }
            headerLength = (8...11).reduce(0) { $0 | Int(bytes[$1]) << (8 * ($1 - 8)) }
            headerStart = 12
        default:
            throw .malformed(name, "unsupported .npy version \(major)")
        }
        guard bytes.count >= headerStart + headerLength else { throw .malformed(name, "truncated header") }
        guard let header = String(bytes: bytes[headerStart..<headerStart + headerLength], encoding: major == 3 ? .utf8 : .isoLatin1) else {
            throw .malformed(name, "unreadable header")
        }
        let descr = try Self.field("descr", in: header, name: name)
        guard descr == "'<f4'" || descr == "'=f4'" else {
            throw .wrongType(name, descr.trimmingCharacters(in: CharacterSet(charactersIn: "'")))
        }
        guard try Self.field("fortran_order", in: header, name: name) == "False" else {
            throw .malformed(name, "Fortran-ordered arrays are not supported")
        }
        let shapeText = try Self.field("shape", in: header, name: name)
        let shape = shapeText.trimmingCharacters(in: CharacterSet(charactersIn: "()"))
            .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            .compactMap { Int($0) }
        let count = shape.reduce(1, *)
        let dataStart = headerStart + headerLength
        guard bytes.count - dataStart == count * 4 else {
            throw .malformed(name, "holds \(bytes.count - dataStart) data bytes, shape \(shape) needs \(count * 4) (truncated?)")
        }
        var values = [Float](repeating: 0, count: count)
        values.withUnsafeMutableBytes { destination in
            bytes.withUnsafeBytes { source in
                destination.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[dataStart...]))
            }
        }
        #if _endian(big)
        values = values.map { Float(bitPattern: $0.bitPattern.byteSwapped) }
        #endif
        self.init(shape: shape, values: values)
    }

    /// The value of `key` in the header's Python dict literal, as written.
    private static func field(_ key: String, in header: String, name: String) throws(VoiceError) -> String {
        guard let keyRange = header.range(of: "'\(key)':") else { throw .malformed(name, "header has no \(key)") }
        let rest = header[keyRange.upperBound...].drop(while: { $0 == " " })
        if rest.first == "(" {
            guard let close = rest.firstIndex(of: ")") else { throw .malformed(name, "unterminated shape") }
            return String(rest[...close])
        }
        return String(rest.prefix(while: { $0 != "," && $0 != "}" })).trimmingCharacters(in: .whitespaces)
    }

    /// The array as `.npy` bytes (version 1), for writing test fixtures and exports.
    public func npyData() -> Data {
        let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': \(shapeText), }"
        while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        var data = Data([0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0])
        let length = UInt16(header.utf8.count)
        data.append(contentsOf: [UInt8(length & 0xFF), UInt8(length >> 8)])
        data.append(contentsOf: header.utf8)
        values.withUnsafeBytes { data.append(contentsOf: $0) }
        return data
    }
}
