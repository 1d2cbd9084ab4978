import Testing
@testable import KokoroEngine

@Suite("Sentence segmenting")
struct TextSegmenterTests {
    @Test func splitsSentencesButNotAbbreviationsOrInitials() {
        #expect(TextSegmenter.sentences("Hello there! This is Dr. Smith of St. Louis. Is it J. R. R. Tolkien? Yes… indeed.") ==
                ["Hello there!", "This is Dr. Smith of St. Louis.", "Is it J. R. R. Tolkien?", "Yes…", "indeed."])
    }

    @Test func linesAreSentencesAndQuotesStayAttached() {
        #expect(TextSegmenter.sentences("Title\n\n\"Go home.\" She left. 3.14 is pi.") == ["Title", "\"Go home.\"", "She left.", "3.14 is pi."])
        #expect(TextSegmenter.sentences("   \n  ").isEmpty)
    }

    /// Chinese and Japanese end sentences at 。！？ with no space after; a quote closed after
    /// one belongs to the sentence it is in.
    @Test func fullWidthStopsEndSentences() {
        #expect(TextSegmenter.sentences("今天天气很好。我们去公园吧！你来吗？") == ["今天天气很好。", "我们去公园吧！", "你来吗？"])
        #expect(TextSegmenter.sentences("彼は「行くよ。」と言った。そうなの？") == ["彼は「行くよ。」と言った。", "そうなの？"])
    }
}

@Suite("Phoneme chunking")
struct PhonemeChunkerTests {
    /// Deterministic pseudo-random phoneme "sentences" of varied word and clause lengths.
    static func sentences(seed: UInt64, count: Int) -> [String] {
        var state = seed
        func next(_ bound: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(bound))
        }
        let letters = Array("abdefhiklmnoprstuvwzæðŋɑɔəɛɪʊʌˈˌAIOWY")
        return (0..<count).map { _ in
            var words: [String] = []
            for _ in 0..<(1 + next(120)) {
                var word = String((0..<(1 + next(12))).map { _ in letters[next(letters.count)] })
                if next(8) == 0 { word += [",", ";", "—", ":"][next(4)] }
                words.append(word)
            }
            return words.joined(separator: " ") + [".", "!", "?"][next(3)]
        }
    }

    @Test(arguments: [1, 2, 3, 4, 5])
    func neverExceedsTheLimitNorSplitsAWord(seed: Int) {
        let input = Self.sentences(seed: UInt64(seed), count: 40)
        for chunker in [PhonemeChunker(), PhonemeChunker(targetTokens: 510), PhonemeChunker(targetTokens: 16)] {
            let pieces = chunker.chunks(input)
            #expect(pieces.allSatisfy { $0.unicodeScalars.count <= PhonemeChunker.maxTokens && !$0.isEmpty })
            #expect(pieces.joined(separator: " ").split(separator: " ") == input.joined(separator: " ").split(separator: " "))
        }
    }

    /// Every piece is whole sentences: each ends where a sentence ends, whatever the target,
    /// unless the sentence itself is over the model's limit.
    @Test(arguments: [1, 2, 3])
    func piecesEndOnlyWhereSentencesEnd(seed: Int) {
        let input = Self.sentences(seed: UInt64(seed), count: 40).filter { $0.unicodeScalars.count <= PhonemeChunker.maxTokens }
        for chunker in [PhonemeChunker(), PhonemeChunker(targetTokens: 16), PhonemeChunker(targetTokens: 250)] {
            let pieces = chunker.chunks(input)
            var ends = Set<Int>()
            var words = 0
            for sentence in input {
                words += sentence.split(separator: " ").count
                ends.insert(words)
            }
            words = 0
            for piece in pieces {
                words += piece.split(separator: " ").count
                #expect(ends.contains(words), "a piece ends inside a sentence: …\(piece.suffix(30))")
            }
        }
    }

    @Test func aSentenceOverTheModelsLimitIsCutAtClauses() {
        let clause = (0..<40).map { _ in "wˈɜɹd" }.joined(separator: " ")  // 239 symbols
        let sentence = [clause, clause, clause, clause, clause].joined(separator: ", ") + "."
        let pieces = PhonemeChunker().chunks([sentence])
        #expect(pieces.count == 3)
        #expect(pieces.dropLast().allSatisfy { $0.hasSuffix(",") && $0.unicodeScalars.count <= PhonemeChunker.maxTokens })
        // Within the limit, a long sentence is one piece however small the target.
        let long = [clause, clause].joined(separator: ", ") + "."
        #expect(PhonemeChunker(targetTokens: 16).chunks([long]) == [long])
    }

    @Test func theFirstSentenceIsAloneAndShortOnesAreGroupedUpToTheTarget() {
        let pieces = PhonemeChunker(targetTokens: 250).chunks(["hˈI.", "hˈW ɑɹ ju?", "fˈIn.", "ðæŋk ju."])
        #expect(pieces == ["hˈI.", "hˈW ɑɹ ju? fˈIn. ðæŋk ju."])
        #expect(PhonemeChunker(targetTokens: 16).chunks(["hˈI.", "hˈW ɑɹ ju?", "fˈIn.", "ðæŋk ju."]) == ["hˈI.", "hˈW ɑɹ ju? fˈIn.", "ðæŋk ju."])
    }

    @Test func inlinePausesAreParsed() {
        #expect(SynthesisPlanner.splitPauses("Hi. [pause:1.5s] There [PAUSE: 250ms]") ==
                [.text("Hi. "), .pause(1.5), .text(" There "), .pause(0.25)])
        #expect(SynthesisPlanner.splitPauses("[pause:99s]") == [.pause(SynthesisPlanner.maxPause)])
    }
}
