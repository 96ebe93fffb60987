import Foundation
import SCIM


extension SQLiteDirectory {
    /// How many ids go in one `IN (…)` list, and how many rows in one multi-row `INSERT`.
    static let batchSize = 200

    public func createResource(_ kind: ResourceKind, in organisation: Organisation.ID, _ write: ResourceWrite) async throws -> StoredResource {
        let org = Int(organisation)
        let id = UUID().uuidString.lowercased()
        let document = try ResourceDocument(kind: kind, id: id, object: write.object)
        let members = try MemberReference.list(document.members)
        return try await pool.write { db in
            // Taken once the writer is ours, so commit order and lastModified order agree.
            let now = Timestamp.now()
            try await Self.checkUnique(document, kind: kind, in: org, excluding: nil, on: db)
            let profile = kind == .user ? (write.profile ?? KlaxonProfile()) : nil
            try await Self.checkLocation(of: profile, in: org, on: db)
            var record = ResourceRecord(
                kind: kind, id: id, version: 1, created: now.text, lastModified: now.text, object: document.object, profile: profile)
            if kind == .group {
                record.members = try await Self.insertMembers(members, into: id, in: org, on: db)
            }
            var insert = SQLFragment(
                """
                INSERT INTO resources (org_id, id, kind, seq, version, created, created_at, last_modified, last_modified_at, json, \
                user_name_lc, display_name, display_name_lc, external_id, synced_location, location_id, phone_e164, phone_problem, \
                synced_location_lc, location_choice_id, location_choice_by, location_choice_basis, location_choice_at) \
                VALUES (?, ?, \(kind.sqlLiteral), (SELECT coalesce(max(seq), 0) + 1 FROM resources WHERE org_id = ? AND kind = \(kind.sqlLiteral)), \
                1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                [.integer(org), .text(id), .integer(org), .text(now.text), .float(now.seconds)])
            insert.binds += [.text(now.text), .float(now.seconds)] + Self.indexedValues(document, profile)
            try await db.execute(insert)
            try await Self.storeEmails(document.emails, of: id, in: org, on: db)
            return record.resource
        }
    }

    public func resource(_ kind: ResourceKind, id: String, in organisation: Organisation.ID, includeMembers: Bool) async throws -> StoredResource? {
        let rows = try await pool.read { db in
            try await db.rows(Self.selectOne(kind, id: id, in: Int(organisation), members: includeMembers))
        }
        return try rows.first.map { try ResourceRecord(row: $0).resource }
    }

    public func updateResource(
        _ kind: ResourceKind, id: String, in organisation: Organisation.ID, ifMatch: Int?, includeMembers: Bool,
        _ change: @Sendable (StoredResource) throws -> ResourceWrite
    ) async throws -> StoredResource {
        let org = Int(organisation)
        return try await pool.write { db in
            // Taken once the writer is ours, so commit order and lastModified order agree.
            let now = Timestamp.now()
            var record = try await Self.load(kind, id: id, in: org, members: includeMembers, on: db)
            try Self.checkVersion(ifMatch, of: record)
            let write = try change(record.resource)
            let document = try ResourceDocument(kind: kind, id: id, object: write.object)
            try await Self.checkUnique(document, kind: kind, in: org, excluding: id, on: db)
            if kind == .user, let profile = write.profile {
                try await Self.checkLocation(of: profile, in: org, on: db)
                record.profile = profile
            }
            if kind == .group, includeMembers {
                let members = try MemberReference.list(document.members)
                try await db.execute(
                    SQLFragment("DELETE FROM memberships WHERE org_id = ? AND group_id = ?", [.integer(org), .text(id)]))
                record.members = try await Self.insertMembers(members, into: id, in: org, on: db)
            }
            let previousEmails = try ResourceDocument(kind: kind, id: id, object: record.object).emails
            try await Self.storeNewVersion(of: &record, document, at: now, in: org, on: db)
            if document.emails != previousEmails {
                try await db.execute(SQLFragment("DELETE FROM resource_emails WHERE org_id = ? AND resource_id = ?", [.integer(org), .text(id)]))
                try await Self.storeEmails(document.emails, of: id, in: org, on: db)
            }
            return record.resource
        }
    }

    public func updateMembers(
        ofGroup id: String, in organisation: Organisation.ID, ifMatch: Int?, _ members: MembershipPatch,
        _ change: @Sendable (StoredResource) throws -> ResourceWrite
    ) async throws -> StoredResource {
        let org = Int(organisation)
        let replacement = try (members.clearAll ? [] : members.replaceAll).map { objects throws(SCIMError) in try MemberReference.list(objects) }
        let additions = try MemberReference.list(members.add)
        return try await pool.write { db in
            // Taken once the writer is ours, so commit order and lastModified order agree.
            let now = Timestamp.now()
            var record = try await Self.load(.group, id: id, in: org, members: false, on: db)
            try Self.checkVersion(ifMatch, of: record)
            if let replacement {
                try await db.execute(
                    SQLFragment("DELETE FROM memberships WHERE org_id = ? AND group_id = ?", [.integer(org), .text(id)]))
                _ = try await Self.insertMembers(replacement, into: id, in: org, on: db)
            }
            for batch in Self.batches(Array(members.remove)) {
                try await db.execute(
                    SQLFragment(
                        "DELETE FROM memberships WHERE org_id = ? AND group_id = ? AND member_id IN (\(SQLFragment.placeholders(batch.count)))",
                        [.integer(org), .text(id)] + batch.map(SQLiteData.text)))
            }
            _ = try await Self.insertMembers(additions, into: id, in: org, on: db)
            let write = try change(record.resource)
            let document = try ResourceDocument(kind: .group, id: id, object: write.object)
            try await Self.checkUnique(document, kind: .group, in: org, excluding: id, on: db)
            try await Self.storeNewVersion(of: &record, document, at: now, in: org, on: db)
            return record.resource
        }
    }

    public func deleteResource(_ kind: ResourceKind, id: String, in organisation: Organisation.ID) async throws {
        let org = Int(organisation)
        try await pool.write { db in
            // Taken once the writer is ours, so commit order and lastModified order agree.
            let now = Timestamp.now()
            let deleted = try await db.rows(
                SQLFragment(
                    "DELETE FROM resources WHERE org_id = ? AND id = ? AND kind = \(kind.sqlLiteral) RETURNING id",
                    [.integer(org), .text(id)]))
            guard !deleted.isEmpty else { throw Self.notFound(kind, id) }
            // The groups it belonged to have changed: give them a new version.
            try await db.execute(
                SQLFragment(
                    """
                    UPDATE resources SET version = version + 1, last_modified = ?, last_modified_at = ? \
                    WHERE org_id = ? AND id IN (SELECT group_id FROM memberships WHERE org_id = ? AND member_id = ?)
                    """,
                    [.text(now.text), .float(now.seconds), .integer(org), .integer(org), .text(id)]))
            try await db.execute(SQLFragment("DELETE FROM memberships WHERE org_id = ? AND member_id = ?", [.integer(org), .text(id)]))
            if kind == .group {
                try await db.execute(SQLFragment("DELETE FROM memberships WHERE org_id = ? AND group_id = ?", [.integer(org), .text(id)]))
            }
            try await db.execute(SQLFragment("DELETE FROM resource_emails WHERE org_id = ? AND resource_id = ?", [.integer(org), .text(id)]))
        }
    }

    public func queryResources(_ kind: ResourceKind, in organisation: Organisation.ID, _ query: ResourceQuery) async throws -> ResourcePage {
        let listing = try ResourceListing(kind: kind, organisation: Int(organisation), query: query, schema: schema(for: kind))
        guard listing.isExact else {
            let collector = MatchCollector(listing)
            let statement = listing.candidateStatement
            try await pool.read { db in
                try await db.query(statement.sql, statement.binds) { collector.consume($0) }
            }
            if let failure = collector.failure { throw failure }
            return ResourcePage(totalResults: collector.total, resources: collector.page)
        }
        return try await pool.read { db in
            if listing.count > 0 {
                let rows = try await db.rows(listing.pageStatement)
                if let first = rows.first {
                    return ResourcePage(totalResults: try first.integer("total"), resources: try rows.map { try ResourceRecord(row: $0).resource })
                }
                if listing.offset == 0 { return ResourcePage(totalResults: 0, resources: []) }
            }
            // Only the total was asked for, or the page starts past the end.
            let total = try await db.rows(listing.countStatement).first?.integer("total") ?? 0
            return ResourcePage(totalResults: total, resources: [])
        }
    }

    // MARK: - Helpers

    func schema(for kind: ResourceKind) -> ResourceSchema {
        kind == .user ? userSchema : groupSchema
    }

    static func notFound(_ kind: ResourceKind, _ id: String) -> SCIMError {
        .notFound("no \(kind.rawValue) with id '\(id)'")
    }

    static func selectOne(_ kind: ResourceKind, id: String, in organisation: Int, members: Bool) -> SQLFragment {
        SQLFragment(
            ResourceRecord.select(kind, members: kind == .group && members) + " WHERE r.org_id = ? AND r.id = ? AND r.kind = \(kind.sqlLiteral)",
            [.integer(organisation), .text(id)])
    }

    static func load(_ kind: ResourceKind, id: String, in organisation: Int, members: Bool, on db: SQLiteConnection) async throws -> ResourceRecord {
        guard let row = try await db.rows(selectOne(kind, id: id, in: organisation, members: members)).first else {
            throw notFound(kind, id)
        }
        return try ResourceRecord(row: row)
    }

    static func checkVersion(_ ifMatch: Int?, of record: ResourceRecord) throws(SCIMError) {
        guard let ifMatch, ifMatch != record.version else { return }
        throw SCIMError(
            .preconditionFailed, nil,
            "the \(record.kind.rawValue) has changed since version \(ifMatch); it is now at version \(record.version)")
    }

    /// 409 `uniqueness` if another user has the userName, or another group the displayName (case-insensitive).
    static func checkUnique(_ document: ResourceDocument, kind: ResourceKind, in organisation: Int, excluding id: String?, on db: SQLiteConnection) async throws {
        let rows: [SQLiteRow]
        switch kind {
        case .user:
            rows = try await db.rows(
                SQLFragment(
                    "SELECT id FROM resources WHERE org_id = ? AND user_name_lc = ?",
                    [.integer(organisation), document.userNameLC.map(SQLiteData.text) ?? .null]))
        case .group:
            rows = try await db.rows(
                SQLFragment(
                    "SELECT id FROM resources WHERE org_id = ? AND kind = \(kind.sqlLiteral) AND display_name_lc = ?",
                    [.integer(organisation), document.displayNameLC.map(SQLiteData.text) ?? .null]))
        }
        for row in rows where try row.text("id") != id {
            switch kind {
            case .user: throw SCIMError.uniqueness("userName '\(document.object["userName"]?.stringValue ?? "")' is already taken")
            case .group: throw SCIMError.uniqueness("a group named '\(document.displayName ?? "")' already exists")
            }
        }
    }

    /// 400 `invalidValue` if the profile names a location this organisation does not have.
    static func checkLocation(of profile: KlaxonProfile?, in organisation: Int, on db: SQLiteConnection) async throws {
        for location in Set([profile?.locationID, profile?.locationChoice?.locationID].compactMap { $0 }) {
            let rows = try await db.rows(
                SQLFragment("SELECT 1 FROM locations WHERE org_id = ? AND id = ?", [.integer(organisation), .integer(Int(location))]))
            guard !rows.isEmpty else { throw SCIMError.invalidValue("location \(location) does not exist in this organisation") }
        }
    }

    /// Adds members to a group (ignoring ids already there) after checking that each is a user or group of the
    /// organisation. Returns the members as a group reads them, ordered by id.
    static func insertMembers(_ members: [MemberReference], into group: String, in organisation: Int, on db: SQLiteConnection) async throws -> [JSONValue] {
        guard !members.isEmpty else { return [] }
        if members.contains(where: { $0.value == group }) {
            throw SCIMError.invalidValue("a group cannot be a member of itself ('\(group)')")
        }
        var kinds: [String: String] = [:]
        for batch in batches(members.map(\.value)) {
            let rows = try await db.rows(
                SQLFragment(
                    "SELECT id, kind FROM resources WHERE org_id = ? AND id IN (\(SQLFragment.placeholders(batch.count)))",
                    [.integer(organisation)] + batch.map(SQLiteData.text)))
            for row in rows {
                kinds[try row.text("id")] = try row.text("kind")
            }
        }
        let unknown = members.map(\.value).filter { kinds[$0] == nil }
        if !unknown.isEmpty {
            let named = unknown.prefix(5).map { "'\($0)'" }.joined(separator: ", ")
            let more = unknown.count > 5 ? " and \(unknown.count - 5) more" : ""
            throw SCIMError.invalidValue("no user or group has the id \(named)\(more); members must be existing users or groups")
        }
        for batch in batches(members) {
            var insert = SQLFragment(
                "INSERT OR IGNORE INTO memberships (org_id, group_id, member_id, member_type, display) VALUES "
                    + Array(repeating: "(?, ?, ?, ?, ?)", count: batch.count).joined(separator: ", "))
            for member in batch {
                insert.binds += [
                    .integer(organisation), .text(group), .text(member.value), .text(kinds[member.value] ?? ""),
                    member.display.map(SQLiteData.text) ?? .null,
                ]
            }
            try await db.execute(insert)
        }
        return members.sorted { $0.value < $1.value }.map { member in
            ResourceRecord.reference(
                value: .string(member.value), display: member.display.map(JSONValue.string), type: kinds[member.value].map(JSONValue.string))
        }
    }

    /// Stores a changed resource as its next version.
    static func storeNewVersion(
        of record: inout ResourceRecord, _ document: ResourceDocument, at now: Timestamp, in organisation: Int, on db: SQLiteConnection
    ) async throws {
        record.object = document.object
        record.version += 1
        record.lastModified = now.text
        var update = SQLFragment(
            """
            UPDATE resources SET version = ?, last_modified = ?, last_modified_at = ?, json = ?, user_name_lc = ?, display_name = ?, \
            display_name_lc = ?, external_id = ?, synced_location = ?, location_id = ?, phone_e164 = ?, phone_problem = ?, \
            synced_location_lc = ?, location_choice_id = ?, location_choice_by = ?, location_choice_basis = ?, location_choice_at = ? \
            WHERE org_id = ? AND id = ?
            """,
            [.integer(record.version), .text(now.text), .float(now.seconds)])
        update.binds += indexedValues(document, record.profile) + [.integer(organisation), .text(record.id)]
        try await db.execute(update)
    }

    /// `json`, the indexed columns and the profile columns, in the order the statements above name them.
    static func indexedValues(_ document: ResourceDocument, _ profile: KlaxonProfile?) -> [SQLiteData] {
        func text(_ value: String?) -> SQLiteData { value.map(SQLiteData.text) ?? .null }
        return [
            .text(JSONWriter.string(from: .object(document.object))), text(document.userNameLC), text(document.displayName),
            text(document.displayNameLC), text(document.externalID), text(profile?.syncedLocation),
            profile?.locationID.map { .integer(Int($0)) } ?? .null, text(profile?.phoneE164), text(profile?.phoneProblem),
        ] + profileValues(profile)
    }

    /// The columns added for the admin UI, in the order the statements above name them: the synced location's
    /// match key and the location set by hand.
    static func profileValues(_ profile: KlaxonProfile?) -> [SQLiteData] {
        let choice = profile?.locationChoice
        return [
            profile?.syncedLocation.map { .text(Location.matchKey($0)) } ?? .null, choice.map { .integer(Int($0.locationID)) } ?? .null,
            choice.map { .text($0.source.rawValue) } ?? .null, choice?.syncedLocation.map(SQLiteData.text) ?? .null,
            choice.map { .float($0.at.timeIntervalSince1970) } ?? .null,
        ]
    }

    static func storeEmails(_ emails: [ResourceDocument.Email], of id: String, in organisation: Int, on db: SQLiteConnection) async throws {
        guard !emails.isEmpty else { return }
        var insert = SQLFragment(
            "INSERT INTO resource_emails (org_id, resource_id, position, type_lc, value_lc) VALUES "
                + Array(repeating: "(?, ?, ?, ?, ?)", count: emails.count).joined(separator: ", "))
        for (position, email) in emails.enumerated() {
            insert.binds += [
                .integer(organisation), .text(id), .integer(position), email.typeLC.map(SQLiteData.text) ?? .null,
                email.valueLC.map(SQLiteData.text) ?? .null,
            ]
        }
        try await db.execute(insert)
    }

    static func batches<Element>(_ items: [Element]) -> [ArraySlice<Element>] {
        stride(from: 0, to: items.count, by: batchSize).map { items[$0..<min($0 + batchSize, items.count)] }
    }
}
