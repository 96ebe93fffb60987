import SCIM

/// Parses Entra's attribute-mapping expression syntax into an ``ExpressionNode`` tree.
///
/// Grammar (whitespace allowed between any two tokens):
///
/// ```
/// expression := operand (("=" | "<>" | "<" | "<=" | ">" | ">=") operand)?
/// operand    := name "(" (argument ("," argument)*)? ")" | "[" attribute "]" | "\"" string "\""
///             | number | "&H" hex | constant
/// argument   := expression | (nothing: an empty argument)
/// ```
///
/// Function and constant names are matched ignoring case and resolved here, together with every check that
/// needs no source record: argument counts and shapes, literal indexes, intervals, formats and patterns.
struct ExpressionParser {
    private let bytes: [UInt8]
    private let limits: MappingExpression.Limits
    private var index = 0
    private var line = 1
    private var column = 1

    static func parse(_ text: String, limits: MappingExpression.Limits) throws(ExpressionError) -> ExpressionNode {
        guard text.utf8.count <= limits.maxLength else {
            let start = SourceLocation.start
            throw ExpressionError(
                .tooComplex, "the expression is longer than \(limits.maxLength) bytes",
                at: SourceSpan(start: start, end: start))
        }
        var parser = ExpressionParser(bytes: Array(text.utf8), limits: limits)
        parser.skipWhitespace()
        guard !parser.atEnd else { throw parser.failure(.syntax, "the expression is empty") }
        let root = try parser.parseExpression(depth: 0)
        parser.skipWhitespace()
        if !parser.atEnd {
            throw parser.failure(.syntax, "unexpected \(parser.describeCurrent()) after a complete expression")
        }
        try checkPlacement(of: root)
        return root
    }

    private init(bytes: [UInt8], limits: MappingExpression.Limits) {
        self.bytes = bytes
        self.limits = limits
    }

    // MARK: Reading

    private var atEnd: Bool { index >= bytes.count }
    private var current: UInt8? { index < bytes.count ? bytes[index] : nil }
    private func byte(at offset: Int) -> UInt8? { index + offset < bytes.count ? bytes[index + offset] : nil }
    private var location: SourceLocation { SourceLocation(offset: index, line: line, column: column) }

    private mutating func advance() {
        let byte = bytes[index]
        index += 1
        if byte == UInt8(ascii: "\n") {
            line += 1
            column = 1
        } else if byte & 0xC0 != 0x80 {
            column += 1
        }
    }

    private mutating func skipWhitespace() {
        while let byte = current, byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\n")
            || byte == UInt8(ascii: "\r")
        {
            advance()
        }
    }

    private func span(from start: SourceLocation) -> SourceSpan { SourceSpan(start: start, end: location) }

    private func failure(_ kind: ExpressionError.Kind, _ message: String, at start: SourceLocation? = nil) -> ExpressionError {
        let start = start ?? location
        var end = start
        if start == location, !atEnd {
            // Cover the offending character, so an underline has something to point at.
            var probe = self
            probe.advance()
            while let byte = probe.current, byte & 0xC0 == 0x80 { probe.advance() }
            end = probe.location
        }
        return ExpressionError(kind, message, at: SourceSpan(start: start, end: max(end, start)))
    }

    /// The character at the current position, for messages.
    private func describeCurrent() -> String {
        guard let byte = current else { return "end of expression" }
        if byte < 0x80 {
            if byte < 0x20 || byte == 0x7F { return "control character U+\(hex(UInt32(byte)))" }
            return "'\(Character(Unicode.Scalar(byte)))'"
        }
        var end = index + 1
        while end < bytes.count, bytes[end] & 0xC0 == 0x80 { end += 1 }
        let text = String(decoding: bytes[index..<end], as: UTF8.self)
        return "'\(text)' (U+\(hex(text.unicodeScalars.first?.value ?? 0)))"
    }

    private func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    // MARK: Grammar

    private mutating func parseExpression(depth: Int) throws(ExpressionError) -> ExpressionNode {
        let left = try parseOperand(depth: depth)
        skipWhitespace()
        guard let op = try readConditionOperator() else {
            try rejectUnsupportedOperator()
            return left
        }
        skipWhitespace()
        let right = try parseOperand(depth: depth)
        skipWhitespace()
        let afterRight = location
        if try readConditionOperator() != nil {
            throw failure(.syntax, "comparisons cannot be chained; nest IIF calls instead", at: afterRight)
        }
        try rejectUnsupportedOperator()
        return ExpressionNode(
            kind: .comparison(op, left, right), span: SourceSpan(start: left.span.start, end: right.span.end))
    }

    /// Reads `=`, `<>`, `<`, `<=`, `>` or `>=`; explains `==` and `!=`.
    private mutating func readConditionOperator() throws(ExpressionError) -> ConditionOperator? {
        guard let byte = current else { return nil }
        let next = self.byte(at: 1)
        let op: ConditionOperator
        var length = 1
        switch byte {
        case UInt8(ascii: "="):
            if next == UInt8(ascii: "=") { throw failure(.syntax, "'==' is not an operator; compare with a single '='") }
            op = .equal
        case UInt8(ascii: "!") where next == UInt8(ascii: "="):
            throw failure(.syntax, "'!=' is not an operator; use '<>' for 'not equal'")
        case UInt8(ascii: "<"):
            if next == UInt8(ascii: ">") {
                op = .notEqual
                length = 2
            } else if next == UInt8(ascii: "=") {
                op = .lessOrEqual
                length = 2
            } else {
                op = .less
            }
        case UInt8(ascii: ">"):
            if next == UInt8(ascii: "=") {
                op = .greaterOrEqual
                length = 2
            } else {
                op = .greater
            }
        default:
            return nil
        }
        for _ in 0..<length { advance() }
        return op
    }

    /// After an operand, explains operators Entra's expressions do not have.
    private func rejectUnsupportedOperator() throws(ExpressionError) {
        guard let byte = current else { return }
        if byte == UInt8(ascii: "&") {
            throw failure(.syntax, "'&' is not supported; join strings with Append or Join")
        }
        if byte == UInt8(ascii: "+") {
            throw failure(.syntax, "'+' is not supported; join strings with Append or Join")
        }
        if isIdentifierStart(byte) {
            var probe = self
            let word = probe.readIdentifier()
            switch asciiLowercased(word) {
            case "and", "or", "xor", "andalso", "orelse":
                throw failure(
                    .syntax,
                    "'\(word)' is not supported in conditions; nest IIF calls (for AND along the true branch, for OR along the false branch)")
            default:
                break
            }
        }
    }

    private mutating func parseOperand(depth: Int) throws(ExpressionError) -> ExpressionNode {
        guard depth < limits.maxDepth else {
            throw failure(.tooComplex, "the expression nests deeper than \(limits.maxDepth) levels")
        }
        guard let byte = current else { throw failure(.syntax, "expected a value but the expression ended") }
        switch byte {
        case UInt8(ascii: "["):
            return try parseAttribute()
        case UInt8(ascii: "\""):
            return try parseString()
        case UInt8(ascii: "0")...UInt8(ascii: "9"):
            return try parseNumber()
        case UInt8(ascii: "-") where (self.byte(at: 1).map { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") } ?? false):
            return try parseNumber()
        case UInt8(ascii: "&") where self.byte(at: 1) == UInt8(ascii: "H") || self.byte(at: 1) == UInt8(ascii: "h"):
            return try parseHexNumber()
        case _ where isIdentifierStart(byte):
            return try parseNamed(depth: depth)
        case UInt8(ascii: "'"):
            throw failure(.syntax, "strings are written in double quotes, not single quotes")
        case 0xE2 where self.byte(at: 1) == 0x80 && [0x9C, 0x9D, 0x9E].contains(self.byte(at: 2)):
            throw failure(.syntax, "curly quote \(describeCurrent()); write strings in straight double quotes (\")")
        case 0xC2 where self.byte(at: 1) == 0xA0:
            throw failure(.syntax, "non-breaking space (U+00A0); replace it with an ordinary space")
        case UInt8(ascii: "("):
            throw failure(.syntax, "'(' must follow a function name")
        default:
            throw failure(.syntax, "expected a function call, [attribute], \"string\" or number but found \(describeCurrent())")
        }
    }

    private mutating func parseAttribute() throws(ExpressionError) -> ExpressionNode {
        let start = location
        advance()
        let nameStart = index
        while let byte = current, byte != UInt8(ascii: "]") {
            if byte == UInt8(ascii: "[") || byte < 0x20 {
                throw failure(.syntax, "\(describeCurrent()) is not allowed in an attribute name")
            }
            advance()
        }
        guard !atEnd else {
            throw failure(.syntax, "missing ']' to close the attribute name opened at \(start)", at: start)
        }
        let name = String(decoding: bytes[nameStart..<index], as: UTF8.self)
        advance()
        guard !name.isEmpty else { throw failure(.syntax, "the attribute name between '[' and ']' is empty", at: start) }
        if name.first?.isWhitespace == true || name.last?.isWhitespace == true {
            throw failure(.syntax, "attribute name '\(name)' has spaces around it; write [\(name.trimmingSpaces())]", at: start)
        }
        return ExpressionNode(kind: .attribute(AttributeReference(name: name)), span: span(from: start))
    }

    /// A string literal. `\"` is a quote and `\\` a backslash; a backslash before anything else is kept, so
    /// patterns such as `"\d"` and `"\\d"` both mean the regular expression `\d`.
    private mutating func parseString() throws(ExpressionError) -> ExpressionNode {
        let start = location
        advance()
        var text: [UInt8] = []
        while let byte = current, byte != UInt8(ascii: "\"") {
            advance()
            if byte == UInt8(ascii: "\\"), let next = current, next == UInt8(ascii: "\"") || next == UInt8(ascii: "\\") {
                text.append(next)
                advance()
            } else {
                text.append(byte)
            }
        }
        guard !atEnd else {
            throw failure(
                .syntax,
                "unterminated string opened at \(start) (a backslash before a quote escapes it; write \\\\ for a backslash)",
                at: start)
        }
        advance()
        return ExpressionNode(kind: .string(String(decoding: text, as: UTF8.self)), span: span(from: start))
    }

    private mutating func parseNumber() throws(ExpressionError) -> ExpressionNode {
        let start = location
        let first = index
        if current == UInt8(ascii: "-") { advance() }
        while let byte = current, byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") { advance() }
        var isDecimal = false
        if current == UInt8(ascii: "."), let next = byte(at: 1), next >= UInt8(ascii: "0"), next <= UInt8(ascii: "9") {
            isDecimal = true
            advance()
            while let byte = current, byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") { advance() }
        }
        if let byte = current, isIdentifierStart(byte) {
            throw failure(.syntax, "unexpected \(describeCurrent()) after a number")
        }
        let text = String(decoding: bytes[first..<index], as: UTF8.self)
        let value: JSONValue
        if isDecimal, let decimal = Double(text), decimal.isFinite {
            value = .decimal(decimal)
        } else if !isDecimal, let integer = Int(text) {
            value = .integer(integer)
        } else {
            throw failure(.syntax, "the number \(text) is out of range", at: start)
        }
        return ExpressionNode(kind: .number(value), span: span(from: start))
    }

    /// VB hex, `&HF7`: up to 16 digits, read as a 64-bit pattern.
    private mutating func parseHexNumber() throws(ExpressionError) -> ExpressionNode {
        let start = location
        advance()
        advance()
        var value: UInt64 = 0
        var digits = 0
        while let byte = current, let digit = hexDigit(byte) {
            digits += 1
            guard digits <= 16 else { throw failure(.syntax, "the hex number has more than 16 digits", at: start) }
            value = value << 4 | UInt64(digit)
            advance()
        }
        guard digits > 0 else { throw failure(.syntax, "'&H' must be followed by hex digits", at: start) }
        if let byte = current, isIdentifierStart(byte) {
            throw failure(.syntax, "unexpected \(describeCurrent()) after a hex number")
        }
        return ExpressionNode(kind: .number(.integer(Int(truncatingIfNeeded: value))), span: span(from: start))
    }

    private func hexDigit(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    private func isIdentifierStart(_ byte: UInt8) -> Bool {
        (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z") || byte == UInt8(ascii: "_")
    }

    private mutating func readIdentifier() -> String {
        let first = index
        while let byte = current, isIdentifierStart(byte) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) {
            advance()
        }
        return String(decoding: bytes[first..<index], as: UTF8.self)
    }

    /// Named constants by folded name: InStr's compare types and VB's booleans.
    private static let constants: [String: JSONValue] = [
        "vbbinarycompare": .integer(0), "vbtextcompare": .integer(1), "true": .bool(true), "false": .bool(false),
    ]

    /// A function call or a named constant.
    private mutating func parseNamed(depth: Int) throws(ExpressionError) -> ExpressionNode {
        let start = location
        let name = readIdentifier()
        let nameSpan = span(from: start)
        var afterName = self
        afterName.skipWhitespace()
        guard afterName.current == UInt8(ascii: "(") else {
            if let value = Self.constants[asciiLowercased(name)] {
                return ExpressionNode(kind: .constant(name: name, value: value), span: nameSpan)
            }
            if let signature = ExpressionFunctions.signature(named: name) {
                throw failure(.syntax, "'\(name)' is a function; call it with parentheses: \(signature.usage)", at: start)
            }
            switch asciiLowercased(name) {
            case "and", "or", "xor":
                throw failure(.syntax, "'\(name)' is not supported; nest IIF calls instead", at: start)
            default:
                throw failure(
                    .syntax, "'\(name)' is not a function or a constant; write attributes in square brackets: [\(name)]",
                    at: start)
            }
        }
        guard let signature = ExpressionFunctions.signature(named: name) else {
            let suggestion = ExpressionFunctions.suggestion(for: name)
            throw ExpressionError(
                .unknownFunction,
                "unknown function '\(name)'" + (suggestion.map { " (did you mean '\($0)'?)" } ?? ""),
                at: nameSpan, suggestion: suggestion)
        }
        self = afterName
        let open = location
        advance()
        var arguments: [ExpressionNode] = []
        skipWhitespace()
        if current == UInt8(ascii: ")") {
            advance()
        } else {
            while true {
                skipWhitespace()
                if current == UInt8(ascii: ",") || current == UInt8(ascii: ")") {
                    arguments.append(ExpressionNode(kind: .omitted, span: span(from: location)))
                } else if atEnd {
                    throw failure(.syntax, "missing ')' to close '\(name)(' opened at \(open)")
                } else {
                    arguments.append(try parseExpression(depth: depth + 1))
                }
                skipWhitespace()
                if current == UInt8(ascii: ",") {
                    advance()
                } else if current == UInt8(ascii: ")") {
                    advance()
                    break
                } else if atEnd {
                    throw failure(.syntax, "missing ')' to close '\(name)(' opened at \(open)")
                } else {
                    throw failure(.syntax, "expected ',' or ')' in the arguments of \(signature.name) but found \(describeCurrent())")
                }
            }
        }
        let callSpan = span(from: start)
        let plan = try Self.check(arguments, of: signature, callSpan: callSpan)
        let call = FunctionCall(name: name, nameSpan: nameSpan, arguments: arguments, function: signature.function, plan: plan)
        return ExpressionNode(kind: .call(call), span: callSpan)
    }

    // MARK: Checks that need no record

    /// Checks a call's arguments against its signature and what its literal arguments can be known to mean.
    private static func check(
        _ arguments: [ExpressionNode], of signature: FunctionSignature, callSpan: SourceSpan
    ) throws(ExpressionError) -> CallPlan {
        let count = arguments.count
        if count < signature.minArguments || count > (signature.maxArguments ?? Int.max) {
            throw ExpressionError(
                .arity, "\(signature.name) takes \(signature.expectedArguments), got \(count): \(signature.usage)",
                at: callSpan)
        }
        let parameterNames = signature.usage.drop { $0 != "(" }.dropFirst().dropLast()
            .split(separator: ",").map { $0.trimmingSpaces() }
        for (position, argument) in zip(1..., arguments) {
            guard case .omitted = argument.kind, !signature.allowsEmptyArgument(at: position) else { continue }
            let parameter = position <= parameterNames.count && parameterNames[position - 1] != "…"
                ? " (\(parameterNames[position - 1]))" : ""
            throw ExpressionError(
                .arity, "argument \(position)\(parameter) of \(signature.name) cannot be empty", at: argument.span)
        }

        func invalid(_ message: String, _ node: ExpressionNode) -> ExpressionError {
            ExpressionError(.invalidArgument, message, at: node.span)
        }
        switch signature.function {
        case .switch:
            guard count.isMultiple(of: 2) else {
                throw ExpressionError(
                    .arity,
                    "Switch takes source, defaultValue and then key/value pairs; \(count) arguments leave a key without a value",
                    at: callSpan)
            }
        case .replace:
            return try replacePlan(arguments, callSpan: callSpan)
        case .item:
            if let index = arguments[1].literalInteger, index < 1 {
                throw invalid("Item indexes start at 1", arguments[1])
            }
        case .mid:
            if let start = arguments[1].literalInteger, start < 1 {
                throw invalid("Mid positions start at 1", arguments[1])
            }
            if let length = arguments[2].literalInteger, length < 0 {
                throw invalid("Mid's length cannot be negative", arguments[2])
            }
        case .dateAdd, .dateDiff:
            if let text = arguments[0].literalString, DateInterval(code: text) == nil {
                throw invalid(DateInterval.unknownMessage(text), arguments[0])
            }
        case .inStr:
            if count > 2, let start = arguments[2].literalInteger, start < 1 {
                throw invalid("InStr positions start at 1", arguments[2])
            }
            if count > 3, let literal = arguments[3].literalValue, CompareMode(literal) == nil {
                throw invalid("InStr's compareType must be vbBinaryCompare or vbTextCompare", arguments[3])
            }
        case .formatDateTime:
            if let styles = arguments[1].literalString, DateTimeStyles(parsing: styles) == nil {
                throw invalid(DateTimeStyles.unknownMessage(styles), arguments[1])
            }
            for argument in arguments[2...] {
                guard let format = argument.literalString else { continue }
                do throws(DateTimePattern.Error) {
                    _ = try DateTimePattern(format)
                } catch {
                    throw invalid("invalid date format \"\(format)\": \(error.message)", argument)
                }
            }
        case .toLower, .toUpper:
            if count > 1, let culture = arguments[1].literalString, Culture(name: culture) == nil {
                throw invalid("'\(culture)' is not a culture name such as en-US or tr-TR", arguments[1])
            }
        case .randomString:
            let numbers = arguments[0..<5].map(\.literalInteger)
            if let length = numbers[0], !(1...RandomStringRules.maxLength).contains(length) {
                throw invalid("RandomString's length must be 1 to \(RandomStringRules.maxLength)", arguments[0])
            }
            for (argument, minimum) in zip(arguments[1..<5], numbers[1...]) {
                if (minimum ?? 0) < 0 { throw invalid("RandomString's minimums cannot be negative", argument) }
                if let minimum, minimum > RandomStringRules.maxLength {
                    throw invalid("RandomString's minimums cannot be more than \(RandomStringRules.maxLength)", argument)
                }
            }
            if let length = numbers[0], numbers[1...].allSatisfy({ $0 != nil }) {
                let required = numbers[1...].reduce(0) { $0 + ($1 ?? 0) }
                if required > length {
                    throw ExpressionError(
                        .invalidArgument, "RandomString's minimums add up to \(required), more than its length \(length)",
                        at: callSpan)
                }
            }
        default:
            break
        }
        return .none
    }

    /// Chooses Replace's behaviour from which slots are filled, and compiles a literal pattern once.
    private static func replacePlan(_ arguments: [ExpressionNode], callSpan: SourceSpan) throws(ExpressionError) -> CallPlan {
        func filled(_ position: Int) -> Bool {
            if case .omitted = arguments[position - 1].kind { return false }
            return true
        }
        let slots = (2...7).filter(filled)
        let mode: ReplaceMode
        switch slots {
        case [2, 5]: mode = .text
        case [2, 7]: mode = .template
        case [3, 5]: mode = .regex
        case [3, 4, 5]: mode = .regexGroup
        case [3, 4, 6]: mode = .regexGroupFromAttribute
        default:
            throw ExpressionError(
                .arity,
                "Replace needs oldValue with replacementValue or template, or regexPattern with replacementValue "
                    + "(and optionally regexGroupName), or regexPattern, regexGroupName and replacementAttributeName; "
                    + "leave the other slots empty, as in Replace([mail], \"@contoso.com\", , , \"\", , )",
                at: callSpan)
        }
        guard mode != .text, mode != .template, let pattern = arguments[2].literalString else {
            return .replace(mode, compiled: nil)
        }
        let compiled: CompiledPattern
        do {
            compiled = CompiledPattern(try Regex(pattern))
        } catch {
            throw ExpressionError(.invalidRegex, "invalid regular expression \"\(pattern)\": \(error)", at: arguments[2].span)
        }
        if mode != .regex, let group = arguments[3].literalString, !RegexGroups.pattern(pattern, hasGroup: group) {
            throw ExpressionError(
                .invalidArgument, "the pattern has no group named '\(group)'; name it with (?<\(group)>…)",
                at: arguments[3].span)
        }
        return .replace(mode, compiled: compiled)
    }

    /// SelectUniqueValue must be the whole expression, as Entra requires.
    private static func checkPlacement(of root: ExpressionNode) throws(ExpressionError) {
        for child in root.children {
            try child.visit { node throws(ExpressionError) in
                if case .call(let call) = node.kind, call.function == .selectUniqueValue {
                    throw ExpressionError(
                        .misplacedFunction, "SelectUniqueValue must be the whole expression, not nested in another",
                        at: call.nameSpan)
                }
            }
        }
    }
}

extension ExpressionNode {
    /// The value of a string, number or constant argument; nil for anything that needs a record.
    var literalValue: JSONValue? {
        switch kind {
        case .string(let text): return .string(text)
        case .number(let number): return number
        case .constant(_, let value): return value
        default: return nil
        }
    }

    var literalString: String? {
        if case .string(let text) = kind { return text }
        return nil
    }

    /// A literal whole number, written as a number or a numeric string.
    var literalInteger: Int? {
        switch literalValue {
        case .integer(let value)?: return value
        case .string(let text)?: return Int(text.trimmingSpaces())
        default: return nil
        }
    }
}

extension StringProtocol {
    /// The text without leading and trailing whitespace.
    func trimmingSpaces() -> String {
        guard let first = firstIndex(where: { !$0.isWhitespace }), let last = lastIndex(where: { !$0.isWhitespace }) else {
            return ""
        }
        return String(self[first...last])
    }
}
