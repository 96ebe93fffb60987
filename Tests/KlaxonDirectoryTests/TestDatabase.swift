import Foundation
import Testing
@testable import KlaxonDirectory
import SCIM

/// A folder of its own under the system's temporary directory, removed with everything in it when `body` returns.
func withTemporaryFolder<T>(_ body: (URL) async throws -> T) async throws -> T {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("klaxon-directory-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    return try await body(folder)
}

/// A directory on a new SQLite file, closed and deleted when `body` returns.
func withDirectory<T>(_ body: (SQLiteDirectory) async throws -> T) async throws -> T {
    try await withTemporaryFolder { folder in
        let directory = try await SQLiteDirectory.open(path: folder.appendingPathComponent("klaxon.sqlite").path, readers: 2)
        do {
            let result = try await body(directory)
            try await directory.close()
            return result
        } catch {
            try? await directory.close()
            throw error
        }
    }
}

/// Expects `body` to throw a ``SCIMError`` with this status and scimType.
func expectSCIMError(
    _ status: SCIMError.Status, _ scimType: SCIMError.ScimType?, sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () async throws -> Void
) async {
    do {
        try await body()
        Issue.record("expected \(status.rawValue) \(scimType?.rawValue ?? "") but nothing was thrown", sourceLocation: sourceLocation)
    } catch let error as SCIMError {
        #expect(error.status == status, "\(error)", sourceLocation: sourceLocation)
        #expect(error.scimType == scimType, "\(error)", sourceLocation: sourceLocation)
    } catch {
        Issue.record("expected a SCIMError, got \(error)", sourceLocation: sourceLocation)
    }
}

extension SQLiteDirectory {
    /// The migration versions the database records as applied, in order.
    func appliedMigrations() async throws -> [Int] {
        try await pool.withWriter { db in
            try await db.rows(SQLFragment("SELECT version FROM schema_migrations ORDER BY version")).map { try $0.integer("version") }
        }
    }

    /// The plan SQLite chooses for a list request (`EXPLAIN QUERY PLAN` of the statement that runs it), one line per step.
    func queryPlan(_ kind: ResourceKind, in organisation: Organisation.ID, _ query: ResourceQuery) async throws -> [String] {
        let listing = try ResourceListing(kind: kind, organisation: Int(organisation), query: query, schema: schema(for: kind))
        let statement = listing.isExact ? listing.pageStatement : listing.candidateStatement
        return try await pool.read { db in
            try await db.rows(SQLFragment("EXPLAIN QUERY PLAN " + statement.sql, statement.binds)).map { try $0.text("detail") }
        }
    }

    /// Creates a user with this userName and any further attributes.
    @discardableResult
    func createUser(_ userName: String, in organisation: Organisation.ID, _ attributes: JSONObject = [:], profile: KlaxonProfile? = nil) async throws -> StoredResource {
        var object: JSONObject = ["schemas": [.string(SchemaURN.user)], "userName": .string(userName)]
        for member in attributes.members { object[member.key] = member.value }
        return try await createResource(.user, in: organisation, ResourceWrite(object: object, profile: profile))
    }

    /// Creates a group with this displayName and members (by id).
    @discardableResult
    func createGroup(_ displayName: String, in organisation: Organisation.ID, members: [String] = []) async throws -> StoredResource {
        var object: JSONObject = ["schemas": [.string(SchemaURN.group)], "displayName": .string(displayName)]
        if !members.isEmpty { object["members"] = .array(members.map { ["value": .string($0)] }) }
        return try await createResource(.group, in: organisation, ResourceWrite(object: object))
    }

    /// The ids of a group's members, read back.
    func memberIDs(of group: String, in organisation: Organisation.ID) async throws -> Set<String> {
        let stored = try await resource(.group, id: group, in: organisation, includeMembers: true)
        return Set((stored?.object["members"]?.arrayValue ?? []).compactMap { $0["value"]?.stringValue })
    }
}
