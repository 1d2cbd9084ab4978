/// A small rule-based part-of-speech tagger standing in for spaCy.
///
/// misaki asks its tagger only a few questions: is "a" a determiner, is "that" a
/// determiner or a conjunction, is a homograph (record, live, read, close…) a noun, a verb
/// or an adjective, is a capitalised word a proper noun. Closed-class words come from a
/// table; the rest are guessed from their endings and decided from their neighbours.
enum Tagger {
    private static let closedClass: [String: String] = {
        var table: [String: String] = [:]
        func add(_ tag: String, _ words: String) {
            for word in words.split(separator: " ") { table[String(word)] = tag }
        }
        add("DT", "the a an this these those every each some any no another all both either neither")
        add("PRP", "anyone anybody everyone everybody someone somebody nobody everything something nothing anything i me you he him she it we us they them myself yourself himself herself itself ourselves themselves one")
        add("PRP$", "my your his her its our their")
        add("IN", "of in on at by for with from into onto upon about above across after against along among amongst around as before behind below beneath beside besides between beyond during except inside near outside over since through throughout till toward towards under underneath until unlike via within without because although though if whether while whilst whereas unless than like per despite concerning regarding including whereupon")
        add("CC", "and or but nor &")
        add("TO", "to")
        add("MD", "can could may might must shall should will would 'll ’ll 'd ’d cannot")
        add("WDT", "which whichever whatever")
        add("WP", "who whom what whoever")
        add("WP$", "whose")
        add("WRB", "when where why how whenever wherever")
        add("RB", "not n't n’t very also too so then now here just only even ever never always often still already almost quite rather soon again once perhaps however therefore thus indeed instead later nearly hardly scarcely merely really certainly probably subsequently apparently previously finally actually otherwise meanwhile moreover furthermore accordingly nevertheless sometimes usually afterwards afterward together away back down out up off")
        add("EX", "there")
        add("VBZ", "is has does 's ’s")
        add("VBP", "are am 're ’re 've ’ve 'm ’m")
        add("VBD", "was were had did said made went took came saw knew got gave found thought told became left felt brought began kept held wrote stood heard meant met ran paid sat spoke lay grew lost fell sent built understood drew broke spent rose drove bought wore chose sought threw caught dealt won forgot fought hung shot struck stole fled swore sang sank slept sold taught wept")
        add("VB", "be do have")
        add("VBN", "been done gone taken seen known given written spoken shown drawn broken chosen driven eaten fallen forgotten hidden ridden risen shaken stolen sworn thrown worn")
        add("VBG", "being having doing")
        add("CD", "two three four five six seven eight nine ten eleven twelve twenty thirty forty fifty hundred thousand million")
        add("JJR", "more less")
        add("JJS", "most least")
        add("JJ", "many few several such much")
        return table
    }()

    /// Words in -ly that are not adverbs.
    private static let lyExceptions: [String: String] = {
        var table: [String: String] = [:]
        for word in "family ally belly bully jelly rally supply reply assembly july italy lily holly folly anomaly monopoly melancholy homily".split(separator: " ") {
            table[String(word)] = "NN"
        }
        for word in "early likely daily weekly monthly yearly friendly lonely lovely ugly holy silly costly deadly elderly orderly kindly lively manly worldly unlikely curly".split(separator: " ") {
            table[String(word)] = "JJ"
        }
        return table
    }()

    private static let subjectPronouns: Set<String> = ["i", "you", "we", "they", "he", "she", "it", "who", "which"]
    private static let beForms: Set<String> = ["be", "is", "are", "was", "were", "been", "being", "am", "'s", "’s", "'re", "’re", "'m", "’m"]
    private static let haveForms: Set<String> = ["have", "has", "had", "having", "'ve", "’ve"]
    private static let sentenceEnds: Set<String> = [".", "!", "?", ";", ":", "...", "…"]
    private static let adjectiveEndings = ["ous", "ful", "ive", "able", "ible", "less", "ical", "ish", "ary"]

    static func tag(_ tokens: inout [Token], isHomograph: (String) -> Bool) {
        var sentenceStart = true
        for i in tokens.indices {
            let text = tokens[i].text
            tokens[i].tag = lexicalTag(text, sentenceStart: sentenceStart)
            sentenceStart = sentenceEnds.contains(text) || (sentenceStart && tokens[i].tag.first.map { !$0.isLetter } == true && tokens[i].tag != "$")
        }
        for i in tokens.indices {
            let lower = tokens[i].text.lowercased()
            if lower == "that" {
                tokens[i].tag = tagThat(tokens, i)
            } else if lower == "a", nextWord(tokens, i) == nil {
                tokens[i].tag = "NN"
            } else if lower == "in", let next = nextWord(tokens, i), ["IN", "TO", "CC"].contains(tokens[next].tag) {
                tokens[i].tag = "RP"
            } else if tokens[i].tag.hasPrefix("VBD") || tokens[i].tag == "VBN" {
                tokens[i].tag = pastTag(tokens, i)
            } else if closedClass[lower] == nil, isHomograph(lower) || isHomograph(tokens[i].text) {
                tokens[i].tag = tagHomograph(tokens, i)
            }
        }
    }

    private static func lexicalTag(_ text: String, sentenceStart: Bool) -> String {
        if let mark = punctuationTag(text) { return mark }
        let lower = text.lowercased()
        if let closed = closedClass[lower] { return closed }
        if text.first?.isNumber == true { return "CD" }
        if text.first?.isUppercase == true, !sentenceStart { return "NNP" }
        if lower.hasSuffix("ly"), lower.count > 4 {
            if let exception = lyExceptions[lower] { return exception }
            return "RB"
        }
        if lower.hasSuffix("ing"), lower.count > 4 { return "VBG" }
        if lower.hasSuffix("ed"), lower.count > 3 { return "VBD" }
        if adjectiveEndings.contains(where: lower.hasSuffix) { return "JJ" }
        if lower.hasSuffix("s"), !lower.hasSuffix("ss"), lower.count > 3 { return "NNS" }
        return "NN"
    }

    static func punctuationTag(_ text: String) -> String? {
        switch text {
        case ".", "!", "?": "."
        case ",": ","
        case ":", ";", "—", "–", "-", "--", "...", "…": ":"
        case "(", "[", "{": "-LRB-"
        case ")", "]", "}": "-RRB-"
        case "“", "‘", "«": "``"
        case "”", "’", "»": "''"
        case "\"", "'": "\"\""
        case "$", "£", "€": "$"
        case "#": "#"
        default: text.allSatisfy { !$0.isLetter && !$0.isNumber } && !text.isEmpty && Lexicon.symbols[text] == nil ? "NFP" : nil
        }
    }

    private static func previousWord(_ tokens: [Token], _ i: Int, skippingAdverbs: Bool = true) -> Int? {
        var j = i - 1
        while j >= 0 {
            let tag = tokens[j].tag
            if (skippingAdverbs && tag == "RB") || tag == "``" || tag == "\"\"" { j -= 1; continue }
            return tag.first?.isLetter == true || tag == "PRP$" || tag == "WP$" ? j : nil
        }
        return nil
    }

    private static func nextWord(_ tokens: [Token], _ i: Int) -> Int? {
        var j = i + 1
        while j < tokens.count, tokens[j].tag == "``" || tokens[j].tag == "\"\"" { j += 1 }
        guard j < tokens.count, tokens[j].tag.first?.isLetter == true || tokens[j].tag == "PRP$" else { return nil }
        return j
    }

    private static func isNounLike(_ tag: String) -> Bool { tag.hasPrefix("NN") || tag.hasPrefix("JJ") || tag == "CD" }

    /// Tags of what follows a verb but not a noun it could compound with ("Anna lives near",
    /// "John records the show", against "Google records show"); "of" follows the noun
    /// ("Police estimates of").
    private static let verbComplementTags: Set<String> = ["IN", "RB", "DT", "PRP$", "PRP", "TO", "RP", "CD", "EX", "WRB", "JJ", "JJR"]

    private static let indefiniteSubjects: Set<String> = ["anyone", "anybody", "everyone", "everybody", "someone", "somebody", "nobody", "everything", "something", "nothing", "anything", "one"]

    /// A name, a capitalised word opening its clause, or an indefinite pronoun ("nobody")
    /// that stands alone as a subject: nothing that would make it a modifier (the Kennedy,
    /// Anna's, nine) comes before it. "Anna" opening a sentence is not tagged as a name,
    /// since any word is capitalised there.
    private static func isSingularSubject(_ tokens: [Token], _ i: Int) -> Bool {
        let tag = tokens[i].tag
        let before = previousWord(tokens, i)
        if let before, ["DT", "PRP$", "POS", "CD", "JJ", "JJR", "JJS", "IN"].contains(tokens[before].tag) { return false }
        if tag == "NNP" || (tag == "PRP" && indefiniteSubjects.contains(tokens[i].text.lowercased())) { return true }
        return tag == "NN" && before == nil && tokens[i].text.first?.isUppercase == true
    }

    /// Determiner "that" (that man, after that, that is all) is stressed; the conjunction
    /// and the relative pronoun are not.
    private static func tagThat(_ tokens: [Token], _ i: Int) -> String {
        let previous = previousWord(tokens, i, skippingAdverbs: false)
        let previousTag = previous.map { tokens[$0].tag } ?? ""
        let previousText = previous.map { tokens[$0].text.lowercased() } ?? ""
        let sentenceStart = i == 0 || [".", "!", "?"].contains(tokens[i - 1].text)
        if previousTag == "IN" || previousTag == "TO", !["so", "such", "now"].contains(previousText) { return "DT" }
        guard let next = nextWord(tokens, i) else { return "IN" }
        let nextTag = tokens[next].tag
        let nextText = tokens[next].text.lowercased()
        if nextText == "of" || (nextTag == "NN" && !previousTag.hasPrefix("VB") && !previousTag.hasPrefix("JJ")) { return "DT" }
        if sentenceStart, ["IN", "VBZ", "VBD", "MD"].contains(nextTag) { return "DT" }
        if nextTag.hasPrefix("VB") || nextTag == "MD" {
            if previousTag.hasPrefix("NN") || previousTag == "PRP" { return "WDT" }
            return previous == nil || nextText == "is" ? "DT" : "IN"
        }
        return "IN"
    }

    /// Past participle after a form of "have" or "be", simple past otherwise.
    private static func pastTag(_ tokens: [Token], _ i: Int) -> String {
        if let previous = previousWord(tokens, i) {
            let word = tokens[previous].text.lowercased()
            if haveForms.contains(word) || beForms.contains(word) { return "VBN" }
            if tokens[previous].tag == "DT" || tokens[previous].tag == "PRP$",
               let next = nextWord(tokens, i), tokens[next].tag.hasPrefix("NN") { return "JJ" }
        }
        return tokens[i].tag.hasPrefix("VB") ? "VBD" : tokens[i].tag
    }

    /// Noun after a determiner, adjective or preposition; verb after "to", a modal or a
    /// subject pronoun; adjective after "be" or before a noun.
    private static func tagHomograph(_ tokens: [Token], _ i: Int) -> String {
        let lower = tokens[i].text.lowercased()
        let plural = lower.hasSuffix("s") && !lower.hasSuffix("ss")
        let noun = plural ? "NNS" : "NN"
        let previous = previousWord(tokens, i)
        let previousTag = previous.map { tokens[$0].tag } ?? ""
        let previousText = previous.map { tokens[$0].text.lowercased() } ?? ""
        let next = nextWord(tokens, i)
        let nextTag = next.map { tokens[$0].tag } ?? ""
        let nextText = next.map { tokens[$0].text.lowercased() } ?? ""
        if previousTag == "TO" || previousTag == "MD" || ["did", "do", "does", "not", "n't"].contains(previousText) { return "VB" }
        if beForms.contains(previousText) { return nextTag.hasPrefix("NN") ? noun : "JJ" }
        if haveForms.contains(previousText) { return "VBN" }
        if subjectPronouns.contains(previousText) || previousTag == "WDT" { return plural ? "VBZ" : "VBP" }
        if plural, let previous, isSingularSubject(tokens, previous),
           next == nil || (verbComplementTags.contains(nextTag) && nextText != "of") { return "VBZ" }
        if ["DT", "PRP$", "JJ", "POS", "CD", "IN", "JJR", "JJS"].contains(previousTag) {
            return nextTag.hasPrefix("NN") && !plural ? "JJ" : noun
        }
        if previousTag == "CC", let before = previous.flatMap({ previousWord(tokens, $0) }), tokens[before].tag.hasPrefix("NN") {
            return noun
        }
        if previousTag.hasPrefix("NN") || previousTag.hasPrefix("JJ"), let before = previous.flatMap({ previousWord(tokens, $0) }),
           ["DT", "PRP$", "IN", "POS", "CD"].contains(tokens[before].tag) {
            return noun
        }
        if previousTag.hasPrefix("NN"), nextTag == "DT" || nextTag == "PRP$" || nextTag == "PRP" { return plural ? "VBZ" : "VBD" }
        if previous == nil, nextTag == "DT" || nextTag == "PRP$" { return "VB" }
        return ""
    }
}
