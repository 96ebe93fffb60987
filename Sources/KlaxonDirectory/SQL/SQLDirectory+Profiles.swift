import Foundation
import SCIM

extension SQLDirectory {
    public func updateProfiles(
        in organisation: Organisation.ID, of selection: ProfileSelection,
        _ derive: @Sendable (StoredResource, [Location]) throws -> KlaxonProfile
    ) async throws -> Int {
        let org = Int(organisation)
        let condition: SQLFragment
        switch selection {
        case .user(let id):
            condition = SQLFragment("r.id = ?", [.text(id)])
        case .locations(let names, let ids):
            let keys = Set(names.map(Location.matchKey)).sorted()
            guard !keys.isEmpty || !ids.isEmpty else { return 0 }
            var parts: [SQLFragment] = []
            if !keys.isEmpty {
                parts.append(SQLFragment("r.synced_location_lc IN (\(SQLFragment.placeholders(keys.count)))", keys.map(SQLValue.text)))
            }
            if !ids.isEmpty {
                parts.append(SQLFragment("r.location_id IN (\(SQLFragment.placeholders(ids.count)))", ids.sorted().map { .integer(Int($0)) }))
            }
            condition = parts.dropFirst().reduce(parts[0]) { $0 || $1 }
        }
        var statement = SQLFragment(
            ResourceRecord.select(.user, members: false, dialect: dialect) + " WHERE r.org_id = ? AND r.kind = \(ResourceKind.user.sqlLiteral) AND (",
            [.integer(org)])
        statement.append(condition)
        statement.append(") ORDER BY r.seq" + dialect.locking(.update, of: "r"))
        return try await database.transaction { [statement] db in
            // The organisation's locations cannot change, nor the users be written elsewhere, until this commits.
            try await lockOrganisation(org, on: db)
            let locations = try await db.rows(
                SQLFragment("SELECT org_id, id, name, is_default FROM locations WHERE org_id = ? ORDER BY name_lc, id", [.integer(org)])
            ).map(Self.location)
            let records = try await db.rows(statement).map(ResourceRecord.init(row:))
            if case .user(let id) = selection, records.isEmpty { throw Self.notFound(.user, id) }
            var changed = 0
            for record in records {
                let profile = try derive(record.resource, locations)
                guard profile != record.profile else { continue }
                try Self.check(profile, against: locations)
                var update = SQLFragment(
                    """
                    UPDATE resources SET synced_location = ?, location_id = ?, phone_e164 = ?, phone_problem = ?, synced_location_lc = ?, \
                    location_choice_id = ?, location_choice_by = ?, location_choice_basis = ?, location_choice_at = ? \
                    WHERE org_id = ? AND id = ?
                    """,
                    [
                        .text(orNull: profile.syncedLocation), profile.locationID.map { .integer(Int($0)) } ?? .null,
                        .text(orNull: profile.phoneE164), .text(orNull: profile.phoneProblem),
                    ])
                update.binds += Self.profileValues(profile) + [.integer(org), .text(record.id)]
                try await db.execute(update)
                changed += 1
            }
            return changed
        }
    }

    public func unmatchedLocations(in organisation: Organisation.ID, sample: Int) async throws -> [UnmatchedLocation] {
        let org = Int(organisation)
        // One statement, so the counts and the samples agree: every unmatched user numbered within its location.
        let statement = SQLFragment(
            """
            SELECT \(ResourceRecord.columns), \(ResourceRecord.relations(for: .user, members: false, dialect: dialect)), g.total, g.key FROM (
                SELECT u.id, u.synced_location_lc AS key, count(*) OVER (PARTITION BY u.synced_location_lc) AS total,
                    row_number() OVER (PARTITION BY u.synced_location_lc ORDER BY u.seq) AS position
                FROM resources u
                WHERE u.org_id = ? AND u.kind = \(ResourceKind.user.sqlLiteral) AND u.synced_location_lc IS NOT NULL AND u.synced_location_lc != ''
                    AND u.location_choice_id IS NULL
                    AND NOT EXISTS (SELECT 1 FROM locations l WHERE l.org_id = u.org_id AND l.name_lc = u.synced_location_lc)
            ) g JOIN resources r ON r.org_id = ? AND r.id = g.id
            WHERE g.position <= ? ORDER BY g.total DESC, g.key, g.position
            """,
            [.integer(org), .integer(org), .integer(max(1, sample))])
        let rows = try await database.read { db in try await db.rows(statement) }
        var groups: [UnmatchedLocation] = []
        var lastKey: String?
        for row in rows {
            let key = try row.text("key")
            let user = try ResourceRecord(row: row).resource
            if key != lastKey {
                let name = user.profile?.syncedLocation?.trimmingCharacters(in: .whitespacesAndNewlines) ?? key
                groups.append(UnmatchedLocation(name: name, userCount: try row.integer("total"), sample: []))
                lastKey = key
            }
            if groups[groups.count - 1].sample.count < sample {
                groups[groups.count - 1].sample.append(user)
            }
        }
        return groups
    }
}
