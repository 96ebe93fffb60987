/// A place in an expression's text.
///
/// `offset` counts UTF-8 bytes from the start of the expression (0-based); `line` and `column` are 1-based and
/// count Unicode scalars, as YAML marks do, so a linter can map a column inside an expression onto its file.
public struct SourceLocation: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var offset: Int
    public var line: Int
    public var column: Int

    public init(offset: Int, line: Int, column: Int) {
        self.offset = offset
        self.line = line
        self.column = column
    }

    public static let start = SourceLocation(offset: 0, line: 1, column: 1)

    public static func < (lhs: SourceLocation, rhs: SourceLocation) -> Bool { lhs.offset < rhs.offset }

    public var description: String { line == 1 ? "column \(column)" : "line \(line), column \(column)" }
}

/// The text a node or an error covers: from `start` up to (not including) `end`.
public struct SourceSpan: Sendable, Hashable {
    public var start: SourceLocation
    public var end: SourceLocation

    public init(start: SourceLocation, end: SourceLocation) {
        self.start = start
        self.end = end
    }

    /// The UTF-8 byte range within the expression text.
    public var byteRange: Range<Int> { start.offset..<end.offset }
}

/// Why an expression was rejected when parsed, or failed when evaluated.
///
/// `kind` is stable, so a linter can turn it into a rule id; `span` says where in the expression the problem is.
///
/// ```swift
/// do { _ = try MappingExpression(parsing: "Tolowr([mail])") } catch {
///     error.kind         // .unknownFunction
///     error.column       // 1
///     error.suggestion   // "ToLower"
/// }
/// ```
public struct ExpressionError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        // Found when parsing.
        /// The text is not an expression: a stray character, an unterminated string, a missing `)`.
        case syntax
        /// Longer or more deeply nested than ``MappingExpression/Limits`` allow.
        case tooComplex
        /// A call to a function Entra does not have; ``ExpressionError/suggestion`` may name the intended one.
        case unknownFunction
        /// The wrong number of arguments, an empty argument where one is required, or arguments of the wrong shape
        /// (Switch's key/value pairs, Replace's seven slots).
        case arity
        /// A literal argument that can never work, such as `Item([x], 0)` or `DateAdd("q", …)`.
        case invalidArgument
        /// A literal regular expression that does not compile.
        case invalidRegex
        /// A function used where Entra does not allow it (SelectUniqueValue must be the whole expression).
        case misplacedFunction

        // Found when evaluating.
        /// A value of the wrong type: several values where one is expected, a word where a number is expected.
        case typeMismatch
        /// A value of the right type that the function cannot use: an unreadable date, an index of 0.
        case invalidValue
        /// SelectUniqueValue found no candidate that the uniqueness check accepted.
        case noUniqueValue
    }

    public var kind: Kind
    public var message: String
    public var span: SourceSpan
    /// A corrected spelling ("did you mean …"), when there is one.
    public var suggestion: String?

    public init(_ kind: Kind, _ message: String, at span: SourceSpan, suggestion: String? = nil) {
        self.kind = kind
        self.message = message
        self.span = span
        self.suggestion = suggestion
    }

    /// The 1-based column of the start of the problem.
    public var column: Int { span.start.column }
    /// The UTF-8 byte offset of the start of the problem.
    public var offset: Int { span.start.offset }

    /// True for the kinds found when evaluating rather than when parsing.
    public var isEvaluationError: Bool {
        switch kind {
        case .typeMismatch, .invalidValue, .noUniqueValue: return true
        default: return false
        }
    }

    public var description: String { "\(span.start): \(message)" }
}
