import Testing
@testable import EnglishG2P

/// Amounts with a magnitude written after them, with and without a currency.
@Suite struct MagnitudeTests {
    @Test(arguments: [
        ("It raised $7.5M", "It raised 7.5 million dollars"),
        ("$6.1 billion", "6.1 billion dollars"),
        ("€2.3bn", "2.3 billion euros"),
        ("£40K", "40 thousand pounds"),
        ("a $5m deal", "a 5 million dollars deal"),
        ("$1,200 million", "1,200 million dollars"),
        ("¥5M", "5 million yen"),
        ("$2 Trillion.", "2 trillion dollars."),
        ("13B parameters", "13 billion parameters"),
        ("500K users", "500 thousand users"),
        ("1.5M downloads", "1.5 million downloads"),
        ("2.3bn people", "2.3 billion people"),
        ("a 70B-parameter model", "a 70 billion-parameter model"),
        ("20k steps", "20 thousand steps"),
        ("500M", "500 million"),
    ])
    func magnitudesAreSaidBeforeTheCurrency(written: String, read: String) {
        #expect(TextNormalizer().normalize(written) == read)
    }

    @Test(arguments: ["4K video", "a 5K run", "Apartment 2B", "seat 14B", "Room 3B", "Form 1099-B", "Y2K", "$5 more", "$5", "B12", "13 B"])
    func lettersThatAreNotMagnitudesStay(text: String) {
        #expect(TextNormalizer().normalize(text) == text)
    }

    @Test func phonemes() throws {
        #expect(try us("$7.5M") == "sˈɛvən pYnt fˈIv mˈɪljᵊn dˈɑləɹz")
        #expect(try us("13B parameters") == "θˌɜɹtˈin bˈɪljən pəɹˈæməTəɹz")
        // Without a magnitude, money is still dollars and cents.
        #expect(try us("$5.50") == "fˈIv dˈɑləɹz ænd fˈɪfti sˈɛnts")
    }
}

/// A unit is read only after a number and where it is not an ordinary word.
@Suite struct UnitContextTests {
    @Test(arguments: [
        ("6 ft 2 in", "6 feet 2 inches"),
        ("it is 12 in.", "it is 12 inches."),
        ("6 in x 4 in", "6 inches x 4 inches"),
        ("a board 12 in long, 3 in wide", "a board 12 inches long, 3 inches wide"),
        ("3 m away", "3 meters away"),
        ("wait 2 s", "wait 2 seconds"),
        ("200 g of flour", "200 grams of flour"),
        ("a 60 W bulb at 12 V", "a 60 watts bulb at 12 volts"),
        ("2 L of water", "2 liters of water"),
        ("5 KM", "5 kilometers"),
    ])
    func unitsAfterNumbers(written: String, read: String) {
        #expect(TextNormalizer().normalize(written) == read)
    }

    @Test(arguments: [
        "5 in the box", "3 in 10 people", "1 in a million", "won 7 in a row", "the 1990s", "in the 80s",
        "5G network", "6 A students", "Room 5A", "3 v 2", "5 IN", "one m", "5 in-house",
    ])
    func wordsAfterNumbersStayWords(text: String) {
        #expect(TextNormalizer().normalize(text) == text)
    }

    @Test(arguments: [
        ("The vote was 5:4 in the end", "The vote was 5 to 4 in the end"),
        ("a 16:9 screen", "a 16 to 9 screen"),
        ("mixed 1:100 with water", "mixed 1 to 100 with water"),
        ("won 2:1", "won 2 to 1"),
    ])
    func scoresAndRatiosReadTo(written: String, read: String) {
        #expect(TextNormalizer().normalize(written) == read)
    }

    @Test(arguments: [("at 9:05", "at 9 oh 5"), ("at 10:30", "at 10 30"), ("Genesis 1:1", "Genesis 1:1"), ("12:30:15", "12 30 and 15 seconds")])
    func timesAndReferencesAreNotRatios(written: String, read: String) {
        #expect(TextNormalizer().normalize(written) == read)
    }

    @Test func phonemes() throws {
        #expect(try us("The vote was 5:4 in the end") == "ðə vˈOt wʌz fˈIv tə fˈɔɹ ɪn ði ˈɛnd")
        #expect(try us("5 in the box") == "fˈIv ɪn ðə bˈɑks")
    }
}

/// Dates in the common numeric and written forms, in the locale's order.
@Suite struct DateTests {
    @Test(arguments: [
        ("07/14/2025", "July 14th, 2025"),
        ("7/4/1776", "July 4th, 1776"),
        ("on 12/25/2020.", "on December 25th, 2020."),
        ("14/07/2025", "the 14th of July 2025"),
        ("2025-07-14", "July 14th, 2025"),
        ("2025/1/3", "January 3rd, 2025"),
        ("14.07.2025", "the 14th of July 2025"),
        ("3/22/99", "March 22nd, 99"),
        ("07-14-2025", "July 14th, 2025"),
        ("03/04/2025", "March 4th, 2025"),
    ])
    func numericDatesMonthFirst(written: String, read: String) {
        #expect(TextNormalizer().normalize(written) == read)
    }

    @Test(arguments: [
        ("03/04/2025", "the 3rd of April 2025"),
        ("07/14/2025", "July 14th, 2025"),
        ("2025-07-14", "July 14th, 2025"),
    ])
    func numericDatesDayFirst(written: String, read: String) {
        #expect(TextNormalizer(dayFirst: true).normalize(written) == read)
    }

    /// The G2P picks the order from its dialect: British English reads 03/04 day first.
    @Test func dialectPicksDateOrder() throws {
        #expect(try gb("03/04/2025") == gb("the 3rd of April 2025"))
        #expect(try us("03/04/2025") == us("March 4th, 2025"))
        #expect(try gb("03/04/2025") != us("03/04/2025"))
    }

    @Test(arguments: ["13/13/2025", "02/30/2025", "1/2/3", "2025-13-01", "12-25-20", "192.168.1.1", "10/20/30/40"])
    func impossibleDatesStay(text: String) {
        #expect(TextNormalizer().normalize(text) == text)
    }

    @Test(arguments: [
        ("July 14, 2025", "July 14th, 2025"),
        ("on Jan 5.", "on January 5th."),
        ("Sept. 30 at noon", "September 30th at noon"),
        ("July 14–16, 2025", "July 14th to 16th, 2025"),
        ("14 July 2025", "the 14th of July 2025"),
        ("on 3 Mar.", "on the 3rd of March."),
        ("on 3 Mar. 2025", "on the 3rd of March 2025"),
        ("the 4th of July", "the 4th of July"),
        ("In June 30 people came", "In June 30 people came"),
        ("May 5 people", "May 5 people"),
        ("3 May fly", "3 May fly"),
    ])
    func writtenDates(written: String, read: String) {
        #expect(TextNormalizer().normalize(written) == read)
    }

    @Test func phonemes() throws {
        #expect(try us("07/14/2025") == "ʤəlˈI fˌɔɹtˈinθ, twˈɛnti twˈɛnti fˈIv")
        #expect(try us("July 14, 2025") == us("2025-07-14"))
    }
}

/// Weekday and month abbreviations where the context shows they are days and months.
@Suite struct CalendarRangeTests {
    @Test(arguments: [
        ("Tue–Thu", "Tuesday to Thursday"),
        ("open Mon-Fri.", "open Monday to Friday."),
        ("Sat - Sun", "Saturday to Sunday"),
        ("Monday–Friday", "Monday to Friday"),
        ("Jan–Mar", "January to March"),
        ("Sept.-Dec. 2025", "September to December 2025"),
        ("Tue, Jul 14", "Tuesday, July 14th"),
        ("Sat 12 Apr.", "Saturday the 12th of April."),
        ("9am–5pm", "9 a.m. to 5 p.m."),
        ("9:00-17:30", "9 o'clock to 17 30"),
        ("10-11 AM", "10 to 11 a.m."),
        ("at 7pm.", "at 7 p.m.."),
        ("at 7 p.m. sharp", "at 7 p.m. sharp"),
        ("from 9:30 AM. Then", "from 9 30 a.m.. Then"),
    ])
    func rangesAndDates(written: String, read: String) {
        #expect(TextNormalizer().normalize(written) == read)
    }

    @Test(arguments: ["We sat-in", "Mar-a-Lago", "The Sun", "Wed to her", "pages 10-12", "scored 5-4", "Sat down", "13pm"])
    func wordsStay(text: String) {
        #expect(TextNormalizer().normalize(text) == text)
    }

    @Test func phonemes() throws {
        #expect(try us("Tue–Thu") == "tˈuzdˌA tə θˈɜɹzdˌA")
        #expect(try us("at 7pm.").hasSuffix("pˌiˈɛm."))
    }
}

/// Version strings, apart from decimals, IP addresses and phone numbers.
@Suite struct VersionTests {
    @Test(arguments: [
        ("v2.4.1", "version 2 point 4 point 1"),
        ("update to v2", "update to version 2"),
        ("V1.0 shipped", "version 1 point 0 shipped"),
        ("version 3.10", "version 3 point 10"),
        ("Version 2.0.", "Version 2 point 0."),
        ("ver. 1.2", "version 1 point 2"),
        ("Swift 6.3.1", "Swift 6 point 3 point 1"),
        ("Ubuntu version 24.04", "Ubuntu version 24 point oh 4"),
    ])
    func versions(written: String, read: String) {
        #expect(TextNormalizer().normalize(written) == read)
    }

    @Test(arguments: ["3.14", "pi is 3.14159.", "192.168.1.1", "V8 engine", "the V2 rocket", "dev2.0", "rev 3"])
    func notVersions(text: String) {
        #expect(TextNormalizer().normalize(text) == text)
    }

    @Test func phoneNumbersStayDigits() {
        #expect(TextNormalizer().normalize("call 555.123.4567") == "call 5 5 5, 1 2 3, 4 5 6 7")
    }

    @Test func phonemes() throws {
        #expect(try us("v2.4.1") == "vˈɜɹʒən tˈu pˈYnt fˈɔɹ pˈYnt wˈʌn")
        #expect(try us("3.14") == "θɹˈi pYnt wˈʌn fˈɔɹ")
    }
}
