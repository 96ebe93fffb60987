import Foundation
import SCIM

/// Reads a Microsoft Graph (Entra ID) export of users and groups: `{"value": [...]}` (as Graph pages
/// answer), `{"users": …, "groups": …}` with either shape inside, or a bare array. A record is a group if its
/// `@odata.type` says so or it has `groupTypes`, `securityEnabled` or `members` and no `userPrincipalName`.
/// Group `members` are reduced to the members' source ids (`id` or `objectId`), whether Graph gave objects
/// or strings; Graph's `id` is also given as `objectId`, Entra's name for it. Users come before groups, so that memberships can refer to users already synchronised.
///
/// The export is parsed whole (JSON has no record boundaries to stream on); records are then handed out
/// one at a time.
public struct GraphExportReader: SourceReader {
    private var entries: [SourceEntry]
    private var index = 0

    public init(path: String) throws(SyncFailure) {
        guard let data = FileManager.default.contents(atPath: path) else { throw SyncFailure("cannot open \(path)") }
        try self.init(bytes: Array(data), name: path)
    }

    /// Reads an export already in memory; `name` is used in messages.
    public init(bytes: [UInt8], name: String = "the export") throws(SyncFailure) {
        let json: JSONValue
        do {
            json = try JSONParser.parse(bytes, limits: .init(maxDepth: 64, maxBytes: max(bytes.count, 1)))
        } catch {
            throw SyncFailure("\(name) is not JSON: \(error)")
        }
        var users: [SourceEntry] = []
        var groups: [SourceEntry] = []
        var position = 0
        func take(_ list: [JSONValue], as forced: SourceObjectKind?) {
            for value in list {
                position += 1
                guard case .object(var record) = value else {
                    users.append(.malformed(line: position, reason: "record \(position) is \(value.typeName), not an object"))
                    continue
                }
                let kind = forced ?? Self.kind(of: record)
                // Graph calls Entra's objectId `id`; mappings written against Entra's attribute list read objectId.
                if record["objectId"] == nil, let id = record["id"] { record["objectId"] = id }
                if kind == .group, let members = record["members"] {
                    record["members"] = .array(Self.memberIDs(members))
                }
                let item = SourceEntry.item(SourceItem(kind: kind, record: record, line: position))
                if kind == .user { users.append(item) } else { groups.append(item) }
            }
        }
        func list(_ value: JSONValue?) -> [JSONValue] {
            if case .array(let items)? = value { return items }
            if case .array(let items)? = value?["value"] { return items }
            return []
        }
        switch json {
        case .array(let items):
            take(items, as: nil)
        case .object(let object) where object["value"] != nil:
            take(list(object["value"]), as: nil)
        case .object(let object) where object["users"] != nil || object["groups"] != nil:
            take(list(object["users"]), as: .user)
            take(list(object["groups"]), as: .group)
        default:
            throw SyncFailure("\(name) has neither \"value\" nor \"users\"/\"groups\"")
        }
        entries = users + groups
    }

    public mutating func next() throws(SyncFailure) -> SourceEntry? {
        guard index < entries.count else { return nil }
        defer { index += 1 }
        return entries[index]
    }

    static func kind(of record: JSONObject) -> SourceObjectKind {
        if let type = record["@odata.type"]?.stringValue { return type.lowercased().hasSuffix("group") ? .group : .user }
        if record["userPrincipalName"] != nil { return .user }
        if record["groupTypes"] != nil || record["securityEnabled"] != nil || record["members"] != nil { return .group }
        return .user
    }

    static func memberIDs(_ members: JSONValue) -> [JSONValue] {
        let items = members.arrayValue ?? members["value"]?.arrayValue ?? []
        return items.compactMap { item in
            if case .string = item { return item }
            return item["id"] ?? item["objectId"] ?? item["value"]
        }
    }
}
