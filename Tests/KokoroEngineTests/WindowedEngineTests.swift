import Foundation
import Testing
@testable import KokoroEngine

/// The engine on the split model with decoder windows: each sentence's front once, then
/// its audio window by window.
@Suite("Engine streaming decoder windows", .serialized)
struct WindowedEngineTests {
    static let windows = DecoderWindows.standard
    static let engine: Result<KokoroEngine, any Error> = Result {
        try KokoroEngine(configuration: .init(session: .init(intraOpThreads: 2), windows: windows, calibratesVoices: false))
    }

    /// A sentence streamed to a listener arrives in several chunks, in order, the first
    /// after one short window;
    /// together they last about as long as the whole decode of the sentence, trimmed at its
    /// edges only, and the last word is not cut.
    @Test func aSentenceStreamsInWindowsAndLastsAsLongAsItsWholeDecode() async throws {
        let windowed = try Self.engine.get()
        #expect(windowed.windows == Self.windows)
        let text = "The old lighthouse stood at the edge of the cliff, its white paint peeling after decades of salt and wind."
        let request = SpeechRequest(text: text, voice: "af_heart", useCache: false, realTime: true)
        var chunks: [AudioChunk] = []
        for try await chunk in windowed.stream(try windowed.prepare(request)) { chunks.append(chunk) }
        #expect(chunks.count >= 3 && chunks.last?.isLast == true)
        #expect(chunks.allSatisfy { $0.index == 0 && !$0.samples.isEmpty })
        // The first chunk is one window, sized by the decoder's measured pace: at least the
        // first window's frames, less than the longest window's.
        #expect(chunks[0].samples.count < Self.windows.frames * SentenceFrames.samplesPerFrame)
        #expect(chunks[0].samples.count >= Self.windows.firstFrames * SentenceFrames.samplesPerFrame)
        let samples = chunks.flatMap(\.samples)
        let whole = try await sharedEngine.get().synthesize(request).samples
        #expect(abs(Double(samples.count - whole.count)) / Double(whole.count) < 0.05, "\(samples.count) vs \(whole.count) samples")
        #expect(rms(samples[...]) > 0.5 * rms(whole[...]) && samples.allSatisfy(\.isFinite))
        // The last 100 ms still carry the decay of the last word, as the whole decode's do.
        #expect(rms(samples.suffix(2_400)) > 0.1 * rms(whole.suffix(2_400)))
    }

    /// Windowed decoding is as deterministic as the whole model.
    @Test func twoRequestsOfOneSentenceAreIdentical() async throws {
        let windowed = try Self.engine.get()
        let request = SpeechRequest(text: "Windows are decoded the same way every time.", voice: "af_heart", useCache: false)
        let first = try await windowed.synthesize(request)
        let second = try await windowed.synthesize(request)
        #expect(first.samples == second.samples && first.chunks > 1)
    }
}
