import DynamicLibrary
import Foundation

/// ONNX Runtime's C API, reached through the function table `OrtGetApiBase` hands out.
///
/// The table's order is ORT's fixed public ABI, so each function is found by its slot
/// number (`ORTSlot`) and called through a C function type declared next to its use.
/// One runtime is loaded per process; every other type here holds a reference to it.
public final class ORTRuntime: @unchecked Sendable {
    /// The API version this binding asks for (ORT ≥ 1.20 serves it).
    static let apiVersion: UInt32 = 20

    public let libraryPath: String
    /// ORT's version string, e.g. `1.32.0`.
    public let version: String
    private let library: DynamicLibrary
    private let table: UnsafePointer<UnsafeRawPointer?>

    private typealias GetApiBase = @convention(c) () -> UnsafePointer<UnsafeRawPointer?>?
    private typealias GetApi = @convention(c) (UInt32) -> UnsafePointer<UnsafeRawPointer?>?
    private typealias GetVersionString = @convention(c) () -> UnsafePointer<CChar>?

    /// Loads ONNX Runtime from the first path of `candidates` that opens.
    public init(candidates: [String]) throws(ORTError) {
        do {
            library = try DynamicLibrary(candidates: candidates)
        } catch {
            throw .libraryUnavailable(error.description)
        }
        libraryPath = library.path
        let getApiBase: GetApiBase
        do { getApiBase = try library.function("OrtGetApiBase", as: GetApiBase.self) } catch {
            throw .libraryUnavailable("\(library.path) is not ONNX Runtime (\(error.description))")
        }
        // OrtApiBase is { GetApi, GetVersionString }.
        guard let base = getApiBase(), let getApiPointer = base[0], let versionPointer = base[1] else {
            throw .libraryUnavailable("OrtGetApiBase returned nothing")
        }
        let getVersion = unsafeBitCast(versionPointer, to: GetVersionString.self)
        version = getVersion().map { String(cString: $0) } ?? "unknown"
        guard let table = unsafeBitCast(getApiPointer, to: GetApi.self)(Self.apiVersion) else {
            throw .unsupportedVersion(version)
        }
        self.table = table
    }

    /// Loads ORT from `explicitPath`, else the asset cache, else the system.
    public static func load(explicitPath: String? = nil, cacheDirectory: URL? = nil) throws(ORTError) -> ORTRuntime {
        try ORTRuntime(candidates: libraryCandidates(explicitPath: explicitPath, cacheDirectory: cacheDirectory))
    }

    /// Where ORT is looked for, in order.
    public static func libraryCandidates(explicitPath: String?, cacheDirectory: URL?) -> [String] {
        if let explicitPath { return [explicitPath] }
        var candidates: [String] = []
        if let cacheDirectory {
            candidates.append(cacheDirectory.appendingPathComponent("onnxruntime/libonnxruntime.so.1.32.0").path)
            candidates.append(cacheDirectory.appendingPathComponent("onnxruntime/libonnxruntime.dylib").path)
        }
        return candidates + ["libonnxruntime.so", "libonnxruntime.so.1", "libonnxruntime.dylib", "/opt/homebrew/lib/libonnxruntime.dylib"]
    }

    /// The C function in `slot`, typed as `F`.
    func function<F>(_ slot: ORTSlot, as type: F.Type) -> F {
        guard let pointer = table[slot.rawValue] else {
            fatalError("ONNX Runtime \(version) has no function in slot \(slot)")
        }
        return unsafeBitCast(pointer, to: type)
    }

    private typealias GetErrorCode = @convention(c) (OpaquePointer) -> Int32
    private typealias GetErrorMessage = @convention(c) (OpaquePointer) -> UnsafePointer<CChar>?
    typealias Release = @convention(c) (OpaquePointer) -> Void

    /// Turns an `OrtStatus*` into a thrown error (and releases it); `nil` means success.
    func check(_ status: OpaquePointer?) throws(ORTError) {
        guard let status else { return }
        let code = function(.getErrorCode, as: GetErrorCode.self)(status)
        let message = function(.getErrorMessage, as: GetErrorMessage.self)(status).map { String(cString: $0) } ?? "unknown error"
        release(.releaseStatus, status)
        if message.localizedCaseInsensitiveContains("terminate") { throw .terminated }
        throw .status(code: code, message: message)
    }

    /// Calls one of ORT's `Release*` functions.
    func release(_ slot: ORTSlot, _ object: OpaquePointer) {
        function(slot, as: Release.self)(object)
    }

    /// The execution providers this build of ORT was compiled with.
    public func availableProviders() throws(ORTError) -> [String] {
        typealias Get = @convention(c) (UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>, UnsafeMutablePointer<Int32>) -> OpaquePointer?
        typealias ReleaseList = @convention(c) (UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?, Int32) -> OpaquePointer?
        var list: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
        var count: Int32 = 0
        try check(function(.getAvailableProviders, as: Get.self)(&list, &count))
        defer { try? check(function(.releaseAvailableProviders, as: ReleaseList.self)(list, count)) }
        return (0..<Int(count)).compactMap { index in list?[index].map { String(cString: $0) } }
    }
}
