public import SCIM

/// Orders resources by an attribute in memory, as RFC 7644 §3.4.2.3 says and as the SQL columns do: a multi-valued
/// attribute sorts by its primary value, else its first; strings compare ignoring case unless the attribute is
/// case-exact; dateTimes chronologically. Resources without a value come last, whichever the order. The directory
/// uses it for attributes SQL has no column for (`name.familyName`, `emails.value`, an extension's attribute); the
/// server, to merge users and groups in a sorted search at the root.
///
/// ```swift
/// let key = try SortKey(AttributePath(parsing: "name.familyName", in: users), schema: users)
/// key.value(of: resource)    // .text("jensen")
/// ```
public struct SortKey: Sendable {
    /// A comparable value of a sort attribute (false before true, as 0 before 1).
    public enum Value: Comparable, Sendable {
        case number(Double)
        case text(String)
    }

    /// The extension whose object holds the attribute; nil for a core or common attribute.
    private let extensionURN: String?
    /// The key is read from a group's members, which must then be read with it.
    public let readsMembers: Bool
    private let attribute: SchemaAttribute
    /// The sub-attribute compared inside a complex value: the path's, or `value` for a complex attribute named alone.
    private let sub: SchemaAttribute?

    /// 400 `invalidValue` if the schema has no such attribute or it is complex with no `value` to compare.
    public init(_ path: AttributePath, schema: ResourceSchema) throws(SCIMError) {
        guard let top = schema.attribute(schema: path.schema, name: path.name) else {
            throw .invalidValue("cannot sort by '\(path)': \(schema.resourceType.name) has no such attribute")
        }
        let sub: SchemaAttribute?
        if let name = path.subAttribute {
            guard let named = top.subAttribute(named: name) else {
                throw .invalidValue("cannot sort by '\(path)': '\(top.name)' has no sub-attribute '\(name)'")
            }
            sub = named
        } else {
            sub = top.type == .complex ? top.subAttribute(named: "value") : nil
            if top.type == .complex, sub == nil {
                throw .invalidValue("cannot sort by '\(path)': name one of its sub-attributes")
            }
        }
        self.extensionURN = path.schema.flatMap { schema.extensionSchema($0)?.id }
        self.readsMembers = schema.resourceType.name == "Group" && top.name.equalsIgnoringASCIICase("members")
        self.attribute = top
        self.sub = sub
    }

    /// The resource's value to sort by, or nil when it has none.
    public func value(of resource: JSONObject) -> Value? {
        var container = resource
        if let extensionURN {
            guard let extensionObject = resource[extensionURN]?.objectValue else { return nil }
            container = extensionObject
        }
        guard var value = container[attribute.name] else { return nil }
        if attribute.multiValued {
            let items = value.arrayValue ?? [value]
            guard let chosen = items.first(where: { $0["primary"] == .bool(true) }) ?? items.first else { return nil }
            value = chosen
        }
        if let sub {
            guard let inner = value[sub.name] else { return nil }
            return Self.comparable(inner, as: sub)
        }
        return Self.comparable(value, as: attribute)
    }

    private static func comparable(_ value: JSONValue, as attribute: SchemaAttribute) -> Value? {
        switch value {
        case .bool(let flag): return .number(flag ? 1 : 0)
        case .integer(let number): return .number(Double(number))
        case .decimal(let number): return .number(number)
        case .string(let text):
            if attribute.type == .dateTime, let seconds = SCIMDateTime.seconds(from: text) { return .number(seconds) }
            return .text(attribute.caseExact ? text : text.caseFolded)
        default: return nil
        }
    }
}
