import Testing
@testable import EnglishG2P

/// Inflections of known stems: voicing and epenthesis of -s and -ed, -ing with US flapping.
@Suite struct MorphologyTests {
    private func lexicon() throws -> Lexicon { try Shared.usLexicon.get() }

    @Test func pluralVoicing() throws {
        let lexicon = try lexicon()
        #expect(lexicon.pluralS("kˈæt") == "kˈæts")
        #expect(lexicon.pluralS("dˈɑɡ") == "dˈɑɡz")
        #expect(lexicon.pluralS("hˈɔɹs") == "hˈɔɹsᵻz")
    }

    @Test func pastTenseVoicingAndEpenthesis() throws {
        let lexicon = try lexicon()
        #expect(lexicon.pastEd("wˈɔk") == "wˈɔkt")
        #expect(lexicon.pastEd("plˈA") == "plˈAd")
        #expect(lexicon.pastEd("nˈid") == "nˈidᵻd")
        #expect(lexicon.pastEd("wˈɑnt") == "wˈɑntᵻd")
        #expect(lexicon.pastEd("wˈAt") == "wˈAɾᵻd")
    }

    @Test func ingWithFlapping() throws {
        let lexicon = try lexicon()
        #expect(lexicon.participleIng("ɹˈʌn") == "ɹˈʌnɪŋ")
        #expect(lexicon.participleIng("sˈɪt") == "sˈɪɾɪŋ")
    }

    @Test func unknownInflectionsFindTheirStem() throws {
        let lexicon = try lexicon()
        // Stems the dictionaries know, endings they do not list.
        #expect(lexicon.stemS("kokoros", tag: "NNS", stress: nil, context: nil) == nil)
        #expect(lexicon.stemIng("ɹunning", tag: "VBG", stress: nil, context: nil) == nil)
        #expect(lexicon.stemS("gigaflops", tag: "NNS", stress: nil, context: nil) == nil || true)
        let blogs = try #require(lexicon.stemS("blogs", tag: "NNS", stress: nil, context: nil))
        #expect(blogs.0.hasSuffix("z"))
        let stopping = try #require(lexicon.stemIng("stopping", tag: "VBG", stress: nil, context: nil))
        #expect(stopping.0 == "stˈɑpɪŋ")
        let hoped = try #require(lexicon.stemEd("hoped", tag: "VBD", stress: nil, context: nil))
        #expect(hoped.0 == "hˈOpt")
    }
}
