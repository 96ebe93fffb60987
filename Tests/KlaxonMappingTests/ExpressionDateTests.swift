import SCIM
import Testing
@testable import KlaxonMapping

@Suite struct ExpressionDateTests {
    @Test(arguments: [
        ("2009-06-15T01:45:30-07:00", "6/15/2009 8:45:30 AM"),
        ("2020-03-16-07:00", "3/16/2020 7:00:00 AM"),
        ("2021-06-30+08:00", "6/29/2021 4:00:00 PM"),
        ("2021-08-24", "8/24/2021 12:00:00 AM"),
        ("2020-12-31 23:59:59-08:00", "1/1/2021 7:59:59 AM"),
        ("2011-05-13T04:42:34.123Z", "5/13/2011 4:42:34 AM"),
        ("2011-05-13t04:42+0130", "5/13/2011 3:12:00 AM"),
        (" 8/25/2021 5:41:18 PM ", "8/25/2021 5:41:18 PM"),
        ("8/25/2021 12:00 am", "8/25/2021 12:00:00 AM"),
        ("12/31/2020 17:30", "12/31/2020 5:30:00 PM"),
        ("2/29/2024", "2/29/2024 12:00:00 AM"),
    ])
    func readsDates(text: String, entra: String) {
        #expect(ExpressionDate.parse(text)?.entraText == entra)
    }

    @Test(arguments: [
        "", "2021", "2021-13-01", "2021-02-29", "2021-06-30T25:00", "2021-06-30T10:00+24:00", "2/30/2020",
        "13:00 PM", "8/25/2021 13:00 PM", "0000-01-01", "10000-01-01", "2021-06-30T10:00:00.Z", "yesterday",
    ])
    func rejectsNonDates(text: String) {
        #expect(ExpressionDate.parse(text) == nil)
    }

    @Test func calendarRoundTrips() {
        for days in stride(from: 0, to: 3_652_059, by: 997) {
            let (year, month, day) = ExpressionDate.civil(fromDays: days)
            #expect(ExpressionDate.days(year: year, month: month, day: day) == days)
        }
        let first = ExpressionDate.civil(fromDays: 0)
        #expect([first.year, first.month, first.day] == [1, 1, 1])
        #expect(ExpressionDate(year: 9999, month: 12, day: 31, hour: 23, minute: 59, second: 59, fraction: 9_999_999)?.ticks
            == ExpressionDate.maxTicks)
        #expect(ExpressionDate(unixSeconds: 0)?.entraText == "1/1/1970 12:00:00 AM")
        #expect(ExpressionDate(unixSeconds: 1_625_240_018)?.parts.weekday == 5)
    }

    @Test func monthArithmeticEndsOnTheMonthsLastDay() throws {
        #expect(try evaluate(#"DateAdd("m", 1, "2021-01-31")"#) == .value("2/28/2021 12:00:00 AM"))
        #expect(try evaluate(#"DateAdd("yyyy", 1, "2024-02-29T10:00Z")"#) == .value("2/28/2025 10:00:00 AM"))
        #expect(try evaluate(#"DateAdd("m", -13, "2021-03-15")"#) == .value("2/15/2020 12:00:00 AM"))
        #expect(try evaluate(#"DateAdd("h", 1.5, "2021-03-15")"#) == .value("3/15/2021 2:00:00 AM"), "half to even")
        #expect(try evaluate(#"DateAdd("n", "90", "2021-03-15")"#) == .value("3/15/2021 1:30:00 AM"))
        #expect(try evaluate(#"DateAdd("D", 1, "2021-03-15")"#) == .value("3/16/2021 12:00:00 AM"))
    }

    @Test func differences() throws {
        // Years and months count calendar boundaries, not elapsed time.
        #expect(try evaluate(#"DateDiff("yyyy", "2020-12-31T23:59Z", "2021-01-01")"#) == .value(1))
        #expect(try evaluate(#"DateDiff("m", "2021-01-31", "2021-02-01")"#) == .value(1))
        // Days truncate toward zero; weeks count Sundays crossed.
        #expect(try evaluate(#"DateDiff("d", "2021-01-01T12:00Z", "2021-01-02T11:00Z")"#) == .value(0))
        #expect(try evaluate(#"DateDiff("d", "2021-01-02T11:00Z", "2021-01-01T12:00Z")"#) == .value(0))
        #expect(try evaluate(#"DateDiff("ww", "2021-08-21", "2021-08-22")"#) == .value(1))
        #expect(try evaluate(#"DateDiff("ww", "2021-08-22", "2021-08-28")"#) == .value(0))
        #expect(try evaluate(#"DateDiff("d", Now(), CDate("2021-07-12"))"#) == .value(9))
    }

    @Test func activeDirectoryNumbers() throws {
        #expect(try evaluate("DateFromNum(0)") == .value("1/1/1601 12:00:00 AM"))
        #expect(try evaluate(#"NumFromDate("1601-01-01T00:00:00Z")"#) == .value(0))
        #expect(try evaluate("NumFromDate(DateFromNum(129699324000000000))") == .value(129_699_324_000_000_000))
        #expect(try evaluationError("DateFromNum(9223372036854775807)")?.kind == .invalidValue)
    }

    @Test(arguments: [
        ("20150123105347.1Z", "yyyyMMddHHmmss.fZ", "yyyy-MM-dd HH:mm:ss.fff", "2015-01-23 10:53:47.100"),
        ("2020-12-31-08:00", "yyyy-MM-ddzzz", "yyyy-MM-dd'T'HH:mm:ssK", "2020-12-31T08:00:00Z"),
        ("12/31/2020 01:30:00 PM", "M/d/yyyy hh:mm:ss tt", "dddd, MMMM d, yyyy h:mm tt", "Thursday, December 31, 2020 1:30 PM"),
        ("31 Dec 20", "dd MMM yy", "ddd d/M/yy", "Thu 31/12/20"),
        ("  2021-06-30  ", "yyyy-MM-dd", "MMM dd", "Jun 30"),
        ("2021-06-30 08:05", "yyyy-MM-dd HH:mm", "h 'o''clock' \\H t z zz zzz", "8 oclock H A +0 +00 +00:00"),
        ("2021-06-30T08:05:09.1200000Z", "o", "s", "2021-06-30T08:05:09"),
        ("2021-06-30", "yyyy-MM-dd", "o", "2021-06-30T00:00:00.0000000Z"),
        ("2021-06-30", "yyyy-MM-dd", "u", "2021-06-30 00:00:00Z"),
        ("2021-06-30", "yyyy-MM-dd", "R", "Wed, 30 Jun 2021 00:00:00 GMT"),
        ("2021-06-30", "yyyy-MM-dd", "d", "6/30/2021"),
        ("2021-06-30", "yyyy-MM-dd", "G", "6/30/2021 12:00:00 AM"),
        ("2021-06-30 08:05:09.5", "yyyy-MM-dd HH:mm:ss.F", "ss.FF|ss.FFF|mm.F", "09.5|09.5|05.5"),
        ("2021-06-30 08:05:09", "yyyy-MM-dd HH:mm:ss", "ss.FFF|HH:mm:ss.F", "09|08:05:09"),
        ("30.06.2021", "dd.MM.yyyy", "%M", "6"),
        ("1/2/2021", "d/M/yyyy", "yyyyMMdd", "20210201"),
    ])
    func formatDateTime(source: String, input: String, output: String, expected: String) throws {
        let expression = #"FormatDateTime([d], , "\#(input)", "\#(output)")"#
        #expect(try evaluate(expression, ["d": .string(source)]) == .value(.string(expected)))
    }

    @Test func formatDateTimeStyles() throws {
        let strict = #"FormatDateTime([d], "None", "yyyy-MM-dd", "yyyy")"#
        #expect(try evaluationError(strict, ["d": " 2021-06-30"])?.kind == .invalidValue)
        #expect(try evaluate(strict, ["d": "2021-06-30"]) == .value("2021"))
        let lenient = #"FormatDateTime([d], "AllowLeadingWhite, AdjustToUniversal", "yyyy-MM-dd", "yyyy")"#
        #expect(try evaluate(lenient, ["d": " 2021-06-30"]) == .value("2021"))
        #expect(try evaluate(#"FormatDateTime([d], "AllowWhiteSpaces|RoundtripKind", "yyyy", "yyyy")"#, ["d": " 2021 "]) == .value("2021"))
    }

    @Test func patternsRejectNonsense() {
        #expect(throws: DateTimePattern.Error.self) { try DateTimePattern("") }
        #expect(throws: DateTimePattern.Error.self) { try DateTimePattern("x") }
        #expect(throws: DateTimePattern.Error.self) { try DateTimePattern("ffffffff") }
        #expect(throws: DateTimePattern.Error.self) { try DateTimePattern("yyyy\\") }
        #expect(throws: DateTimePattern.Error.self) { try DateTimePattern("yyyy%") }
        #expect(throws: Never.self) { try DateTimePattern("'literal only'") }
    }
}
