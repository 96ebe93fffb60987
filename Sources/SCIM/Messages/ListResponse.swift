/// One page of a query's results (RFC 7644 §3.4.2): the answer to every list, filter and search request, and to
/// `/Schemas` and `/ResourceTypes`. The paging numbers are JSON integers, as Okta requires.
///
/// ```swift
/// let page = ListResponse(totalResults: 0, startIndex: 1, resources: [])
/// page.json   // {"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":0,
///             //  "startIndex":1,"itemsPerPage":0,"Resources":[]}
/// ```
public struct ListResponse: Sendable, Hashable {
    /// How many resources match the query, across all pages.
    public var totalResults: Int
    /// The 1-based index of the first resource on this page.
    public var startIndex: Int
    /// The resources on this page, already projected for the client.
    public var resources: [JSONValue]

    public init(totalResults: Int, startIndex: Int, resources: [JSONValue]) {
        self.totalResults = totalResults
        self.startIndex = startIndex
        self.resources = resources
    }

    /// The number of resources on this page.
    public var itemsPerPage: Int { resources.count }

    /// The response body. `Resources` is present even when empty, as in Entra's documented examples.
    public var json: JSONValue {
        [
            "schemas": [.string(SchemaURN.listResponse)],
            "totalResults": .integer(totalResults),
            "startIndex": .integer(startIndex),
            "itemsPerPage": .integer(itemsPerPage),
            "Resources": .array(resources),
        ]
    }
}

extension ListResponse {
    /// The `/Schemas` response: every schema the registry knows, custom extensions included.
    /// `baseURL` is the SCIM base URL without a trailing slash (e.g. `https://host/scim/v2/acme`), for `meta.location`.
    public static func schemas(of registry: SchemaRegistry, baseURL: String? = nil) -> ListResponse {
        let location = baseURL.map { "\($0)/Schemas" }
        return all(registry.schemas.map { $0.json(location: location) })
    }

    /// The `/ResourceTypes` response: User and Group with their schema extensions.
    /// `baseURL` is the SCIM base URL without a trailing slash, for `meta.location`.
    public static func resourceTypes(of registry: SchemaRegistry, baseURL: String? = nil) -> ListResponse {
        let location = baseURL.map { "\($0)/ResourceTypes" }
        return all(registry.resourceTypes.map { $0.json(location: location) })
    }

    private static func all(_ resources: [JSONValue]) -> ListResponse {
        ListResponse(totalResults: resources.count, startIndex: 1, resources: resources)
    }
}
