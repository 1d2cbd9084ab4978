import Foundation
import KokoroPhonemizer
import Testing
@testable import KokoroEngine

/// Word timestamps from the front's durations: the request's own words, in order, where
/// the audio has them (af_heart decodes in windows, bf_emma whole: it has no statistics).
@Suite("Word timings", .serialized)
struct WordTimingTests {
    let engine: KokoroEngine
    init() throws { engine = try sharedEngine.get() }

    /// Timings in order, each word inside the audio and after the one before.
    func expectOrdered(_ words: [WordTiming], within duration: Double) {
        for word in words {
            #expect(word.start >= 0 && word.end > word.start && word.end <= duration + 0.001, "\(word) in \(duration) s")
        }
        for (word, next) in zip(words, words.dropFirst()) {
            #expect(word.start < next.start && word.end <= next.start + 0.001, "\(word) then \(next)")
        }
    }

    @Test(arguments: ["af_heart", "bf_emma"])
    func aSentenceHasItsWrittenWordsInOrder(voice: String) async throws {
        let text = "In 1969, Apollo 11 carried three astronauts about 240,000 miles to the Moon."
        let clip = try await engine.synthesize(SpeechRequest(text: text, voice: voice, useCache: false))
        #expect(clip.words.map(\.word) == text.split(separator: " ").map(String.init))
        expectOrdered(clip.words, within: clip.duration)
        // Speech starts at once, and a number said in four words lasts longer than a short word.
        #expect(clip.words[0].start < 0.3)
        let year = clip.words[1], the = clip.words[11]
        #expect(year.end - year.start > 2 * (the.end - the.start), "\(year) vs \(the)")
    }

    @Test func wordsAfterAPauseComeAfterIt() async throws {
        let clip = try await engine.synthesize(SpeechRequest(text: "Hello there. [pause:1s] Goodbye now.", voice: "af_heart", useCache: false))
        #expect(clip.words.map(\.word) == ["Hello", "there.", "Goodbye", "now."])
        expectOrdered(clip.words, within: clip.duration)
        #expect(clip.words[2].start - clip.words[1].end >= 1)
    }

    @Test func aRewrittenSpanIsOneWord() async throws {
        let clip = try await engine.synthesize(SpeechRequest(text: "It costs $5 at 9:45 AM today.", voice: "af_heart", useCache: false))
        #expect(clip.words.map(\.word) == ["It", "costs", "$5", "at", "9:45 AM", "today."])
        expectOrdered(clip.words, within: clip.duration)
    }

    @Test func eachChunkCarriesTheWordsThatEndInIt() async throws {
        let text = "A stream sends its words with the audio they end in. The second sentence follows the first."
        let job = try engine.prepare(SpeechRequest(text: text, voice: "af_heart", useCache: false))
        var start = 0.0
        var words: [WordTiming] = []
        var chunks = 0
        for try await chunk in engine.stream(job) {
            let end = start + Double(chunk.samples.count) / 24_000
            // (A sentence's last window may be empty: its tail was all silence.)
            for word in chunk.words { #expect((word.end > start || chunk.samples.isEmpty) && word.end <= end + 0.001, "\(word) in \(start)–\(end) s") }
            words += chunk.words
            start = end
            chunks += 1
        }
        #expect(chunks > 2)
        #expect(words.map(\.word) == text.split(separator: " ").map(String.init))
        expectOrdered(words, within: start)
    }

    @Test func aCachedSentenceKeepsItsTimings() async throws {
        let request = SpeechRequest(text: "Timings survive the audio cache.", voice: "bf_emma")
        let made = try await engine.synthesize(request)
        let cached = try await engine.synthesize(request)
        #expect(cached.samples == made.samples)
        #expect(!made.words.isEmpty && cached.words == made.words)
    }
}
