import BoundedCache
import Foundation
import KokoroPhonemizer

/// English text to the phonemes Kokoro was trained on, following misaki's pipeline:
/// normalize, tokenize, tag, look words up right to left (so "the" and "to" can hear the
/// next sound), resolve compounds, and hand what no rule covers to espeak-ng.
public final class EnglishG2P: Phonemizer {
    public let languages: Set<Language>
    private let lexicon: Lexicon
    private let fallback: ESpeakPhonemizer?
    private let vocabulary: PhonemeVocabulary?
    private let language: Language
    /// espeak-ng is the slowest step by far and serializes on one lock; its answers never
    /// change. Bounded in bytes, since every request can bring new words.
    let fallbackCache: LRUCache<String, String>

    /// `fallbackCacheBytes`: the default 1 MB keeps some 20,000 words espeak-ng read.
    public init(dictionaryDirectory: URL, british: Bool, fallback: ESpeakPhonemizer?, vocabulary: PhonemeVocabulary?,
                fallbackCacheBytes: Int = 1 << 20) throws {
        fallbackCache = LRUCache(capacity: fallbackCacheBytes) { word, phonemes in word.utf8.count + phonemes.utf8.count + 32 }
        lexicon = try Lexicon(directory: dictionaryDirectory, british: british)
        language = british ? .britishEnglish : .americanEnglish
        languages = [language]
        self.fallback = fallback
        self.vocabulary = vocabulary
    }

    public func phonemize(_ text: String, language: Language) throws -> String {
        try phonemizeWords(text, language: language).phonemes
    }

    public func phonemizeWords(_ text: String, language: Language) throws -> PhonemizedText {
        try phonemizeWords(text, language: language, normalization: .standard)
    }

    public func phonemizeWords(_ text: String, language: Language, normalization: NormalizationOptions) throws -> PhonemizedText {
        guard language == self.language else { throw PhonemizerError.unsupportedLanguage(language) }
        var tokens = try tokens(of: text, normalization: normalization)
        Tagger.tag(&tokens, isHomograph: lexicon.isPartOfSpeechHomograph)
        var words = Retokenizer.words(from: tokens)
        var context = TokenContext()
        for index in words.indices.reversed() {
            switch words[index] {
            case .single(var token):
                if token.phonemes == nil {
                    if let (ps, rating) = lexicon.phonemes(for: token, context: context) {
                        token.phonemes = ps
                        token.rating = rating
                    } else {
                        token.phonemes = try fallbackPhonemes(token.text)
                    }
                }
                context = Self.context(after: context, phonemes: token.phonemes, token: token)
                words[index] = .single(token)
            case .group(var group):
                context = try resolve(&group, context: context)
                words[index] = .group(group)
            }
        }
        // The phoneme words as they are spelled out, each with the text its tokens read.
        var output = ""
        var sources: [Range<Int>?] = []
        var word = ""
        var source: Range<Int>?
        func endWord() {
            guard !word.isEmpty else { return }
            output += output.isEmpty ? word : " " + word
            sources.append(source)
            word = ""
            source = nil
        }
        for spoken in words {
            let token = spoken.merged
            if let ps = token.phonemes {
                // misaki's final spelling of the flap and the glottal stop.
                for c in ps.unicodeScalars {
                    if c == " " {
                        endWord()
                    } else {
                        word.unicodeScalars.append(c == "ɾ" ? "T" : (c == "ʔ" ? "t" : c))
                    }
                }
                if !ps.isEmpty, let range = token.source {
                    source = source.map { min($0.lowerBound, range.lowerBound)..<max($0.upperBound, range.upperBound) } ?? range
                }
            }
            if token.spaceAfter { endWord() }
        }
        endWord()
        return PhonemizedText(phonemes: output, sources: sources)
    }

    /// The tokens of `text`, each with the part of `text` it reads.
    private func tokens(of text: String, normalization: NormalizationOptions) throws -> [Token] {
        // British readers take an ambiguous 03/04/2025 as the 3rd of April.
        let normalizer = TextNormalizer(dayFirst: language == .britishEnglish, options: normalization)
        var tokens: [Token] = []
        for segment in InlineMarkup.parse(text) {
            if segment.text.first?.isWhitespace == true, !tokens.isEmpty { tokens[tokens.count - 1].spaceAfter = true }
            switch segment.control {
            case .phonemes(let ps)?:
                if let vocabulary {
                    let unknown = vocabulary.unknownSymbols(in: ps)
                    guard unknown.isEmpty else { throw PhonemizerError.invalidInlinePhonemes(unknown.map { String($0) }) }
                }
                var token = Token(text: segment.text, tag: "NNP")
                token.phonemes = ps
                token.rating = 5
                token.source = segment.source
                tokens.append(token)
            case .stress(let stress)?:
                var marked = Self.tokens(ofPlain: segment, normalizer: normalizer)
                for i in marked.indices { marked[i].stress = stress }
                tokens += marked
            case nil:
                tokens += Self.tokens(ofPlain: segment, normalizer: normalizer)
            }
            if segment.text.last?.isWhitespace == true, !tokens.isEmpty { tokens[tokens.count - 1].spaceAfter = true }
        }
        return tokens
    }

    /// A segment's text normalized and tokenized, each token given the words of the segment
    /// it reads: found in order in the normalized text, then traced through normalization.
    private static func tokens(ofPlain segment: InlineMarkup.Segment, normalizer: TextNormalizer) -> [Token] {
        let normalized = normalizer.normalize(segment.text)
        var tokens = Tokenizer.tokenize(normalized)
        let words = PhonemizedText.wordSpans(of: normalized)
        let sources = normalized == segment.text ? words : SourceAlignment.sources(of: normalized, in: segment.text)
        let bytes = Array(normalized.utf8)
        var cursor = 0, word = 0
        for index in tokens.indices {
            let needle = Array(tokens[index].text.utf8)
            guard !needle.isEmpty, let found = Self.firstIndex(of: needle, in: bytes, from: cursor) else { continue }
            cursor = found + needle.count
            while word < words.count, words[word].upperBound <= found { word += 1 }
            guard word < sources.count else { continue }
            let range = sources[word]
            tokens[index].source = (segment.source.lowerBound + range.lowerBound)..<(segment.source.lowerBound + range.upperBound)
        }
        return tokens
    }

    private static func firstIndex(of needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard needle.count <= haystack.count else { return nil }
        var index = start
        while index + needle.count <= haystack.count {
            if haystack[index] == needle[0], haystack[index..<(index + needle.count)].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }

    private func fallbackPhonemes(_ text: String) throws -> String? {
        guard let fallback else { return nil }
        if let cached = fallbackCache.value(for: text) { return cached }
        let ps = try fallback.phonemize(text, language: language)
        fallbackCache.insert(ps, for: text)
        return ps
    }

    /// misaki's compound resolution: look up the longest run of pieces that the lexicon
    /// knows, working leftwards from the end; if a piece stays unknown, espeak reads the
    /// whole word instead.
    private func resolve(_ group: inout [Token], context: TokenContext) throws -> TokenContext {
        var context = context
        var left = 0, right = group.count
        var needsFallback = false
        while left < right {
            let known = group[left..<right].allSatisfy { $0.alias == nil && $0.phonemes == nil }
            let merged = known ? Token.merging(group[left..<right]) : nil
            if let merged, let (ps, rating) = lexicon.phonemes(for: merged, context: context) {
                group[left].phonemes = ps
                group[left].rating = rating
                for i in (left + 1)..<right { group[i].phonemes = "" }
                context = Self.context(after: context, phonemes: ps, token: merged)
                right = left
                left = 0
            } else if left + 1 < right {
                left += 1
            } else {
                right -= 1
                if group[right].phonemes == nil {
                    if group[right].text.allSatisfy(Retokenizer.junk.contains) {
                        group[right].phonemes = ""
                    } else if fallback != nil {
                        needsFallback = true
                        break
                    }
                }
                left = 0
            }
        }
        if needsFallback {
            let merged = Token.merging(group[...])
            group[0].phonemes = try fallbackPhonemes(merged.text)
            for i in 1..<group.count { group[i].phonemes = "" }
        } else {
            Retokenizer.resolveStress(&group)
        }
        return context
    }

    private static let clauseMarks: Set<Character> = [";", ":", ",", ".", "!", "?", "—", "…"]

    static func context(after context: TokenContext, phonemes: String?, token: Token) -> TokenContext {
        var vowel = context.futureVowel
        if let phonemes {
            for c in phonemes {
                if clauseMarks.contains(c) { vowel = nil; break }
                if Stress.vowels.contains(c) { vowel = true; break }
                if Stress.consonants.contains(c) { vowel = false; break }
            }
        }
        let text = token.text
        let isTo = text == "to" || text == "To" || (text == "TO" && (token.tag == "TO" || token.tag == "IN"))
        return TokenContext(futureVowel: vowel, futureTo: isTo)
    }
}
