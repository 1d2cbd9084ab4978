import Foundation

/// Swift scalar types that map to an ORT tensor element type.
public protocol TensorElement: Sendable {
    static var elementType: TensorElementType { get }
}
extension Float: TensorElement { public static var elementType: TensorElementType { .float } }
extension Int64: TensorElement { public static var elementType: TensorElementType { .int64 } }
extension Int32: TensorElement { public static var elementType: TensorElementType { .int32 } }

/// Describes plain CPU memory to ORT, for tensors over Swift-owned buffers.
final class MemoryInfo: @unchecked Sendable {
    let runtime: ORTRuntime
    let pointer: OpaquePointer
    private typealias Create = @convention(c) (Int32, Int32, UnsafeMutablePointer<OpaquePointer?>) -> OpaquePointer?

    init(runtime: ORTRuntime) throws(ORTError) {
        var info: OpaquePointer?
        // OrtArenaAllocator (1), OrtMemTypeDefault (0): ordinary CPU memory.
        try runtime.check(runtime.function(.createCpuMemoryInfo, as: Create.self)(1, 0, &info))
        guard let info else { throw .invalidArgument("CreateCpuMemoryInfo returned nothing") }
        self.runtime = runtime
        self.pointer = info
    }

    deinit { runtime.release(.releaseMemoryInfo, pointer) }
}

/// A tensor owned by Swift: either inputs over a buffer this value owns, or outputs ORT made.
public final class ORTValue: @unchecked Sendable {
    let runtime: ORTRuntime
    let pointer: OpaquePointer
    /// The buffer ORT reads an input tensor from; freed after the value is released.
    private let storage: UnsafeMutableRawBufferPointer?
    private let memoryInfo: MemoryInfo?

    init(runtime: ORTRuntime, pointer: OpaquePointer) {
        self.runtime = runtime
        self.pointer = pointer
        self.storage = nil
        self.memoryInfo = nil
    }

    private typealias Create = @convention(c) (OpaquePointer, UnsafeMutableRawPointer, Int, UnsafePointer<Int64>, Int, Int32, UnsafeMutablePointer<OpaquePointer?>) -> OpaquePointer?

    convenience init<T: TensorElement>(runtime: ORTRuntime, memoryInfo: MemoryInfo, values: some Collection<T>, shape: [Int64]) throws(ORTError) {
        guard shape.reduce(1, *) == values.count, shape.allSatisfy({ $0 >= 0 }) else {
            throw .invalidArgument("\(values.count) values do not fill shape \(shape)")
        }
        try self.init(runtime: runtime, memoryInfo: memoryInfo, elementType: T.elementType, shape: shape,
                      byteCount: values.count * MemoryLayout<T>.stride) { storage in
            _ = storage.bindMemory(to: T.self).initialize(from: values)
        }
    }

    /// A tensor over a copy of `bytes`, which already hold `shape` elements of `elementType`.
    convenience init(runtime: ORTRuntime, memoryInfo: MemoryInfo, elementType: TensorElementType, shape: [Int64],
                     copying bytes: UnsafeRawBufferPointer) throws(ORTError) {
        guard let width = elementType.byteWidth, shape.allSatisfy({ $0 >= 0 }), Int(shape.reduce(1, *)) * width == bytes.count else {
            throw .invalidArgument("\(bytes.count) bytes do not fill a \(elementType) tensor of shape \(shape)")
        }
        try self.init(runtime: runtime, memoryInfo: memoryInfo, elementType: elementType, shape: shape, byteCount: bytes.count) { storage in
            storage.copyMemory(from: bytes)
        }
    }

    /// Allocates 64-byte aligned storage (what ORT's kernels expect), lets `fill` write it and wraps it.
    private init(runtime: ORTRuntime, memoryInfo: MemoryInfo, elementType: TensorElementType, shape: [Int64], byteCount: Int,
                 fill: (UnsafeMutableRawBufferPointer) -> Void) throws(ORTError) {
        let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: max(byteCount, 1), alignment: 64)
        fill(storage)
        var value: OpaquePointer?
        let status = shape.withUnsafeBufferPointer { dims in
            runtime.function(.createTensorWithDataAsOrtValue, as: Create.self)(
                memoryInfo.pointer, storage.baseAddress!, byteCount, dims.baseAddress!, shape.count, elementType.rawValue, &value)
        }
        do {
            try runtime.check(status)
        } catch {
            storage.deallocate()
            throw error
        }
        guard let value else {
            storage.deallocate()
            throw .invalidArgument("CreateTensor returned nothing")
        }
        self.runtime = runtime
        self.pointer = value
        self.storage = storage
        self.memoryInfo = memoryInfo
    }

    deinit {
        runtime.release(.releaseValue, pointer)
        storage?.deallocate()
    }

    private typealias GetTypeAndShape = @convention(c) (OpaquePointer, UnsafeMutablePointer<OpaquePointer?>) -> OpaquePointer?
    private typealias GetData = @convention(c) (OpaquePointer, UnsafeMutablePointer<UnsafeMutableRawPointer?>) -> OpaquePointer?
    private typealias ElementType = @convention(c) (OpaquePointer, UnsafeMutablePointer<Int32>) -> OpaquePointer?
    private typealias DimensionCount = @convention(c) (OpaquePointer, UnsafeMutablePointer<Int>) -> OpaquePointer?
    private typealias Dimensions = @convention(c) (OpaquePointer, UnsafeMutablePointer<Int64>, Int) -> OpaquePointer?

    /// Element type and dimensions of an `OrtTensorTypeAndShapeInfo`.
    static func typeAndShape(runtime: ORTRuntime, info: OpaquePointer) throws(ORTError) -> (TensorElementType, [Int64]) {
        var rawType: Int32 = 0
        try runtime.check(runtime.function(.getTensorElementType, as: ElementType.self)(info, &rawType))
        var count = 0
        try runtime.check(runtime.function(.getDimensionsCount, as: DimensionCount.self)(info, &count))
        var shape = [Int64](repeating: 0, count: count)
        try runtime.check(shape.withUnsafeMutableBufferPointer {
            runtime.function(.getDimensions, as: Dimensions.self)(info, $0.baseAddress!, count)
        })
        return (TensorElementType(rawValue: rawType) ?? .other, shape)
    }

    /// This tensor's element type and shape.
    public func typeAndShape() throws(ORTError) -> (TensorElementType, [Int64]) {
        var info: OpaquePointer?
        try runtime.check(runtime.function(.getTensorTypeAndShape, as: GetTypeAndShape.self)(pointer, &info))
        guard let info else { throw .invalidArgument("value is not a tensor") }
        defer { runtime.release(.releaseTensorTypeAndShapeInfo, info) }
        return try Self.typeAndShape(runtime: runtime, info: info)
    }

    /// Copies the tensor's elements out, checking the element type.
    public func elements<T: TensorElement>(of type: T.Type = T.self) throws(ORTError) -> [T] {
        let (elementType, shape) = try typeAndShape()
        guard elementType == T.elementType else {
            throw .invalidArgument("tensor holds \(elementType), not \(T.elementType)")
        }
        let count = Int(shape.reduce(1, *))
        var data: UnsafeMutableRawPointer?
        try runtime.check(runtime.function(.getTensorMutableData, as: GetData.self)(pointer, &data))
        guard let data, count > 0 else { return [] }
        return Array(UnsafeBufferPointer(start: data.assumingMemoryBound(to: T.self), count: count))
    }
}
