/// The answer to a ``BulkRequest`` (RFC 7644 §3.7.3): one result per operation that ran, in request order.
///
/// ```swift
/// var response = BulkResponse()
/// response.append(.init(method: .post, bulkId: "qwerty", location: "https://host/scim/v2/acme/Users/92b7", version: ETag(version: 1), status: 201))
/// response.append(.init(method: .put, location: "https://host/scim/v2/acme/Users/b7c1", error: .notFound("no such user")))
/// response.json
/// ```
public struct BulkResponse: Sendable, Hashable {
    /// The result of one operation.
    public struct Operation: Sendable, Hashable {
        public var method: BulkRequest.Method
        public var bulkId: String?
        /// The resource's URL; absent only for a failed POST.
        public var location: String?
        public var version: ETag?
        /// The HTTP status the operation would have had on its own.
        public var status: Int
        /// The RFC error body for a failed operation (a successful one may leave it out).
        public var response: JSONValue?

        public init(
            method: BulkRequest.Method, bulkId: String? = nil, location: String? = nil, version: ETag? = nil, status: Int,
            response: JSONValue? = nil
        ) {
            self.method = method
            self.bulkId = bulkId
            self.location = location
            self.version = version
            self.status = status
            self.response = response
        }

        /// A failed operation: the error's status, with its RFC 7644 error body as `response`.
        public init(method: BulkRequest.Method, bulkId: String? = nil, location: String? = nil, error: SCIMError) {
            self.init(method: method, bulkId: bulkId, location: location, status: error.status.rawValue, response: error.body)
        }

        /// The operation as it appears in `Operations`; `status` is a string, as in the RFC's examples.
        public var json: JSONValue {
            var object: JSONObject = [:]
            if let location { object["location"] = .string(location) }
            object["method"] = .string(method.rawValue)
            if let bulkId { object["bulkId"] = .string(bulkId) }
            if let version { object["version"] = .string(version.description) }
            object["status"] = .string(String(status))
            if let response { object["response"] = response }
            return .object(object)
        }
    }

    public var operations: [Operation]

    public init(operations: [Operation] = []) {
        self.operations = operations
    }

    /// Adds the result of the next operation.
    public mutating func append(_ operation: Operation) {
        operations.append(operation)
    }

    /// The response body.
    public var json: JSONValue {
        ["schemas": [.string(SchemaURN.bulkResponse)], "Operations": .array(operations.map(\.json))]
    }
}
