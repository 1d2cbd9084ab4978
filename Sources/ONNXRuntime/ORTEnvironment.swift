/// ORT's process-wide environment (logging, thread pools); sessions are created in one.
public final class ORTEnvironment: @unchecked Sendable {
    public let runtime: ORTRuntime
    let pointer: OpaquePointer

    public init(runtime: ORTRuntime, logLevel: LoggingLevel = .warning, name: String = "kokoro") throws(ORTError) {
        typealias Create = @convention(c) (Int32, UnsafePointer<CChar>, UnsafeMutablePointer<OpaquePointer?>) -> OpaquePointer?
        var environment: OpaquePointer?
        try runtime.check(name.withCString { runtime.function(.createEnv, as: Create.self)(logLevel.rawValue, $0, &environment) })
        guard let environment else { throw .invalidArgument("CreateEnv returned no environment") }
        self.runtime = runtime
        self.pointer = environment
    }

    deinit { runtime.release(.releaseEnv, pointer) }
}

/// Lets several sessions of one model share their pre-packed weights, so K sessions do
/// not cost K times the weight memory.
public final class PrepackedWeights: @unchecked Sendable {
    let runtime: ORTRuntime
    let pointer: OpaquePointer

    public init(runtime: ORTRuntime) throws(ORTError) {
        typealias Create = @convention(c) (UnsafeMutablePointer<OpaquePointer?>) -> OpaquePointer?
        var container: OpaquePointer?
        try runtime.check(runtime.function(.createPrepackedWeightsContainer, as: Create.self)(&container))
        guard let container else { throw .invalidArgument("no prepacked weights container") }
        self.runtime = runtime
        self.pointer = container
    }

    deinit { runtime.release(.releasePrepackedWeightsContainer, pointer) }
}
