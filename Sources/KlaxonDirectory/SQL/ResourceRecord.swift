import Foundation
import SCIM

/// A row of `resources` with its relations, as read: the pieces a ``StoredResource`` is assembled from.
///
/// Reading and writing assemble resources the same way, so what a write returns is what a later read gives.
struct ResourceRecord {
    var kind: ResourceKind
    var id: String
    var version: Int
    var created: String
    var lastModified: String
    /// The stored object: `id` and the client's attributes, without `meta` and relations.
    var object: JSONObject
    /// A user's groups (`value`, `display`); always read.
    var groups: [JSONValue] = []
    /// A group's members (`value`, `display`, `type`), when they were read.
    var members: [JSONValue]?
    var profile: KlaxonProfile?

    /// The columns every resource query selects; `relations` is added by the caller (see ``relations(for:members:dialect:)``).
    static let columns =
        "r.id, r.kind, r.version, r.created, r.last_modified, r.json, r.synced_location, r.location_id, r.phone_e164, r.phone_problem, "
        + "r.location_choice_id, r.location_choice_by, r.location_choice_basis, r.location_choice_at"

    /// The `relations` column: a user's groups, a group's members, or NULL, as one JSON array per row, so a
    /// resource and its relations come from one statement (one consistent read).
    static func relations(for kind: ResourceKind, members: Bool, dialect: SQLDialect) -> String {
        switch kind {
        case .user:
            return dialect.jsonRows(
                ["m.group_id", "g.display_name"], order: "m.group_id",
                "FROM memberships m JOIN resources g ON g.org_id = m.org_id AND g.id = m.group_id WHERE m.org_id = r.org_id AND m.member_id = r.id"
            ) + " AS relations"
        case .group where members:
            return dialect.jsonRows(
                ["m.member_id", "m.member_type", "m.display"], order: "m.member_id",
                "FROM memberships m WHERE m.org_id = r.org_id AND m.group_id = r.id") + " AS relations"
        case .group:
            return "NULL AS relations"
        }
    }

    /// `SELECT` of resources with their relations, up to and including `FROM resources r`.
    static func select(_ kind: ResourceKind, members: Bool, dialect: SQLDialect) -> String {
        "SELECT \(columns), \(relations(for: kind, members: members, dialect: dialect)) FROM resources r"
    }

    init(
        kind: ResourceKind, id: String, version: Int, created: String, lastModified: String, object: JSONObject,
        profile: KlaxonProfile?
    ) {
        self.kind = kind
        self.id = id
        self.version = version
        self.created = created
        self.lastModified = lastModified
        self.object = object
        self.profile = profile
    }

    /// Decodes a row selected with ``select(_:members:dialect:)``.
    init(row: SQLRow) throws {
        guard let kind = ResourceKind(rawValue: try row.text("kind")) else {
            throw SQLDirectoryError.corrupt("unknown resource kind")
        }
        let json = try row.text("json")
        guard case .object(let object) = try? JSONParser.parse(json, limits: Self.storedLimits) else {
            throw SQLDirectoryError.corrupt("stored resource is not a JSON object")
        }
        self.init(
            kind: kind, id: try row.text("id"), version: try row.integer("version"), created: try row.text("created"),
            lastModified: try row.text("last_modified"), object: object,
            profile: kind == .user
                ? KlaxonProfile(
                    syncedLocation: row.optionalText("synced_location"),
                    locationID: row.optionalInteger("location_id").map(Int64.init),
                    phoneE164: row.optionalText("phone_e164"), phoneProblem: row.optionalText("phone_problem"),
                    locationChoice: Self.locationChoice(row))
                : nil)
        guard let relations = row.optionalText("relations") else { return }
        guard case .array(let tuples) = try? JSONParser.parse(relations, limits: Self.storedLimits) else {
            throw SQLDirectoryError.corrupt("relations are not a JSON array")
        }
        switch kind {
        case .user:
            groups = tuples.map { Self.reference(value: $0[0], display: $0[1], type: nil) }
        case .group:
            members = tuples.map { Self.reference(value: $0[0], display: $0[2], type: $0[1]) }
        }
    }

    /// The location set by hand, if the row has one.
    private static func locationChoice(_ row: SQLRow) -> LocationChoice? {
        guard let id = row.optionalInteger("location_choice_id"), let source = row.optionalText("location_choice_by").flatMap(LocationChoice.Source.init),
            let at = row.optionalDouble("location_choice_at")
        else { return nil }
        return LocationChoice(
            locationID: Int64(id), source: source, syncedLocation: row.optionalText("location_choice_basis"), at: Date(timeIntervalSince1970: at))
    }

    /// What the database wrote itself is trusted to any size.
    private static let storedLimits = JSONParser.Limits(maxDepth: 256, maxBytes: .max)

    /// `{"value": …, "display": …, "type": …}`, leaving out what is null.
    static func reference(value: JSONValue?, display: JSONValue?, type: JSONValue?) -> JSONValue {
        var object: JSONObject = ["value": value ?? .null]
        if let display, !display.isNull { object["display"] = display }
        if let type, !type.isNull { object["type"] = type }
        return .object(object)
    }

    /// The resource with `meta` and the relations that were read.
    var resource: StoredResource {
        var assembled = object
        if let members, !members.isEmpty { assembled["members"] = .array(members) }
        if !groups.isEmpty { assembled["groups"] = .array(groups) }
        assembled["meta"] = [
            "resourceType": .string(kind.rawValue), "created": .string(created), "lastModified": .string(lastModified),
            "version": .string(#"W/"\#(version)""#),
        ]
        return StoredResource(kind: kind, id: id, version: version, object: assembled, profile: profile)
    }
}

private extension JSONValue {
    /// The element at `index` of an array, or nil.
    subscript(index: Int) -> JSONValue? {
        guard case .array(let items) = self, items.indices.contains(index) else { return nil }
        return items[index]
    }
}
