import Foundation
import SCIM

/// A moment truncated to whole milliseconds, with the text SCIM writes for it (`2024-05-01T12:00:00.123Z`).
///
/// `seconds` is what ``SCIMDateTime`` parses from `text`, so a dateTime filter pushed down to SQL compares
/// exactly the numbers the in-memory ``FilterEvaluator`` would.
struct Timestamp: Sendable, Hashable {
    var text: String
    var seconds: Double

    /// The current time.
    static func now() -> Timestamp { Timestamp(Date()) }

    init(_ date: Date) {
        let milliseconds = Int((date.timeIntervalSince1970 * 1000).rounded(.down))
        let text = Self.format(milliseconds: milliseconds)
        self.text = text
        self.seconds = SCIMDateTime.seconds(from: text) ?? Double(milliseconds) / 1000
    }

    /// The moment as a `Date`, built from `seconds` so that it survives a round trip through the database.
    var date: Date { Date(timeIntervalSince1970: seconds) }

    private static func format(milliseconds: Int) -> String {
        let dayLength = 86_400_000
        let days = milliseconds >= 0 ? milliseconds / dayLength : (milliseconds - dayLength + 1) / dayLength
        let inDay = milliseconds - days * dayLength
        let (year, month, day) = CivilDate.civil(fromDays: days)

        func padded(_ value: Int, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        let hour = inDay / 3_600_000
        let minute = inDay / 60_000 % 60
        let second = inDay / 1000 % 60
        let millisecond = inDay % 1000
        return "\(padded(year, 4))-\(padded(month, 2))-\(padded(day, 2))T\(padded(hour, 2)):\(padded(minute, 2)):\(padded(second, 2)).\(padded(millisecond, 3))Z"
    }
}
