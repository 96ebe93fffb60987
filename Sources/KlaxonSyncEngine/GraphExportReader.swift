import SCIM

/// Reads a Microsoft Graph (Entra ID) export of users and groups: `{"value": [...]}` (as Graph pages
/// answer), `{"users": …, "groups": …}` with either shape inside, or a bare array; Okta's Users and Groups API
/// records are read the same way. A record is a group if its `@odata.type` says so, its `type` is one of
/// Okta's group types, or it has `groupTypes`, `securityEnabled` or `members` and no `userPrincipalName`.
/// Group `members` are reduced to the members' source ids (`id` or `objectId`), whether Graph gave objects
/// or strings; Graph's `id` is also given as `objectId`, Entra's name for it.
///
/// The file is read in chunks and each record is parsed on its own, so memory holds one user at a time
/// however large the export. Users are handed out as they are read and groups after every user, so that
/// memberships can refer to users already synchronised: the groups are held until the end of the file
/// (the sync engine holds them until then anyway). A record that is not valid JSON, not an object or larger
/// than ``maxRecordBytes`` is reported with its line and skipped; text that breaks the export's structure
/// (a bracket closed by the wrong one, a missing comma between records, the file ending inside a record)
/// throws ``SyncFailure`` with its line.
///
/// ```swift
/// var reader = try GraphExportReader(path: "entra-export.json")
/// while let entry = try await reader.next() { … }
/// ```
public struct GraphExportReader: SourceReader {
    /// The most one record may take: 64 MiB, a group of about a million members.
    public static let maxRecordBytes = 64 << 20

    /// Where the walk is: inside an array of records, or inside an object whose members may hold them.
    private struct Frame {
        enum Shape {
            /// An array of records, of this kind if the export says (`users`, `groups`).
            case records(SourceObjectKind?)
            /// The top-level object, or the object under `users`/`groups` (`{"value": [...]}`).
            case object(wrapping: SourceObjectKind?, top: Bool)
        }

        var shape: Shape
        /// A value was read and a comma or the closing bracket comes next.
        var needsComma = false
        /// A comma was read and a value must follow.
        var afterComma = false
    }

    private var scanner: JSONStreamScanner
    private let name: String
    private let recordLimit: Int
    private var frames: [Frame] = []
    private var finished = false
    /// The export named a place for records (`value`, `users`, `groups`) or is an array.
    private var foundRecords = false
    /// Groups read, held until every user has been handed out; reversed once the file is read.
    private var groups: [SourceEntry] = []
    /// Records seen so far.
    private var position = 0

    public init(path: String) throws(SyncFailure) {
        try self.init(file: try ChunkedFile(path: path), name: path)
    }

    /// Reads an export already in memory; `name` is used in messages.
    public init(bytes: [UInt8], name: String = "the export") throws(SyncFailure) {
        try self.init(file: ChunkedFile(bytes: bytes), name: name)
    }

    init(file: ChunkedFile, name: String, recordLimit: Int = maxRecordBytes) throws(SyncFailure) {
        self.name = name
        self.recordLimit = recordLimit
        scanner = JSONStreamScanner(file: file, name: name)
        switch scanner.peek() {
        case UInt8(ascii: "[")?:
            scanner.advance()
            frames = [Frame(shape: .records(nil))]
            foundRecords = true
        case UInt8(ascii: "{")?:
            scanner.advance()
            frames = [Frame(shape: .object(wrapping: nil, top: true))]
        case nil:
            throw SyncFailure("\(name) is empty")
        default:
            throw SyncFailure("\(name) is not JSON: an export starts with [ or {", line: scanner.line)
        }
    }

    public var fractionRead: Double? { scanner.fractionRead }

    public mutating func next() async throws(SyncFailure) -> SourceEntry? {
        while !finished {
            guard let entry = try step() else { continue }
            if case .item(let item) = entry, item.kind == .group {
                groups.append(entry)
                continue
            }
            return entry
        }
        return groups.popLast()
    }

    /// One step of the walk: a record or malformed record read, or nil after a bracket, comma or member name.
    private mutating func step() throws(SyncFailure) -> SourceEntry? {
        guard let top = frames.indices.last else {
            if scanner.peek() != nil { throw scanner.failure("unexpected text after the end of the export") }
            guard foundRecords else { throw SyncFailure("\(name) has neither \"value\" nor \"users\"/\"groups\"") }
            finished = true
            groups.reverse()
            return nil
        }
        let frame = frames[top]
        guard let byte = scanner.peek() else { throw scanner.failure("the file ends before the export is closed") }
        let isArray: Bool
        if case .records = frame.shape { isArray = true } else { isArray = false }
        if byte == UInt8(ascii: isArray ? "]" : "}"), !frame.afterComma {
            scanner.advance()
            frames.removeLast()
            return nil
        }
        if frame.needsComma {
            guard byte == UInt8(ascii: ",") else {
                throw scanner.failure(isArray ? "expected ',' or ']' after record \(position)" : "expected ',' or '}' after a member")
            }
            scanner.advance()
            frames[top].needsComma = false
            frames[top].afterComma = true
            return nil
        }
        frames[top].needsComma = true
        frames[top].afterComma = false
        switch frame.shape {
        case .records(let kind):
            position += 1
            return record(try scanner.scanValue(keepingAtMost: recordLimit), forced: kind)
        case .object(let wrapping, let isTop):
            guard byte == UInt8(ascii: "\"") else { throw scanner.failure("expected a member name in double quotes") }
            let keyValue = try scanner.scanValue(keepingAtMost: 4096)
            guard let bytes = keyValue.bytes, case .string(let key)? = try? JSONParser.parse(bytes) else {
                throw scanner.failure("a member name that is not a valid string")
            }
            try scanner.expect(UInt8(ascii: ":"), "':' after \"\(key)\"")
            let lower = key.lowercased()
            if isTop, ["value", "users", "groups"].contains(lower) {
                foundRecords = true
                try open(lower == "users" ? .user : lower == "groups" ? .group : nil)
            } else if !isTop, lower == "value", scanner.peek() == UInt8(ascii: "[") {
                try open(wrapping)
            } else {
                _ = try scanner.scanValue(keepingAtMost: nil)
            }
            return nil
        }
    }

    /// Enters the array of records (or the object holding one) that starts next; skips any other value.
    private mutating func open(_ kind: SourceObjectKind?) throws(SyncFailure) {
        switch scanner.peek() {
        case UInt8(ascii: "[")?:
            scanner.advance()
            frames.append(Frame(shape: .records(kind)))
        case UInt8(ascii: "{")?:
            scanner.advance()
            frames.append(Frame(shape: .object(wrapping: kind, top: false)))
        default:
            _ = try scanner.scanValue(keepingAtMost: nil)
        }
    }

    /// Parses one record and turns it into an entry.
    private func record(_ value: JSONStreamScanner.Value, forced: SourceObjectKind?) -> SourceEntry {
        guard let bytes = value.bytes else {
            return .malformed(line: value.line, reason: "record \(position) takes \(value.size) bytes, more than the \(recordLimit) a record may")
        }
        let json: JSONValue
        do {
            json = try JSONParser.parse(bytes, limits: .init(maxDepth: 64, maxBytes: recordLimit))
        } catch {
            return .malformed(line: value.line + error.line - 1, reason: "record \(position) is not valid JSON: \(error.message)")
        }
        guard case .object(var record) = json else {
            return .malformed(line: value.line, reason: "record \(position) is \(json.typeName), not an object")
        }
        let kind = forced ?? Self.kind(of: record)
        // Graph calls Entra's objectId `id`; mappings written against Entra's attribute list read objectId.
        if record["objectId"] == nil, let id = record["id"] { record["objectId"] = id }
        if kind == .group, let members = record["members"] {
            record["members"] = .array(Self.memberIDs(members))
        }
        return .item(SourceItem(kind: kind, record: record, line: value.line))
    }

    static func kind(of record: JSONObject) -> SourceObjectKind {
        if let type = record["@odata.type"]?.stringValue { return type.lowercased().hasSuffix("group") ? .group : .user }
        // Okta's groups; its users' `type` is an object.
        if let type = record["type"]?.stringValue, ["OKTA_GROUP", "APP_GROUP", "BUILT_IN"].contains(type) { return .group }
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
