/// A SCIM resource type (RFC 7643 §6): its endpoint, core schema and schema extensions.
public struct ResourceType: Sendable, Hashable, Identifiable {
    public struct Extension: Sendable, Hashable {
        public var schema: String
        public var required: Bool

        public init(schema: String, required: Bool) {
            self.schema = schema
            self.required = required
        }
    }

    /// `User` or `Group`.
    public var id: String
    public var name: String
    /// The endpoint relative to the base URL, e.g. `/Users`.
    public var endpoint: String
    public var description: String
    /// The core schema URN.
    public var schema: String
    public var schemaExtensions: [Extension]

    public init(id: String, name: String, endpoint: String, description: String, schema: String, schemaExtensions: [Extension]) {
        self.id = id
        self.name = name
        self.endpoint = endpoint
        self.description = description
        self.schema = schema
        self.schemaExtensions = schemaExtensions
    }

    public static let resourceTypeSchema = "urn:ietf:params:scim:schemas:core:2.0:ResourceType"

    /// The resource type as `/ResourceTypes` returns it. `location` is the `/ResourceTypes` URL, if known.
    public func json(location: String? = nil) -> JSONValue {
        var meta: JSONObject = ["resourceType": "ResourceType"]
        if let location { meta["location"] = .string("\(location)/\(id)") }
        return [
            "schemas": [.string(Self.resourceTypeSchema)],
            "id": .string(id),
            "name": .string(name),
            "endpoint": .string(endpoint),
            "description": .string(description),
            "schema": .string(schema),
            "schemaExtensions": .array(
                schemaExtensions.map { ["schema": .string($0.schema), "required": .bool($0.required)] }
            ),
            "meta": .object(meta),
        ]
    }
}
