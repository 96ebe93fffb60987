/// A PATCH request body (RFC 7644 §3.5.2): the `PatchOp` message with its ordered operations.
///
/// Parsing accepts what Entra ID and Okta send: `op` in any case, a `null` or empty `path` for path-less
/// operations, and URN paths whose schema part contains dots. ``PatchApplier`` applies the result.
///
/// ```swift
/// let users = SchemaRegistry.standard.resourceSchema(for: "User")!
/// let body = try JSONParser.parse(#"""
///     {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
///      "Operations":[{"op":"Replace","path":"active","value":"False"}]}
///     """#)
/// let request = try PatchRequest(json: body, for: users)
/// let updated = try PatchApplier.apply(request, to: storedUser, for: users)   // "active": false
/// ```
public struct PatchRequest: Sendable, Hashable {
    /// Bounds that keep one request cheap to apply.
    public struct Limits: Sendable, Hashable {
        /// The most operations in one request.
        public var maxOperations: Int
        /// The most array elements in one operation's value, nested arrays included (e.g. members to add).
        public var maxValuesPerOperation: Int

        public init(maxOperations: Int = 1000, maxValuesPerOperation: Int = 50_000) {
            self.maxOperations = maxOperations
            self.maxValuesPerOperation = maxValuesPerOperation
        }

        public static let `default` = Limits()
    }

    /// The operations, applied in this order.
    public var operations: [PatchOperation]

    /// A request from operations built in code (e.g. by the sync engine's diff).
    public init(operations: [PatchOperation]) {
        self.operations = operations
    }

    /// Parses a PatchOp message body. `schemas` must list `urn:ietf:params:scim:api:messages:2.0:PatchOp` and
    /// `Operations` must be a non-empty array (400 `invalidSyntax` otherwise); more operations or values than
    /// `limits` allow give 400 `tooMany`. Paths are parsed against the resource schema, so extension URNs resolve.
    public init(json: JSONValue, for resourceSchema: ResourceSchema, limits: Limits = .default) throws(SCIMError) {
        guard case .object(let body) = json else {
            throw .invalidSyntax("a PATCH body must be a JSON object, not \(json.typeName)")
        }
        let schemas = body["schemas"]?.arrayValue ?? []
        guard schemas.contains(where: { $0.stringValue?.equalsIgnoringASCIICase(SchemaURN.patchOp) == true }) else {
            throw .invalidSyntax("\"schemas\" must contain \"\(SchemaURN.patchOp)\"")
        }
        guard let items = body["Operations"]?.arrayValue, !items.isEmpty else {
            throw .invalidSyntax("\"Operations\" must be a non-empty array of operations")
        }
        guard items.count <= limits.maxOperations else {
            throw SCIMError(.badRequest, .tooMany, "the request has \(items.count) operations; at most \(limits.maxOperations) are accepted")
        }
        var operations: [PatchOperation] = []
        operations.reserveCapacity(items.count)
        for (index, item) in items.enumerated() {
            do throws(SCIMError) {
                let operation = try PatchOperation(json: item, for: resourceSchema)
                let count = operation.value.map(Self.arrayElementCount) ?? 0
                guard count <= limits.maxValuesPerOperation else {
                    throw SCIMError(.badRequest, .tooMany, "the value has \(count) elements; at most \(limits.maxValuesPerOperation) are accepted")
                }
                operations.append(operation)
            } catch {
                throw SCIMError(error.status, error.scimType, "operation \(index + 1): \(error.detail)")
            }
        }
        self.operations = operations
    }

    /// The number of array elements in a value, counting nested arrays too.
    private static func arrayElementCount(_ value: JSONValue) -> Int {
        switch value {
        case .array(let items): return items.reduce(items.count) { $0 + arrayElementCount($1) }
        case .object(let object): return object.members.reduce(0) { $0 + arrayElementCount($1.value) }
        default: return 0
        }
    }
}
