/// Parses the SCIM filter language (RFC 7644 §3.4.2.2) into a ``Filter``.
///
/// Precedence is the RFC's: `not` and parentheses bind tightest, then `and`, then `or`. Keywords and operators are
/// case-insensitive. Beyond the RFC it accepts what identity platforms send: Entra's
/// `emails[type eq "work"].value eq "x"` (a value path followed by a sub-attribute comparison) and the legacy
/// unquoted value `externalId eq jyoung`.
///
/// Every error is a 400 `invalidFilter` whose detail gives the column of the problem. Input longer than
/// ``Limits/maxLength``, nested deeper than ``Limits/maxDepth`` or with more than ``Limits/maxTerms`` comparisons
/// is rejected before it costs anything.
public struct FilterParser {
    public struct Limits: Sendable {
        public var maxLength: Int
        public var maxDepth: Int
        public var maxTerms: Int

        public init(maxLength: Int = 4096, maxDepth: Int = 16, maxTerms: Int = 100) {
            self.maxLength = maxLength
            self.maxDepth = maxDepth
            self.maxTerms = maxTerms
        }

        public static let `default` = Limits()
    }

    /// Parses a whole filter.
    public static func parse(_ text: String, in resourceSchema: ResourceSchema? = nil, limits: Limits = .default) throws(SCIMError) -> Filter {
        guard text.utf8.count <= limits.maxLength else {
            throw .invalidFilter("the filter is longer than \(limits.maxLength) bytes")
        }
        var parser = try FilterParser(text: text, firstColumn: 1, resourceSchema: resourceSchema, limits: limits)
        let filter = try parser.parseOr(depth: 0, insideValuePath: false)
        if let token = parser.peek() {
            throw parser.failure("unexpected \(token.kind.describe) after a complete filter", at: token)
        }
        return filter
    }

    /// Parses the filter inside a value path's brackets, whose attribute names are sub-attributes.
    /// `firstColumn` is the column of the text's first character in the whole path, for error details.
    static func parseValueFilter(_ text: Substring, firstColumn: Int, limits: Limits = .default) throws(SCIMError) -> Filter {
        var parser = try FilterParser(text: String(text), firstColumn: firstColumn, resourceSchema: nil, limits: limits)
        let filter = try parser.parseOr(depth: 1, insideValuePath: true)
        if let token = parser.peek() {
            throw parser.failure("unexpected \(token.kind.describe) after a complete filter", at: token)
        }
        return filter
    }

    // MARK: Tokens

    struct Token {
        enum Kind {
            case openParen, closeParen, openBracket, closeBracket
            case word(Substring)
            case string(String)

            var describe: String {
                switch self {
                case .openParen: return "'('"
                case .closeParen: return "')'"
                case .openBracket: return "'['"
                case .closeBracket: return "']'"
                case .word(let word): return "'\(word)'"
                case .string(let string): return "string \"\(string)\""
                }
            }
        }

        var kind: Kind
        /// 1-based column of the token's first character.
        var column: Int

        func isKeyword(_ keyword: String) -> Bool {
            if case .word(let word) = kind { return String(word).equalsIgnoringASCIICase(keyword) }
            return false
        }
    }

    private let text: String
    private let firstColumn: Int
    private let resourceSchema: ResourceSchema?
    private let limits: Limits
    private var tokens: [Token] = []
    private var position = 0
    private var terms = 0
    /// A string literal is read as JSON, without U+0000: no stored value holds one (see ``JSONParser/Limits/allowsNUL``).
    private static let literalLimits = JSONParser.Limits(maxDepth: 1, maxBytes: .max, allowsNUL: false)

    init(text: String, firstColumn: Int, resourceSchema: ResourceSchema?, limits: Limits) throws(SCIMError) {
        self.text = text
        self.firstColumn = firstColumn
        self.resourceSchema = resourceSchema
        self.limits = limits
        self.tokens = try Self.tokenize(text, firstColumn: firstColumn)
    }

    static func tokenize(_ text: String, firstColumn: Int) throws(SCIMError) -> [Token] {
        // A decoded %00 would otherwise pass as an unquoted value (see `value(of:)`).
        if text.utf8.contains(0) {
            let column = text.unicodeScalars.prefix { $0 != "\u{0}" }.count + firstColumn
            throw .invalidFilter("U+0000 (NUL) at column \(column) is not accepted in a filter")
        }
        var tokens: [Token] = []
        let utf8 = text.utf8
        var index = utf8.startIndex
        var column = firstColumn
        // Columns count Unicode scalars, so that a detail points at the right place in non-ASCII text.
        func advance() {
            if utf8[index] & 0xC0 != 0x80 { column += 1 }
            index = utf8.index(after: index)
        }
        while index < utf8.endIndex {
            let byte = utf8[index]
            switch byte {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                advance()
            case UInt8(ascii: "("): tokens.append(Token(kind: .openParen, column: column)); advance()
            case UInt8(ascii: ")"): tokens.append(Token(kind: .closeParen, column: column)); advance()
            case UInt8(ascii: "["): tokens.append(Token(kind: .openBracket, column: column)); advance()
            case UInt8(ascii: "]"): tokens.append(Token(kind: .closeBracket, column: column)); advance()
            case UInt8(ascii: "\""):
                let start = index
                let startColumn = column
                advance()
                var escaped = false
                while index < utf8.endIndex {
                    let current = utf8[index]
                    if escaped {
                        escaped = false
                    } else if current == UInt8(ascii: "\\") {
                        escaped = true
                    } else if current == UInt8(ascii: "\"") {
                        break
                    }
                    advance()
                }
                guard index < utf8.endIndex else {
                    throw .invalidFilter("unterminated string starting at column \(startColumn)")
                }
                advance()
                let literal = Array(utf8[start..<index])
                let parsed: JSONValue
                do {
                    parsed = try JSONParser.parse(literal, limits: Self.literalLimits)
                } catch {
                    throw .invalidFilter("invalid string at column \(startColumn): \(error.message)")
                }
                guard case .string(let value) = parsed else {
                    throw .invalidFilter("invalid string at column \(startColumn)")
                }
                tokens.append(Token(kind: .string(value), column: startColumn))
            default:
                let start = index
                let startColumn = column
                while index < utf8.endIndex {
                    let current = utf8[index]
                    if current == UInt8(ascii: " ") || current == UInt8(ascii: "\t") || current == UInt8(ascii: "\n")
                        || current == UInt8(ascii: "\r") || current == UInt8(ascii: "(") || current == UInt8(ascii: ")")
                        || current == UInt8(ascii: "[") || current == UInt8(ascii: "]") || current == UInt8(ascii: "\"")
                    {
                        break
                    }
                    advance()
                }
                tokens.append(Token(kind: .word(Substring(utf8[start..<index])), column: startColumn))
            }
        }
        return tokens
    }

    // MARK: Grammar

    func peek() -> Token? {
        position < tokens.count ? tokens[position] : nil
    }

    mutating func next() -> Token? {
        defer { position += 1 }
        return peek()
    }

    private var endColumn: Int { firstColumn + text.unicodeScalars.count }

    func failure(_ message: String, at token: Token?) -> SCIMError {
        .invalidFilter("\(message) at column \(token?.column ?? endColumn)")
    }

    mutating func parseOr(depth: Int, insideValuePath: Bool) throws(SCIMError) -> Filter {
        var filter = try parseAnd(depth: depth, insideValuePath: insideValuePath)
        while let token = peek(), token.isKeyword("or") {
            position += 1
            filter = .or(filter, try parseAnd(depth: depth, insideValuePath: insideValuePath))
        }
        return filter
    }

    mutating func parseAnd(depth: Int, insideValuePath: Bool) throws(SCIMError) -> Filter {
        var filter = try parseUnary(depth: depth, insideValuePath: insideValuePath)
        while let token = peek(), token.isKeyword("and") {
            position += 1
            filter = .and(filter, try parseUnary(depth: depth, insideValuePath: insideValuePath))
        }
        return filter
    }

    mutating func parseUnary(depth: Int, insideValuePath: Bool) throws(SCIMError) -> Filter {
        guard depth < limits.maxDepth else {
            throw failure("the filter is nested deeper than \(limits.maxDepth) levels", at: peek())
        }
        guard let token = next() else { throw failure("expected an attribute, 'not' or '('", at: nil) }
        switch token.kind {
        case .openParen:
            let inner = try parseOr(depth: depth + 1, insideValuePath: insideValuePath)
            try expectClose(.closeParen, ")", opening: token)
            return inner
        case .word where token.isKeyword("and") || token.isKeyword("or"):
            throw failure("expected an attribute, 'not' or '(' but found \(token.kind.describe)", at: token)
        case .word where token.isKeyword("not"):
            // RFC: "not" "(" valFilter ")". A bare "not attr eq x" is accepted as well.
            return .not(try parseUnary(depth: depth + 1, insideValuePath: insideValuePath))
        case .word(let word):
            return try parseAttributeExpression(word, token: token, depth: depth, insideValuePath: insideValuePath)
        default:
            throw failure("expected an attribute, 'not' or '(' but found \(token.kind.describe)", at: token)
        }
    }

    private mutating func expectClose(_ kind: Token.Kind, _ symbol: String, opening: Token) throws(SCIMError) {
        guard let token = next() else {
            throw failure("missing '\(symbol)' to close the one at column \(opening.column)", at: nil)
        }
        switch (kind, token.kind) {
        case (.closeParen, .closeParen), (.closeBracket, .closeBracket): return
        default: throw failure("expected '\(symbol)' but found \(token.kind.describe)", at: token)
        }
    }

    private func path(_ word: Substring, token: Token, relative: Bool) throws(SCIMError) -> AttributePath {
        guard let path = AttributePath.parse(word, in: relative ? nil : resourceSchema) else {
            throw failure("'\(word)' is not a valid attribute path", at: token)
        }
        if relative, path.schema != nil || path.subAttribute != nil {
            throw failure("inside '[…]' name a sub-attribute, not '\(word)'", at: token)
        }
        return path
    }

    private mutating func parseAttributeExpression(
        _ word: Substring, token: Token, depth: Int, insideValuePath: Bool
    ) throws(SCIMError) -> Filter {
        if let open = peek(), case .openBracket = open.kind {
            guard !insideValuePath else { throw failure("value filters cannot be nested", at: open) }
            let attribute = try path(word, token: token, relative: false)
            guard attribute.subAttribute == nil else {
                throw failure("'[' must follow an attribute, not a sub-attribute", at: open)
            }
            position += 1
            let inner = try parseOr(depth: depth + 1, insideValuePath: true)
            try expectClose(.closeBracket, "]", opening: open)
            // Entra: emails[type eq "work"].value eq "x" — a sub-attribute comparison after the brackets.
            if let dot = peek(), case .word(let subWord) = dot.kind, subWord.hasPrefix(".") {
                position += 1
                let sub = subWord.dropFirst()
                let subPath = try path(sub, token: dot, relative: true)
                let comparison = try parseOperation(on: subPath, pathToken: dot)
                return .valuePath(attribute, .and(inner, comparison))
            }
            return .valuePath(attribute, inner)
        }
        let attribute = try path(word, token: token, relative: insideValuePath)
        return try parseOperation(on: attribute, pathToken: token)
    }

    private mutating func parseOperation(on attribute: AttributePath, pathToken: Token) throws(SCIMError) -> Filter {
        guard let opToken = next() else {
            throw failure("expected an operator (eq, ne, co, sw, ew, gt, ge, lt, le, pr) after '\(attribute)'", at: nil)
        }
        guard case .word(let opWord) = opToken.kind else {
            throw failure("expected an operator after '\(attribute)' but found \(opToken.kind.describe)", at: opToken)
        }
        terms += 1
        guard terms <= limits.maxTerms else {
            throw failure("the filter has more than \(limits.maxTerms) comparisons", at: opToken)
        }
        let opName = opWord.lowercased()
        if opName == "pr" { return .present(attribute) }
        guard let op = ComparisonOperator(rawValue: opName) else {
            throw failure("unknown operator '\(opWord)' (expected eq, ne, co, sw, ew, gt, ge, lt, le or pr)", at: opToken)
        }
        guard let valueToken = next() else {
            throw failure("expected a value after '\(opWord)'", at: nil)
        }
        return .compare(attribute, op, try value(of: valueToken))
    }

    private func value(of token: Token) throws(SCIMError) -> JSONValue {
        switch token.kind {
        case .string(let string): return .string(string)
        case .word(let word):
            switch word.lowercased() {
            case "true": return .bool(true)
            case "false": return .bool(false)
            case "null": return .null
            default: break
            }
            if let first = word.utf8.first, first == UInt8(ascii: "-") || (first >= UInt8(ascii: "0") && first <= UInt8(ascii: "9")) {
                if let parsed = try? JSONParser.parse(Array(word.utf8)), parsed.doubleValue != nil { return parsed }
                throw failure("'\(word)' is not a valid number", at: token)
            }
            if ["and", "or", "not"].contains(word.lowercased()) {
                throw failure("expected a value but found '\(word)'", at: token)
            }
            // Legacy Entra samples send unquoted strings (`externalId eq jyoung`).
            return .string(String(word))
        default:
            throw failure("expected a value (a quoted string, number, true, false or null) but found \(token.kind.describe)", at: token)
        }
    }
}
