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
        let threshold = joiner.threshold(loudest: joiner.loudest(clip.samples))
        let onset = try #require(joiner.frameEnergies(clip.samples[...]).firstIndex { $0 >= threshold }) * joiner.frameLength
        #expect(onset <= Int(joiner.margin * 24_000) + 240, "speech starts \(onset) samples in")
        #expect(abs(clip.words[0].start - Double(onset) / 24_000) < 0.011, "\(clip.words[0]) against speech at \(Double(onset) / 24_000) s")
    }

    /// The first window is cut like a whole sentence: the silence before the speech but for
    /// the margin, never a sound above the threshold.
    @Test func theHeadCutKeepsTheMarginBeforeTheSpeech() {
        let joiner = AudioJoiner()
        let tone = (0..<4_800).map { Float(sin(Double($0) * 0.2)) * 0.5 }
        let samples = [Float](repeating: 0, count: 2_400) + tone
        let head = joiner.trimHead(samples, loudest: joiner.loudest(samples))
        #expect(head.cut == 2_400 - 720)
        #expect(head.samples.count == samples.count - head.cut && Array(head.samples[720..<1_720]) == Array(tone[..<1_000]))
        // Speech from the first sample: nothing to cut.
        #expect(joiner.trimHead(tone, loudest: joiner.loudest(tone)).cut == 0)
    }

    /// A stream's tail is cut as a whole sentence's is when its speech ends in the window
    /// before the last: what follows the sound is held back, and a silent last window keeps
    /// just the margin after that sound (an empty chunk and the silence of a whole window
    /// before).
    @Test func theTailIsCutAcrossTheLastTwoWindows() throws {
        let joiner = AudioJoiner()
        let tone = (0..<4_800).map { Float(sin(Double($0) * 0.2)) * 0.5 }
        let window = tone + [Float](repeating: 0, count: 1_200)
        let loudest = joiner.loudest(window)
        let end = try #require(joiner.soundEnd(window, loudest: loudest))
        #expect(end == 4_800)
        let silentLast = [Float](repeating: 0, count: 9_600)
        let tail = joiner.trimTail(Array(window[end...]) + silentLast, loudest: loudest, afterSound: true)
        #expect(tail.count == 720)
        let whole = joiner.trimTail(window + silentLast, loudest: loudest)
        #expect(Array(window[..<end]) + tail == whole)
        // Without sound before, a silent window has nothing to keep.
        #expect(joiner.trimTail(silentLast, loudest: loudest).isEmpty)
    }

    /// Sound starts are found however the audio is split into windows: the first sound, and
    /// sound after 50 ms of silence or more, not after a shorter gap (a stop's closure).
    @Test(arguments: [[48_000], [1_000, 7_000, 40_000], [2_399, 2, 45_599]])
    func soundStartsAfterPausesWhateverTheWindows(windows: [Int]) {
        let joiner = AudioJoiner()
        func tone(_ count: Int) -> [Float] { (0..<count).map { Float(sin(Double($0) * 0.2)) * 0.5 } }
        func silence(_ count: Int) -> [Float] { [Float](repeating: 0, count: count) }
        // Sound at 30 ms; a 40 ms gap (not a pause) at 400 ms; a 200 ms pause at 800 ms.
        let audio = silence(720) + tone(8_880) + silence(960) + tone(8_640) + silence(4_800) + tone(24_000)
        var onsets = SoundOnsets()
        var at = 0
        for count in windows {
            onsets.append(Array(audio[at..<(at + count)]), loudest: joiner.loudest(audio), joiner: joiner)
            at += count
        }
        #expect(onsets.samples == [720, 24_000])
    }

    /// A word after a pause starts at its sound: back up to 100 ms, forward up to 30 ms; the
    /// first word at the audio's first sound however far back; a sound starts one word only;
    /// the word before ends there at the latest; a word far from any sound keeps its frames.
    @Test func wordsAfterAPauseStartAtTheirSound() {
        // Frames: padding 10, then tokens of 8 frames; the audio starts 5 frames in.
        let words = (0..<4).map { SpokenWord(text: "w\($0)", tokens: (2 * $0)..<(2 * $0 + 2)) }
        let durations: [Int64] = [10] + Array(repeating: 4, count: 8) + [5]
        func starts(_ sounds: [Int]) -> [Int] {
            SentenceTiming(durations: durations, leadSamples: 5 * 600, soundStarts: sounds).timings(of: words, startingAt: 0)
                .map { Int(($0.start * 24_000).rounded()) }
        }
        let framed = [3_000, 7_800, 12_600, 17_400]
        #expect(starts([]) == framed)
        // The first word to the first sound, 125 ms before its frames; the third 100 ms back, the fourth 30 ms on.
        #expect(starts([0, 12_600 - 2_400, 17_400 + 720]) == [0, 7_800, 10_200, 18_120])
        // Beyond either limit: the frames.
        #expect(starts([0, 12_600 - 2_401, 17_400 + 721]) == [0, 7_800, 12_600, 17_400])
        // One sound near two words starts the nearer one only.
        #expect(starts([7_000]) == [3_000, 7_000, 12_600, 17_400])
        let timed = SentenceTiming(durations: durations, leadSamples: 5 * 600, soundStarts: [11_000]).timings(of: words, startingAt: 0)
        #expect(timed[1].end == timed[2].start && timed[2].start == 11_000.0 / 24_000)
    }

    /// In a real sentence, the word after a comma's pause starts where its sound does: silence
    /// for 50 ms before it, sound in its first 10 ms (streamed in windows, or from the cache).
    @Test(arguments: [false, true])
    func theWordAfterACommaStartsWithItsSound(cached: Bool) async throws {
        let request = SpeechRequest(text: "When the storm ended, everyone went outside.", voice: "af_heart", useCache: cached)
        if cached { _ = try await engine.synthesize(request) }
        let clip = try await engine.synthesize(request)
        let joiner = AudioJoiner()
        let threshold = joiner.threshold(loudest: joiner.loudest(clip.samples))
        let start = Int((clip.words[4].start * 24_000).rounded())
        #expect(clip.words[4].word == "everyone" && start % 240 == 0)
        let before = joiner.frameEnergies(clip.samples[(start - 1_200)..<start]), first = joiner.frameEnergies(clip.samples[start..<(start + 240)])
        #expect(before.allSatisfy { $0 < threshold } && first[0] >= threshold, "\(clip.words[3]), \(clip.words[4])")
        #expect(clip.words[3].end <= clip.words[4].start)
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
