import Testing
@testable import EnglishG2P

@Test func debugTags() throws {
    var tokens = Tokenizer.tokenize("Oswald and his family lived for a brief period with his mother")
    let lexicon = try Shared.usLexicon.get()
    Tagger.tag(&tokens, isHomograph: lexicon.isPartOfSpeechHomograph)
    print(tokens.map { "\($0.text)/\($0.tag)" }.joined(separator: " "))
}
