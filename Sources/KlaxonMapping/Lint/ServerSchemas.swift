import SCIM

/// Reads a SCIM server's `/Schemas` response (RFC 7644 §4: a ListResponse of RFC 7643 §7 schema
/// representations) into a ``SchemaRegistry``, so lint can check targets against a live server.
///
/// The response does not say which resource type an extension belongs to; an extension whose URN ends in
/// `:User` or `:Group` is attached to that type, as the RFC's and Entra's naming does.
enum ServerSchemas {
    static func registry(from listResponse: JSONValue) throws(SCIMError) -> SchemaRegistry {
        guard let resources = listResponse["Resources"]?.arrayValue else {
            throw .invalidValue("the /Schemas response is not a ListResponse: it has no Resources")
        }
        var schemas: [Schema] = []
        for (index, resource) in resources.enumerated() {
            schemas.append(try schema(resource, at: "Resources[\(index)]"))
        }
        var types: [ResourceType] = []
        for (id, core, endpoint) in [("User", SchemaURN.user, "/Users"), ("Group", SchemaURN.group, "/Groups")] {
            guard schemas.contains(where: { $0.id.equalsIgnoringASCIICase(core) }) else { continue }
            let extensions = schemas.filter { schema in
                !schema.id.equalsIgnoringASCIICase(core) && schema.id.lowercased().contains(":extension:")
                    && schema.id.lowercased().hasSuffix(":" + id.lowercased())
            }
            types.append(
                ResourceType(
                    id: id, name: id, endpoint: endpoint, description: id, schema: core,
                    schemaExtensions: extensions.map { ResourceType.Extension(schema: $0.id, required: false) }))
        }
        guard !types.isEmpty else {
            throw .invalidValue("the /Schemas response has neither the core User nor the core Group schema")
        }
        return try SchemaRegistry(schemas: schemas, resourceTypes: types)
    }

    private static func schema(_ json: JSONValue, at path: String) throws(SCIMError) -> Schema {
        guard let id = json["id"]?.stringValue, Schema.isValidURN(id) else {
            throw .invalidValue("\(path) has no schema URN in \"id\"")
        }
        let attributes = try (json["attributes"]?.arrayValue ?? []).enumerated().map {
            (index, attribute) throws(SCIMError) in try self.attribute(attribute, at: "\(path).attributes[\(index)]")
        }
        return Schema(
            id: id, name: json["name"]?.stringValue ?? id, description: json["description"]?.stringValue ?? "",
            attributes: attributes)
    }

    private static func attribute(_ json: JSONValue, at path: String) throws(SCIMError) -> SchemaAttribute {
        guard let name = json["name"]?.stringValue, !name.isEmpty else {
            throw .invalidValue("\(path) has no \"name\"")
        }
        func enumeration<Value: RawRepresentable & CaseIterable>(_ key: String, _ fallback: Value) throws(SCIMError) -> Value
        where Value.RawValue == String {
            guard let text = json[key]?.stringValue else { return fallback }
            guard let value = Value.allCases.first(where: { $0.rawValue.equalsIgnoringASCIICase(text) }) else {
                throw .invalidValue("\(path).\(key) \"\(text)\" is not one of \(Value.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return value
        }
        let subAttributes = try (json["subAttributes"]?.arrayValue ?? []).enumerated().map {
            (index, sub) throws(SCIMError) in try attribute(sub, at: "\(path).subAttributes[\(index)]")
        }
        return SchemaAttribute(
            name: name, type: try enumeration("type", SchemaAttribute.DataType.string),
            multiValued: json["multiValued"]?.boolValue ?? false, description: json["description"]?.stringValue ?? "",
            required: json["required"]?.boolValue ?? false, caseExact: json["caseExact"]?.boolValue ?? false,
            mutability: try enumeration("mutability", SchemaAttribute.Mutability.readWrite),
            returned: try enumeration("returned", SchemaAttribute.Returned.default),
            uniqueness: try enumeration("uniqueness", SchemaAttribute.Uniqueness.none),
            canonicalValues: json["canonicalValues"]?.arrayValue?.compactMap(\.stringValue) ?? [],
            referenceTypes: json["referenceTypes"]?.arrayValue?.compactMap(\.stringValue) ?? [],
            subAttributes: subAttributes)
    }
}
