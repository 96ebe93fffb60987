/// A parsed SCIM filter (RFC 7644 §3.4.2.2): what ``FilterParser`` produces, the in-memory evaluator runs
/// and the directory translates to SQL.
///
/// ```swift
/// let filter = try Filter(parsing: #"userName eq "bjensen" and emails[type eq "work"]"#)
/// ```
public indirect enum Filter: Sendable, Hashable {
    /// `attrPath op value`; the value is a string, number, boolean or null.
    case compare(AttributePath, ComparisonOperator, JSONValue)
    /// `attrPath pr`.
    case present(AttributePath)
    case not(Filter)
    case and(Filter, Filter)
    case or(Filter, Filter)
    /// `attrPath[valFilter]`: some value of the multi-valued (or complex) attribute matches the inner filter,
    /// whose paths name sub-attributes (`AttributePath.name` is the sub-attribute, `schema` is nil).
    case valuePath(AttributePath, Filter)

    /// Parses filter text. With a resource schema, URN paths are split at the longest known schema URN.
    public init(parsing text: String, in resourceSchema: ResourceSchema? = nil, limits: FilterParser.Limits = .default) throws(SCIMError) {
        self = try FilterParser.parse(text, in: resourceSchema, limits: limits)
    }
}

/// The comparison operators of RFC 7644 Table 3, except `pr`, which ``Filter/present(_:)`` represents.
public enum ComparisonOperator: String, Sendable, Hashable, CaseIterable {
    case eq, ne, co, sw, ew, gt, ge, lt, le
}

extension Filter: CustomStringConvertible {
    /// The filter in SCIM syntax, fully parenthesised where precedence would otherwise matter.
    public var description: String {
        switch self {
        case .compare(let path, let op, let value): return "\(path) \(op.rawValue) \(value)"
        case .present(let path): return "\(path) pr"
        case .not(let inner): return "not (\(inner))"
        case .and(let lhs, let rhs): return "\(lhs.parenthesisedIfOr) and \(rhs.parenthesisedIfOr)"
        case .or(let lhs, let rhs): return "\(lhs) or \(rhs)"
        case .valuePath(let path, let inner): return "\(path)[\(inner)]"
        }
    }

    private var parenthesisedIfOr: String {
        if case .or = self { return "(\(self))" }
        return description
    }
}
