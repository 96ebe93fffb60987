/// The body of `POST /.search` (RFC 7644 §3.4.3): the list parameters as JSON, read into a ``ListQuery``.
///
/// ```swift
/// let body = try JSONParser.parse(#"""
///     {"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
///      "filter":"displayName sw \"Ops\"","attributes":["displayName"],"startIndex":1,"count":10}
///     """#)
/// let query = try SearchRequest.query(from: body, in: SchemaRegistry.standard.resourceSchema(for: "Group"))
/// ```
public enum SearchRequest {
    /// Reads a search body. Unknown members are ignored; `attributes` and `excludedAttributes` are arrays of
    /// names (a comma-separated string is accepted too).
    ///
    /// Errors: a body that is not an object, or whose `schemas` lacks the SearchRequest URN → 400 `invalidSyntax`;
    /// a member of the wrong JSON type, or an invalid `sortOrder` → 400 `invalidValue`; plus the errors of
    /// ``ListQuery/init(parameters:in:limits:)`` for `filter` and `sortBy`.
    public static func query(
        from body: JSONValue, in resourceSchema: ResourceSchema? = nil, limits: ListQuery.Limits = .default
    ) throws(SCIMError) -> ListQuery {
        guard case .object(let object) = body else {
            throw .invalidSyntax("a search request must be a JSON object, not \(body.typeName)")
        }
        let schemas = object["schemas"]?.arrayValue ?? []
        guard schemas.contains(where: { $0.stringValue?.equalsIgnoringASCIICase(SchemaURN.searchRequest) == true }) else {
            throw .invalidSyntax("a search request's 'schemas' must be [\"\(SchemaURN.searchRequest)\"]")
        }
        return try ListQuery(
            filter: string(object, "filter"), startIndex: integer(object, "startIndex"), count: integer(object, "count"),
            sortBy: string(object, "sortBy"), sortOrder: string(object, "sortOrder"),
            attributes: names(object, "attributes"), excludedAttributes: names(object, "excludedAttributes"),
            in: resourceSchema, limits: limits)
    }

    private static func string(_ object: JSONObject, _ name: String) throws(SCIMError) -> String? {
        switch object[name] {
        case nil, .null?: return nil
        case .string(let text)?: return text
        case let value?: throw .invalidValue("'\(name)' must be a string, not \(value.typeName)")
        }
    }

    private static func integer(_ object: JSONObject, _ name: String) throws(SCIMError) -> Int? {
        switch object[name] {
        case nil, .null?: return nil
        case .integer(let number)?: return number
        case let value?: throw .invalidValue("'\(name)' must be an integer, not \(value.typeName)")
        }
    }

    private static func names(_ object: JSONObject, _ name: String) throws(SCIMError) -> [String] {
        switch object[name] {
        case nil, .null?: return []
        case .string(let text)?: return ListQuery.names(text)
        case .array(let items)?:
            var names: [String] = []
            for item in items {
                guard case .string(let text) = item else {
                    throw .invalidValue("'\(name)' must be an array of attribute names, but holds \(item.typeName)")
                }
                names += ListQuery.names(text)
            }
            return names
        case let value?: throw .invalidValue("'\(name)' must be an array of attribute names, not \(value.typeName)")
        }
    }
}
