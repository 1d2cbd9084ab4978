import Foundation
import TestAssets
import Testing
@testable import ONNXRuntime

let cache = TestAssets.cache
let modelPath = cache.appendingPathComponent("kokoro-v1.0.int8.onnx").path

@Suite("ONNX Runtime binding")
struct ORTSessionTests {
    let runtime: ORTRuntime
    let environment: ORTEnvironment

    init() throws {
        runtime = try ORTRuntime.load(cacheDirectory: cache)
        environment = try ORTEnvironment(runtime: runtime)
    }

    @Test func reportsVersionAndCPUProvider() throws {
        #expect(runtime.version == "1.32.0")
        #expect(try runtime.availableProviders().contains("CPUExecutionProvider"))
    }

    @Test func describesKokoroInputsAndOutputs() throws {
        let session = try ORTSession(environment: environment, modelPath: modelPath,
                                     configuration: SessionConfiguration(intraOpThreads: 1))
        #expect(session.inputs.map(\.name) == ["tokens", "style", "speed"])
        #expect(session.inputs.map(\.elementType) == [.int64, .float, .float])
        #expect(session.inputs[1].shape == [1, 256])
        #expect(session.outputs.map(\.name) == ["audio"])
        #expect(session.providers == [.cpu])
    }

    @Test func runsTheModel() throws {
        let session = try ORTSession(environment: environment, modelPath: modelPath,
                                     configuration: SessionConfiguration(intraOpThreads: 2))
        let tokens: [Int64] = [0, 50, 83, 54, 156, 57, 135, 0]  // "həlˈoʊ"-ish
        let outputs = try session.run(inputs: [
            ("tokens", session.tensor(tokens, shape: [1, Int64(tokens.count)])),
            ("style", session.tensor([Float](repeating: 0.1, count: 256), shape: [1, 256])),
            ("speed", session.tensor([Float(1)], shape: [1])),
        ], outputs: ["audio"])
        let audio: [Float] = try outputs[0].elements()
        #expect(audio.count > 2_400)
        #expect(audio.allSatisfy { $0.isFinite })
    }

    @Test func terminatedRunFailsWithTerminated() throws {
        let session = try ORTSession(environment: environment, modelPath: modelPath,
                                     configuration: SessionConfiguration(intraOpThreads: 1))
        let options = try RunOptions(runtime: runtime)
        options.terminate()
        let tokens: [Int64] = [0, 50, 83, 0]
        #expect(throws: ORTError.terminated) {
            try session.run(inputs: [
                ("tokens", session.tensor(tokens, shape: [1, 4])),
                ("style", session.tensor([Float](repeating: 0, count: 256), shape: [1, 256])),
                ("speed", session.tensor([Float(1)], shape: [1])),
            ], outputs: ["audio"], options: options)
        }
    }

    /// The entry reaches ORT: a shrink of the CPU arena runs, one of a device that has no
    /// arena makes the run fail.
    @Test func runConfigEntriesReachTheRun() throws {
        let session = try ORTSession(environment: environment, modelPath: modelPath,
                                     configuration: SessionConfiguration(intraOpThreads: 1))
        let run = { (device: String) throws(ORTError) in
            let options = try RunOptions(runtime: runtime)
            try options.setConfigEntry("memory.enable_memory_arena_shrinkage", device)
            let tokens: [Int64] = [0, 50, 83, 0]
            _ = try session.run(inputs: [
                ("tokens", session.tensor(tokens, shape: [1, 4])),
                ("style", session.tensor([Float](repeating: 0, count: 256), shape: [1, 256])),
                ("speed", session.tensor([Float(1)], shape: [1])),
            ], outputs: ["audio"], options: options)
        }
        try run("cpu:0")
        #expect(throws: ORTError.self) { try run("gpu:7") }
    }

    @Test func tensorShapeMismatchIsAnError() throws {
        let session = try ORTSession(environment: environment, modelPath: modelPath,
                                     configuration: SessionConfiguration(intraOpThreads: 1))
        #expect(throws: ORTError.self) { try session.tensor([Float(1), 2, 3], shape: [2, 2]) }
    }

    @Test func missingModelAndBadLibraryAreClearErrors() throws {
        #expect(throws: ORTError.self) {
            try ORTSession(environment: environment, modelPath: "/nonexistent/model.onnx")
        }
        do {
            _ = try ORTRuntime(candidates: ["/nonexistent/libonnxruntime.so"])
            Issue.record("loading a missing library succeeded")
        } catch {
            #expect(error.description.contains("KOKORO_ORT_LIBRARY"))
        }
        // A real library that is not ONNX Runtime.
        do {
            _ = try ORTRuntime(candidates: ["libz.so.1"])
            Issue.record("loading libz as ONNX Runtime succeeded")
        } catch {
            #expect(error.description.contains("not ONNX Runtime"))
        }
    }

    @Test func corruptModelIsAnORTError() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("corrupt-\(UUID()).onnx")
        try Data("not a model".utf8).write(to: path)
        defer { try? FileManager.default.removeItem(at: path) }
        #expect(throws: ORTError.self) { try ORTSession(environment: environment, modelPath: path.path) }
    }
}
