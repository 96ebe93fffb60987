import SCIM

/// The attributes of one source object (a user or group from Entra ID, an HR export…), as expressions see them.
///
/// Lookup ignores ASCII case, as `JSONObject`'s does, but goes through an index built once per record, so a
/// record read by many mappings pays for its names once.
///
/// ```swift
/// let record: SourceRecord = ["givenName": "Zoë", "proxyAddresses": ["SMTP:zoe@contoso.com", "smtp:z@contoso.com"]]
/// record["GIVENNAME"]   // .string("Zoë")
/// ```
public struct SourceRecord: Sendable {
    /// The attributes in the order they were given.
    public let attributes: JSONObject
    /// Folded name → index of the first member with that name.
    private let index: [String: Int]

    public init(_ attributes: JSONObject) {
        self.attributes = attributes
        var index: [String: Int] = [:]
        index.reserveCapacity(attributes.count)
        for (position, member) in attributes.members.enumerated() {
            let key = asciiLowercased(member.key)
            if index[key] == nil { index[key] = position }
        }
        self.index = index
    }

    /// The attribute with this name, ignoring ASCII case; nil if the record has none.
    public subscript(name: String) -> JSONValue? {
        index[asciiLowercased(name)].map { attributes.members[$0].value }
    }

    /// The referenced attribute. A dotted name (`manager.displayName`) that no attribute has in full is looked
    /// up through nested objects.
    func value(of reference: AttributeReference) -> JSONValue? {
        if let position = index[reference.key] { return attributes.members[position].value }
        guard let path = reference.path, let position = index[path[0]] else { return nil }
        var value = attributes.members[position].value
        for part in path.dropFirst() {
            guard case .object(let object) = value, let member = object[part] else { return nil }
            value = member
        }
        return value
    }
}

extension SourceRecord: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self.init(JSONObject(elements.map { JSONObject.Member(key: $0.0, value: $0.1) }))
    }
}
