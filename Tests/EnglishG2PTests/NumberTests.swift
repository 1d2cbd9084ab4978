import Testing
@testable import EnglishG2P

/// misaki's number reading and the num2words spellings it depends on.
@Suite struct NumberTests {
    @Test func numberWords() {
        #expect(NumberWords.cardinal(123) == "one hundred and twenty-three")
        #expect(NumberWords.cardinal(1_234_567) == "one million, two hundred and thirty-four thousand, five hundred and sixty-seven")
        #expect(NumberWords.ordinal(23) == "twenty-third")
        #expect(NumberWords.ordinal(100) == "one hundredth")
        #expect(NumberWords.year(1984) == "nineteen eighty-four")
        #expect(NumberWords.year(1905) == "nineteen oh-five")
        #expect(NumberWords.year(2001) == "two thousand and one")
        #expect(NumberWords.year(1900) == "nineteen hundred")
        #expect(NumberWords.decimal("3.14") == "three point one four")
    }

    @Test func cardinalsAndOrdinals() throws {
        #expect(try us("42") == "fˈɔɹTi tˈu")
        #expect(try us("1st") == "fˈɜɹst")
        #expect(try us("23rd") == "twˈɛnti θˈɜɹd")
        #expect(try us("1,000") == "wˈʌn θˈWzᵊnd")
    }

    @Test func decimalsAndNegatives() throws {
        #expect(try us("3.14") == "θɹˈi pYnt wˈʌn fˈɔɹ")
        #expect(try us("-5") == "mˈInəs fˈIv")
    }

    @Test func years() throws {
        #expect(try us("1984") == "nˌIntˈin ˈATi fˈɔɹ")
        #expect(try us("2001") == "tˈu θˈWzᵊnd wˈʌn")
        #expect(try us("the 1990s") == "ðə nˌIntˈin nˈIndiz")
    }

    @Test func money() throws {
        #expect(try us("$5.50") == "fˈIv dˈɑləɹz ænd fˈɪfti sˈɛnts")
        #expect(try us("$1") == "wˈʌn dˈɑləɹ")
        #expect(try us("£3") == "θɹˈi pˈWndz")
        #expect(try us("€12") == "twˈɛlv jˈʊɹOz")
        #expect(try us("¥100") == "wˈʌn hˈʌndɹəd jˈɛn")
    }

    @Test func percentAndSymbols() throws {
        #expect(try us("50%") == "fˈɪfti pəɹsˈɛnt")
        #expect(try us("you & me") == "ju ænd mˌi")
        #expect(try us("#1") == "nˈʌmbəɹ wˈʌn")
        #expect(try us("2 + 2") == "tˈu plˈʌs tˈu")
    }
}
