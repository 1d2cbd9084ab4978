import Foundation
import Testing
@testable import ONNXRuntime

/// 32 tokens of Kokoro's vocabulary, the length of a short phrase.
let phraseTokens: [Int64] = [0, 50, 83, 54, 156, 57, 135, 16, 65, 156, 86, 54, 46, 16, 62, 156, 47, 102, 56, 16,
                             43, 156, 76, 158, 123, 16, 48, 102, 61, 156, 51, 0]

/// The audio `session` makes of `tokens` with a fixed style.
func audio(_ session: ORTSession, tokens: [Int64] = phraseTokens) throws -> [Float] {
    let style = (0..<256).map { Float(($0 % 17) - 8) / 40 }
    return try session.run(inputs: [
        ("tokens", session.tensor(tokens, shape: [1, Int64(tokens.count)])),
        ("style", session.tensor(style, shape: [1, 256])),
        ("speed", session.tensor([Float(1)], shape: [1])),
    ], outputs: ["audio"])[0].elements()
}

/// How many samples of `a` and `b` differ bit for bit, counting those only one of them has.
func differingSamples(_ a: [Float], _ b: [Float]) -> Int {
    zip(a, b).filter { $0.bitPattern != $1.bitPattern }.count + abs(a.count - b.count)
}

/// Runs blocking model work on a thread of its own: held on one of the few cooperative threads,
/// it would delay the timing-sensitive tests that run beside it (the scheduler's).
func onOwnThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try work() }) }.start()
    }
}

/// This process's resident memory in MB (Linux /proc).
func residentMB() throws -> Double {
    let status = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
    let line = try #require(status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") })
    let kilobytes = try #require(line.split(separator: " ").dropFirst().first.flatMap { Double($0) })
    return kilobytes / 1024
}

@Suite("Initializers shared between sessions")
struct SharedInitializersTests {
    let runtime: ORTRuntime
    let environment: ORTEnvironment

    init() throws {
        runtime = try ORTRuntime.load(cacheDirectory: cache)
        environment = try ORTEnvironment(runtime: runtime)
    }

    @Test func readerListsKokorosInitializers() throws {
        let file = try Data(contentsOf: URL(fileURLWithPath: modelPath), options: .alwaysMapped)
        let initializers = try ModelInitializers.read(file)
        // Counted with the onnx Python package: 707 raw_data tensors, 242 of them ≥ 4 KB.
        #expect(initializers.count == 707)
        #expect(initializers.filter { $0.byteCount >= 4096 }.count == 242)
        // The weights are almost the whole file, so none are left hidden in subgraphs.
        let total = initializers.reduce(0) { $0 + $1.byteCount }
        #expect(Double(total) > 0.97 * Double(file.count))
        let embedding = initializers[0]
        #expect(embedding.name == "encoder.bert.embeddings.word_embeddings.weight_quantized")
        #expect(embedding.elementType == .int8)
        #expect(embedding.shape == [178, 128])
        let convolution = try #require(initializers.first { $0.name == "/encoder/text_encoder/cnn.0/Mul_output_0_quantized" })
        #expect(convolution.elementType == .uint8)
        #expect(convolution.shape == [512, 512, 5])
        #expect(Array(file[convolution.byteRange.prefix(4)]) == [55, 73, 48, 83])
    }

    @Test func readerTakesPackedAndPlainDimsAndSkipsWhatItCannotShare() throws {
        let floats = Data(repeating: 7, count: 24)
        let model = varint(1, 9) + bytes(7, [
            bytes(1, Data("node".utf8)),
            bytes(5, [bytes(1, Data([2, 3])), varint(2, 1), bytes(8, Data("packed".utf8)), bytes(9, floats)]),
            bytes(5, [varint(1, 4), varint(1, 1), varint(2, 3), bytes(8, Data("plain".utf8)), bytes(9, Data(count: 4))]),
            bytes(5, [varint(1, 2), varint(2, 1), bytes(8, Data("typed".utf8)), bytes(4, Data(count: 8))]),
            bytes(5, [varint(1, 3), varint(2, 1), bytes(8, Data("short".utf8)), bytes(9, Data(count: 8))]),
            bytes(5, [varint(1, 1), varint(2, 11), bytes(8, Data("double".utf8)), bytes(9, Data(count: 8))]),
        ])
        let initializers = try ModelInitializers.read(model)
        #expect(initializers.map(\.name) == ["packed", "plain"])
        #expect(initializers.map(\.shape) == [[2, 3], [4, 1]])
        #expect(initializers.map(\.elementType) == [.float, .int8])
        #expect(model[initializers[0].byteRange] == floats)
    }

    @Test func damagedModelsAreErrors() throws {
        let model = bytes(7, bytes(5, [varint(2, 1), bytes(9, Data(count: 4))]))
        #expect(throws: ORTError.self) { try ModelInitializers.read(model.prefix(model.count - 1)) }
        #expect(throws: ORTError.self) { try ModelInitializers.read(Data("not a model".utf8)) }
        #expect(throws: ORTError.self) { try SharedInitializers(runtime: runtime, modelPath: "/nonexistent/model.onnx") }
    }

    @Test func sharedSessionsMakeBitIdenticalAudio() async throws {
        let shared = try SharedInitializers(runtime: runtime, modelPath: modelPath)
        #expect(shared.count == 242)
        #expect(shared.byteCount == 90_520_512)
        let (expected, sharing) = try await onOwnThread { [runtime, environment] in
            let configuration = SessionConfiguration(intraOpThreads: 1)
            let plain = try ORTSession(environment: environment, modelPath: modelPath, configuration: configuration)
            // As the engine builds them: with the prepacked-weights container too.
            let sharing = try ORTSession(environment: environment, modelPath: modelPath, configuration: configuration,
                                         prepackedWeights: PrepackedWeights(runtime: runtime), sharedInitializers: shared)
            return (try audio(plain), try audio(sharing))
        }
        #expect(expected.count > 10_000)
        #expect(differingSamples(sharing, expected) == 0)
    }

    /// Proves ORT computes with our buffers: a session built after one is zeroed sounds different.
    @Test func sessionsUseTheSharedBuffers() async throws {
        let shared = try SharedInitializers(runtime: runtime, modelPath: modelPath)
        let speak = { [environment] in
            try await onOwnThread {
                try audio(ORTSession(environment: environment, modelPath: modelPath,
                                     configuration: SessionConfiguration(intraOpThreads: 1), sharedInitializers: shared))
            }
        }
        let intact = try await speak()
        let weight = try #require(shared.tensors.first { $0.name == "/encoder/text_encoder/cnn.0/Mul_output_0_quantized" }?.value)
        typealias GetData = @convention(c) (OpaquePointer, UnsafeMutablePointer<UnsafeMutableRawPointer?>) -> OpaquePointer?
        var data: UnsafeMutableRawPointer?
        try runtime.check(runtime.function(.getTensorMutableData, as: GetData.self)(weight.pointer, &data))
        try #require(data).initializeMemory(as: UInt8.self, repeating: 0, count: 512 * 512 * 5)
        #expect(try await differingSamples(speak(), intact) > 0)
    }

    /// Measured in a process of its own, so other tests' allocations do not blur the figures.
    @Test func aSecondSharedSessionCostsFarLessMemory() async throws {
        let result = try await #require(processExitsWith: .success, observing: [\.standardOutputContent]) {
            let runtime = try ORTRuntime.load(cacheDirectory: cache)
            let environment = try ORTEnvironment(runtime: runtime)
            let configuration = SessionConfiguration(intraOpThreads: 1)
            // The first session of each kind absorbs one-time costs; the second shows what one more costs.
            // Built as the engine builds them, with a prepacked-weights container.
            func secondSessionGrowth(_ shared: SharedInitializers?) throws -> (sessions: [ORTSession], megabytes: Double) {
                let prepacked = try PrepackedWeights(runtime: runtime)
                let make = { () throws(ORTError) in
                    try ORTSession(environment: environment, modelPath: modelPath, configuration: configuration,
                                   prepackedWeights: prepacked, sharedInitializers: shared)
                }
                let first = try make()
                let before = try residentMB()
                let second = try make()
                return ([first, second], try residentMB() - before)
            }
            let plain = try secondSessionGrowth(nil)
            let shared = try secondSessionGrowth(SharedInitializers(runtime: runtime, modelPath: modelPath))
            print("growth-mb", plain.megabytes, shared.megabytes)
            withExtendedLifetime((plain.sessions, shared.sessions)) {}
        }
        let output = String(decoding: result.standardOutputContent, as: UTF8.self)
        let line = try #require(output.split(separator: "\n").last { $0.hasPrefix("growth-mb ") })
        let growth = line.split(separator: " ").dropFirst().compactMap { Double($0) }
        try #require(growth.count == 2)
        print(String(format: "second session: +%.0f MB unshared, +%.0f MB shared", growth[0], growth[1]))
        #expect(growth[0] > 60, "an unshared session holds its own ~90 MB of weights")
        #expect(growth[1] < 0.6 * growth[0])
    }
}

/// Protobuf wire format, for hand-made models: a varint field and a length-delimited one.
private func varint(_ field: UInt64, _ value: UInt64) -> Data { encode(field << 3) + encode(value) }
private func bytes(_ field: UInt64, _ payload: Data) -> Data { encode(field << 3 | 2) + encode(UInt64(payload.count)) + payload }
private func bytes(_ field: UInt64, _ payloads: [Data]) -> Data { bytes(field, Data(payloads.joined())) }

private func encode(_ value: UInt64) -> Data {
    var value = value
    var data = Data()
    while value >= 0x80 {
        data.append(UInt8(value & 0x7F) | 0x80)
        value >>= 7
    }
    data.append(UInt8(value))
    return data
}
