import Foundation
import KlaxonSyncEngine
import SCIM
import Testing

/// `Retry-After` as delay-seconds or as an HTTP date in RFC 9110's three forms.
@Suite struct RetryAfterTests {
    /// Sun, 06 Nov 1994 08:49:37 GMT, RFC 9110's example.
    static let example = Date(timeIntervalSince1970: 784_111_777)

    @Test(arguments: [
        ("120", Duration.seconds(120)),
        ("0", .zero),
        (" 7 ", .seconds(7)),
        ("Sun, 06 Nov 1994 08:49:37 GMT", .seconds(30)),
        ("Sunday, 06-Nov-94 08:49:37 GMT", .seconds(30)),
        ("Sun Nov  6 08:49:37 1994", .seconds(30)),
        ("Sun, 06 Nov 1994 08:50:07 GMT", .seconds(60)),
        ("Sun, 06 Nov 1994 08:49:00 GMT", .zero),
    ])
    func waits(header: String, expected: Duration) {
        #expect(SCIMClient.retryAfter(header, now: Self.example.addingTimeInterval(-30)) == expected)
    }

    @Test func partOfASecondRoundsUp() {
        #expect(SCIMClient.retryAfter("Sun, 06 Nov 1994 08:49:37 GMT", now: Self.example.addingTimeInterval(-0.25)) == .milliseconds(250))
    }

    @Test(arguments: [
        "", "soon", "-5", "1.5", "Sun, 06 Nov 1994 08:49:37 PST", "Sun, 31 Feb 1994 08:49:37 GMT", "Sun, 06 Foo 1994 08:49:37 GMT",
        "Sun, 06 Nov 1994 24:00:00 GMT", "Sun, 6 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-1994 08:49:37 GMT", "Nov  6 08:49:37 1994",
        "Sun, 06 Nov 1994 08:49 GMT", "Funday, 06-Nov-94 08:49:37 GMT",
    ])
    func notAWait(header: String) {
        #expect(SCIMClient.retryAfter(header, now: Self.example) == nil)
    }

    /// RFC 9110 §5.6.7: a two-digit year more than 50 years ahead is in the past century.
    @Test(arguments: [("74", 2074), ("75", 2075), ("80", 1980), ("25", 2025), ("99", 1999)])
    func twoDigitYears(short: String, year: Int) throws {
        let now = Date(timeIntervalSince1970: TimeInterval(CivilDate.days(year: 2025, month: 6, day: 1) * 86_400))
        let date = try #require(SCIMClient.httpDate("Monday, 01-Jan-\(short) 00:00:00 GMT", now: now))
        #expect(date.timeIntervalSince1970 == TimeInterval(CivilDate.days(year: year, month: 1, day: 1) * 86_400))
    }
}
