/// The schemas and resource types a service provider knows: the standard ones plus extensions declared at
/// run time. The same data renders `/Schemas` and `/ResourceTypes` and drives validation, filters and PATCH.
///
/// ```swift
/// var registry = SchemaRegistry.standard
/// try registry.declareExtension(
///     Schema(id: "urn:ietf:params:scim:schemas:extension:acme:2.0:User", name: "AcmeUser", description: "",
///            attributes: [SchemaAttribute(name: "badge", type: .string)]),
///     on: "User")
/// let users = registry.resourceSchema(for: "User")!
/// ```
public struct SchemaRegistry: Sendable {
    public private(set) var schemas: [Schema]
    public private(set) var resourceTypes: [ResourceType]
    private var resourceSchemas: [String: ResourceSchema] = [:]

    public init(schemas: [Schema], resourceTypes: [ResourceType]) throws(SCIMError) {
        self.schemas = schemas
        self.resourceTypes = resourceTypes
        try rebuild()
    }

    /// User (with the Enterprise and Klaxon extensions) and Group.
    public static let standard: SchemaRegistry = {
        do {
            return try SchemaRegistry(
                schemas: [.user, .group, .enterpriseUser, .klaxonUser], resourceTypes: [.user, .group])
        } catch {
            preconditionFailure("the standard schemas are inconsistent: \(error)")
        }
    }()

    /// The schema with this URN, ignoring case.
    public func schema(id: String) -> Schema? {
        schemas.first { $0.id.equalsIgnoringASCIICase(id) }
    }

    /// The resource type with this id (`User`, `Group`), ignoring case.
    public func resourceType(id: String) -> ResourceType? {
        resourceTypes.first { $0.id.equalsIgnoringASCIICase(id) }
    }

    /// A resource type with its schemas resolved, for validation, filtering and PATCH.
    public func resourceSchema(for resourceTypeID: String) -> ResourceSchema? {
        resourceSchemas[resourceTypeID.lowercased()]
    }

    /// Adds a custom extension schema to a resource type, as Entra's "Edit attribute list" declares custom
    /// attributes. Re-declaring a known extension replaces its attributes.
    public mutating func declareExtension(_ schema: Schema, on resourceTypeID: String, required: Bool = false) throws(SCIMError) {
        guard Schema.isValidURN(schema.id) else {
            throw .invalidValue("'\(schema.id)' is not a valid schema URN (expected urn:…:Name, e.g. urn:ietf:params:scim:schemas:extension:acme:2.0:User)")
        }
        guard let typeIndex = resourceTypes.firstIndex(where: { $0.id.equalsIgnoringASCIICase(resourceTypeID) }) else {
            throw .invalidValue("unknown resource type '\(resourceTypeID)'")
        }
        if let existing = schemas.firstIndex(where: { $0.id.equalsIgnoringASCIICase(schema.id) }) {
            if resourceTypes.contains(where: { $0.schema.equalsIgnoringASCIICase(schema.id) }) {
                throw .invalidValue("'\(schema.id)' is a core schema and cannot be redeclared as an extension")
            }
            schemas[existing] = schema
        } else {
            schemas.append(schema)
        }
        if !resourceTypes[typeIndex].schemaExtensions.contains(where: { $0.schema.equalsIgnoringASCIICase(schema.id) }) {
            resourceTypes[typeIndex].schemaExtensions.append(.init(schema: schema.id, required: required))
        }
        try rebuild()
    }

    private mutating func rebuild() throws(SCIMError) {
        var resolved: [String: ResourceSchema] = [:]
        for type in resourceTypes {
            guard let core = schema(id: type.schema) else {
                throw .invalidValue("resource type \(type.id) names unknown schema \(type.schema)")
            }
            var extensions: [ResourceSchema.ExtensionSchema] = []
            for item in type.schemaExtensions {
                guard let schema = schema(id: item.schema) else {
                    throw .invalidValue("resource type \(type.id) names unknown extension \(item.schema)")
                }
                extensions.append(.init(schema: schema, required: item.required))
            }
            resolved[type.id.lowercased()] = ResourceSchema(resourceType: type, core: core, extensions: extensions)
        }
        resourceSchemas = resolved
    }
}

/// A resource type with its core schema and extensions: answers "what is this attribute?" for a path.
public struct ResourceSchema: Sendable {
    public struct ExtensionSchema: Sendable {
        public var schema: Schema
        public var required: Bool
    }

    public let resourceType: ResourceType
    public let core: Schema
    public let extensions: [ExtensionSchema]

    /// The schema URNs of this resource type, longest first, so that a path is matched against the longest
    /// known URN before the rest is split on `:` and `.`.
    public let urnsLongestFirst: [String]

    init(resourceType: ResourceType, core: Schema, extensions: [ExtensionSchema]) {
        self.resourceType = resourceType
        self.core = core
        self.extensions = extensions
        self.urnsLongestFirst = ([core.id] + extensions.map(\.schema.id)).sorted { $0.utf8.count > $1.utf8.count }
    }

    /// The extension schema with this URN, ignoring case.
    public func extensionSchema(_ urn: String) -> Schema? {
        extensions.first { $0.schema.id.equalsIgnoringASCIICase(urn) }?.schema
    }

    /// True if the URN is this type's core schema or one of its extensions.
    public func knowsSchema(_ urn: String) -> Bool {
        core.id.equalsIgnoringASCIICase(urn) || extensionSchema(urn) != nil
    }

    /// The definition of a top-level attribute: in the named schema if `schema` is given, else among the
    /// common attributes (`id`, `externalId`, `meta`) and the core schema.
    public func attribute(schema: String?, name: String) -> SchemaAttribute? {
        if let schema, !core.id.equalsIgnoringASCIICase(schema) {
            return extensionSchema(schema)?.attribute(named: name)
        }
        if let common = SchemaAttribute.common.first(where: { $0.name.equalsIgnoringASCIICase(name) }) {
            return common
        }
        return core.attribute(named: name)
    }

    /// The definition of the attribute an ``AttributePath`` names, down to its sub-attribute.
    public func attribute(for path: AttributePath) -> SchemaAttribute? {
        guard let top = attribute(schema: path.schema, name: path.name) else { return nil }
        guard let sub = path.subAttribute else { return top }
        return top.subAttribute(named: sub)
    }

    /// Splits text that starts with one of this type's schema URNs into the URN and the rest after the `:`.
    /// Returns nil when the text starts with no known URN. A text that is exactly a URN gives an empty rest.
    public func splitKnownURN(_ text: String) -> (urn: String, rest: Substring)? {
        for urn in urnsLongestFirst where text.hasPrefixIgnoringASCIICase(urn) {
            let utf8 = text.utf8
            let end = utf8.index(utf8.startIndex, offsetBy: urn.utf8.count)
            if end == utf8.endIndex { return (urn, "") }
            if utf8[end] == UInt8(ascii: ":") {
                return (urn, Substring(text.utf8[utf8.index(after: end)...]))
            }
        }
        return nil
    }
}
