import BoundedCache
import Foundation
import KokoroPhonemizer
import KokoroVoices
import Logging

/// Turns a request into segments: pause markers, sentences, phonemes, tokens, pieces.
///
/// Runs before any audio is made, so every input error (empty text, bad voice, speed out
/// of range, nothing speakable) is raised before a response starts.
public struct SynthesisPlanner: Sendable {
    public let phonemizers: PhonemizerRouter
    public let vocabulary: PhonemeVocabulary
    public let voices: VoiceLibrary
    public var chunker = PhonemeChunker()
    public var joiner = AudioJoiner()
    /// The most audio one request may make, in seconds, speech and pauses: what a request
    /// costs in work, and a whole file in memory, is bounded by it. The default, 30 minutes,
    /// is more than the longest accepted input (20,000 characters, about 22 minutes) reads.
    public var maxAudioSeconds = 1_800.0
    var logger = Logger(label: "kokoro.planner")
    /// Phonemes of recently seen sentences (with the words they read), by language.
    public let phonemeCache: LRUCache<PhonemeKey, PhonemizedText>

    public struct PhonemeKey: Hashable, Sendable {
        let text: String
        let language: Language
        let normalization: NormalizationOptions
        /// The user lexicon's generation the phonemes were read with.
        let lexicon: Int
    }

    public init(phonemizers: PhonemizerRouter, vocabulary: PhonemeVocabulary, voices: VoiceLibrary, phonemeCacheBytes: Int = 4 << 20) {
        self.phonemizers = phonemizers
        self.vocabulary = vocabulary
        self.voices = voices
        phonemeCache = LRUCache(capacity: phonemeCacheBytes) { key, phonemes in
            key.text.utf8.count + phonemes.phonemes.utf8.count + phonemes.sources.count * MemoryLayout<Range<Int>?>.stride
        }
    }

    /// A sentence's phonemes and the words they read, from the cache when it was seen before.
    func phonemes(of sentence: String, language: Language, normalization: NormalizationOptions) throws -> PhonemizedText {
        let key = PhonemeKey(text: sentence, language: language, normalization: normalization, lexicon: phonemizers.lexiconGeneration)
        if let cached = phonemeCache.value(for: key) { return cached }
        let phonemes = try phonemizers.phonemizeWords(sentence, language: language, normalization: normalization)
        phonemeCache.insert(phonemes, for: key)
        return phonemes
    }

    public func plan(_ request: SpeechRequest) throws -> SynthesisJob {
        guard !request.text.allSatisfy(\.isWhitespace) else { throw EngineError.emptyText }
        guard request.speed.isFinite, EngineError.speedRange.contains(request.speed) else {
            throw EngineError.speedOutOfRange(Double(request.speed))
        }
        let style = try voices.resolve(request.voice)
        let language = request.language ?? Language(voiceName: request.voice) ?? .americanEnglish
        let parts = Self.splitPauses(request.text)
        // The pauses alone are checked before any phonemizing.
        let pauses = parts.reduce(0.0) { if case .pause(let seconds) = $1 { $0 + seconds } else { $0 } }
        guard pauses <= maxAudioSeconds else { throw EngineError.tooLong(estimatedSeconds: pauses, limit: maxAudioSeconds) }
        var segments: [Segment] = []
        let bytes = Array(request.text.utf8)
        var cursor = 0
        for part in parts {
            switch part {
            case .pause(let seconds):
                segments.append(.silence(samples: Int(seconds * Double(joiner.sampleRate))))
            case .text(let text):
                // Each sentence's words, as offsets into the request's text: the sentences
                // are its substrings, in order.
                var sentences: [String] = [], sources: [Range<Int>?] = []
                for sentence in TextSegmenter.sentences(text) {
                    let phonemized = try phonemes(of: sentence, language: language, normalization: request.normalization)
                    let start = bytes[cursor...].firstRange(of: Array(sentence.utf8))?.lowerBound
                    if let start { cursor = start + sentence.utf8.count }
                    sentences.append(phonemized.phonemes)
                    sources += phonemized.sources.map { range in start.flatMap { start in range.map { (start + $0.lowerBound)..<(start + $0.upperBound) } } }
                }
                var word = 0
                for piece in chunker.chunks(sentences) {
                    let count = PhonemizedText.words(of: piece).count
                    let pieceSources = sources[min(word, sources.count)..<min(word + count, sources.count)]
                    word += count
                    if let segment = speechSegment(piece, words: SpokenWord.words(of: piece, sources: pieceSources, in: request.text, vocabulary: vocabulary)) {
                        segments.append(segment)
                    }
                }
            }
        }
        guard segments.contains(where: { if case .silence(let samples) = $0 { samples > 0 } else { true } }) else {
            throw EngineError.noPhonemes(request.text)
        }
        return try bounded(SynthesisJob(request: request, language: language, style: style, segments: segments))
    }

    /// `job`, if the audio it is expected to make is within `maxAudioSeconds`.
    func bounded(_ job: SynthesisJob) throws(EngineError) -> SynthesisJob {
        let seconds = job.estimatedAudioSeconds
        guard seconds <= maxAudioSeconds else { throw .tooLong(estimatedSeconds: seconds, limit: maxAudioSeconds) }
        return job
    }

    /// A job for phonemes given directly (`/dev/generate_from_phonemes`): symbols outside the
    /// vocabulary are an error here, since a person typed them.
    public func plan(phonemes: String, voice: String, speed: Float) throws -> SynthesisJob {
        guard !phonemes.allSatisfy(\.isWhitespace) else { throw EngineError.emptyText }
        guard speed.isFinite, EngineError.speedRange.contains(speed) else { throw EngineError.speedOutOfRange(Double(speed)) }
        let unknown = vocabulary.unknownSymbols(in: phonemes)
        guard unknown.isEmpty else { throw PhonemizerError.invalidInlinePhonemes(unknown.map(String.init)) }
        let style = try voices.resolve(voice)
        let segments = chunker.chunks([phonemes]).compactMap { piece in
            speechSegment(piece, words: SpokenWord.words(of: piece, sources: PhonemizedText.aligningWords(piece, with: piece).sources[...],
                                                         in: piece, vocabulary: vocabulary))
        }
        guard !segments.isEmpty else { throw EngineError.noPhonemes(phonemes) }
        let request = SpeechRequest(text: phonemes, voice: voice, speed: speed)
        return try bounded(SynthesisJob(request: request, language: Language(voiceName: voice) ?? .americanEnglish, style: style,
                                        segments: segments))
    }

    /// A piece's tokens and the words they speak; symbols outside the vocabulary are dropped and logged.
    func speechSegment(_ phonemes: String, words: [SpokenWord]) -> Segment? {
        let (tokens, unknown) = vocabulary.tokenize(phonemes)
        if !unknown.isEmpty {
            logger.warning("dropped phonemes outside Kokoro's vocabulary", metadata: ["symbols": "\(unknown.map(String.init).joined())"])
        }
        // Punctuation alone ("...") is not speech: the model would only mumble.
        guard phonemes.contains(where: { !$0.isWhitespace && !PhonemeChunker.clauseMarks.contains($0) && !"\"“”()«»¡¿".contains($0) }),
              !tokens.isEmpty else { return nil }
        return .speech(phonemes: phonemes, tokens: tokens, pauseAfter: joiner.pause(after: phonemes), words: words)
    }

    enum Part: Equatable {
        case text(String)
        case pause(Double)
    }

    /// The longest inline pause honoured, in seconds.
    static let maxPause = 30.0

    /// Text split at inline `[pause:1.5s]` markers (seconds; `ms` also accepted).
    static func splitPauses(_ text: String) -> [Part] {
        let pattern = /\[pause:\s*(\d+(?:\.\d+)?)\s*(s|ms)?\]/.ignoresCase()
        var parts: [Part] = []
        var rest = text[...]
        while let match = rest.firstMatch(of: pattern) {
            let before = rest[..<match.range.lowerBound]
            if !before.allSatisfy(\.isWhitespace) { parts.append(.text(String(before))) }
            let value = Double(match.output.1) ?? 0
            let seconds = match.output.2?.lowercased() == "ms" ? value / 1000 : value
            parts.append(.pause(min(seconds, maxPause)))
            rest = rest[match.range.upperBound...]
        }
        if !rest.allSatisfy(\.isWhitespace) { parts.append(.text(String(rest))) }
        return parts
    }
}
