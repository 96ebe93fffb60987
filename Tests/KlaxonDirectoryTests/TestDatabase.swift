import Foundation
import Testing
@testable import KlaxonDirectory
import SCIM

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

extension SQLDirectory {
    /// The migration versions the database records as applied, in order.
    func appliedMigrations() async throws -> [Int] {
        try await database.read { db in
            try await db.rows(SQLFragment("SELECT version FROM schema_migrations ORDER BY version")).map { try $0.integer("version") }
        }
    }

    /// The migrations this directory's backend defines.
    var definedMigrations: [Int] {
        (dialect == .sqlite ? SQLiteMigrations.all : PostgresMigrations.all).map(\.version)
    }

    /// Runs statements of the test's own, e.g. to age a timestamp.
    func execute(_ sql: String) async throws {
        try await database.autocommit { db in try await db.execute(SQLFragment(sql)) }
    }

    /// The plan the database chooses for a list request (SQLite's `EXPLAIN QUERY PLAN` or PostgreSQL's `EXPLAIN` of
    /// the statement that runs it), one line per step.
    func queryPlan(_ kind: ResourceKind, in organisation: Organisation.ID, _ query: ResourceQuery) async throws -> [String] {
        let listing = try ResourceListing(kind: kind, organisation: Int(organisation), query: query, schema: schema(for: kind), dialect: dialect)
        let statement = listing.isExact ? listing.pageStatement : listing.candidateStatement
        let explain = dialect == .sqlite ? "EXPLAIN QUERY PLAN " : "EXPLAIN "
        let column = dialect == .sqlite ? "detail" : "QUERY PLAN"
        return try await database.read { db in
            try await db.rows(SQLFragment(explain + statement.sql, statement.binds)).map { try $0.text(column) }
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
