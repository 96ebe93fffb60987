import Foundation
import SCIM

/// What the last run sent, so the next one is incremental: per source object, a fingerprint of the resource
/// it mapped to and the target's id. A record whose fingerprint is unchanged sends nothing.
///
/// ```swift
/// var state = try SyncState.load(path: "sync-state.json")   // empty if the file does not exist
/// // … run …
/// try state.save(path: "sync-state.json")
/// ```
public struct SyncState: Sendable, Equatable {
    /// One synchronised object.
    public struct Entry: Sendable, Equatable {
        public var fingerprint: String
        public var targetID: String

        public init(fingerprint: String, targetID: String) {
            self.fingerprint = fingerprint
            self.targetID = targetID
        }
    }

    /// Keyed by `user:<source id>` or `group:<source id>`.
    public var entries: [String: Entry]

    public init(entries: [String: Entry] = [:]) {
        self.entries = entries
    }

    /// Reads a state file; a missing file is an empty state, an unreadable one throws.
    public static func load(path: String) throws(SyncFailure) -> SyncState {
        guard FileManager.default.fileExists(atPath: path) else { return SyncState() }
        guard let data = FileManager.default.contents(atPath: path),
            let json = try? JSONParser.parse(Array(data), limits: .init(maxDepth: 8, maxBytes: max(data.count, 1))),
            case .array(let objects)? = json["objects"]
        else { throw SyncFailure("\(path) is not a state file written by klaxon-sync") }
        var entries: [String: Entry] = [:]
        entries.reserveCapacity(objects.count)
        for object in objects {
            guard let key = object["key"]?.stringValue, let fingerprint = object["fingerprint"]?.stringValue,
                let id = object["id"]?.stringValue
            else { continue }
            entries[key] = Entry(fingerprint: fingerprint, targetID: id)
        }
        return SyncState(entries: entries)
    }

    /// Writes the state atomically.
    public func save(path: String) throws(SyncFailure) {
        // An array of small objects, not one object keyed by source id: the parser checks each object's
        // member names for duplicates, which for one member per synchronised object would be quadratic.
        let objects: [JSONValue] = entries.sorted { $0.key < $1.key }.map { key, entry in
            ["key": .string(key), "fingerprint": .string(entry.fingerprint), "id": .string(entry.targetID)]
        }
        let json: JSONValue = ["version": 1, "objects": .array(objects)]
        do {
            try Data(JSONWriter.bytes(from: json)).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw SyncFailure("cannot write \(path): \(error)")
        }
    }

    /// The fingerprint of an object the last run left partly unsynchronised (a group whose extra members it did not
    /// remove): it matches no record, so the next run compares the object again.
    static let unsettled = ""

    /// A stable fingerprint of a value (FNV-1a over its JSON text).
    static func fingerprint(_ value: JSONValue) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in JSONWriter.bytes(from: value) {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        return String(hash, radix: 16)
    }
}
