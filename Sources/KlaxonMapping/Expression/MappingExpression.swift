import SCIM

/// An Entra ID attribute-mapping expression, parsed once and evaluated for as many records as needed.
///
/// The syntax is Entra's, so an expression can be pasted from the portal: function calls, `[attribute]`
/// references, `"strings"` with `\"` and `\\` escapes, numbers, empty arguments and IIF comparisons. Function
/// names are matched ignoring case (``FunctionCall/name`` keeps the spelling, for a linter to flag).
///
/// ```swift
/// let formatted = try MappingExpression(parsing: #"Join(" ", [givenName], [surname])"#)
/// formatted.referencedAttributes                                          // ["givenName", "surname"]
/// try formatted.evaluate(["givenName": "John", "surname": "Doe"])        // .value("John Doe")
/// try MappingExpression(parsing: "IgnoreFlowIfNullOrEmpty([department])").evaluate([:])   // .ignoreFlow
/// ```
public struct MappingExpression: Sendable {
    /// Bounds that keep hostile or accidental input cheap: it is rejected before it costs anything.
    public struct Limits: Sendable {
        /// The longest expression, in UTF-8 bytes.
        public var maxLength: Int
        /// The deepest nesting of calls.
        public var maxDepth: Int
        /// The longest string evaluation may build, in UTF-8 bytes, so nested growing functions
        /// (`ConvertToUTF8Hex(ConvertToUTF8Hex(…))`, Replace templates) fail instead of exhausting memory.
        public var maxValueLength: Int

        public init(maxLength: Int = 65_536, maxDepth: Int = 32, maxValueLength: Int = 1 << 20) {
            self.maxLength = maxLength
            self.maxDepth = maxDepth
            self.maxValueLength = maxValueLength
        }

        public static let `default` = Limits()
    }

    /// The text the expression was parsed from.
    public let text: String
    public let limits: Limits
    public let root: ExpressionNode
    /// The attributes the expression reads, as first written, once each (compared ignoring case).
    public let referencedAttributes: [String]
    /// True if the expression calls Guid, Now or RandomString, so its value changes from one sync to the next.
    public let isVolatile: Bool
    /// True if the expression calls Redact: its value must not appear in logs.
    public let isRedacted: Bool

    /// Parses an expression, checking everything that does not depend on a record: syntax, function names,
    /// argument counts and literal arguments.
    public init(parsing text: String, limits: Limits = .default) throws(ExpressionError) {
        self.text = text
        self.limits = limits
        self.root = try ExpressionParser.parse(text, limits: limits)
        var attributes: [String] = []
        var seen: Set<String> = []
        var isVolatile = false
        var isRedacted = false
        root.visit { node in
            switch node.kind {
            case .attribute(let reference):
                if seen.insert(reference.key).inserted { attributes.append(reference.name) }
            case .call(let call):
                isVolatile = isVolatile || call.signature.isVolatile
                isRedacted = isRedacted || call.function == .redact
            default:
                break
            }
        }
        self.referencedAttributes = attributes
        self.isVolatile = isVolatile
        self.isRedacted = isRedacted
    }
}
