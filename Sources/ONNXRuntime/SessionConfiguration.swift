/// How a session is built: threads, optimization, memory strategy and back ends.
///
/// A value type so the caller (the session pool, the self-tuner) can describe and compare
/// configurations without touching ORT; `ORTSession` applies it when it is created.
public struct SessionConfiguration: Sendable, Equatable {
    public var intraOpThreads: Int
    public var interOpThreads: Int
    public var optimizationLevel: GraphOptimizationLevel
    public var executionMode: ExecutionMode
    /// ORT's CPU memory arena: faster repeated runs, more resident memory.
    public var cpuMemoryArena: Bool
    /// Memory pattern planning: reuses buffers across runs of the same shapes.
    public var memoryPattern: Bool
    /// Free-form `AddSessionConfigEntry` keys (e.g. `session.intra_op.allow_spinning`).
    public var configEntries: [String: String]
    /// Back ends to try in order; CPU is always the fallback.
    public var providers: [ExecutionProvider]

    public init(intraOpThreads: Int = 0, interOpThreads: Int = 1,
                optimizationLevel: GraphOptimizationLevel = .all, executionMode: ExecutionMode = .sequential,
                cpuMemoryArena: Bool = true, memoryPattern: Bool = true,
                configEntries: [String: String] = [:], providers: [ExecutionProvider] = [.cpu]) {
        self.intraOpThreads = intraOpThreads
        self.interOpThreads = interOpThreads
        self.optimizationLevel = optimizationLevel
        self.executionMode = executionMode
        self.cpuMemoryArena = cpuMemoryArena
        self.memoryPattern = memoryPattern
        self.configEntries = configEntries
        self.providers = providers
    }
}

/// ORT's `OrtSessionOptions`, alive only while a session is being created.
final class SessionOptions {
    let runtime: ORTRuntime
    let pointer: OpaquePointer
    /// The providers that were actually appended (CPU last, always).
    private(set) var appliedProviders: [ExecutionProvider] = []
    /// Why a requested provider was skipped.
    private(set) var providerFailures: [String] = []

    private typealias Create = @convention(c) (UnsafeMutablePointer<OpaquePointer?>) -> OpaquePointer?
    private typealias SetInt = @convention(c) (OpaquePointer, Int32) -> OpaquePointer?
    private typealias Toggle = @convention(c) (OpaquePointer) -> OpaquePointer?
    private typealias AddEntry = @convention(c) (OpaquePointer, UnsafePointer<CChar>, UnsafePointer<CChar>) -> OpaquePointer?
    private typealias AppendProvider = @convention(c) (OpaquePointer, UnsafePointer<CChar>, UnsafePointer<UnsafePointer<CChar>?>?, UnsafePointer<UnsafePointer<CChar>?>?, Int) -> OpaquePointer?
    private typealias CreateCUDAOptions = @convention(c) (UnsafeMutablePointer<OpaquePointer?>) -> OpaquePointer?
    private typealias AppendCUDA = @convention(c) (OpaquePointer, OpaquePointer) -> OpaquePointer?

    init(runtime: ORTRuntime, configuration: SessionConfiguration) throws(ORTError) {
        var options: OpaquePointer?
        try runtime.check(runtime.function(.createSessionOptions, as: Create.self)(&options))
        guard let options else { throw .invalidArgument("CreateSessionOptions returned nothing") }
        self.runtime = runtime
        self.pointer = options
        try apply(configuration)
    }

    private func apply(_ configuration: SessionConfiguration) throws(ORTError) {
        let setInt = { (slot: ORTSlot, value: Int32) throws(ORTError) in
            try self.runtime.check(self.runtime.function(slot, as: SetInt.self)(self.pointer, value))
        }
        let toggle = { (slot: ORTSlot) throws(ORTError) in
            try self.runtime.check(self.runtime.function(slot, as: Toggle.self)(self.pointer))
        }
        try setInt(.setIntraOpNumThreads, Int32(configuration.intraOpThreads))
        try setInt(.setInterOpNumThreads, Int32(configuration.interOpThreads))
        try setInt(.setSessionGraphOptimizationLevel, configuration.optimizationLevel.rawValue)
        try setInt(.setSessionExecutionMode, configuration.executionMode.rawValue)
        try toggle(configuration.cpuMemoryArena ? .enableCpuMemArena : .disableCpuMemArena)
        try toggle(configuration.memoryPattern ? .enableMemPattern : .disableMemPattern)
        for (key, value) in configuration.configEntries.sorted(by: { $0.key < $1.key }) {
            try runtime.check(key.withCString { k in value.withCString { v in
                runtime.function(.addSessionConfigEntry, as: AddEntry.self)(pointer, k, v)
            } })
        }
        let available = (try? runtime.availableProviders()) ?? []
        for provider in configuration.providers where provider != .cpu {
            guard available.contains(provider.rawValue) else {
                providerFailures.append("\(provider.rawValue) is not in this ONNX Runtime build")
                continue
            }
            do {
                try append(provider)
                appliedProviders.append(provider)
            } catch {
                providerFailures.append("\(provider.rawValue): \(error.description)")
            }
        }
        appliedProviders.append(.cpu)
    }

    private func append(_ provider: ExecutionProvider) throws(ORTError) {
        switch provider {
        case .cpu:
            return
        case .coreML:
            try runtime.check("CoreML".withCString {
                runtime.function(.sessionOptionsAppendExecutionProvider, as: AppendProvider.self)(pointer, $0, nil, nil, 0)
            })
        case .cuda:
            var cudaOptions: OpaquePointer?
            try runtime.check(runtime.function(.createCUDAProviderOptions, as: CreateCUDAOptions.self)(&cudaOptions))
            guard let cudaOptions else { throw .invalidArgument("no CUDA provider options") }
            defer { runtime.release(.releaseCUDAProviderOptions, cudaOptions) }
            try runtime.check(runtime.function(.sessionOptionsAppendExecutionProviderCUDAV2, as: AppendCUDA.self)(pointer, cudaOptions))
        }
    }

    deinit { runtime.release(.releaseSessionOptions, pointer) }
}
