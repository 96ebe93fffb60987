import SCIM

/// `date.format`: reads a date in one format and writes it in another, in UTC.
///
/// Formats are .NET-style patterns, as Entra's FormatDateTime takes: `yyyy`, `yy`, `MM`, `M`, `dd`, `d`, `HH`,
/// `H`, `hh`, `h`, `mm`, `m`, `ss`, `s`, `tt` (AM/PM), other punctuation as itself and `'quoted text'`; or
/// `iso8601` for SCIM's dateTime (`2024-03-01T09:30:00Z`; read with any offset). Dates without a time are
/// midnight UTC. A value that does not parse becomes null, or as `onInvalid` says.
///
/// ```yaml
/// transform:
///   - use: date.format
///     with: { from: "M/d/yyyy", to: iso8601 }     # 3/1/2024 → 2024-03-01T00:00:00Z
/// ```
struct DateFormatTransformer: Transformer {
    enum OnInvalid: String { case null, keep, skipAttribute = "skip-attribute", error }

    static let id = "date.format"
    static let summary = "Reads a date in one format (`from`, default iso8601) and writes it in another (`to`), in UTC."
    static let parameters = [
        TransformerParameter("from", .string, summary: "the input format, or iso8601 (default)"),
        TransformerParameter("to", .string, required: true, summary: "the output format, or iso8601"),
        TransformerParameter(
            "onInvalid", .oneOf(["null", "keep", "skip-attribute", "error"]),
            summary: "what a value that does not parse becomes (default null)"),
    ]

    let input: DatePattern?
    let output: DatePattern?
    let onInvalid: OnInvalid

    init(arguments: TransformerArguments) throws(TransformerError) {
        input = try Self.pattern(arguments.string("from") ?? "iso8601", argument: "from")
        output = try Self.pattern(arguments.string("to") ?? "iso8601", argument: "to")
        onInvalid = arguments.string("onInvalid").flatMap(OnInvalid.init) ?? .null
    }

    /// nil stands for iso8601.
    private static func pattern(_ text: String, argument: String) throws(TransformerError) -> DatePattern? {
        if text == "iso8601" { return nil }
        do {
            return try DatePattern(text)
        } catch {
            throw TransformerError(error.message, argument: argument)
        }
    }

    func transform(_ value: JSONValue, context: TransformContext) throws(TransformerError) -> TransformOutcome {
        guard let text = value.stringValue else { return .value(value) }
        let seconds = input.map { $0.parse(text) } ?? SCIMDateTime.seconds(from: text).map { Int($0.rounded(.down)) }
        guard let seconds else {
            switch onInvalid {
            case .null: return .null
            case .keep: return .value(value)
            case .skipAttribute: return .skipAttribute
            case .error: throw TransformerError("\"\(text)\" is not a date in the expected format")
            }
        }
        let formatted = output?.format(seconds) ?? DatePattern.iso8601.format(seconds)
        return .value(.string(formatted))
    }
}

/// A parsed .NET-style date pattern that reads and writes UTC date-times as seconds since 1970.
struct DatePattern: Sendable {
    enum Field: Sendable { case year4, year2, month, day, hour24, hour12, minute, second, meridiem }
    enum Part: Sendable {
        case field(Field, padded: Bool)
        case literal(String)
    }

    struct Invalid: Error { let message: String }

    static let iso8601: DatePattern = {
        do { return try DatePattern("yyyy-MM-dd'T'HH:mm:ss'Z'") } catch { preconditionFailure("the ISO 8601 pattern is valid") }
    }()

    let parts: [Part]

    init(_ text: String) throws(Invalid) {
        var parts: [Part] = []
        let characters = Array(text)
        var index = 0
        while index < characters.count {
            let character = characters[index]
            var run = 1
            while index + run < characters.count, characters[index + run] == character { run += 1 }
            switch (character, run) {
            case ("y", 4): parts.append(.field(.year4, padded: true))
            case ("y", 2): parts.append(.field(.year2, padded: true))
            case ("M", 1...2): parts.append(.field(.month, padded: run == 2))
            case ("d", 1...2): parts.append(.field(.day, padded: run == 2))
            case ("H", 1...2): parts.append(.field(.hour24, padded: run == 2))
            case ("h", 1...2): parts.append(.field(.hour12, padded: run == 2))
            case ("m", 1...2): parts.append(.field(.minute, padded: run == 2))
            case ("s", 1...2): parts.append(.field(.second, padded: run == 2))
            case ("t", 2): parts.append(.field(.meridiem, padded: true))
            case ("'", _):
                guard let close = characters[(index + 1)...].firstIndex(of: "'") else {
                    throw Invalid(message: "the date format \"\(text)\" has an unclosed quote")
                }
                parts.append(.literal(String(characters[(index + 1)..<close])))
                index = close + 1
                continue
            default:
                if character.isLetter {
                    throw Invalid(
                        message: "the date format \"\(text)\" has \"\(String(repeating: character, count: run))\", which is not one of yyyy yy MM M dd d HH H hh h mm m ss s tt")
                }
                parts.append(.literal(String(repeating: character, count: run)))
            }
            index += run
        }
        self.parts = parts
    }

    /// Seconds since 1970 in UTC, or nil if the text does not match the pattern or names no real date.
    func parse(_ text: String) -> Int? {
        let characters = Array(text.unicodeScalars)
        var index = 0
        var year = 1970, month = 1, day = 1, hour = 0, minute = 0, second = 0
        var pm: Bool?
        var twelveHour = false
        for part in parts {
            switch part {
            case .literal(let literal):
                for scalar in literal.unicodeScalars {
                    guard index < characters.count, characters[index] == scalar else { return nil }
                    index += 1
                }
            case .field(.meridiem, _):
                guard index + 2 <= characters.count else { return nil }
                switch String(String.UnicodeScalarView(characters[index..<index + 2])).uppercased() {
                case "AM": pm = false
                case "PM": pm = true
                default: return nil
                }
                index += 2
            case .field(let field, let padded):
                let width: ClosedRange<Int> =
                    switch field {
                    case .year4: 4...4
                    case .year2: 2...2
                    default: padded ? 2...2 : 1...2
                    }
                var value = 0
                var digits = 0
                while digits < width.upperBound, index < characters.count, ("0"..."9").contains(characters[index]) {
                    value = value * 10 + Int(characters[index].value - 48)
                    digits += 1
                    index += 1
                }
                guard width.contains(digits) else { return nil }
                switch field {
                case .year4: year = value
                case .year2: year = 2000 + value
                case .month: month = value
                case .day: day = value
                case .hour24: hour = value
                case .hour12: hour = value; twelveHour = true
                case .minute: minute = value
                case .second: second = value
                case .meridiem: break
                }
            }
        }
        guard index == characters.count else { return nil }
        if twelveHour {
            guard (1...12).contains(hour) else { return nil }
            if let pm { hour = hour % 12 + (pm ? 12 : 0) }
        }
        guard (1...12).contains(month), (1...CivilDate.daysIn(month: month, year: year)).contains(day), hour < 24, minute < 60,
            second < 60
        else { return nil }
        return CivilDate.days(year: year, month: month, day: day) * 86_400 + hour * 3_600 + minute * 60 + second
    }

    /// The date-time, in UTC, written in the pattern.
    func format(_ seconds: Int) -> String {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let time = seconds - days * 86_400
        let (year, month, day) = CivilDate.civil(fromDays: days)
        let hour = time / 3_600
        var text = ""
        for part in parts {
            switch part {
            case .literal(let literal): text += literal
            case .field(let field, let padded):
                let value: Int
                switch field {
                case .year4: text += Self.pad(year, 4); continue
                case .year2: text += Self.pad(year % 100, 2); continue
                case .meridiem: text += hour < 12 ? "AM" : "PM"; continue
                case .month: value = month
                case .day: value = day
                case .hour24: value = hour
                case .hour12: value = hour % 12 == 0 ? 12 : hour % 12
                case .minute: value = time / 60 % 60
                case .second: value = time % 60
                }
                text += padded ? Self.pad(value, 2) : String(value)
            }
        }
        return text
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
