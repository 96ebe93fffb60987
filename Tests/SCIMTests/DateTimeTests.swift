import Testing
@testable import SCIM

@Suite struct DateTimeTests {
    @Test(arguments: [
        ("1970-01-01T00:00:00Z", 0.0),
        ("1970-01-01T00:00:00", 0.0),
        ("1970-01-01t00:00:01z", 1.0),
        ("2011-05-13T04:42:34Z", 1_305_261_754.0),
        ("2011-05-13T06:42:34+02:00", 1_305_261_754.0),
        ("2011-05-12T23:42:34-05:00", 1_305_261_754.0),
        ("2011-05-13T10:12:34+05:30", 1_305_261_754.0),
        ("2011-05-13T04:42:34+00:00", 1_305_261_754.0),
        ("2011-05-13T04:42:34-00:00", 1_305_261_754.0),
        ("2011-05-13T04:42:34.5Z", 1_305_261_754.5),
        ("2011-05-13T04:42:34.250+01:00", 1_305_258_154.25),
        ("1969-12-31T23:59:59Z", -1.0),
        ("2000-02-29T00:00:00Z", 951_782_400.0),
        ("2024-12-31T23:59:59Z", 1_735_689_599.0),
        ("2016-12-31T23:59:60Z", 1_483_228_800.0),
        ("0001-01-01T00:00:00Z", -62_135_596_800.0),
        ("9999-12-31T23:59:59+14:00", 253_402_250_399.0),
    ])
    func parsesValidDateTime(text: String, seconds: Double) {
        #expect(SCIMDateTime.seconds(from: text) == seconds)
    }

    @Test func keepsFractionsInOrder() throws {
        let whole = try #require(SCIMDateTime.seconds(from: "2011-05-13T04:42:34Z"))
        let milli = try #require(SCIMDateTime.seconds(from: "2011-05-13T04:42:34.001Z"))
        let micro = try #require(SCIMDateTime.seconds(from: "2011-05-13T04:42:34.000001Z"))
        let nines = try #require(SCIMDateTime.seconds(from: "2011-05-13T04:42:33.999999Z"))
        #expect(nines < whole)
        #expect(whole < micro)
        #expect(micro < milli)
        #expect(SCIMDateTime.seconds(from: "2011-05-13T04:42:34.100Z") == SCIMDateTime.seconds(from: "2011-05-13T04:42:34.1Z"))
        #expect(SCIMDateTime.seconds(from: "2011-05-13T04:42:34.1234567Z") == SCIMDateTime.seconds(from: "2011-05-13T06:42:34.12345670+02:00"))
        // A very long fraction is read, not rejected.
        #expect(SCIMDateTime.seconds(from: "2011-05-13T04:42:34." + String(repeating: "0", count: 500) + "Z") == whole)
    }

    @Test(arguments: [
        "", "2011", "2011-05-13", "2011-05-13 04:42:34Z", "2011-05-13T04:42Z", "2011-05-13T04:42:34ZZ",
        "2011-5-13T04:42:34Z", "11-05-13T04:42:34Z", "20110513T044234Z", "2011-05-13T04:42:34.Z",
        "2011-13-01T00:00:00Z", "2011-00-01T00:00:00Z", "2011-05-00T00:00:00Z", "2011-05-32T00:00:00Z",
        "2011-02-29T00:00:00Z", "1900-02-29T00:00:00Z", "2011-04-31T00:00:00Z", "2011-06-31T00:00:00Z",
        "2011-05-13T24:00:00Z", "2011-05-13T04:60:00Z", "2011-05-13T04:42:61Z", "2011-05-13T04:42:34+2:00",
        "2011-05-13T04:42:34+0200", "2011-05-13T04:42:34+02", "2011-05-13T04:42:34+15:00", "2011-05-13T04:42:34+02:60",
        "2011-05-13T04:42:34 +02:00", "2011-05-13T04:42:34GMT", "２０１１-05-13T04:42:34Z", "-011-05-13T04:42:34Z",
        " 2011-05-13T04:42:34Z", "2011-05-13T04:42:34Z ", "yesterday",
    ])
    func rejectsInvalidDateTime(text: String) {
        #expect(SCIMDateTime.seconds(from: text) == nil)
    }
}
