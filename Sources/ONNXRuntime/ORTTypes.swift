/// ORT's graph optimization levels (`GraphOptimizationLevel`).
public enum GraphOptimizationLevel: Int32, Sendable {
    case disabled = 0
    case basic = 1
    case extended = 2
    case all = 99
}

/// Whether ORT runs independent graph nodes one after another or in parallel (`ExecutionMode`).
public enum ExecutionMode: Int32, Sendable {
    case sequential = 0
    case parallel = 1
}

/// ORT's log severity (`OrtLoggingLevel`).
public enum LoggingLevel: Int32, Sendable {
    case verbose = 0, info, warning, error, fatal
}

/// Element types of the tensors we exchange (`ONNXTensorElementDataType`, numbered as ONNX's
/// `TensorProto.DataType`, so a model file's type codes map directly).
public enum TensorElementType: Int32, Sendable {
    case float = 1
    case uint8 = 2
    case int8 = 3
    case int32 = 6
    case int64 = 7
    case other = -1

    /// Bytes per element; nil for `.other`, whose layout this binding does not know.
    var byteWidth: Int? {
        switch self {
        case .uint8, .int8: 1
        case .float, .int32: 4
        case .int64: 8
        case .other: nil
        }
    }
}

/// A hardware back end ORT can run a session on.
public enum ExecutionProvider: String, Sendable, CaseIterable {
    case cpu = "CPUExecutionProvider"
    case cuda = "CUDAExecutionProvider"
    case coreML = "CoreMLExecutionProvider"
}
