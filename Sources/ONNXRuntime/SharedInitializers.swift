import Foundation

/// A model's large weights, in memory once and handed to every session of that model.
///
/// ORT otherwise loads its own copy of every initializer into each session (~100 MB per
/// Kokoro session), and its `PrepackedWeights` container only caches the re-laid-out
/// versions of shared initializers, so without these it saves nothing. Each tensor here is
/// copied out of the file once into 64-byte aligned memory it owns; sessions given it
/// (`ORTSession.init`) compute with these buffers in place (`AddInitializer`) and hold a
/// reference, so the buffers outlive them.
public final class SharedInitializers: @unchecked Sendable {
    /// The tensors by initializer name; each `ORTValue` owns its buffer.
    let tensors: [(name: String, value: ORTValue)]
    /// The bytes of weights held here.
    public let byteCount: Int

    public var count: Int { tensors.count }

    /// Reads the initializers of at least `minimumBytes` from the model at `modelPath`;
    /// smaller ones are left to ORT, sharing them would save little.
    public init(runtime: ORTRuntime, modelPath: String, minimumBytes: Int = 4096) throws(ORTError) {
        let file: Data
        do {
            // Mapped, not read: the file's pages are only borrowed while the tensors are copied out.
            file = try Data(contentsOf: URL(fileURLWithPath: modelPath), options: .alwaysMapped)
        } catch {
            throw .invalidArgument("cannot read the model at \(modelPath): \(error.localizedDescription)")
        }
        let initializers = try ModelInitializers.read(file).filter { $0.byteCount >= minimumBytes }
        let memoryInfo = try MemoryInfo(runtime: runtime)
        tensors = try file.withUnsafeBytes { bytes in Result { () throws(ORTError) in
            var tensors: [(name: String, value: ORTValue)] = []
            for initializer in initializers {
                tensors.append((initializer.name, try ORTValue(
                    runtime: runtime, memoryInfo: memoryInfo, elementType: initializer.elementType, shape: initializer.shape,
                    copying: UnsafeRawBufferPointer(rebasing: bytes[initializer.byteRange]))))
            }
            return tensors
        } }.get()
        byteCount = initializers.reduce(0) { $0 + $1.byteCount }
    }

    private typealias AddInitializer = @convention(c) (OpaquePointer, UnsafePointer<CChar>, OpaquePointer) -> OpaquePointer?

    /// Tells a session being created to use these tensors instead of loading its own.
    func add(to options: SessionOptions) throws(ORTError) {
        for (name, value) in tensors {
            try options.runtime.check(name.withCString {
                options.runtime.function(.addInitializer, as: AddInitializer.self)(options.pointer, $0, value.pointer)
            })
        }
    }
}
