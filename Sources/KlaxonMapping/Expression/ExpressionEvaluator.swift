import SCIM

extension MappingExpression {
    /// Evaluates the expression against one record.
    ///
    /// Absent attributes are null. Functions that transform a value return null for a null source, except where
    /// Entra documents otherwise (Left and Word give "", Join skips nulls, Switch compares null as "").
    /// Comparisons read null as "". A value of the wrong type, such as a multi-valued attribute where one value
    /// is expected, is an ``ExpressionError`` with the span of the argument at fault.
    public func evaluate(_ record: SourceRecord, context: ExpressionContext = ExpressionContext()) throws(ExpressionError)
        -> ExpressionResult
    {
        var evaluator = ExpressionEvaluator(record: record, context: context, maxValueLength: limits.maxValueLength)
        do {
            return .value(try evaluator.evaluate(root))
        } catch {
            switch error {
            case .failed(let failure): throw failure
            case .ignoreFlow: return .ignoreFlow
            }
        }
    }
}

/// Why evaluation stopped early: an error, or IgnoreFlowIfNullOrEmpty dropping the attribute.
enum EvaluationStop: Error {
    case failed(ExpressionError)
    case ignoreFlow
}

/// Walks an expression tree for one record. Created per evaluation; holds the clock reading and random source
/// so that every Now() in one evaluation agrees.
struct ExpressionEvaluator {
    let record: SourceRecord
    let context: ExpressionContext
    let maxValueLength: Int
    private var cachedNow: ExpressionDate?
    private var cachedRandom: ExpressionRandom?

    init(record: SourceRecord, context: ExpressionContext, maxValueLength: Int) {
        self.record = record
        self.context = context
        self.maxValueLength = maxValueLength
    }

    mutating func now(at node: ExpressionNode) throws(EvaluationStop) -> ExpressionDate {
        if let cachedNow { return cachedNow }
        guard let date = ExpressionDate(unixSeconds: context.now()) else {
            throw failure(.invalidValue, "the clock's time is outside years 1 to 9999", node)
        }
        cachedNow = date
        return date
    }

    mutating func withRandom<T, Failure: Error>(_ body: (inout ExpressionRandom) throws(Failure) -> T) throws(Failure) -> T {
        var random = cachedRandom ?? ExpressionRandom(seed: context.randomSeed)
        defer { cachedRandom = random }
        return try body(&random)
    }

    mutating func evaluate(_ node: ExpressionNode) throws(EvaluationStop) -> JSONValue {
        switch node.kind {
        case .attribute(let reference): return record.value(of: reference) ?? .null
        case .string(let text): return .string(text)
        case .number(let number): return number
        case .constant(_, let value): return value
        case .omitted: return .null
        case .comparison(let op, let left, let right): return .bool(try compare(op, left, right))
        case .call(let call):
            let value = try apply(call, node)
            if case .string(let text) = value, text.utf8.count > maxValueLength { throw tooLong(call, node) }
            return value
        }
    }

    /// The error for a string past ``MappingExpression/Limits/maxValueLength``.
    func tooLong(_ call: FunctionCall, _ node: ExpressionNode) -> EvaluationStop {
        failure(.invalidValue, "\(call.signature.name) would make a value longer than \(maxValueLength) bytes", node)
    }

    private mutating func apply(_ call: FunctionCall, _ node: ExpressionNode) throws(EvaluationStop) -> JSONValue {
        switch call.function {
        case .append: return try append(call)
        case .appRoleAssignmentsComplex: return try appRoleAssignmentsComplex(call)
        case .bitAnd: return try bitAnd(call)
        case .cBool: return .bool(try truth(call, 0))
        case .cDate: return try cDate(call)
        case .coalesce: return try coalesce(call)
        case .convertToBase64: return try convertToBase64(call)
        case .convertToUTF8Hex: return try convertToUTF8Hex(call)
        case .count: return try count(call)
        case .cStr: return try string(call, 0).map(JSONValue.string) ?? .null
        case .dateAdd: return try dateAdd(call)
        case .dateDiff: return try dateDiff(call)
        case .dateFromNum: return try dateFromNum(call)
        case .formatDateTime: return try formatDateTime(call)
        case .guid: return guid()
        case .ignoreFlowIfNullOrEmpty:
            let value = try evaluate(call.arguments[0])
            if value.isNullOrEmpty { throw .ignoreFlow }
            return value
        case .iif: return try evaluate(call.arguments[try truth(call, 0) ? 1 : 2])
        case .inStr: return try inStr(call)
        case .isNull: return .bool(try evaluate(call.arguments[0]).isUnassigned)
        case .isNullOrEmpty: return .bool(try evaluate(call.arguments[0]).isNullOrEmpty)
        case .isPresent: return .bool(!(try evaluate(call.arguments[0]).isNullOrEmpty))
        case .isString: return .bool(try isString(call))
        case .item: return try item(call)
        case .join: return try join(call, node)
        case .left: return try left(call)
        case .mid: return try mid(call)
        case .normalizeDiacritics: return try string(call, 0).map { .string(Diacritics.normalize($0)) } ?? .null
        case .not: return .bool(!(try evaluate(call.arguments[0]).isTrueLike))
        case .now: return .string(try now(at: node).entraText)
        case .numFromDate: return try numFromDate(call)
        case .pCase: return try pCase(call)
        case .randomString: return try randomString(call, node)
        case .redact: return try evaluate(call.arguments[0])
        case .removeDuplicates: return try removeDuplicates(call)
        case .replace: return try replace(call, node)
        case .selectUniqueValue: return try selectUniqueValue(call, node)
        case .singleAppRoleAssignment: return try singleAppRoleAssignment(call)
        case .split: return try split(call)
        case .stripSpaces: return try string(call, 0).map { .string($0.removingSpaces()) } ?? .null
        case .switch: return try switchValue(call)
        case .toLower: return try changeCase(call, upper: false)
        case .toUpper: return try changeCase(call, upper: true)
        case .word: return try word(call)
        }
    }

    // MARK: Failures

    func failure(_ kind: ExpressionError.Kind, _ message: String, _ node: ExpressionNode) -> EvaluationStop {
        .failed(ExpressionError(kind, message, at: node.span))
    }

    /// How a message names an argument: `[mail]`, `Join(…)` or `argument 2 of Left`.
    func describe(_ call: FunctionCall, _ position: Int) -> String {
        switch call.arguments[position].kind {
        case .attribute(let reference): return "[\(reference.name)]"
        case .call(let inner): return "\(inner.signature.name)(…)"
        default: return "argument \(position + 1) of \(call.signature.name)"
        }
    }

    // MARK: Conversions

    /// A single value: a one-element array is its element, an empty array is null.
    func single(_ value: JSONValue, _ call: FunctionCall, _ position: Int) throws(EvaluationStop) -> JSONValue {
        guard case .array(let items) = value else { return value }
        switch items.count {
        case 0: return .null
        case 1: return items[0]
        default:
            throw failure(
                .typeMismatch,
                "\(call.signature.name) expects one value but \(describe(call, position)) has \(items.count); pick one with Item or combine them with Join",
                call.arguments[position])
        }
    }

    /// The argument as text; nil for null. Numbers are written plainly and booleans as "True"/"False", as Entra
    /// writes them.
    mutating func string(_ call: FunctionCall, _ position: Int) throws(EvaluationStop) -> String? {
        try text(of: evaluate(call.arguments[position]), call, position)
    }

    func text(of value: JSONValue, _ call: FunctionCall, _ position: Int) throws(EvaluationStop) -> String? {
        switch try single(value, call, position) {
        case .null: return nil
        case .string(let text): return text
        case .integer(let number): return String(number)
        case .decimal(let number): return Self.text(of: number)
        case .bool(let flag): return flag ? "True" : "False"
        case .object:
            throw failure(
                .typeMismatch, "\(call.signature.name) expects text but \(describe(call, position)) is an object",
                call.arguments[position])
        case .array:
            throw failure(
                .typeMismatch, "\(call.signature.name) expects text but \(describe(call, position)) is a nested list",
                call.arguments[position])
        }
    }

    static func text(of number: Double) -> String {
        if number.rounded() == number, abs(number) < 1e15 { return String(Int(number)) }
        return String(number)
    }

    /// The argument as a whole number; nil for null.
    mutating func integer(_ call: FunctionCall, _ position: Int) throws(EvaluationStop) -> Int? {
        let value = try single(evaluate(call.arguments[position]), call, position)
        switch value {
        case .null: return nil
        case .integer(let number): return number
        default:
            if let number = Self.number(in: value), number.rounded() == number, abs(number) < 9e18 { return Int(number) }
            throw failure(
                .typeMismatch,
                "\(call.signature.name) expects a whole number but \(describe(call, position)) is \(value.typeName) \(value)",
                call.arguments[position])
        }
    }

    /// The argument as a whole number; an error when it is null.
    mutating func requiredInteger(_ call: FunctionCall, _ position: Int) throws(EvaluationStop) -> Int {
        guard let number = try integer(call, position) else {
            throw failure(
                .typeMismatch, "\(call.signature.name) expects a whole number but \(describe(call, position)) is null",
                call.arguments[position])
        }
        return number
    }

    /// A JSON number, or a string that is one (digits with an optional sign and decimal part).
    static func number(in value: JSONValue) -> Double? {
        switch value {
        case .integer(let number): return Double(number)
        case .decimal(let number): return number
        case .string(let text): return number(in: text)
        default: return nil
        }
    }

    static func number(in text: String) -> Double? {
        let trimmed = text.trimmingSpaces()
        var digits = 0
        var dots = 0
        for (position, byte) in trimmed.utf8.enumerated() {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digits += 1
            case UInt8(ascii: "."): dots += 1
            case UInt8(ascii: "-") where position == 0, UInt8(ascii: "+") where position == 0: break
            default: return nil
            }
        }
        guard digits > 0, dots <= 1 else { return nil }
        return Double(trimmed)
    }

    /// An IIF condition or CBool argument: true, "True" or a non-zero number; false, "False", 0, "" or null.
    mutating func truth(_ call: FunctionCall, _ position: Int) throws(EvaluationStop) -> Bool {
        let value = try single(evaluate(call.arguments[position]), call, position)
        switch value {
        case .null: return false
        case .bool(let flag): return flag
        case .string(let text) where text.isEmpty: return false
        case .string(let text) where text.equalsIgnoringASCIICase("true"): return true
        case .string(let text) where text.equalsIgnoringASCIICase("false"): return false
        default:
            if let number = Self.number(in: value) { return number != 0 }
            throw failure(
                .typeMismatch,
                "\(call.signature.name) expects true or false but \(describe(call, position)) is \(value.typeName) \(value)",
                call.arguments[position])
        }
    }

    // MARK: Comparisons

    /// `=`, `<>`, `<`, `<=`, `>`, `>=`. Numbers (and numeric strings compared with numbers) compare as numbers;
    /// everything else as text, null being "" and booleans "True"/"False". `=` and `<>` on two strings are
    /// exact, as Entra's are; ordering two numeric strings compares their numbers.
    private mutating func compare(
        _ op: ConditionOperator, _ leftNode: ExpressionNode, _ rightNode: ExpressionNode
    ) throws(EvaluationStop) -> Bool {
        let left = try operand(leftNode)
        let right = try operand(rightNode)
        let order: Int
        switch (left, right) {
        case (.string(let a), .string(let b)):
            if op == .equal { return a == b }
            if op == .notEqual { return a != b }
            if let x = Self.number(in: a), let y = Self.number(in: b) {
                order = x < y ? -1 : x > y ? 1 : 0
            } else {
                order = a == b ? 0 : a.utf8.lexicographicallyPrecedes(b.utf8) ? -1 : 1
            }
        default:
            if let x = Self.number(in: left), let y = Self.number(in: right) {
                order = x < y ? -1 : x > y ? 1 : 0
            } else {
                let a = Self.comparisonText(left), b = Self.comparisonText(right)
                order = a == b ? 0 : a.utf8.lexicographicallyPrecedes(b.utf8) ? -1 : 1
            }
        }
        switch op {
        case .equal: return order == 0
        case .notEqual: return order != 0
        case .less: return order < 0
        case .lessOrEqual: return order <= 0
        case .greater: return order > 0
        case .greaterOrEqual: return order >= 0
        }
    }

    private mutating func operand(_ node: ExpressionNode) throws(EvaluationStop) -> JSONValue {
        try comparable(evaluate(node), node)
    }

    private func comparable(_ value: JSONValue, _ node: ExpressionNode) throws(EvaluationStop) -> JSONValue {
        switch value {
        case .null: return .string("")
        case .bool(let flag): return .string(flag ? "True" : "False")
        case .array(let items) where items.count <= 1: return try comparable(items.first ?? .null, node)
        case .array, .object:
            throw failure(.typeMismatch, "a comparison needs one value on each side, not \(value.typeName) \(value)", node)
        default: return value
        }
    }

    private static func comparisonText(_ value: JSONValue) -> String {
        switch value {
        case .string(let text): return text
        case .integer(let number): return String(number)
        case .decimal(let number): return text(of: number)
        default: return value.description
        }
    }
}

extension JSONValue {
    /// Null, an empty string or an empty list: what IsNullOrEmpty and IgnoreFlowIfNullOrEmpty look for.
    var isNullOrEmpty: Bool {
        switch self {
        case .null: return true
        case .string(let text): return text.isEmpty
        case .array(let items): return items.isEmpty || (items.count == 1 && items[0].isNullOrEmpty)
        default: return false
        }
    }

    /// What Not() flips: true, "True" (any case) or a non-zero number.
    var isTrueLike: Bool {
        switch self {
        case .bool(let flag): return flag
        case .string(let text): return text.equalsIgnoringASCIICase("true")
        case .integer(let number): return number != 0
        case .decimal(let number): return number != 0
        case .array(let items) where items.count == 1: return items[0].isTrueLike
        default: return false
        }
    }
}
