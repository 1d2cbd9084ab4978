import Testing
@testable import KokoroEngine

/// Text arriving piece by piece is spoken sentence by sentence, as soon as each is complete.
@Suite struct SentenceCollectorTests {
    /// Feeds `pieces` in order; what was handed out after each, then at the end.
    func collect(_ pieces: [String]) -> (after: [String?], rest: String?) {
        var collector = SentenceCollector()
        let after = pieces.map { collector.append($0) }
        return (after, collector.finish())
    }

    @Test func aSentenceIsSpokenOnceTextFollowsItsEnd() {
        let (after, rest) = collect(["Hel", "lo there", ".", " How", " are you", "?", " I", " am fine."])
        #expect(after == [nil, nil, nil, "Hello there.", nil, nil, "How are you?", nil])
        #expect(rest == "I am fine.")
    }

    /// A piece may end with the space, or begin mid-word: the words stay as written.
    @Test func spacesBetweenPiecesAreKept() {
        #expect(collect(["Hello. How ", "are you? Fi", "ne."]) == (["Hello.", "How are you?", nil], "Fine."))
        #expect(collect(["One. Two", "-thirds of it. Done"]) == (["One.", "Two-thirds of it."], "Done"))
    }

    @Test func abbreviationsAndDecimalsDoNotEndASentence() {
        #expect(collect(["Dr.", " Smith is in. Next"]) == ([nil, "Dr. Smith is in."], "Next"))
        #expect(collect(["It costs 3.", "14 dollars. So"]) == ([nil, "It costs 3.14 dollars."], "So"))
    }

    @Test func aLineBreakEndsASentence() {
        #expect(collect(["Shopping list\n", "Milk"]) == ([nil, "Shopping list"], "Milk"))
    }

    /// Text that never ends a sentence is cut after a clause once it is long.
    @Test func aRunOnSentenceIsCutAfterAClause() {
        var collector = SentenceCollector()
        var spoken: [String] = []
        for _ in 0..<80 { if let text = collector.append("and then some more, ") { spoken.append(text) } }
        #expect(!spoken.isEmpty)
        for clause in spoken {
            #expect(clause.hasSuffix(","))
            #expect(clause.count >= SentenceCollector.clauseAfter - 20 && clause.count <= SentenceCollector.clauseAfter + 20)
        }
        let rest = collector.finish() ?? ""
        #expect((spoken + [rest]).joined(separator: " ") == String(repeating: "and then some more, ", count: 80).trimmingWhitespace())
    }

    @Test func nothingToSayGivesNil() {
        #expect(collect(["   ", "\n"]) == ([nil, nil], nil))
    }
}
