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

/// Element types of the tensors we exchange (`ONNXTensorElementDataType`).
public enum TensorElementType: Int32, Sendable {
    case float = 1
    case int32 = 6
    case int64 = 7
    case other = -1
}

/// A hardware back end ORT can run a session on.
public enum ExecutionProvider: String, Sendable, CaseIterable {
    case cpu = "CPUExecutionProvider"
    case cuda = "CUDAExecutionProvider"
    case coreML = "CoreMLExecutionProvider"
}
