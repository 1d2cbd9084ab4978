import Foundation

/// One loaded model, ready to run.
///
/// ORT allows concurrent `Run` calls on one session, so a session is shared across tasks;
/// each run may carry its own `RunOptions` so it can be cancelled alone.
public final class ORTSession: @unchecked Sendable {
    public struct TensorInfo: Sendable, Equatable {
        public let name: String
        public let elementType: TensorElementType
        /// Dimensions, -1 where the model leaves one free.
        public let shape: [Int64]
    }

    public let runtime: ORTRuntime
    /// The settings it was created with.
    public let configuration: SessionConfiguration
    public let inputs: [TensorInfo]
    public let outputs: [TensorInfo]
    /// The back ends this session actually runs on (CPU last).
    public let providers: [ExecutionProvider]
    /// Why a requested back end is not among `providers`.
    public let providerFailures: [String]
    let pointer: OpaquePointer
    private let environment: ORTEnvironment
    private let prepackedWeights: PrepackedWeights?
    /// Kept because the session computes with these buffers in place.
    private let sharedInitializers: SharedInitializers?
    private let memoryInfo: MemoryInfo

    private typealias Create = @convention(c) (OpaquePointer, UnsafePointer<CChar>, OpaquePointer, UnsafeMutablePointer<OpaquePointer?>) -> OpaquePointer?
    private typealias CreateShared = @convention(c) (OpaquePointer, UnsafePointer<CChar>, OpaquePointer, OpaquePointer, UnsafeMutablePointer<OpaquePointer?>) -> OpaquePointer?

    public init(environment: ORTEnvironment, modelPath: String, configuration: SessionConfiguration = .init(),
                prepackedWeights: PrepackedWeights? = nil, sharedInitializers: SharedInitializers? = nil) throws(ORTError) {
        let runtime = environment.runtime
        guard FileManager.default.isReadableFile(atPath: modelPath) else {
            throw .invalidArgument("no readable model at \(modelPath)")
        }
        let options = try SessionOptions(runtime: runtime, configuration: configuration)
        try sharedInitializers?.add(to: options)
        var session: OpaquePointer?
        let status = modelPath.withCString { path in
            if let prepackedWeights {
                runtime.function(.createSessionWithPrepackedWeightsContainer, as: CreateShared.self)(
                    environment.pointer, path, options.pointer, prepackedWeights.pointer, &session)
            } else {
                runtime.function(.createSession, as: Create.self)(environment.pointer, path, options.pointer, &session)
            }
        }
        Self.releaseFreedHeap()
        try runtime.check(status)
        guard let session else { throw .invalidArgument("CreateSession returned no session") }
        self.runtime = runtime
        self.configuration = configuration
        self.pointer = session
        self.environment = environment
        self.prepackedWeights = prepackedWeights
        self.sharedInitializers = sharedInitializers
        self.providers = options.appliedProviders
        self.providerFailures = options.providerFailures
        do {
            memoryInfo = try MemoryInfo(runtime: runtime)
            inputs = try Self.describe(runtime: runtime, session: session, inputs: true)
            outputs = try Self.describe(runtime: runtime, session: session, inputs: false)
        } catch {
            runtime.release(.releaseSession, session)
            throw error
        }
    }

    deinit { runtime.release(.releaseSession, pointer) }

    private typealias MallocTrim = @convention(c) (Int) -> Int32

    /// Gives back the heap pages ORT freed while creating the session. It parses the whole model
    /// file, and the weights it then drops (all of them with shared initializers) stay resident
    /// otherwise, as glibc only returns the top of its heaps by itself: measured, 55 MB after one
    /// Kokoro session with shared initializers, 110 MB after three. `malloc_trim` is glibc's own,
    /// so it is looked up at run time (absent on macOS and musl).
    private static func releaseFreedHeap() {
        guard let process = dlopen(nil, RTLD_NOW), let trim = dlsym(process, "malloc_trim") else { return }
        _ = unsafeBitCast(trim, to: MallocTrim.self)(0)
    }

    private typealias Count = @convention(c) (OpaquePointer, UnsafeMutablePointer<Int>) -> OpaquePointer?
    private typealias Name = @convention(c) (OpaquePointer, Int, OpaquePointer, UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> OpaquePointer?
    private typealias TypeInfo = @convention(c) (OpaquePointer, Int, UnsafeMutablePointer<OpaquePointer?>) -> OpaquePointer?
    private typealias CastToTensor = @convention(c) (OpaquePointer, UnsafeMutablePointer<OpaquePointer?>) -> OpaquePointer?
    private typealias DefaultAllocator = @convention(c) (UnsafeMutablePointer<OpaquePointer?>) -> OpaquePointer?
    private typealias AllocatorFree = @convention(c) (OpaquePointer, UnsafeMutableRawPointer) -> OpaquePointer?

    private static func describe(runtime: ORTRuntime, session: OpaquePointer, inputs: Bool) throws(ORTError) -> [TensorInfo] {
        var allocator: OpaquePointer?
        try runtime.check(runtime.function(.getAllocatorWithDefaultOptions, as: DefaultAllocator.self)(&allocator))
        guard let allocator else { throw .invalidArgument("no default allocator") }
        var count = 0
        try runtime.check(runtime.function(inputs ? .sessionGetInputCount : .sessionGetOutputCount, as: Count.self)(session, &count))
        var infos: [TensorInfo] = []
        for index in 0..<count {
            var namePointer: UnsafeMutablePointer<CChar>?
            try runtime.check(runtime.function(inputs ? .sessionGetInputName : .sessionGetOutputName, as: Name.self)(session, index, allocator, &namePointer))
            guard let namePointer else { throw .invalidArgument("tensor \(index) has no name") }
            let name = String(cString: namePointer)
            _ = runtime.function(.allocatorFree, as: AllocatorFree.self)(allocator, namePointer)
            var typeInfo: OpaquePointer?
            try runtime.check(runtime.function(inputs ? .sessionGetInputTypeInfo : .sessionGetOutputTypeInfo, as: TypeInfo.self)(session, index, &typeInfo))
            guard let typeInfo else { throw .invalidArgument("tensor \(name) has no type") }
            defer { runtime.release(.releaseTypeInfo, typeInfo) }
            var tensorInfo: OpaquePointer?
            try runtime.check(runtime.function(.castTypeInfoToTensorInfo, as: CastToTensor.self)(typeInfo, &tensorInfo))
            guard let tensorInfo else {
                infos.append(TensorInfo(name: name, elementType: .other, shape: []))
                continue
            }
            let (type, shape) = try ORTValue.typeAndShape(runtime: runtime, info: tensorInfo)
            infos.append(TensorInfo(name: name, elementType: type, shape: shape))
        }
        return infos
    }

    private typealias Run = @convention(c) (OpaquePointer, OpaquePointer?, UnsafePointer<UnsafePointer<CChar>?>, UnsafePointer<OpaquePointer?>, Int,
                                            UnsafePointer<UnsafePointer<CChar>?>, Int, UnsafeMutablePointer<OpaquePointer?>) -> OpaquePointer?

    /// Runs the model on named inputs and returns the named outputs, in order.
    public func run(inputs: [(name: String, value: ORTValue)], outputs outputNames: [String],
                    options: RunOptions? = nil) throws(ORTError) -> [ORTValue] {
        let inputNames = inputs.map { strdup($0.name) }
        let outputCNames = outputNames.map { strdup($0) }
        defer { (inputNames + outputCNames).forEach { free($0) } }
        let values: [OpaquePointer?] = inputs.map { $0.value.pointer }
        var results = [OpaquePointer?](repeating: nil, count: outputNames.count)
        let status = inputNames.map { UnsafePointer($0) }.withUnsafeBufferPointer { names in
            outputCNames.map { UnsafePointer($0) }.withUnsafeBufferPointer { outNames in
                values.withUnsafeBufferPointer { valuePointers in
                    results.withUnsafeMutableBufferPointer { out in
                        runtime.function(.run, as: Run.self)(pointer, options?.pointer, names.baseAddress!, valuePointers.baseAddress!,
                                                             inputs.count, outNames.baseAddress!, outputNames.count, out.baseAddress!)
                    }
                }
            }
        }
        let owned = results.compactMap { $0.map { ORTValue(runtime: runtime, pointer: $0) } }
        try runtime.check(status)
        guard owned.count == outputNames.count else { throw .invalidArgument("Run returned \(owned.count) of \(outputNames.count) outputs") }
        return owned
    }

    /// A tensor that copies `values` into memory ORT reads from.
    public func tensor<T: TensorElement>(_ values: some Collection<T>, shape: [Int64]) throws(ORTError) -> ORTValue {
        try ORTValue(runtime: runtime, memoryInfo: memoryInfo, values: values, shape: shape)
    }
}

/// Per-run settings; `terminate()` from any task stops the run it was passed to.
public final class RunOptions: @unchecked Sendable {
    let runtime: ORTRuntime
    let pointer: OpaquePointer
    private typealias Create = @convention(c) (UnsafeMutablePointer<OpaquePointer?>) -> OpaquePointer?
    private typealias Flag = @convention(c) (OpaquePointer) -> OpaquePointer?

    public init(runtime: ORTRuntime) throws(ORTError) {
        var options: OpaquePointer?
        try runtime.check(runtime.function(.createRunOptions, as: Create.self)(&options))
        guard let options else { throw .invalidArgument("CreateRunOptions returned nothing") }
        self.runtime = runtime
        self.pointer = options
    }

    /// Asks every run using these options to stop as soon as it can; it fails with `.terminated`.
    public func terminate() {
        try? runtime.check(runtime.function(.runOptionsSetTerminate, as: Flag.self)(pointer))
    }

    /// Sets a per-run key such as `memory.enable_memory_arena_shrinkage`.
    public func setConfigEntry(_ key: String, _ value: String) throws(ORTError) {
        typealias AddEntry = @convention(c) (OpaquePointer, UnsafePointer<CChar>, UnsafePointer<CChar>) -> OpaquePointer?
        try runtime.check(key.withCString { k in value.withCString { v in
            runtime.function(.addRunConfigEntry, as: AddEntry.self)(pointer, k, v)
        } })
    }

    /// Clears a previous `terminate()` so the options can be reused.
    public func reset() {
        try? runtime.check(runtime.function(.runOptionsUnsetTerminate, as: Flag.self)(pointer))
    }

    deinit { runtime.release(.releaseRunOptions, pointer) }
}
