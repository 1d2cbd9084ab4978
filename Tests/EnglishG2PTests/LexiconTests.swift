import Testing
@testable import EnglishG2P

/// Dictionary look-up, case handling, stress and the hard-coded function words.
@Suite struct LexiconTests {
    @Test func goldWordsAndTitleCaseTwins() throws {
        #expect(try us("hello") == "həlˈO")
        #expect(try us("Hello") == "həlˈO")
        #expect(try us("house") == "hˈWs")
    }

    @Test func silverDictionaryIsUsedWhenGoldLacksTheWord() throws {
        #expect(try us("dollars") == "dˈɑləɹz")
    }

    @Test func allCapsAcronymsAreSpelledOut() throws {
        #expect(try us("the FBI") == "ði ˌɛfbˌiˈI")
        #expect(try us("the USA") == "ðə jˌuˌɛsˈA")
    }

    @Test func dottedInitialsAreSpelledOut() throws {
        #expect(try us("at nine p.m.") == "æt nˈIn pˌiˈɛm")
    }

    @Test func titleCaseAddsSecondaryStressToUnstressedWords() throws {
        #expect(try us("That in this") == "ðˈæt ɪn ðˈɪs")
        #expect(try us("It was") == "ˌɪt wʌz")
    }

    @Test func articleAndToAndTheDependOnTheNextSound() throws {
        #expect(try us("to go home") == "tə ɡˌO hˈOm")
        #expect(try us("to eat") == "tʊ ˈit")
        #expect(try us("the cat") == "ðə kˈæt")
        #expect(try us("the owl") == "ði ˈWl")
        #expect(try us("a cat") == "ɐ kˈæt")
        #expect(try us("an owl") == "ɐn ˈWl")
    }

    @Test func functionWordsAreStressedAtClauseEnds() throws {
        #expect(try us("what he had.") == "wˌʌt hi hˌæd.")
        #expect(try us("he had gone") == "hi hæd ɡˈɔn")
    }

    @Test func usedToIsVoiceless() throws {
        #expect(try us("I used to go home") == "ˌI jˈust tə ɡˌO hˈOm")
        #expect(try us("it was used") == "ɪt wʌz jˈuzd")
    }

    @Test func possessivesAndContractions() throws {
        #expect(try us("Oswald's") == "ˈɑswᵊldz")
        #expect(try us("soldiers'") == "sˈOlʤəɹz")
        #expect(try us("don't") == "dˈOnt")
        #expect(try us("it's") == "ɪts")
    }

    @Test func hyphenatedCompoundsDemoteTheLighterPart() throws {
        #expect(try us("thirty-five") == "θˈɜɹTifˌIv")
        #expect(try us("public-house") == "pˈʌblɪkhˌWs")
    }

    @Test func usFlapsAndTapsBecomeT() throws {
        #expect(try us("water") == "wˈɔTəɹ")
    }

    @Test func britishUsesItsOwnDictionaryAndSymbols() throws {
        #expect(try gb("hello") == "həlˈQ")
        #expect(try gb("water") == "wˈɔːtə")
        #expect(try gb("cats and horses") == "kˈats and hˈɔːsɪz")
    }

    @Test func stressArithmetic() {
        #expect(Stress.apply("hˈɛlO", -1) == "hˌɛlO")
        #expect(Stress.apply("hˈɛlO", -2) == "hɛlO")
        #expect(Stress.apply("ðæt", 0.5) == "ðˌæt")
        #expect(Stress.apply("ðæt", 2) == "ðˈæt")
        #expect(Stress.apply("bˌʌt", 1) == "bˈʌt")
        #expect(Stress.apply("st", 2) == "st")
    }
}
