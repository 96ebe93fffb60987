import SCIM

/// A UTC instant as Entra's date functions see it: .NET `DateTime` ticks (100 ns since 0001-01-01), years 1 to
/// 9999. Calendar arithmetic is done here without Foundation, so date functions stay cheap.
struct ExpressionDate: Hashable, Comparable {
    static let ticksPerSecond: Int64 = 10_000_000
    static let ticksPerDay: Int64 = 86_400 * ticksPerSecond
    /// 9999-12-31T23:59:59.9999999.
    static let maxTicks: Int64 = 3_155_378_975_999_999_999
    static let unixEpochTicks: Int64 = 621_355_968_000_000_000
    /// Where Active Directory dates (Windows file times) start: 1601-01-01.
    static let fileTimeEpochTicks: Int64 = 504_911_232_000_000_000

    let ticks: Int64

    init?(ticks: Int64) {
        guard ticks >= 0, ticks <= Self.maxTicks else { return nil }
        self.ticks = ticks
    }

    /// A date from calendar fields; `offsetSeconds` is the zone the fields are in (east of UTC positive).
    init?(
        year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0, fraction: Int64 = 0,
        offsetSeconds: Int = 0
    ) {
        guard (1...9999).contains(year), (1...12).contains(month), day >= 1, day <= Self.daysIn(month, of: year),
            (0...23).contains(hour), (0...59).contains(minute), (0...59).contains(second),
            (0..<Self.ticksPerSecond).contains(fraction)
        else { return nil }
        let days = Int64(Self.days(year: year, month: month, day: day))
        let seconds = Int64(hour * 3600 + minute * 60 + second - offsetSeconds)
        self.init(ticks: days * Self.ticksPerDay + seconds * Self.ticksPerSecond + fraction)
    }

    init?(unixSeconds: Double) {
        let ticks = (unixSeconds * Double(Self.ticksPerSecond)).rounded(.down) + Double(Self.unixEpochTicks)
        guard ticks.isFinite, ticks >= 0, ticks <= Double(Self.maxTicks) else { return nil }
        self.init(ticks: Int64(ticks))
    }

    /// An Active Directory date: 100 ns intervals since 1601-01-01 UTC.
    init?(fileTime: Int64) {
        guard fileTime >= 0, fileTime <= Self.maxTicks - Self.fileTimeEpochTicks else { return nil }
        self.init(ticks: fileTime + Self.fileTimeEpochTicks)
    }

    /// The date as an Active Directory number; nil before 1601.
    var fileTime: Int64? {
        ticks >= Self.fileTimeEpochTicks ? ticks - Self.fileTimeEpochTicks : nil
    }

    static func < (lhs: ExpressionDate, rhs: ExpressionDate) -> Bool { lhs.ticks < rhs.ticks }

    // MARK: Calendar

    struct Parts {
        var year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int
        /// Ticks within the second.
        var fraction: Int64
        /// 0 for Sunday to 6 for Saturday.
        var weekday: Int
    }

    var parts: Parts {
        let dayNumber = ticks / Self.ticksPerDay
        let (year, month, day) = Self.civil(fromDays: Int(dayNumber))
        let secondsOfDay = Int((ticks % Self.ticksPerDay) / Self.ticksPerSecond)
        return Parts(
            year: year, month: month, day: day, hour: secondsOfDay / 3600, minute: secondsOfDay / 60 % 60,
            second: secondsOfDay % 60, fraction: ticks % Self.ticksPerSecond, weekday: Self.weekday(ofDay: dayNumber))
    }

    static func daysIn(_ month: Int, of year: Int) -> Int { CivilDate.daysIn(month: month, year: year) }

    /// Days between 0001-01-01 and 1970-01-01.
    private static let unixEpochDay = 719_162

    /// Days since 0001-01-01 of a proleptic Gregorian date.
    static func days(year: Int, month: Int, day: Int) -> Int {
        CivilDate.days(year: year, month: month, day: day) + unixEpochDay
    }

    /// The date of a day number counted from 0001-01-01.
    static func civil(fromDays days: Int) -> (year: Int, month: Int, day: Int) {
        CivilDate.civil(fromDays: days - unixEpochDay)
    }

    static func weekday(ofDay day: Int64) -> Int { Int((day + 1) % 7) }

    // MARK: Arithmetic (DateAdd, DateDiff)

    /// The date moved by `amount` intervals; nil outside years 1 to 9999. Months and years keep the day of the
    /// month where they can and otherwise end on the month's last day, as .NET's AddMonths does.
    func adding(_ amount: Int, _ interval: DateInterval) -> ExpressionDate? {
        switch interval {
        case .year:
            let (months, overflow) = amount.multipliedReportingOverflow(by: 12)
            return overflow ? nil : addingMonths(months)
        case .month:
            return addingMonths(amount)
        case .week, .day, .hour, .minute, .second:
            guard let length = interval.fixedTicks else { return nil }
            let (delta, overflow) = Int64(amount).multipliedReportingOverflow(by: length)
            guard !overflow else { return nil }
            let (moved, sumOverflow) = ticks.addingReportingOverflow(delta)
            return sumOverflow ? nil : ExpressionDate(ticks: moved)
        }
    }

    private func addingMonths(_ months: Int) -> ExpressionDate? {
        let parts = self.parts
        guard abs(months) <= 12 * 10_000 else { return nil }
        let total = parts.year * 12 + (parts.month - 1) + months
        let year = total / 12
        let month = total % 12 + 1
        guard (1...9999).contains(year) else { return nil }
        let day = min(parts.day, Self.daysIn(month, of: year))
        let timeOfDay = ticks % Self.ticksPerDay
        return ExpressionDate(ticks: Int64(Self.days(year: year, month: month, day: day)) * Self.ticksPerDay + timeOfDay)
    }

    /// DateDiff: years and months count calendar boundaries, weeks count Sundays crossed (as VBA's `ww`), and
    /// days, hours, minutes and seconds count whole elapsed units, truncated toward zero.
    static func difference(_ interval: DateInterval, from start: ExpressionDate, to end: ExpressionDate) -> Int {
        switch interval {
        case .year:
            return end.parts.year - start.parts.year
        case .month:
            let a = start.parts, b = end.parts
            return (b.year - a.year) * 12 + (b.month - a.month)
        case .week:
            func sunday(_ date: ExpressionDate) -> Int64 {
                let day = date.ticks / ticksPerDay
                return day - Int64(weekday(ofDay: day))
            }
            return Int((sunday(end) - sunday(start)) / 7)
        case .day, .hour, .minute, .second:
            return Int((end.ticks - start.ticks) / (interval.fixedTicks ?? ticksPerDay))
        }
    }

    // MARK: Text

    /// The way Entra writes dates: `M/d/yyyy h:mm:ss tt` (en-US), e.g. `3/16/2020 7:00:00 AM`.
    var entraText: String {
        let parts = self.parts
        let hour12 = parts.hour % 12 == 0 ? 12 : parts.hour % 12
        func twoDigits(_ value: Int) -> String { value < 10 ? "0\(value)" : String(value) }
        return "\(parts.month)/\(parts.day)/\(parts.year) \(hour12):\(twoDigits(parts.minute)):\(twoDigits(parts.second)) "
            + (parts.hour < 12 ? "AM" : "PM")
    }

    /// Reads the date forms Entra's examples use, converting to UTC:
    ///
    /// - ISO 8601: `2009-06-15T01:45:30-07:00`, `2020-12-31 23:59:59-08:00`, `2021-08-24`, and the xsd:date
    ///   with a zone that Workday sends, `2020-03-16-07:00`; a missing zone means UTC.
    /// - Entra's own output, `8/25/2021 5:41:18 PM` (also without seconds, or in 24-hour time).
    static func parse(_ text: String) -> ExpressionDate? {
        let trimmed = text.trimmingSpaces()
        var iso = DateScanner(trimmed)
        if let date = iso.readISO() { return date }
        var us = DateScanner(trimmed)
        return us.readUS()
    }
}

/// A byte scanner for ``ExpressionDate/parse(_:)``.
private struct DateScanner {
    let bytes: [UInt8]
    var index = 0

    init(_ text: String) { bytes = Array(text.utf8) }

    var atEnd: Bool { index >= bytes.count }

    mutating func accept(_ character: Character) -> Bool {
        guard index < bytes.count, let ascii = character.asciiValue, bytes[index] == ascii else { return false }
        index += 1
        return true
    }

    /// Between `min` and `max` digits.
    mutating func number(_ min: Int, _ max: Int) -> Int? {
        var value = 0
        var count = 0
        while count < max, index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") {
            value = value * 10 + Int(bytes[index] - UInt8(ascii: "0"))
            index += 1
            count += 1
        }
        return count >= min ? value : nil
    }

    /// `.1234567…` as ticks; digits past the seventh are dropped.
    mutating func fraction() -> Int64? {
        guard accept(".") else { return 0 }
        var ticks: Int64 = 0
        var scale: Int64 = ExpressionDate.ticksPerSecond / 10
        let start = index
        while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") {
            ticks += Int64(bytes[index] - UInt8(ascii: "0")) * scale
            scale /= 10
            index += 1
        }
        return index > start ? ticks : nil
    }

    /// `Z`, `±hh:mm`, `±hhmm` or `±hh` as seconds east of UTC; 0 when there is no zone.
    mutating func zone() -> Int? {
        if accept("Z") || accept("z") { return 0 }
        guard index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") else { return 0 }
        let sign = bytes[index] == UInt8(ascii: "-") ? -1 : 1
        index += 1
        guard let hours = number(2, 2), hours <= 23 else { return nil }
        var minutes = 0
        if accept(":") {
            guard let value = number(2, 2) else { return nil }
            minutes = value
        } else if let value = number(2, 2) {
            minutes = value
        }
        guard minutes <= 59 else { return nil }
        return sign * (hours * 3600 + minutes * 60)
    }

    mutating func readISO() -> ExpressionDate? {
        guard let year = number(4, 4), accept("-"), let month = number(1, 2), accept("-"), let day = number(1, 2) else {
            return nil
        }
        var hour = 0, minute = 0, second = 0
        var fraction: Int64 = 0
        if accept("T") || accept("t") || accept(" ") {
            guard let h = number(1, 2), accept(":"), let m = number(2, 2) else { return nil }
            hour = h
            minute = m
            if accept(":") {
                guard let s = number(2, 2), let f = self.fraction() else { return nil }
                second = s
                fraction = f
            }
        }
        guard let offset = zone(), atEnd else { return nil }
        return ExpressionDate(
            year: year, month: month, day: day, hour: hour, minute: minute, second: second, fraction: fraction,
            offsetSeconds: offset)
    }

    mutating func readUS() -> ExpressionDate? {
        guard let month = number(1, 2), accept("/"), let day = number(1, 2), accept("/"), let year = number(4, 4) else {
            return nil
        }
        var hour = 0, minute = 0, second = 0
        if accept(" ") {
            guard let h = number(1, 2), accept(":"), let m = number(2, 2) else { return nil }
            hour = h
            minute = m
            if accept(":") {
                guard let s = number(2, 2) else { return nil }
                second = s
            }
            _ = accept(" ")
            let designator = bytes[index...].map { $0 | 0x20 }
            if designator == Array("am".utf8) || designator == Array("pm".utf8) {
                guard (1...12).contains(hour) else { return nil }
                hour = hour % 12 + (designator[0] == UInt8(ascii: "p") ? 12 : 0)
                index = bytes.count
            }
        }
        guard atEnd else { return nil }
        return ExpressionDate(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
    }
}

/// The intervals of DateAdd and DateDiff.
enum DateInterval {
    case year, month, week, day, hour, minute, second

    /// `yyyy`, `m`, `ww`, `d`, `h`, `n` or `s`, ignoring case as VBA does.
    init?(code: String) {
        switch asciiLowercased(code.trimmingSpaces()) {
        case "yyyy": self = .year
        case "m": self = .month
        case "ww": self = .week
        case "d": self = .day
        case "h": self = .hour
        case "n": self = .minute
        case "s": self = .second
        default: return nil
        }
    }

    static func unknownMessage(_ code: String) -> String {
        "unknown interval \"\(code)\"; use yyyy (years), m (months), d (days), ww (weeks), h (hours), n (minutes) or s (seconds)"
    }

    /// The length of a fixed interval; nil for years and months, whose lengths vary.
    var fixedTicks: Int64? {
        switch self {
        case .year, .month: return nil
        case .week: return 7 * ExpressionDate.ticksPerDay
        case .day: return ExpressionDate.ticksPerDay
        case .hour: return 3600 * ExpressionDate.ticksPerSecond
        case .minute: return 60 * ExpressionDate.ticksPerSecond
        case .second: return ExpressionDate.ticksPerSecond
        }
    }
}
