import Testing
@testable import EnglishG2P

/// Homographs chosen from context, the job spaCy's tagger does for misaki.
@Suite struct TaggerTests {
    @Test func readPresentAndPast() throws {
        #expect(try us("I will read it.") == "ˌI wɪl ɹˈid ɪt.")
        #expect(try us("He read the book.") == "hˌi ɹˈɛd ðə bˈʊk.")
        #expect(try us("She has read it.") == "ʃˌi hæz ɹˈɛd ɪt.")
    }

    @Test func recordNounAndVerb() throws {
        #expect(try us("the record") == "ðə ɹˈɛkəɹd")
        #expect(try us("to record it") == "tə ɹəkˈɔɹd ɪt")
    }

    @Test func liveAdjectiveAndVerb() throws {
        #expect(try us("We live here.") == "wˌi lˈɪv hˈɪɹ.")
        #expect(try us("the live show") == "ðə lˈIv ʃˈO")
    }

    /// The third-person verb after a named or pronoun subject, against the plural noun.
    @Test(arguments: [
        "Anna lives near the park.", "Yes, Anna lives here.", "Mr. Brown lives in Leeds.", "She lives alone.",
        "It lives under the bridge.", "Nobody lives there.", "London lives on.", "John lives with his sister.",
    ])
    func livesAsAVerb(sentence: String) throws {
        #expect(try us(sentence).contains("lˈɪvz"))
    }

    @Test(arguments: [
        "nine lives", "their lives", "They risked their lives.", "The Kennedy lives were changed.", "Anna's lives",
        "Many lives were lost.", "We save lives.", "the lives of saints", "Lives were lost.",
    ])
    func livesAsANoun(phrase: String) throws {
        #expect(try us(phrase).contains("lˈIvz"))
    }

    @Test func otherVerbsAfterANameToo() throws {
        #expect(try us("Anna records the show.").contains("ɹəkˈɔɹdz"))
        #expect(try us("Google uses the camera.").contains("jˈuzᵻz"))
        #expect(try us("Medical records show it.").contains("ɹˈɛkəɹdz"))
        #expect(try us("Police records of the case").contains("ɹˈɛkəɹdz"))
    }

    @Test func windNounAndVerb() throws {
        #expect(try us("the wind blew") == "ðə wˈɪnd blˈu")
        #expect(try us("to wind the clock") == "tə wˈInd ðə klˈɑk")
    }

    @Test func useNounAndVerb() throws {
        #expect(try us("in use") == "ɪn jˈus")
        #expect(try us("we use it") == "wi jˈuz ɪt")
    }

    @Test func thatDeterminerAgainstConjunction() throws {
        #expect(try us("of that group") == "ʌv ðˈæt ɡɹˈup")
        #expect(try us("he said that it was") == "hi sˈɛd ðæt ɪt wʌz")
    }

    @Test func aAsALetterIsStressed() throws {
        #expect(try us("exhibit A,") == "ɪɡzˈɪbət ˈA,")
    }
}
