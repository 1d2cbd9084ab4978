#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A C library opened at run time with `dlopen`.
///
/// ONNX Runtime and espeak-ng are loaded this way rather than linked: ORT ships as a wheel
/// with no headers, and espeak-ng is GPL-3, so it must stay an optional, separate component.
public final class DynamicLibrary: @unchecked Sendable {
    /// The path that was opened (the first candidate that loaded).
    public let path: String
    private let handle: UnsafeMutableRawPointer

    /// Opens the first of `candidates` that loads; the error lists why each failed.
    public init(candidates: [String]) throws(DynamicLibraryError) {
        var failures: [String] = []
        for candidate in candidates {
            if let handle = dlopen(candidate, RTLD_NOW | RTLD_LOCAL) {
                self.handle = handle
                self.path = candidate
                return
            }
            failures.append(String(cString: dlerror()))
        }
        throw .notLoaded(candidates: candidates, reasons: failures)
    }

    /// The address of `name`, or an error naming the library and the symbol.
    public func symbol(_ name: String) throws(DynamicLibraryError) -> UnsafeMutableRawPointer {
        guard let address = dlsym(handle, name) else {
            throw .missingSymbol(name, library: path)
        }
        return address
    }

    /// The symbol reinterpreted as a C function type `F`.
    public func function<F>(_ name: String, as type: F.Type) throws(DynamicLibraryError) -> F {
        unsafeBitCast(try symbol(name), to: type)
    }

    deinit { dlclose(handle) }
}

public enum DynamicLibraryError: Error, CustomStringConvertible {
    case notLoaded(candidates: [String], reasons: [String])
    case missingSymbol(String, library: String)

    public var description: String {
        switch self {
        case .notLoaded(let candidates, let reasons):
            "could not load any of \(candidates.joined(separator: ", ")): \(reasons.joined(separator: "; "))"
        case .missingSymbol(let name, let library):
            "\(library) has no symbol \(name) (is it the right library and version?)"
        }
    }
}
