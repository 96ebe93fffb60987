/// One operation of a PATCH request (RFC 7644 §3.5.2): `add`, `replace` or `remove`, the attribute it targets
/// (none for a path-less `add`/`replace`, whose value is an object of attributes) and its value.
///
/// ```swift
/// let users = SchemaRegistry.standard.resourceSchema(for: "User")!
/// let disable = PatchOperation(.replace, path: try PatchPath(parsing: "active", in: users), value: false)
/// ```
public struct PatchOperation: Sendable, Hashable {
    /// The operation names; clients may send them in any case (Entra sends `Add`, `Replace`, `Remove`).
    public enum Op: String, Sendable, Hashable, CaseIterable {
        case add, replace, remove
    }

    public var op: Op
    /// The target; nil for a path-less `add` or `replace` (a `remove` without one is 400 `noTarget`).
    public var path: PatchPath?
    /// The `value` member as sent: nil when the member is absent, `.null` when it is JSON `null`.
    public var value: JSONValue?

    public init(_ op: Op, path: PatchPath? = nil, value: JSONValue? = nil) {
        self.op = op
        self.path = path
        self.value = value
    }

    /// Parses one element of `Operations`. A `path` that is `null`, empty or blank counts as absent.
    init(json: JSONValue, for resourceSchema: ResourceSchema) throws(SCIMError) {
        guard case .object(let object) = json else {
            throw .invalidSyntax("each operation must be an object, not \(json.typeName)")
        }
        guard let name = object["op"]?.stringValue else {
            throw .invalidSyntax("an operation needs \"op\": \"add\", \"replace\" or \"remove\"")
        }
        guard let op = Op(rawValue: name.lowercased()) else {
            throw .invalidSyntax("unknown op '\(name)' (expected add, replace or remove)")
        }
        var path: PatchPath?
        switch object["path"] {
        case nil, .null?: break
        case .string(let text)?:
            if !text.trimmingASCIIWhitespace().isEmpty { path = try PatchPath(parsing: text, in: resourceSchema) }
        case let other?:
            throw .invalidSyntax("\"path\" must be a string, not \(other.typeName)")
        }
        self.init(op, path: path, value: object["value"])
    }

    /// `replace emails[type eq "work"].value`, for error messages.
    var summary: String {
        "\(op.rawValue) \(path.map { $0.description } ?? "without a path")"
    }
}
