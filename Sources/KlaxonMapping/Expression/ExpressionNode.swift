import SCIM

/// One node of a parsed expression, with the span of text it came from.
///
/// ```swift
/// let expression = try MappingExpression(parsing: #"Join(" ", [givenName], [surname])"#)
/// if case .call(let join) = expression.root.kind {
///     join.signature.name          // "Join"
///     join.arguments[1].span.start // column 11
/// }
/// ```
public struct ExpressionNode: Sendable {
    public enum Kind: Sendable {
        /// `[attributeName]`: a source attribute.
        case attribute(AttributeReference)
        /// `"text"`, escapes already decoded.
        case string(String)
        /// `7`, `-10`, `1.5` or VB hex `&HF7`, as `.integer` or `.decimal`.
        case number(JSONValue)
        /// A named constant: `vbTextCompare`, `vbBinaryCompare`, `True`, `False` (as written, and its value).
        case constant(name: String, value: JSONValue)
        /// An argument left empty, as in `Switch([x], , "a", "b")`; evaluates to null.
        case omitted
        case call(FunctionCall)
        /// `left = right` and the other comparisons IIF conditions use.
        indirect case comparison(ConditionOperator, ExpressionNode, ExpressionNode)
    }

    public let kind: Kind
    public let span: SourceSpan

    /// The nodes directly inside this one: a call's arguments or a comparison's operands.
    public var children: [ExpressionNode] {
        switch kind {
        case .call(let call): return call.arguments
        case .comparison(_, let left, let right): return [left, right]
        default: return []
        }
    }

    /// Calls `body` for this node and every node inside it, parents before children, in source order.
    public func visit<Failure: Error>(_ body: (ExpressionNode) throws(Failure) -> Void) throws(Failure) {
        try body(self)
        for child in children { try child.visit(body) }
    }
}

/// A reference to a source attribute, `[name]`. Lookup ignores ASCII case, as SCIM names do.
public struct AttributeReference: Sendable, Hashable {
    /// The name as written between the brackets.
    public let name: String
    /// The name folded for lookup.
    let key: String
    /// For a dotted name such as `manager.displayName`, the folded parts, tried when no attribute has the
    /// whole name.
    let path: [String]?

    init(name: String) {
        self.name = name
        self.key = asciiLowercased(name)
        let parts = key.split(separator: ".", omittingEmptySubsequences: false)
        self.path = parts.count > 1 && !parts.contains(where: \.isEmpty) ? parts.map(String.init) : nil
    }
}

/// A function call. The name is resolved when parsing, so evaluation never looks it up again.
public struct FunctionCall: Sendable {
    /// The name as written, which may differ in case from ``FunctionSignature/name`` (Entra itself is
    /// case-sensitive, so a linter may flag the difference).
    public let name: String
    public let nameSpan: SourceSpan
    public let arguments: [ExpressionNode]
    let function: ExpressionFunction
    /// Work done once at parse time for this call, such as Replace's mode and compiled pattern.
    let plan: CallPlan

    public var signature: FunctionSignature { function.signature }
}

/// What a call learnt when it was parsed.
enum CallPlan: Sendable {
    case none
    case replace(ReplaceMode, compiled: CompiledPattern?)
}

/// A regular expression compiled once at parse time and shared by every evaluation.
struct CompiledPattern: @unchecked Sendable {
    // `Regex<Output>` is Sendable whenever `Output` is. `AnyRegexOutput` is not, because of the values a match
    // returns, but the compiled program held here is immutable and only read, so sharing it is safe.
    let regex: Regex<AnyRegexOutput>

    init(_ regex: Regex<AnyRegexOutput>) { self.regex = regex }
}

/// Which of Replace's documented behaviours the filled slots select.
enum ReplaceMode: Sendable {
    /// oldValue and replacementValue: every oldValue in source becomes replacementValue.
    case text
    /// oldValue and template: every oldValue in template becomes the source.
    case template
    /// regexPattern and replacementValue: matches become replacementValue, which may use `${group}` and `$1`.
    case regex
    /// regexPattern, regexGroupName and replacementValue: only the named group of each match is replaced.
    case regexGroup
    /// regexPattern, regexGroupName and replacementAttributeName: the source if it has a value, otherwise
    /// the named group of the pattern's match in the replacement attribute.
    case regexGroupFromAttribute
}

/// The comparisons an IIF condition may use.
public enum ConditionOperator: String, Sendable, CaseIterable {
    case equal = "="
    case notEqual = "<>"
    case less = "<"
    case lessOrEqual = "<="
    case greater = ">"
    case greaterOrEqual = ">="
}
