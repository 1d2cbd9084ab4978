import Foundation
import KokoroPhonemizer
import Testing
@testable import KokoroEngine

/// Word timestamps from the front's durations: the request's own words, in order, where
/// the audio has them (af_heart decodes in the standard windows; bf_emma, which has no
/// statistics, in the long windows normalized over themselves).
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

    /// Each sentence's audio starts with its speech, not the model's silence before it (as
    /// a whole sentence is trimmed: 30 ms kept), and its first word starts where the speech
    /// becomes audible, in both kinds of windows (af_heart, bf_emma).
    @Test(arguments: ["af_heart", "bf_emma"])
    func aSentenceStartsWithItsSpeechAndItsFirstWordThere(voice: String) async throws {
        let clip = try await engine.synthesize(SpeechRequest(text: "Spring arrived early that year.", voice: voice, useCache: false))
        let joiner = AudioJoiner()
        let trimmed = joiner.trim(clip.samples)
        let onset = trimmed.start + trimmed.onset
        #expect(onset <= Int(joiner.margin * 24_000) + 240, "speech starts \(onset) samples in")
        #expect(abs(clip.words[0].start - Double(onset) / 24_000) < 0.011, "\(clip.words[0]) against speech at \(Double(onset) / 24_000) s")
    }

    /// The first window is cut like a whole sentence: the silence before the speech but for
    /// the margin, never a sound above the threshold; and the onset is measured in what is left.
    @Test func theHeadCutKeepsTheMarginBeforeTheSpeech() {
        let joiner = AudioJoiner()
        let tone = (0..<4_800).map { Float(sin(Double($0) * 0.2)) * 0.5 }
        let samples = [Float](repeating: 0, count: 2_400) + tone
        let head = joiner.trimHead(samples, loudest: joiner.loudest(samples))
        #expect(head.cut == 2_400 - 720 && head.onset == 720)
        #expect(head.samples.count == samples.count - head.cut && Array(head.samples[720..<1_720]) == Array(tone[..<1_000]))
        // Speech from the first sample: nothing to cut.
        #expect(joiner.trimHead(tone, loudest: joiner.loudest(tone)).cut == 0)
    }

    /// Timings clamp the first word, and only it, to where speech is heard.
    @Test func onlyTheFirstWordMovesToTheSpeech() {
        let words = [SpokenWord(text: "one", tokens: 0..<2), SpokenWord(text: "two", tokens: 2..<4)]
        let timing = SentenceTiming(durations: [10, 4, 4, 4, 4, 5], leadSamples: 5 * 600, speechStart: 1_200)
        let timed = timing.timings(of: words, startingAt: 0)
        #expect(timed[0].start == 0.05 && timed[1].start == Double(13 * 600) / 24_000)
        let early = SentenceTiming(durations: [10, 4, 4, 4, 4, 5], leadSamples: 5 * 600, speechStart: 6_000)
        #expect(early.timings(of: words, startingAt: 0)[0].start == Double(5 * 600) / 24_000)
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
