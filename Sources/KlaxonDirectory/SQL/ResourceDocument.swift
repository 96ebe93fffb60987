import SCIM

/// A resource as the SQL directory stores it: the object without the parts rebuilt on read (`meta`, a group's
/// `members`, a user's derived `groups`), with `id` set, and the values of its indexed columns.
///
/// Indexed attributes must be strings, so that SQL and ``FilterEvaluator`` always agree on them; anything else is
/// a 400 `invalidValue` (the server's schema validation normally catches it first). They are also at most
/// ``indexedTextLimit`` bytes, on both backends alike.
///
/// ```swift
/// let document = try ResourceDocument(kind: .user, id: "2819c223", object: ["userName": "BJensen"])
/// document.userNameLC   // "bjensen" (see ``Swift/String/caseFolded``)
/// ```
struct ResourceDocument {
    struct Email: Equatable {
        var typeLC: String?
        var valueLC: String?
    }

    var object: JSONObject
    var userNameLC: String?
    var displayName: String?
    var displayNameLC: String?
    /// In Normalization Form C (see ``Swift/String/canonical``), as its column holds it.
    var externalID: String?
    var emails: [Email] = []
    /// A group's `members` as written, if any.
    var members: JSONValue?

    init(kind: ResourceKind, id: String, object source: JSONObject) throws(SCIMError) {
        var source = source
        source.removeValue(forKey: "id")
        source.removeValue(forKey: "meta")
        switch kind {
        case .user: source.removeValue(forKey: "groups")
        case .group: members = source.removeValue(forKey: "members")
        }
        // `id` goes right after `schemas`, where SCIM's examples have it.
        var stored: [JSONObject.Member] = []
        stored.reserveCapacity(source.count + 1)
        var placedID = false
        for member in source.members {
            stored.append(member)
            if !placedID, member.key.equalsIgnoringASCIICase("schemas") {
                stored.append(.init(key: "id", value: .string(id)))
                placedID = true
            }
        }
        if !placedID { stored.insert(.init(key: "id", value: .string(id)), at: 0) }
        object = JSONObject(stored)

        switch kind {
        case .user:
            userNameLC = try Self.requiredString("userName", in: source).caseFolded
            displayName = try Self.optionalString("displayName", in: source)
            emails = try Self.emails(in: source)
        case .group:
            displayName = try Self.requiredString("displayName", in: source)
        }
        displayNameLC = displayName?.caseFolded
        externalID = try Self.optionalString("externalId", in: source)?.canonical
    }

    private static func requiredString(_ name: String, in object: JSONObject) throws(SCIMError) -> String {
        guard let value = try optionalString(name, in: object), !value.isEmpty else {
            throw .invalidValue("'\(name)' is required")
        }
        return value
    }

    private static func optionalString(_ name: String, in object: JSONObject) throws(SCIMError) -> String? {
        switch object[name] {
        case nil, .null?: return nil
        case .string(let text)?:
            try checkIndexable(text, as: name)
            return text
        case let other?: throw .invalidValue("'\(name)' must be a string, not \(other.typeName)")
        }
    }

    /// The longest value, in UTF-8 bytes, of an attribute with an index: PostgreSQL refuses an index entry over
    /// 2,704 bytes (a 500 for a long random userName, while SQLite took it), and no identity platform sends a
    /// userName, email or externalId anywhere near this long (Entra caps displayName at 256 characters).
    static let indexedTextLimit = 1024

    /// 400 `invalidValue` if `text` is longer than ``indexedTextLimit``.
    static func checkIndexable(_ text: String?, as name: String) throws(SCIMError) {
        guard let text, text.utf8.count > indexedTextLimit else { return }
        throw .invalidValue("'\(name)' is longer than \(indexedTextLimit) bytes (UTF-8)")
    }

    private static func emails(in object: JSONObject) throws(SCIMError) -> [Email] {
        switch object["emails"] {
        case nil, .null?: return []
        case .array(let items)?:
            var emails: [Email] = []
            for (index, item) in items.enumerated() {
                guard case .object(let email) = item else {
                    throw .invalidValue("'emails[\(index)]' must be an object, not \(item.typeName)")
                }
                emails.append(
                    Email(
                        typeLC: try optionalString("type", in: email)?.caseFolded,
                        valueLC: try optionalString("value", in: email)?.caseFolded))
            }
            return emails
        case let other?:
            throw .invalidValue("'emails' must be an array, not \(other.typeName)")
        }
    }
}

/// A member named in a write: the id of a user or group, and the display text sent with it.
struct MemberReference: Hashable {
    var value: String
    var display: String?

    /// The members of a `members` value (absent or null: none), in order, without repeats of the same id.
    static func list(_ members: JSONValue?) throws(SCIMError) -> [MemberReference] {
        switch members {
        case nil, .null?: return []
        case .array(let items)?:
            var objects: [JSONObject] = []
            for item in items {
                guard case .object(let object) = item else {
                    throw .invalidValue("each member must be an object with a 'value', not \(item.typeName)")
                }
                objects.append(object)
            }
            return try list(objects)
        case let other?:
            throw .invalidValue("'members' must be an array, not \(other.typeName)")
        }
    }

    /// The members named by these objects, in order, without repeats of the same id.
    static func list(_ objects: [JSONObject]) throws(SCIMError) -> [MemberReference] {
        var seen: Set<String> = []
        var references: [MemberReference] = []
        for object in objects {
            guard case .string(let value)? = object["value"], !value.isEmpty else {
                throw .invalidValue("each member needs a 'value' with the id of a user or group")
            }
            let display: String?
            switch object["display"] {
            case nil, .null?: display = nil
            case .string(let text)?: display = text
            case let other?: throw .invalidValue("a member's 'display' must be a string, not \(other.typeName)")
            }
            if seen.insert(value).inserted {
                references.append(MemberReference(value: value, display: display))
            }
        }
        return references
    }
}
