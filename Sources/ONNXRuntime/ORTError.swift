/// A failure inside ONNX Runtime, or in finding it, with ORT's own message.
public enum ORTError: Error, Equatable, CustomStringConvertible {
    /// The shared library could not be loaded or is not ONNX Runtime.
    case libraryUnavailable(String)
    /// The library's API is older than the one this binding was written against.
    case unsupportedVersion(String)
    /// An `OrtStatus` returned by an API call: ORT's error code and message.
    case status(code: Int32, message: String)
    /// A run stopped because `RunOptions.terminate()` was called.
    case terminated
    /// A tensor or name did not have the shape or type the caller expected.
    case invalidArgument(String)

    public var description: String {
        switch self {
        case .libraryUnavailable(let why):
            "ONNX Runtime is not available: \(why). Run scripts/setup.sh to install it, or set KOKORO_ORT_LIBRARY to libonnxruntime.so"
        case .unsupportedVersion(let version):
            "ONNX Runtime \(version) is too old: kokoro-swift needs 1.20 or newer (scripts/setup.sh installs 1.32.0)"
        case .status(let code, let message):
            "ONNX Runtime error \(code): \(message)"
        case .terminated:
            "the model run was cancelled"
        case .invalidArgument(let why):
            "invalid ONNX Runtime argument: \(why)"
        }
    }
}
