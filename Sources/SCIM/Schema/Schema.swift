/// A SCIM schema: a URN and its attributes (RFC 7643 §2 and §7).
public struct Schema: Sendable, Hashable, Identifiable {
    /// The schema URN, e.g. `urn:ietf:params:scim:schemas:core:2.0:User`.
    public var id: String
    public var name: String
    public var description: String
    public var attributes: [SchemaAttribute]

    public init(id: String, name: String, description: String, attributes: [SchemaAttribute]) {
        self.id = id
        self.name = name
        self.description = description
        self.attributes = attributes
    }

    /// The top-level attribute with this name, ignoring case.
    public func attribute(named name: String) -> SchemaAttribute? {
        attributes.first { $0.name.equalsIgnoringASCIICase(name) }
    }

    /// The schema as `/Schemas` returns it. `location` is the absolute URL of the `/Schemas` endpoint, if known.
    public func json(location: String? = nil) -> JSONValue {
        var meta: JSONObject = ["resourceType": "Schema"]
        if let location { meta["location"] = .string("\(location)/\(id)") }
        return [
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Schema"],
            "id": .string(id),
            "name": .string(name),
            "description": .string(description),
            "attributes": .array(attributes.map(\.json)),
            "meta": .object(meta),
        ]
    }
}

extension Schema {
    /// Checks that a URN is well formed for a SCIM schema: `urn:` followed by colon-separated parts of letters,
    /// digits and `.-_`, with no empty part.
    public static func isValidURN(_ urn: String) -> Bool {
        guard urn.hasPrefixIgnoringASCIICase("urn:") else { return false }
        let parts = urn.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count >= 3 else { return false }
        return parts.allSatisfy { part in
            !part.isEmpty && part.utf8.allSatisfy { byte in
                (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                    || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                    || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                    || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
            }
        }
    }
}
