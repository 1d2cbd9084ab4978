import Foundation
import KokoroPhonemizer
import Testing
@testable import KokoroEngine

/// One engine for the whole suite: loading the model takes a moment.
let sharedEngine: Result<KokoroEngine, any Error> = Result {
    try KokoroEngine(configuration: .init(session: .init(intraOpThreads: 2), calibratesVoices: false))
}

func rms(_ samples: ArraySlice<Float>) -> Float {
    guard !samples.isEmpty else { return 0 }
    return (samples.reduce(0) { $0 + $1 * $1 } / Float(samples.count)).squareRoot()
}

@Suite("Engine with the real model", .serialized)
struct EngineTests {
    let engine: KokoroEngine
    init() throws { engine = try sharedEngine.get() }

    @Test func sentenceBecomesPlausibleSpeech() async throws {
        let clip = try await engine.synthesize(SpeechRequest(text: "The quick brown fox jumps over the lazy dog.", voice: "af_heart"))
        #expect(clip.sampleRate == 24_000)
        // Nine words: about 2–4 s of speech.
        #expect(clip.duration > 1.5 && clip.duration < 4.5, "\(clip.duration) s")
        #expect(clip.samples.allSatisfy { $0.isFinite })
        #expect(rms(clip.samples[...]) > 0.02)
        #expect(clip.samples.map(abs).max()! <= 1.5)
    }

    @Test func sameInputGivesIdenticalSamples() async throws {
        let request = SpeechRequest(text: "Determinism matters.", voice: "am_adam")
        let first = try await engine.synthesize(request)
        let second = try await engine.synthesize(request)
        #expect(first.samples == second.samples)
    }

    @Test func speedChangesDuration() async throws {
        let normal = try await engine.synthesize(SpeechRequest(text: "Counting one, two, three, four.", voice: "af_heart"))
        let fast = try await engine.synthesize(SpeechRequest(text: "Counting one, two, three, four.", voice: "af_heart", speed: 2))
        #expect(fast.duration < normal.duration * 0.7)
    }

    @Test func longTextIsChunkedAndStreamedInOrder() async throws {
        let text = String(repeating: "This sentence is repeated to make a long text, and it keeps going. ", count: 12)
        let job = try engine.prepare(SpeechRequest(text: text, voice: "bf_emma"))
        #expect(job.language == .britishEnglish)
        #expect(job.segments.count > 2)
        var indices: [Int] = []
        var lastFlag = false
        for try await chunk in engine.stream(job) {
            indices.append(chunk.index)
            lastFlag = chunk.isLast
            #expect(rms(chunk.samples[...]) > 0.01)
        }
        // Each segment's audio in order (a sentence comes in several windows).
        #expect(indices == indices.sorted() && Set(indices) == Set(0..<job.segments.count))
        #expect(lastFlag)
        // The first piece is the first sentence whole: the model hears it at once.
        let first = try engine.phonemize("This sentence is repeated to make a long text, and it keeps going.", language: .britishEnglish)
        guard case .speech(let phonemes, let tokens, let pauseAfter, let words) = job.segments[0] else {
            Issue.record("the first segment is not speech")
            return
        }
        #expect(phonemes == first && tokens == engine.vocabulary.tokenize(first).tokens && pauseAfter == engine.planner.joiner.pause(after: first))
        // Its words are the text's, as written.
        #expect(words.map(\.text) == ["This", "sentence", "is", "repeated", "to", "make", "a", "long", "text,", "and", "it", "keeps", "going."])
    }

    @Test func inlinePauseIsExactSilenceWithoutTheModel() async throws {
        let job = try engine.prepare(SpeechRequest(text: "[pause:0.5s]", voice: "af_heart"))
        #expect(job.segments == [.silence(samples: 12_000)])
        let clip = try await engine.synthesize(SpeechRequest(text: "[pause:0.5s]", voice: "af_heart"))
        #expect(clip.samples == [Float](repeating: 0, count: 12_000))
    }

    @Test func blendedVoiceSpeaks() async throws {
        let clip = try await engine.synthesize(SpeechRequest(text: "Blended.", voice: "af_bella(2)+af_sky(1)"))
        #expect(rms(clip.samples[...]) > 0.02)
    }

    @Test func otherLanguagesSpeakThroughESpeak() async throws {
        let clip = try await engine.synthesize(SpeechRequest(text: "Bonjour tout le monde.", voice: "ff_siwis"))
        #expect(clip.duration > 0.5 && rms(clip.samples[...]) > 0.02)
    }

    @Test func badInputIsRefusedBeforeAudio() throws {
        #expect(throws: EngineError.emptyText) { try engine.prepare(SpeechRequest(text: " \n\t", voice: "af_heart")) }
        #expect(throws: EngineError.speedOutOfRange(2.5)) { try engine.prepare(SpeechRequest(text: "Hi.", voice: "af_heart", speed: 2.5)) }
        #expect(throws: EngineError.speedOutOfRange(Double(Float(0.1)))) { try engine.prepare(SpeechRequest(text: "Hi.", voice: "af_heart", speed: 0.1)) }
        #expect(throws: (any Error).self) { try engine.prepare(SpeechRequest(text: "Hi.", voice: "zz_nobody")) }
        #expect(throws: (any Error).self) { try engine.prepare(SpeechRequest(text: "Hi.", voice: "af_heart+")) }
        #expect(throws: EngineError.noPhonemes("...")) { try engine.prepare(SpeechRequest(text: "...", voice: "af_heart")) }
    }

    @Test func cancellingTheConsumerStopsSynthesis() async throws {
        let text = (1...30).map { "Sentence number \($0) would take a while to speak completely." }.joined(separator: " ")
        let job = try engine.prepare(SpeechRequest(text: text, voice: "af_heart", useCache: false))
        let counter = ChunkCounter()
        let task = Task {
            for try await _ in engine.stream(job) { await counter.increment() }
        }
        while await counter.count == 0 { try await Task.sleep(for: .milliseconds(10)) }
        task.cancel()
        _ = await task.result
        let seen = await counter.count
        #expect(seen < job.segments.count)
    }

    @Test func missingModelNamesTheFix() throws {
        var assets = AssetLocations.resolve()
        assets.model = URL(fileURLWithPath: "/nonexistent/kokoro.onnx")
        #expect(throws: EngineError.missingModel("/nonexistent/kokoro.onnx")) {
            try KokoroEngine(configuration: .init(assets: assets))
        }
        #expect(EngineError.missingModel("x").description.contains("scripts/setup.sh"))
    }
}

actor ChunkCounter {
    var count = 0
    func increment() { count += 1 }
}
