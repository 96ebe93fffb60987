/// What `/ServiceProviderConfig` tells clients this service supports (RFC 7643 §5). The limits it advertises are
/// the ones the service enforces: ``ListQuery/Limits`` for `filter.maxResults` and ``BulkRequest/Limits`` for `bulk`.
///
/// ```swift
/// let config = ServiceProviderConfig(bulk: .default)
/// let body = config.json(baseURL: "https://klaxon.example/scim/v2/acme")
/// body["authenticationSchemes"]   // [{"type":"oauthbearertoken","name":"OAuth Bearer Token",…}]
/// ```
public struct ServiceProviderConfig: Sendable, Hashable {
    /// One way to authenticate to the service.
    public struct AuthenticationScheme: Sendable, Hashable {
        /// `oauthbearertoken`, `httpbasic`, `oauth2` …
        public var type: String
        public var name: String
        public var description: String
        public var specURI: String?
        public var documentationURI: String?
        public var primary: Bool

        public init(type: String, name: String, description: String, specURI: String? = nil, documentationURI: String? = nil, primary: Bool = false) {
            self.type = type
            self.name = name
            self.description = description
            self.specURI = specURI
            self.documentationURI = documentationURI
            self.primary = primary
        }

        /// The organisation's bearer token, as Entra ID's "Secret Token" and Okta's "HTTP Header" send it.
        public static let bearerToken = AuthenticationScheme(
            type: "oauthbearertoken", name: "OAuth Bearer Token",
            description: "Authentication with a bearer token issued in Klaxon under Configuration > Synchronisation (Authorization: Bearer <token>).",
            specURI: "https://www.rfc-editor.org/info/rfc6750", primary: true)
    }

    public var documentationURI: String?
    public var patchSupported: Bool
    /// Bulk limits, or nil when `/Bulk` is not offered (then `bulk.supported` is false and its limits 0).
    public var bulk: BulkRequest.Limits?
    public var filterSupported: Bool
    /// Paging limits; `maxResults` is advertised as `filter.maxResults`.
    public var list: ListQuery.Limits
    public var changePasswordSupported: Bool
    public var sortSupported: Bool
    public var etagSupported: Bool
    public var authenticationSchemes: [AuthenticationScheme]

    public init(
        documentationURI: String? = nil, patchSupported: Bool = true, bulk: BulkRequest.Limits? = nil,
        filterSupported: Bool = true, list: ListQuery.Limits = .default, changePasswordSupported: Bool = false,
        sortSupported: Bool = true, etagSupported: Bool = true, authenticationSchemes: [AuthenticationScheme] = [.bearerToken]
    ) {
        self.documentationURI = documentationURI
        self.patchSupported = patchSupported
        self.bulk = bulk
        self.filterSupported = filterSupported
        self.list = list
        self.changePasswordSupported = changePasswordSupported
        self.sortSupported = sortSupported
        self.etagSupported = etagSupported
        self.authenticationSchemes = authenticationSchemes
    }

    /// The `/ServiceProviderConfig` body. `baseURL` is the SCIM base URL without a trailing slash, for `meta.location`.
    public func json(baseURL: String? = nil) -> JSONValue {
        var object: JSONObject = ["schemas": [.string(SchemaURN.serviceProviderConfig)]]
        if let documentationURI { object["documentationUri"] = .string(documentationURI) }
        object["patch"] = ["supported": .bool(patchSupported)]
        object["bulk"] = [
            "supported": .bool(bulk != nil),
            "maxOperations": .integer(bulk?.maxOperations ?? 0),
            "maxPayloadSize": .integer(bulk?.maxPayloadSize ?? 0),
        ]
        object["filter"] = ["supported": .bool(filterSupported), "maxResults": .integer(list.maxResults)]
        object["changePassword"] = ["supported": .bool(changePasswordSupported)]
        object["sort"] = ["supported": .bool(sortSupported)]
        object["etag"] = ["supported": .bool(etagSupported)]
        object["authenticationSchemes"] = .array(authenticationSchemes.map(\.json))
        var meta: JSONObject = ["resourceType": "ServiceProviderConfig"]
        if let baseURL { meta["location"] = .string("\(baseURL)/ServiceProviderConfig") }
        object["meta"] = .object(meta)
        return .object(object)
    }
}

extension ServiceProviderConfig.AuthenticationScheme {
    var json: JSONValue {
        var object: JSONObject = ["type": .string(type), "name": .string(name), "description": .string(description)]
        if let specURI { object["specUri"] = .string(specURI) }
        if let documentationURI { object["documentationUri"] = .string(documentationURI) }
        object["primary"] = .bool(primary)
        return .object(object)
    }
}
