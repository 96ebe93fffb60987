/// One attribute of a SCIM schema with its characteristics (RFC 7643 §2.2 and §7).
///
/// ```swift
/// let location = SchemaAttribute(name: "location", type: .string, description: "Where the user works.")
/// ```
public struct SchemaAttribute: Sendable, Hashable {
    /// The data types of RFC 7643 §2.3.
    public enum DataType: String, Sendable, Hashable, CaseIterable {
        case string, boolean, decimal, integer, dateTime, binary, reference, complex
    }

    /// When an attribute may be written (RFC 7643 §7).
    public enum Mutability: String, Sendable, Hashable, CaseIterable {
        case readOnly, readWrite, immutable, writeOnly
    }

    /// When an attribute is returned (RFC 7643 §7).
    public enum Returned: String, Sendable, Hashable, CaseIterable {
        case always, never, `default`, request
    }

    /// How a value must be unique (RFC 7643 §7).
    public enum Uniqueness: String, Sendable, Hashable, CaseIterable {
        case none, server, global
    }

    public var name: String
    public var type: DataType
    public var multiValued: Bool
    public var description: String
    public var required: Bool
    public var caseExact: Bool
    public var mutability: Mutability
    public var returned: Returned
    public var uniqueness: Uniqueness
    public var canonicalValues: [String]
    /// For `reference` attributes: the resource types or `external`/`uri` it may refer to.
    public var referenceTypes: [String]
    /// For `complex` attributes.
    public var subAttributes: [SchemaAttribute]

    public init(
        name: String,
        type: DataType,
        multiValued: Bool = false,
        description: String = "",
        required: Bool = false,
        caseExact: Bool = false,
        mutability: Mutability = .readWrite,
        returned: Returned = .default,
        uniqueness: Uniqueness = .none,
        canonicalValues: [String] = [],
        referenceTypes: [String] = [],
        subAttributes: [SchemaAttribute] = []
    ) {
        self.name = name
        self.type = type
        self.multiValued = multiValued
        self.description = description
        self.required = required
        self.caseExact = caseExact
        self.mutability = mutability
        self.returned = returned
        self.uniqueness = uniqueness
        self.canonicalValues = canonicalValues
        self.referenceTypes = referenceTypes
        self.subAttributes = subAttributes
    }

    /// The sub-attribute with this name, ignoring case.
    public func subAttribute(named name: String) -> SchemaAttribute? {
        subAttributes.first { $0.name.equalsIgnoringASCIICase(name) }
    }

    /// The attribute's definition as `/Schemas` renders it; null characteristics are omitted.
    public var json: JSONValue {
        var object: JSONObject = [
            "name": .string(name),
            "type": .string(type.rawValue),
            "multiValued": .bool(multiValued),
            "description": .string(description),
            "required": .bool(required),
        ]
        if type == .string || type == .reference || type == .binary { object["caseExact"] = .bool(caseExact) }
        if !canonicalValues.isEmpty { object["canonicalValues"] = .array(canonicalValues.map { .string($0) }) }
        if !referenceTypes.isEmpty { object["referenceTypes"] = .array(referenceTypes.map { .string($0) }) }
        object["mutability"] = .string(mutability.rawValue)
        object["returned"] = .string(returned.rawValue)
        if type != .complex && type != .boolean { object["uniqueness"] = .string(uniqueness.rawValue) }
        if type == .complex { object["subAttributes"] = .array(subAttributes.map(\.json)) }
        return .object(object)
    }
}
