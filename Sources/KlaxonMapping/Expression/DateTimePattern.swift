/// A .NET date and time format string, as FormatDateTime takes them: custom patterns such as
/// `yyyyMMddHHmmss.fZ` or `M/d/yyyy hh:mm:ss tt`, and the one-letter standard formats (`d`, `G`, `o`, `s`, `u`…)
/// with en-US names, the culture Entra writes its own dates in.
///
/// Dates are UTC: a parsed zone offset is converted away, and `z`, `zz`, `zzz` and `K` write `+0`, `+00`,
/// `+00:00` and `Z`.
struct DateTimePattern {
    struct Error: Swift.Error {
        var message: String
    }

    enum Token: Equatable {
        case literal(String)
        case year(Int), month(Int), day(Int), hour12(Int), hour24(Int), minute(Int), second(Int)
        /// `f…` (`trimsZeros` false) or `F…` (true), with the number of digits.
        case fraction(Int, trimsZeros: Bool)
        case designator(Int)
        case offset(Int)
        case kind
        case era
    }

    let tokens: [Token]

    init(_ format: String) throws(Error) {
        guard !format.isEmpty else { throw Error(message: "the format is empty") }
        if format.count == 1 {
            guard let standard = Self.standardFormats[format.first!] else {
                throw Error(message: "\"\(format)\" is not a standard format; custom formats have more than one character (write %\(format) for one field)")
            }
            self.tokens = try Self.tokenize(standard)
        } else {
            self.tokens = try Self.tokenize(format)
        }
    }

    private static let standardFormats: [Character: String] = [
        "d": "M/d/yyyy", "D": "dddd, MMMM d, yyyy", "f": "dddd, MMMM d, yyyy h:mm tt",
        "F": "dddd, MMMM d, yyyy h:mm:ss tt", "g": "M/d/yyyy h:mm tt", "G": "M/d/yyyy h:mm:ss tt",
        "m": "MMMM d", "M": "MMMM d", "o": "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffffK",
        "O": "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffffK", "r": "ddd, dd MMM yyyy HH':'mm':'ss 'GMT'",
        "R": "ddd, dd MMM yyyy HH':'mm':'ss 'GMT'", "s": "yyyy'-'MM'-'dd'T'HH':'mm':'ss", "t": "h:mm tt",
        "T": "h:mm:ss tt", "u": "yyyy'-'MM'-'dd HH':'mm':'ss'Z'", "y": "MMMM yyyy", "Y": "MMMM yyyy",
    ]

    private static func tokenize(_ format: String) throws(Error) -> [Token] {
        let characters = Array(format)
        var tokens: [Token] = []
        var index = 0
        func appendLiteral(_ text: String) {
            if case .literal(let previous) = tokens.last {
                tokens[tokens.count - 1] = .literal(previous + text)
            } else {
                tokens.append(.literal(text))
            }
        }
        while index < characters.count {
            let character = characters[index]
            var run = 1
            while index + run < characters.count, characters[index + run] == character { run += 1 }
            switch character {
            case "y": tokens.append(.year(run))
            case "M": tokens.append(.month(run))
            case "d": tokens.append(.day(run))
            case "h": tokens.append(.hour12(min(run, 2)))
            case "H": tokens.append(.hour24(min(run, 2)))
            case "m": tokens.append(.minute(min(run, 2)))
            case "s": tokens.append(.second(min(run, 2)))
            case "t": tokens.append(.designator(min(run, 2)))
            case "z": tokens.append(.offset(min(run, 3)))
            case "g": tokens.append(.era)
            case "f", "F":
                guard run <= 7 else { throw Error(message: "at most 7 '\(character)' fraction digits are allowed") }
                tokens.append(.fraction(run, trimsZeros: character == "F"))
            case "K":
                run = 1
                tokens.append(.kind)
            case "'", "\"":
                var literal = ""
                var end = index + 1
                while end < characters.count, characters[end] != character {
                    if characters[end] == "\\", end + 1 < characters.count { end += 1 }
                    literal.append(characters[end])
                    end += 1
                }
                guard end < characters.count else { throw Error(message: "the quoted text has no closing \(character)") }
                appendLiteral(literal)
                run = end - index + 1
            case "\\":
                guard index + 1 < characters.count else { throw Error(message: "a backslash ends the format") }
                appendLiteral(String(characters[index + 1]))
                run = 2
            case "%":
                guard index + 1 < characters.count, characters[index + 1] != "%" else {
                    throw Error(message: "'%' must be followed by a format character")
                }
                run = 1
            default:
                run = 1
                appendLiteral(String(character))
            }
            index += run
        }
        return tokens
    }

    // MARK: Writing

    private static let monthNames = [
        "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
        "November", "December",
    ]
    private static let dayNames = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]

    func format(_ date: ExpressionDate) -> String {
        let parts = date.parts
        var output = ""
        func padded(_ value: Int, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        let hour12 = parts.hour % 12 == 0 ? 12 : parts.hour % 12
        for token in tokens {
            switch token {
            case .literal(let text): output += text
            case .year(let count): output += count <= 2 ? padded(parts.year % 100, count) : padded(parts.year, count)
            case .month(let count):
                output += count <= 2 ? padded(parts.month, count)
                    : count == 3 ? String(Self.monthNames[parts.month - 1].prefix(3)) : Self.monthNames[parts.month - 1]
            case .day(let count):
                output += count <= 2 ? padded(parts.day, count)
                    : count == 3 ? String(Self.dayNames[parts.weekday].prefix(3)) : Self.dayNames[parts.weekday]
            case .hour12(let count): output += padded(hour12, count)
            case .hour24(let count): output += padded(parts.hour, count)
            case .minute(let count): output += padded(parts.minute, count)
            case .second(let count): output += padded(parts.second, count)
            case .fraction(let count, let trimsZeros):
                var digits = String(padded(Int(parts.fraction), 7).prefix(count))
                if trimsZeros {
                    while digits.last == "0" { digits.removeLast() }
                    if digits.isEmpty, output.last == "." { output.removeLast() }
                }
                output += digits
            case .designator(let count): output += String((parts.hour < 12 ? "AM" : "PM").prefix(count))
            case .offset(let count): output += count == 1 ? "+0" : count == 2 ? "+00" : "+00:00"
            case .kind: output += "Z"
            case .era: output += "A.D."
            }
        }
        return output
    }

    // MARK: Reading

    /// Reads text in this format; nil if it does not match.
    func parse(_ text: String, styles: DateTimeStyles) -> ExpressionDate? {
        var input = Substring(text)
        if styles.allowsLeadingWhite { input = input.drop(while: \.isWhitespace) }
        if styles.allowsTrailingWhite {
            while input.last?.isWhitespace == true { input.removeLast() }
        }
        var characters = input[...]
        var year = 1, month = 1, day = 1, hour = 0, minute = 0, second = 0
        var fraction: Int64 = 0
        var isPM: Bool?
        var offset = 0

        func digits(_ minimum: Int, _ maximum: Int) -> Int? {
            var value = 0
            var count = 0
            // Nine digits at most, so the value cannot overflow.
            while count < min(maximum, 9), let digit = characters.first?.wholeNumberValue, characters.first?.isASCII == true {
                value = value * 10 + digit
                count += 1
                characters.removeFirst()
            }
            return count >= minimum ? value : nil
        }
        func name(in names: [String], length: Int?) -> Int? {
            for (position, full) in names.enumerated() {
                let candidate = length.map { String(full.prefix($0)) } ?? full
                if characters.prefix(candidate.count).lowercased() == candidate.lowercased() {
                    characters.removeFirst(candidate.count)
                    return position
                }
            }
            return nil
        }
        func zone(hoursOnly: Bool) -> Int? {
            guard let sign = characters.first, sign == "+" || sign == "-" else { return nil }
            characters.removeFirst()
            guard let hours = digits(hoursOnly ? 1 : 2, 2), hours <= 23 else { return nil }
            var minutes = 0
            if !hoursOnly {
                guard characters.first == ":" else { return nil }
                characters.removeFirst()
                guard let value = digits(2, 2), value <= 59 else { return nil }
                minutes = value
            }
            return (sign == "-" ? -1 : 1) * (hours * 3600 + minutes * 60)
        }

        for token in tokens {
            switch token {
            case .literal(let literal):
                guard characters.hasPrefix(literal) else { return nil }
                characters.removeFirst(literal.count)
            case .year(let count):
                guard let value = count <= 2 ? digits(count, 2) : digits(count, max(count, 4)) else { return nil }
                year = count <= 2 ? (value < 50 ? 2000 + value : 1900 + value) : value
            case .month(let count):
                if count <= 2 {
                    guard let value = digits(count, 2) else { return nil }
                    month = value
                } else {
                    guard let position = name(in: Self.monthNames, length: count == 3 ? 3 : nil) else { return nil }
                    month = position + 1
                }
            case .day(let count):
                if count <= 2 {
                    guard let value = digits(count, 2) else { return nil }
                    day = value
                } else {
                    guard name(in: Self.dayNames, length: count == 3 ? 3 : nil) != nil else { return nil }
                }
            case .hour12(let count), .hour24(let count):
                guard let value = digits(count, 2) else { return nil }
                hour = value
            case .minute(let count):
                guard let value = digits(count, 2) else { return nil }
                minute = value
            case .second(let count):
                guard let value = digits(count, 2) else { return nil }
                second = value
            case .fraction(let count, let trimsZeros):
                let before = characters.count
                guard let value = digits(trimsZeros ? 0 : count, count) else { return nil }
                let read = before - characters.count
                var scaled = Int64(value)
                for _ in read..<7 { scaled *= 10 }
                fraction = scaled
            case .designator(let count):
                let upper = characters.prefix(count).uppercased()
                guard upper == String("AM".prefix(count)) || upper == String("PM".prefix(count)) else { return nil }
                isPM = upper.hasPrefix("P")
                characters.removeFirst(count)
            case .offset(let count):
                guard let value = zone(hoursOnly: count < 3) else { return nil }
                offset = value
            case .kind:
                if characters.first == "Z" {
                    characters.removeFirst()
                } else if characters.first == "+" || characters.first == "-" {
                    guard let value = zone(hoursOnly: false) else { return nil }
                    offset = value
                }
            case .era:
                for era in ["A.D.", "AD"] where characters.hasPrefix(era) {
                    characters.removeFirst(era.count)
                    break
                }
            }
        }
        guard characters.isEmpty else { return nil }
        if let isPM {
            guard (1...12).contains(hour) else { return nil }
            hour = hour % 12 + (isPM ? 12 : 0)
        }
        return ExpressionDate(
            year: year, month: month, day: day, hour: hour, minute: minute, second: second, fraction: fraction,
            offsetSeconds: offset)
    }
}

/// .NET `DateTimeStyles` names, as FormatDateTime's second argument takes them (`"AdjustToUniversal"`, or several
/// joined with `,` or `|`). Dates are UTC here, so only the whitespace styles change anything; empty means
/// Entra's default, RoundtripKind with leading and trailing white space allowed.
struct DateTimeStyles {
    private static let names = [
        "none", "allowleadingwhite", "allowtrailingwhite", "allowinnerwhite", "allowwhitespaces",
        "nocurrentdatedefault", "adjusttouniversal", "assumelocal", "assumeuniversal", "roundtripkind",
    ]

    let allowsLeadingWhite: Bool
    let allowsTrailingWhite: Bool

    static let entraDefault = DateTimeStyles(allowsLeadingWhite: true, allowsTrailingWhite: true)

    private init(allowsLeadingWhite: Bool, allowsTrailingWhite: Bool) {
        self.allowsLeadingWhite = allowsLeadingWhite
        self.allowsTrailingWhite = allowsTrailingWhite
    }

    init?(parsing text: String) {
        let names = text.split(whereSeparator: { $0 == "," || $0 == "|" }).map { asciiLowercased($0.trimmingSpaces()) }
        guard !names.isEmpty else {
            self = .entraDefault
            return
        }
        guard names.allSatisfy(Self.names.contains) else { return nil }
        allowsLeadingWhite = names.contains("allowleadingwhite") || names.contains("allowwhitespaces")
        allowsTrailingWhite = names.contains("allowtrailingwhite") || names.contains("allowwhitespaces")
    }

    static func unknownMessage(_ text: String) -> String {
        "unknown dateTimeStyles \"\(text)\"; use names of .NET DateTimeStyles such as AllowWhiteSpaces or AdjustToUniversal, or leave the argument empty"
    }
}
