/// What a list request asks for (RFC 7644 §3.4.2): filter, sorting, 1-based paging and the attributes to return.
/// It comes from the query parameters of `GET /Users` and `GET /Groups`, or from a ``SearchRequest`` body.
///
/// ```swift
/// let users = SchemaRegistry.standard.resourceSchema(for: "User")!
/// let query = try ListQuery(parameters: ["filter": #"userName eq "bjensen""#, "startIndex": "1", "count": "100"], in: users)
/// query.filter      // userName eq "bjensen"
/// query.count       // 100
/// ```
public struct ListQuery: Sendable, Hashable {
    /// Paging defaults and bounds; `maxResults` is what `/ServiceProviderConfig` advertises as `filter.maxResults`.
    public struct Limits: Sendable, Hashable {
        /// The page size when the client sends no `count`.
        public var defaultCount: Int
        /// The largest page returned; a larger `count` is lowered to it (RFC 7644 §3.4.2.4).
        public var maxResults: Int

        public init(defaultCount: Int = 100, maxResults: Int = 1000) {
            self.defaultCount = defaultCount
            self.maxResults = maxResults
        }

        public static let `default` = Limits()
    }

    public enum SortOrder: String, Sendable, Hashable {
        case ascending, descending
    }

    public var filter: Filter?
    /// 1-based index of the first result.
    public var startIndex: Int
    /// The page size, from 0 (return the total only) to ``Limits/maxResults``.
    public var count: Int
    public var sortBy: AttributePath?
    public var sortOrder: SortOrder
    /// Attribute names to return, as sent (`attributes=userName,emails`); empty for the default set.
    public var attributes: [String]
    /// Attribute names to leave out, as sent (`excludedAttributes=members`).
    public var excludedAttributes: [String]

    /// Reads the list parameters from a query string that is already decoded (the caller turns `+` into a space
    /// and `%XX` into bytes). Names are case-insensitive and unknown ones are ignored (Entra's
    /// `aadOptscim062020`). `startIndex` below 1 counts as 1, `count` below 0 as 0.
    ///
    /// Errors: a non-integer `startIndex` or `count`, or a `sortOrder` other than ascending/descending
    /// → 400 `invalidValue`; a malformed `filter` → 400 `invalidFilter`; a malformed `sortBy` → 400 `invalidPath`.
    public init(parameters: [String: String], in resourceSchema: ResourceSchema? = nil, limits: Limits = .default) throws(SCIMError) {
        var filter: String?
        var startIndex: Int?
        var count: Int?
        var sortBy: String?
        var sortOrder: String?
        var attributes: [String] = []
        var excludedAttributes: [String] = []
        for (name, value) in parameters {
            switch name.lowercased() {
            case "filter": filter = value
            case "startindex": startIndex = try Self.integer(value, name: "startIndex")
            case "count": count = try Self.integer(value, name: "count")
            case "sortby": sortBy = value
            case "sortorder": sortOrder = value
            case "attributes": attributes = Self.names(value)
            case "excludedattributes": excludedAttributes = Self.names(value)
            default: continue
            }
        }
        try self.init(
            filter: filter, startIndex: startIndex, count: count, sortBy: sortBy, sortOrder: sortOrder,
            attributes: attributes, excludedAttributes: excludedAttributes, in: resourceSchema, limits: limits)
    }

    /// Normalises and parses the parts of a list request, from query parameters or a search body.
    init(
        filter: String?, startIndex: Int?, count: Int?, sortBy: String?, sortOrder: String?,
        attributes: [String], excludedAttributes: [String], in resourceSchema: ResourceSchema?, limits: Limits
    ) throws(SCIMError) {
        if let filter, !filter.trimmingASCIIWhitespace().isEmpty {
            self.filter = try Filter(parsing: filter, in: resourceSchema)
        } else {
            self.filter = nil
        }
        self.startIndex = max(1, startIndex ?? 1)
        self.count = min(max(0, count ?? limits.defaultCount), limits.maxResults)
        if let sortBy, !sortBy.trimmingASCIIWhitespace().isEmpty {
            self.sortBy = try AttributePath(parsing: sortBy.trimmingASCIIWhitespace(), in: resourceSchema)
        } else {
            self.sortBy = nil
        }
        switch sortOrder.map({ $0.trimmingASCIIWhitespace() }) {
        case nil, ""?: self.sortOrder = .ascending
        case let text? where text.equalsIgnoringASCIICase("ascending"): self.sortOrder = .ascending
        case let text? where text.equalsIgnoringASCIICase("descending"): self.sortOrder = .descending
        case let text?: throw .invalidValue("sortOrder must be 'ascending' or 'descending', not '\(text)'")
        }
        self.attributes = attributes
        self.excludedAttributes = excludedAttributes
    }

    private static func integer(_ text: String, name: String) throws(SCIMError) -> Int {
        guard let value = Int(text.trimmingASCIIWhitespace()) else {
            throw .invalidValue("\(name) must be an integer, not '\(text)'")
        }
        return value
    }

    /// A comma-separated list of attribute names, trimmed, without empty entries.
    static func names(_ text: String) -> [String] {
        text.split(separator: ",").map { String($0).trimmingASCIIWhitespace() }.filter { !$0.isEmpty }
    }
}
