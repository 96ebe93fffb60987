public import KlaxonDirectory
public import SCIM

/// A SCIM request as the service sees it: no HTTP types, so that `/Bulk` operations run through the same code.
public struct SCIMRequest: Sendable {
    public enum Method: String, Sendable {
        case get = "GET", post = "POST", put = "PUT", patch = "PATCH", delete = "DELETE"
    }

    public var method: Method
    public var organisation: Organisation
    /// The organisation's SCIM base URL, e.g. `http://127.0.0.1:8080/scim/v2/acme`, for `meta.location`.
    public var baseURL: String
    /// Decoded query parameters, in order.
    public var query: [(name: String, value: String)]
    public var body: JSONValue?
    public var ifMatch: String?
    public var ifNoneMatch: String?

    public init(
        method: Method, organisation: Organisation, baseURL: String, query: [(name: String, value: String)] = [],
        body: JSONValue? = nil, ifMatch: String? = nil, ifNoneMatch: String? = nil
    ) {
        self.method = method
        self.organisation = organisation
        self.baseURL = baseURL
        self.query = query
        self.body = body
        self.ifMatch = ifMatch
        self.ifNoneMatch = ifNoneMatch
    }

    /// The first query parameter with this name, ignoring case.
    public func parameter(_ name: String) -> String? {
        query.first { $0.name.equalsIgnoringASCIICase(name) }?.value
    }
}

/// What the service answers: a status, an optional body and the headers SCIM defines.
public struct SCIMReply: Sendable {
    public var status: Int
    public var body: JSONValue?
    public var etag: String?
    /// The `Location` header of a 201.
    public var location: String?
    /// The resource id a write touched, for the activity log.
    public var resourceID: String?

    public init(status: Int, body: JSONValue? = nil, etag: String? = nil, location: String? = nil, resourceID: String? = nil) {
        self.status = status
        self.body = body
        self.etag = etag
        self.location = location
        self.resourceID = resourceID
    }
}
