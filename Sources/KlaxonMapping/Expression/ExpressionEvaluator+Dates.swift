import SCIM

/// Date functions. Dates travel between functions as Entra writes them, `M/d/yyyy h:mm:ss tt` in UTC, and
/// every date argument also accepts ISO 8601 (see ``ExpressionDate/parse(_:)``).
extension ExpressionEvaluator {
    /// The argument read as a date; nil for null.
    private mutating func date(_ call: FunctionCall, _ position: Int) throws(EvaluationStop) -> ExpressionDate? {
        guard let text = try string(call, position) else { return nil }
        guard let date = ExpressionDate.parse(text) else {
            throw failure(
                .invalidValue,
                "\(call.signature.name) cannot read \"\(text)\" as a date; use ISO 8601 (2021-06-30T08:00:00Z, 2021-06-30+08:00) or M/d/yyyy h:mm:ss tt, or convert it with FormatDateTime",
                call.arguments[position])
        }
        return date
    }

    private mutating func interval(_ call: FunctionCall) throws(EvaluationStop) -> DateInterval {
        let code = try string(call, 0) ?? ""
        guard let interval = DateInterval(code: code) else {
            throw failure(.invalidValue, DateInterval.unknownMessage(code), call.arguments[0])
        }
        return interval
    }

    mutating func cDate(_ call: FunctionCall) throws(EvaluationStop) -> JSONValue {
        try date(call, 0).map { .string($0.entraText) } ?? .null
    }

    /// DateAdd: a fractional number of intervals is rounded to the nearest whole one (half to even), as VBA does.
    mutating func dateAdd(_ call: FunctionCall) throws(EvaluationStop) -> JSONValue {
        let interval = try interval(call)
        let amountValue = try single(evaluate(call.arguments[1]), call, 1)
        guard let amount = Self.number(in: amountValue)?.rounded(.toNearestOrEven), abs(amount) < 1e15 else {
            throw failure(
                .typeMismatch, "DateAdd expects a number of intervals but \(describe(call, 1)) is \(amountValue.typeName) \(amountValue)",
                call.arguments[1])
        }
        guard let start = try date(call, 2) else { return .null }
        guard let moved = start.adding(Int(amount), interval) else {
            throw failure(.invalidValue, "DateAdd's result is outside years 1 to 9999", call.arguments[1])
        }
        return .string(moved.entraText)
    }

    mutating func dateDiff(_ call: FunctionCall) throws(EvaluationStop) -> JSONValue {
        let interval = try interval(call)
        guard let start = try date(call, 1), let end = try date(call, 2) else { return .null }
        return .integer(ExpressionDate.difference(interval, from: start, to: end))
    }

    /// An Active Directory date number (a Windows file time, as in lastLogonTimestamp) as a date.
    mutating func dateFromNum(_ call: FunctionCall) throws(EvaluationStop) -> JSONValue {
        guard let number = try integer(call, 0) else { return .null }
        guard let date = ExpressionDate(fileTime: Int64(number)) else {
            throw failure(.invalidValue, "\(number) is not an Active Directory date between years 1601 and 9999", call.arguments[0])
        }
        return .string(date.entraText)
    }

    /// A date as an Active Directory date number, for attributes such as accountExpires.
    mutating func numFromDate(_ call: FunctionCall) throws(EvaluationStop) -> JSONValue {
        guard let date = try date(call, 0) else { return .null }
        guard let fileTime = date.fileTime else {
            throw failure(.invalidValue, "Active Directory dates start in 1601", call.arguments[0])
        }
        return .integer(Int(fileTime))
    }

    mutating func formatDateTime(_ call: FunctionCall) throws(EvaluationStop) -> JSONValue {
        guard let source = try string(call, 0) else { return .null }
        var styles = DateTimeStyles.entraDefault
        if let names = try string(call, 1) {
            guard let parsed = DateTimeStyles(parsing: names) else {
                throw failure(.invalidValue, DateTimeStyles.unknownMessage(names), call.arguments[1])
            }
            styles = parsed
        }
        let input = try pattern(call, 2)
        let output = try pattern(call, 3)
        guard let date = input.pattern.parse(source, styles: styles) else {
            throw failure(
                .invalidValue, "FormatDateTime cannot read \"\(source)\" with the format \"\(input.format)\"", call.arguments[0])
        }
        return .string(output.pattern.format(date))
    }

    private mutating func pattern(_ call: FunctionCall, _ position: Int) throws(EvaluationStop) -> (format: String, pattern: DateTimePattern) {
        guard let format = try string(call, position) else {
            throw failure(.typeMismatch, "FormatDateTime's \(position == 2 ? "inputFormat" : "outputFormat") is null", call.arguments[position])
        }
        do throws(DateTimePattern.Error) {
            return (format, try DateTimePattern(format))
        } catch {
            throw failure(.invalidValue, "invalid date format \"\(format)\": \(error.message)", call.arguments[position])
        }
    }
}
