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
        for chunker in [PhonemeChunker(), PhonemeChunker(targetTokens: 510), PhonemeChunker(targetTokens: 100, firstPieceTokens: 30)] {
            let pieces = chunker.chunks(input)
            #expect(pieces.allSatisfy { $0.unicodeScalars.count <= PhonemeChunker.maxTokens && !$0.isEmpty })
            #expect(pieces.joined(separator: " ").split(separator: " ") == input.joined(separator: " ").split(separator: " "))
        }
    }

    @Test func prefersClauseBoundariesAndTargetSize() {
        let clause = (0..<20).map { _ in "wˈɜɹd" }.joined(separator: " ")  // 119 symbols
        let sentence = [clause, clause, clause, clause, clause].joined(separator: ", ") + "."
        let pieces = PhonemeChunker(targetTokens: 250).chunks([sentence])
        #expect(pieces.count == 3)
        #expect(pieces.dropLast().allSatisfy { $0.hasSuffix(",") })
    }

    @Test func joinsShortSentencesUpToTheTarget() {
        let pieces = PhonemeChunker(targetTokens: 250).chunks(["hˈI.", "hˈW ɑɹ ju?", "fˈIn."])
        #expect(pieces == ["hˈI. hˈW ɑɹ ju? fˈIn."])
    }

    @Test func fastStartCutsTheFirstClause() {
        let chunker = PhonemeChunker(targetTokens: 250, firstPieceTokens: 50)
        #expect(chunker.chunks(["hˈɛlO ðˈɛɹ!", "ðɪs ɪz ə tˈɛst."]) == ["hˈɛlO ðˈɛɹ!", "ðɪs ɪz ə tˈɛst."])
        let long = "ðə ˈOld lˈIthWs stˈʊd æt ði ˈɛʤ ʌv ðə klˈɪf, ɪts wˈIt pˈAnt pˈilɪŋ."
        let pieces = chunker.chunks([long])
        #expect(pieces == ["ðə ˈOld lˈIthWs stˈʊd æt ði ˈɛʤ ʌv ðə klˈɪf,", "ɪts wˈIt pˈAnt pˈilɪŋ."])
        // A one-word first sentence plays too briefly: the next sentence's first clause joins it.
        #expect(PhonemeChunker(targetTokens: 250, firstPieceTokens: 24).chunks(["həlˈO!", "ˈIm kˈOkəɹO, ə smˈɔl mˈɑdᵊl."]) == ["həlˈO! ˈIm kˈOkəɹO,", "ə smˈɔl mˈɑdᵊl."])
        let noComma = (0..<30).map { _ in "wˈɜɹd" }.joined(separator: " ")
        #expect(chunker.chunks([noComma])[0].unicodeScalars.count <= 50)
    }

    @Test func streamingPiecesGrowSoTheStreamNeverRunsDry() {
        let sentences = PhonemeChunkerTests.sentences(seed: 9, count: 30)
        let pieces = PhonemeChunker(targetTokens: 250, firstPieceTokens: 20).chunks(sentences)
        for (index, piece) in pieces.enumerated() {
            #expect(piece.unicodeScalars.count <= max(min(250, 20 << min(index, 16)), piece.split(separator: " ").map(\.unicodeScalars.count).max()!))
        }
        // Growth is what lets later pieces reach the efficient size.
        #expect(pieces.dropFirst(4).contains { $0.unicodeScalars.count > 150 })
    }

    @Test func inlinePausesAreParsed() {
        #expect(SynthesisPlanner.splitPauses("Hi. [pause:1.5s] There [PAUSE: 250ms]") ==
                [.text("Hi. "), .pause(1.5), .text(" There "), .pause(0.25)])
        #expect(SynthesisPlanner.splitPauses("[pause:99s]") == [.pause(SynthesisPlanner.maxPause)])
    }

    /// Streamed pieces grow by 1.5 (each is made while the one before it plays, beside
    /// other streams' pieces), or by the factor given, up to the target.
    @Test func piecesGrowByTheGivenFactor() {
        var chunker = PhonemeChunker(targetTokens: 250, firstPieceTokens: 16)
        #expect((0..<7).map(chunker.limit(forPiece:)) == [16, 24, 36, 54, 81, 121, 182])
        let input = Self.sentences(seed: 9, count: 30)
        let slow = chunker.chunks(input)
        #expect(slow.enumerated().allSatisfy { $1.unicodeScalars.count <= max(chunker.limit(forPiece: $0), 16) || $0 == 0 })
        chunker.pieceGrowth = 2
        #expect((0..<6).map(chunker.limit(forPiece:)) == [16, 32, 64, 128, 250, 250])
        #expect(slow.count > chunker.chunks(input).count)
    }
}
