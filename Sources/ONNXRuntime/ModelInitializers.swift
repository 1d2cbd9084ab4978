import Foundation

/// A weight tensor an ONNX model stores inline in its file (`TensorProto.raw_data`).
public struct ModelInitializer: Sendable, Equatable {
    public let name: String
    public let elementType: TensorElementType
    public let shape: [Int64]
    /// Where the tensor's bytes lie, as offsets from the start of the model data.
    public let byteRange: Range<Int>

    public var byteCount: Int { byteRange.count }
}

/// Lists a model's top-level initializers by reading the ONNX protobuf wire format directly,
/// so weights can be loaded once for many sessions without a protobuf dependency.
///
/// Only tensors held as `raw_data` with an element type `TensorElementType` knows are
/// listed; those in typed fields (`float_data`, …) or external files are left to ORT.
public enum ModelInitializers {
    /// The initializers of the model in `data`, in file order.
    public static func read(_ data: Data) throws(ORTError) -> [ModelInitializer] {
        // `withUnsafeBytes` only rethrows untyped errors, so the typed one travels in a Result.
        try data.withUnsafeBytes { bytes in Result { () throws(ORTError) in
            var initializers: [ModelInitializer] = []
            // ModelProto.graph = 7, GraphProto.initializer = 5.
            for graph in try WireReader(bytes, range: 0..<bytes.count).fields() where graph.number == 7 {
                for tensor in try WireReader(bytes, range: try graph.bytes()).fields() where tensor.number == 5 {
                    if let initializer = try initializer(bytes, range: try tensor.bytes()) {
                        initializers.append(initializer)
                    }
                }
            }
            return initializers
        } }.get()
    }

    /// Reads one `TensorProto`; nil when its data is not inline `raw_data` of a known type.
    private static func initializer(_ bytes: UnsafeRawBufferPointer, range: Range<Int>) throws(ORTError) -> ModelInitializer? {
        var name: String?
        var dataType: UInt64?
        var shape: [Int64] = []
        var raw: Range<Int>?
        for field in try WireReader(bytes, range: range).fields() {
            switch field.number {
            case 1 where field.wireType == .varint:  // dims, one per field
                shape.append(Int64(bitPattern: field.value))
            case 1:  // dims, packed
                var packed = WireReader(bytes, range: try field.bytes())
                while !packed.isAtEnd { shape.append(Int64(bitPattern: try packed.varint())) }
            case 2:
                dataType = field.value
            case 8:
                name = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[try field.bytes()]), as: UTF8.self)
            case 9:
                raw = try field.bytes()
            default:
                continue
            }
        }
        guard let name, let raw, let dataType, let type = Int32(exactly: dataType).flatMap(TensorElementType.init(rawValue:)),
              let width = type.byteWidth, byteCount(shape: shape, width: width) == raw.count else { return nil }
        return ModelInitializer(name: name, elementType: type, shape: shape, byteRange: raw)
    }

    /// The bytes a tensor of `shape` needs; nil for a negative or overflowing shape (a damaged file).
    private static func byteCount(shape: [Int64], width: Int) -> Int? {
        var total = width
        for dimension in shape {
            guard let size = Int(exactly: dimension), size >= 0 else { return nil }
            let (product, overflow) = total.multipliedReportingOverflow(by: size)
            if overflow { return nil }
            total = product
        }
        return total
    }
}

/// A cursor over protobuf wire-format fields within `range` of `bytes`.
private struct WireReader {
    enum WireType: UInt64 {
        case varint = 0, fixed64 = 1, lengthDelimited = 2, fixed32 = 5
    }

    struct Field {
        let number: UInt64
        let wireType: WireType
        /// The varint or fixed value; for a length-delimited field, its length.
        let value: UInt64
        /// Where a length-delimited field's payload starts.
        let offset: Int

        func bytes() throws(ORTError) -> Range<Int> {
            guard wireType == .lengthDelimited else { throw WireReader.malformed("field \(number) is not length-delimited") }
            return offset..<(offset + Int(value))
        }
    }

    private let bytes: UnsafeRawBufferPointer
    private let end: Int
    private var position: Int

    init(_ bytes: UnsafeRawBufferPointer, range: Range<Int>) {
        self.bytes = bytes
        self.position = range.lowerBound
        self.end = range.upperBound
    }

    var isAtEnd: Bool { position >= end }

    static func malformed(_ why: String) -> ORTError { .invalidArgument("not an ONNX model: \(why)") }

    mutating func varint() throws(ORTError) -> UInt64 {
        var result: UInt64 = 0
        for shift in stride(from: UInt64(0), to: 64, by: 7) {
            guard position < end else { throw Self.malformed("truncated varint") }
            let byte = bytes[position]
            position += 1
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return result }
        }
        throw Self.malformed("varint longer than 10 bytes")
    }

    /// Every field until the end of the range; payloads are skipped, not copied.
    func fields() throws(ORTError) -> [Field] {
        var reader = self
        var fields: [Field] = []
        while !reader.isAtEnd {
            let key = try reader.varint()
            guard let wireType = WireType(rawValue: key & 7) else { throw Self.malformed("wire type \(key & 7)") }
            let value: UInt64
            switch wireType {
            case .varint: value = try reader.varint()
            case .fixed64: value = try reader.fixed(8)
            case .fixed32: value = try reader.fixed(4)
            case .lengthDelimited: value = try reader.varint()
            }
            let offset = reader.position
            if wireType == .lengthDelimited {
                guard value <= UInt64(reader.end - offset) else { throw Self.malformed("field \(key >> 3) runs past its message") }
                reader.position += Int(value)
            }
            fields.append(Field(number: key >> 3, wireType: wireType, value: value, offset: offset))
        }
        return fields
    }

    private mutating func fixed(_ width: Int) throws(ORTError) -> UInt64 {
        guard end - position >= width else { throw Self.malformed("truncated fixed-width field") }
        var result: UInt64 = 0
        for index in 0..<width { result |= UInt64(bytes[position + index]) << (8 * UInt64(index)) }
        position += width
        return result
    }
}
