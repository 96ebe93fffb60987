/// A `POST /Bulk` body (RFC 7644 §3.7): operations to run in order, and how many failures to accept.
///
/// Parsing checks the structure and the limits; running the operations, resolving `bulkId:` references with
/// ``resolvingBulkIds(in:_:)`` as POSTs succeed, and answering with a ``BulkResponse`` are the server's job.
///
/// ```swift
/// let request = try BulkRequest(bytes: body, limits: .default)
/// for operation in request.operations { … }
/// ```
public struct BulkRequest: Sendable, Hashable {
    /// The bounds `/ServiceProviderConfig` advertises under `bulk`.
    public struct Limits: Sendable, Hashable {
        public var maxOperations: Int
        /// The largest body accepted, in bytes.
        public var maxPayloadSize: Int

        public init(maxOperations: Int = 1000, maxPayloadSize: Int = 1_048_576) {
            self.maxOperations = maxOperations
            self.maxPayloadSize = maxPayloadSize
        }

        public static let `default` = Limits()
    }

    public enum Method: String, Sendable, Hashable, CaseIterable {
        case post = "POST", put = "PUT", patch = "PATCH", delete = "DELETE"
    }

    /// One operation: what a single request to a resource endpoint would carry.
    public struct Operation: Sendable, Hashable {
        public var method: Method
        /// `/Users` or `/Groups` for a POST, else the resource's path (`/Users/{id}`, or `/Groups/bulkId:qwerty`).
        public var path: String
        /// The client's name for the resource a POST creates; required for POST, unique within the request.
        public var bulkId: String?
        /// The version the client last saw, for PUT, PATCH and DELETE.
        public var version: ETag?
        /// The resource (POST, PUT) or the PatchOp body (PATCH); nil for DELETE.
        public var data: JSONValue?

        public init(method: Method, path: String, bulkId: String? = nil, version: ETag? = nil, data: JSONValue? = nil) {
            self.method = method
            self.path = path
            self.bulkId = bulkId
            self.version = version
            self.data = data
        }

        /// The operation with every `bulkId:` reference in its path and data replaced by the id `ids` maps it
        /// to (see ``BulkRequest/resolvingBulkIds(in:_:)``).
        public func resolvingBulkIds(_ ids: [String: String]) throws(SCIMError) -> Operation {
            var resolved = self
            if let slash = path.lastIndex(of: "/") {
                resolved.path = String(path[...slash]) + (try BulkRequest.resolve(String(path[path.index(after: slash)...]), ids))
            }
            if let data { resolved.data = try BulkRequest.resolvingBulkIds(in: data, ids) }
            return resolved
        }

        /// The bulkIds this operation refers to (`bulkId:qwerty` in its path or anywhere in its data), so that a
        /// server can run the operations that define them first.
        public var references: Set<String> {
            var found: Set<String> = []
            func collect(_ value: JSONValue) {
                switch value {
                case .string(let text) where text.hasPrefixIgnoringASCIICase("bulkId:"): found.insert(String(text.dropFirst("bulkId:".count)))
                case .array(let items): items.forEach(collect)
                case .object(let object): object.members.forEach { collect($0.value) }
                default: break
                }
            }
            if let slash = path.lastIndex(of: "/") { collect(.string(String(path[path.index(after: slash)...]))) }
            if let data { collect(data) }
            return found
        }
    }

    /// Stop after this many failed operations; nil to run them all.
    public var failOnErrors: Int?
    public var operations: [Operation]

    public init(failOnErrors: Int? = nil, operations: [Operation]) {
        self.failOnErrors = failOnErrors
        self.operations = operations
    }

    /// Parses a request body, checking its size before parsing it. A body over `maxPayloadSize` or with more than
    /// `maxOperations` operations → 413 (RFC 7644 §3.7.4); invalid JSON → 400 `invalidSyntax`; see
    /// ``init(_:limits:)`` for the other errors.
    public init(bytes: some Collection<UInt8>, limits: Limits = .default) throws(SCIMError) {
        guard bytes.count <= limits.maxPayloadSize else {
            throw SCIMError(
                .payloadTooLarge, nil,
                "The size of the bulk operation (\(bytes.count) bytes) exceeds the maxPayloadSize (\(limits.maxPayloadSize)).")
        }
        let body: JSONValue
        do {
            body = try JSONParser.parse(bytes, limits: .scimRequest(maxDepth: JSONParser.Limits.default.maxDepth, maxBytes: limits.maxPayloadSize))
        } catch {
            throw .invalidSyntax("the bulk request is not valid JSON: \(error)")
        }
        try self.init(body, limits: limits)
    }

    /// Reads a parsed request body. More than `maxOperations` operations → 413. A body that is not an object, a
    /// `schemas` without the BulkRequest URN, a missing or malformed `Operations`, an operation without a known
    /// `method`, a `path`, a `bulkId` for POST or a `data` object for POST/PUT/PATCH, a repeated `bulkId`, or a
    /// malformed `version` → 400 `invalidSyntax`; a `failOnErrors` that is not a positive integer → 400 `invalidValue`.
    public init(_ body: JSONValue, limits: Limits = .default) throws(SCIMError) {
        guard case .object(let object) = body else {
            throw .invalidSyntax("a bulk request must be a JSON object, not \(body.typeName)")
        }
        let schemas = object["schemas"]?.arrayValue ?? []
        guard schemas.contains(where: { $0.stringValue?.equalsIgnoringASCIICase(SchemaURN.bulkRequest) == true }) else {
            throw .invalidSyntax("a bulk request's 'schemas' must be [\"\(SchemaURN.bulkRequest)\"]")
        }
        switch object["failOnErrors"] {
        case nil, .null?: failOnErrors = nil
        case .integer(let count)? where count > 0: failOnErrors = count
        case let value?: throw .invalidValue("'failOnErrors' must be a positive integer, not \(value)")
        }
        guard case .array(let items)? = object["Operations"] else {
            throw .invalidSyntax("a bulk request needs an 'Operations' array")
        }
        guard items.count <= limits.maxOperations else {
            throw SCIMError(
                .payloadTooLarge, nil,
                "The bulk request has \(items.count) operations, more than the maxOperations (\(limits.maxOperations)).")
        }
        var operations: [Operation] = []
        var bulkIds: Set<String> = []
        for (index, item) in items.enumerated() {
            let operation = try Self.operation(item, number: index + 1)
            if let bulkId = operation.bulkId, !bulkIds.insert(bulkId).inserted {
                throw .invalidSyntax("operation \(index + 1) repeats the bulkId '\(bulkId)'; each bulkId must be unique")
            }
            operations.append(operation)
        }
        self.operations = operations
    }

    private static func operation(_ item: JSONValue, number: Int) throws(SCIMError) -> Operation {
        guard case .object(let object) = item else {
            throw .invalidSyntax("operation \(number) must be an object, not \(item.typeName)")
        }
        func string(_ name: String) throws(SCIMError) -> String? {
            switch object[name] {
            case nil, .null?: return nil
            case .string(let text)?: return text
            case let value?: throw .invalidSyntax("operation \(number): '\(name)' must be a string, not \(value.typeName)")
            }
        }
        let methodName = try string("method") ?? ""
        guard let method = Method.allCases.first(where: { $0.rawValue.equalsIgnoringASCIICase(methodName) }) else {
            throw .invalidSyntax("operation \(number): 'method' must be POST, PUT, PATCH or DELETE, not '\(methodName)'")
        }
        guard let path = try string("path"), path.hasPrefix("/") else {
            throw .invalidSyntax("operation \(number): 'path' must be a resource path such as /Users or /Users/{id}")
        }
        let bulkId = try string("bulkId")
        if method == .post, bulkId?.isEmpty ?? true {
            throw .invalidSyntax("operation \(number): a POST needs a 'bulkId'")
        }
        var version: ETag?
        if let text = try string("version") { version = try ETag(parsing: text) }
        var data: JSONValue?
        if method != .delete {
            guard case .object? = object["data"] else {
                throw .invalidSyntax("operation \(number): a \(method.rawValue) needs a 'data' object")
            }
            data = object["data"]
        }
        return Operation(method: method, path: path, bulkId: bulkId, version: version, data: data)
    }

    /// Replaces every string of the form `bulkId:<bulkId>` inside `value` (at any depth, e.g. a group member's
    /// `value`) with the id of the resource that operation created. A reference that `ids` cannot resolve (its
    /// POST failed, has not run, or does not exist) → 409, as for an unresolvable circular reference (RFC 7644 §3.7.1).
    public static func resolvingBulkIds(in value: JSONValue, _ ids: [String: String]) throws(SCIMError) -> JSONValue {
        switch value {
        case .string(let text):
            return .string(try resolve(text, ids))
        case .array(let items):
            var resolved: [JSONValue] = []
            resolved.reserveCapacity(items.count)
            for item in items { resolved.append(try resolvingBulkIds(in: item, ids)) }
            return .array(resolved)
        case .object(let object):
            var resolved = JSONObject()
            for member in object.members {
                resolved.appendUnchecked(member.key, try resolvingBulkIds(in: member.value, ids))
            }
            return .object(resolved)
        default:
            return value
        }
    }

    /// `bulkId:<bulkId>` → the id it maps to; any other text unchanged.
    private static func resolve(_ text: String, _ ids: [String: String]) throws(SCIMError) -> String {
        guard text.hasPrefixIgnoringASCIICase("bulkId:") else { return text }
        guard let id = ids[String(text.dropFirst("bulkId:".count))] else {
            throw SCIMError(.conflict, nil, "'\(text)' refers to no resource created in this bulk request")
        }
        return id
    }
}
