import KokoroPhonemizer

/// A word of the request's text and the tokens of a piece that speak it.
public struct SpokenWord: Sendable, Equatable {
    /// The word as the user wrote it ("$5", "9:45"), which may be read as several words.
    public let text: String
    /// Its tokens in the piece (no padding): from its first sound to its last, without the
    /// punctuation around it.
    public let tokens: Range<Int>

    /// The words of `piece` (phonemes, whose tokens are `vocabulary`'s), given the text
    /// each of its phoneme words reads (`sources`, UTF-8 offsets into `text`). Phoneme
    /// words that read the same written word are one spoken word.
    static func words(of piece: String, sources: ArraySlice<Range<Int>?>, in text: String, vocabulary: PhonemeVocabulary) -> [SpokenWord] {
        var spans: [(source: Range<Int>, tokens: Range<Int>)] = []
        var token = 0
        var first: Int?, last = 0
        var word = sources.startIndex
        func endWord() {
            defer { first = nil }
            guard word < sources.endIndex else { return }
            defer { word += 1 }
            guard let source = sources[word], let first else { return }
            if let previous = spans.last, previous.source.overlaps(source) || previous.source == source {
                spans[spans.count - 1] = (min(previous.source.lowerBound, source.lowerBound)..<max(previous.source.upperBound, source.upperBound),
                                          previous.tokens.lowerBound..<(last + 1))
            } else {
                spans.append((source, first..<(last + 1)))
            }
        }
        var inWord = false
        for scalar in piece.unicodeScalars {
            if scalar == " " {
                if inWord { endWord() }
                inWord = false
            } else {
                inWord = true
                if (vocabulary.ids[scalar] != nil), !Self.silent.contains(scalar) {
                    if first == nil { first = token }
                    last = token
                }
            }
            if (vocabulary.ids[scalar] != nil) { token += 1 }
        }
        if inWord { endWord() }
        let bytes = Array(text.utf8)
        return spans.map { SpokenWord(text: String(decoding: bytes[$0.source.clamped(to: 0..<bytes.count)], as: UTF8.self), tokens: $0.tokens) }
    }

    /// Punctuation the model reads as a pause or a tone, not a sound of the word.
    static let silent: Set<Unicode.Scalar> = [",", ";", ":", ".", "!", "?", "—", "…", "\"", "“", "”", "(", ")", "«", "»", "¡", "¿"]
}

/// When a word is heard in the audio a request gets, in seconds from its start.
public struct WordTiming: Sendable, Equatable, Codable {
    public let word: String
    public let start: Double
    public let end: Double

    public init(word: String, start: Double, end: Double) {
        self.word = word
        self.start = start
        self.end = end
    }

    /// The timing cut at `time`, the end of its sentence's audio: the durations give the
    /// last word a tail that trimming removed (speech ends 250–370 ms before the last
    /// token's frames: 20 LJSpeech sentences).
    func ending(by time: Double) -> WordTiming {
        WordTiming(word: word, start: min(start, time), end: min(end, time))
    }
}

/// A sentence's audio as a request gets it (trimmed, before loudness), and where its tokens
/// fall in it (nil: not known, the model was not split).
struct SentenceAudio: Sendable {
    var samples: [Float]
    var timing: SentenceTiming?
}

/// Where a sentence's tokens fall in its audio: the frame each token starts at (from the
/// front's durations, the padding at either end included), the samples cut from the model's
/// audio before what was sent, and where sound starts in what was sent (`SoundOnsets`).
struct SentenceTiming: Sendable {
    /// Token i starts at frame `tokenFrames[i]` and ends at `tokenFrames[i + 1]`.
    let tokenFrames: [Int]
    let leadSamples: Int
    /// Samples into the sent audio where sound starts after a pause (or from silence at its
    /// start), ascending; empty when not measured.
    var soundStarts: [Int]

    /// A sentence decoded in windows: its audio starts `leadFrames` in, and `trimmed` samples
    /// later when the first window's silence before the speech was cut.
    init(_ sentence: SentenceFrames, trimmed: Int = 0) {
        self.init(durations: sentence.durations, leadSamples: Self.leadFrames(sentence) * SentenceFrames.samplesPerFrame + trimmed)
    }

    init(durations: [Int64], leadSamples: Int, soundStarts: [Int] = []) {
        var frames = [0]
        frames.reserveCapacity(durations.count + 1)
        for duration in durations { frames.append(frames[frames.count - 1] + Int(duration)) }
        tokenFrames = frames
        self.leadSamples = leadSamples
        self.soundStarts = soundStarts
    }

    /// Where a sentence's windowed audio starts: the model's silence before the first token
    /// is skipped but for 125 ms (its audio starts up to 90 ms before the first token's
    /// frames: 20 LJSpeech sentences).
    static func leadFrames(_ sentence: SentenceFrames) -> Int {
        max(0, Int(sentence.durations.first ?? 0) - DecoderWindows.leadIn)
    }

    /// How far a word's start moves to a sound that starts near it: back by up to 100 ms
    /// (the decoder's sound leads the frames; the sentence's first word, to the audio's first
    /// sound however far), forward by up to 30 ms (the frames start in the silence).
    static let soundBefore = 2_400, soundAfter = 720

    /// `words` placed in audio whose first sample is `start` samples into the request's (and
    /// its last `end` when known): from their tokens' frames, each word that follows a pause
    /// from where its sound starts (the word before it then ends there at the latest).
    func timings(of words: [SpokenWord], startingAt start: Int, endingAt end: Int? = nil) -> [WordTiming] {
        let frames = tokenFrames
        let rate = Double(KokoroModel.sampleRate)
        func sample(atFrame frame: Int) -> Int { max(0, frame * SentenceFrames.samplesPerFrame - leadSamples) }
        var timings: [WordTiming] = []
        // Sounds a word may start at: each starts one word at most.
        var sounds = soundStarts[...]
        var previousStart = -1
        for (index, word) in words.enumerated() {
            // Token i is durations[i + 1]: the padding token comes first.
            guard word.tokens.upperBound + 1 < frames.count else { break }
            let framed = sample(atFrame: frames[word.tokens.lowerBound + 1])
            let framedEnd = sample(atFrame: frames[word.tokens.upperBound + 1])
            let near = sounds.indices.filter { number in
                let sound = sounds[number]
                return sound > previousStart && sound <= framed + Self.soundAfter && sound < framedEnd
                    && (sound >= framed - Self.soundBefore || (index == 0 && number == 0))
            }
            var wordStart = framed
            if let closest = near.min(by: { abs(sounds[$0] - framed) < abs(sounds[$1] - framed) }) {
                wordStart = sounds[closest]
                sounds = sounds[(closest + 1)...]
            }
            previousStart = wordStart
            let startSeconds = Double(start + wordStart) / rate
            if let previous = timings.last, previous.end > startSeconds {
                timings[timings.count - 1] = WordTiming(word: previous.word, start: previous.start, end: startSeconds)
            }
            let timing = WordTiming(word: word.text, start: startSeconds, end: Double(start + framedEnd) / rate)
            timings.append(end.map { timing.ending(by: Double($0) / rate) } ?? timing)
        }
        return timings
    }
}
