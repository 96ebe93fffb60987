import Foundation
import SCIM

extension SQLDirectory {
    /// How many ids go in one `IN (…)` list, and how many rows in one multi-row `INSERT`.
    static let batchSize = 200

    public func createResource(_ kind: ResourceKind, in organisation: Organisation.ID, _ write: ResourceWrite) async throws -> StoredResource {
        let org = Int(organisation)
        let id = ResourceIdentifier.make()
        let document = try ResourceDocument(kind: kind, id: id, object: write.object)
        let members = try MemberReference.list(document.members)
        return try await database.transaction { db in
            // Taken inside the transaction, so commit order and lastModified order agree.
            let now = Timestamp.now()
            let profile = kind == .user ? try Self.settledProfile(of: write, else: KlaxonProfile(), against: try await lockedLocations(in: org, on: db)) : nil
            var record = ResourceRecord(
                kind: kind, id: id, version: 1, created: now.text, lastModified: now.text, object: document.object, profile: profile)
            var insert = SQLFragment(
                """
                INSERT INTO resources (org_id, id, kind, seq, version, created, created_at, last_modified, last_modified_at, json, \
                user_name_lc, display_name, display_name_lc, external_id, synced_location, location_id, phone_e164, phone_problem, \
                synced_location_lc, location_choice_id, location_choice_by, location_choice_basis, location_choice_at) \
                VALUES
                """,
                [])
            insert.append(" (?, ?, \(kind.sqlLiteral), ", .integer(org), .text(id))
            insert.append(dialect.next(.resource(organisation: org, kind: kind)))
            insert.append(", 1, \(SQLFragment.placeholders(18)))", .text(now.text), .double(now.seconds), .text(now.text), .double(now.seconds))
            insert.binds += Self.indexedValues(document, profile)
            // A taken userName or group name is found by its unique index (no SELECT first: one round trip less on
            // PostgreSQL), before any member is written; as a row not inserted rather than an error, which
            // PostgreSQL would write to its log for every 409.
            insert.append(Self.unlessNameTaken(kind) + " RETURNING id")
            let statement = insert
            let inserted = try await db.rows(statement)
            guard !inserted.isEmpty else { throw Self.nameTaken(document, kind) }
            if kind == .group {
                let (references, joined) = try await insertMembers(members, into: id, in: org, on: db)
                record.members = references
                try await touchUsers(joined, in: org, at: now, on: db)
            }
            try await Self.storeEmails(document.emails, of: id, in: org, on: db)
            return record.resource
        }
    }

    public func resource(_ kind: ResourceKind, id: String, in organisation: Organisation.ID, includeMembers: Bool) async throws -> StoredResource? {
        let statement = selectOne(kind, id: id, in: Int(organisation), members: includeMembers)
        let rows = try await database.read { db in try await db.rows(statement) }
        return try rows.first.map { try ResourceRecord(row: $0).resource }
    }

    public func updateResource(
        _ kind: ResourceKind, id: String, in organisation: Organisation.ID, ifMatch: ExpectedVersions?, includeMembers: Bool,
        _ change: @Sendable (StoredResource) throws -> ResourceWrite
    ) async throws -> StoredResource {
        let org = Int(organisation)
        return try await database.transaction { db in
            // A user's locations are read (and locked) before the user: location changes lock the organisation, then
            // its users, and the same order here means neither waits for the other in a circle.
            let locations = kind == .user ? try await lockedLocations(in: org, on: db) : []
            var record = try await lockForUpdate(kind, id: id, in: org, members: includeMembers, on: db)
            // Taken once the row is ours, so successive versions have increasing lastModified.
            let now = Timestamp.now()
            try Self.checkVersion(ifMatch, of: record)
            let write = try change(record.resource)
            let document = try ResourceDocument(kind: kind, id: id, object: write.object)
            let profile = kind == .user ? try Self.settledProfile(of: write, else: record.profile, against: locations) : record.profile
            var members: [MemberReference]?
            if kind == .group, includeMembers {
                let wanted = try MemberReference.list(document.members)
                let current = (record.members ?? []).compactMap { member in
                    member["value"]?.stringValue.map { MemberReference(value: $0, display: member["display"]?.stringValue) }
                }
                if Set(wanted) != Set(current) { members = wanted }
            }
            // A write that changes nothing keeps the version and lastModified (RFC 7644 §3.5.2.1).
            guard document.object != record.object || profile != record.profile || members != nil else { return record.resource }
            if kind == .user { record.profile = profile }
            let renamed = kind == .group && document.displayName != record.object["displayName"]?.stringValue
            /// The users whose `groups` change: who joined or left, and every member of a renamed group.
            var touched: Set<String> = []
            if let members {
                let left = try await db.rows(
                    SQLFragment("DELETE FROM memberships WHERE org_id = ? AND group_id = ? RETURNING member_id", [.integer(org), .text(id)]))
                let (references, joined) = try await insertMembers(members, into: id, in: org, on: db)
                record.members = references
                touched = Set(try left.map { try $0.text("member_id") }).symmetricDifference(joined)
            }
            let previousEmails = try ResourceDocument(kind: kind, id: id, object: record.object).emails
            try await Self.storeNewVersion(of: &record, document, at: now, in: org, on: db)
            if renamed { touched.formUnion(try await memberIDs(ofGroup: id, in: org, on: db)) }
            try await touchUsers(touched, in: org, at: now, on: db)
            if document.emails != previousEmails {
                try await db.execute(SQLFragment("DELETE FROM resource_emails WHERE org_id = ? AND resource_id = ?", [.integer(org), .text(id)]))
                try await Self.storeEmails(document.emails, of: id, in: org, on: db)
            }
            return record.resource
        }
    }

    public func updateMembers(
        ofGroup id: String, in organisation: Organisation.ID, ifMatch: ExpectedVersions?, _ members: MembershipPatch,
        _ change: @Sendable (StoredResource) throws -> ResourceWrite
    ) async throws -> StoredResource {
        let org = Int(organisation)
        let replacement = try (members.clearAll ? [] : members.replaceAll).map { objects throws(SCIMError) in try MemberReference.list(objects) }
        let additions = try MemberReference.list(members.add)
        let removals = Self.batches(Array(members.remove))
        return try await database.transaction { db in
            // The group stays locked until commit: concurrent changes to its members take turns, each on the
            // membership rows the one before left, and each gets its own version.
            var record = try await lockForUpdate(.group, id: id, in: org, members: false, on: db)
            let now = Timestamp.now()
            try Self.checkVersion(ifMatch, of: record)
            // Who left and who joined, as the rows say: a member added twice, or removed without being one, is neither.
            var left: Set<String> = []
            var joined: Set<String> = []
            /// A replacement that kept the members but changed a `display` changed the group, not its users.
            var displaysChanged = false
            if let replacement {
                let rows = try await db.rows(
                    SQLFragment(
                        "DELETE FROM memberships WHERE org_id = ? AND group_id = ? RETURNING member_id, display", [.integer(org), .text(id)]))
                let before = Set(try rows.map { MemberReference(value: try $0.text("member_id"), display: $0.optionalText("display")) })
                let previous = Set(before.map(\.value))
                let current = try await insertMembers(replacement, into: id, in: org, on: db).inserted
                (left, joined) = (previous.subtracting(current), current.subtracting(previous))
                displaysChanged = before != Set(replacement)
            }
            for batch in removals {
                let rows = try await db.rows(
                    SQLFragment(
                        "DELETE FROM memberships WHERE org_id = ? AND group_id = ? AND member_id IN (\(SQLFragment.placeholders(batch.count))) "
                            + "RETURNING member_id",
                        [.integer(org), .text(id)] + batch.map(SQLValue.text)))
                for row in rows {
                    let member = try row.text("member_id")
                    if joined.remove(member) == nil { left.insert(member) }
                }
            }
            for member in try await insertMembers(additions, into: id, in: org, on: db).inserted where left.remove(member) == nil {
                joined.insert(member)
            }
            let changedMembers = left.union(joined)
            let write = try change(record.resource)
            let document = try ResourceDocument(kind: .group, id: id, object: write.object)
            // A PATCH that changes nothing keeps the version and lastModified (RFC 7644 §3.5.2.1).
            guard !changedMembers.isEmpty || displaysChanged || document.object != record.object else { return record.resource }
            let renamed = document.displayName != record.object["displayName"]?.stringValue
            try await Self.storeNewVersion(of: &record, document, at: now, in: org, on: db)
            // One set, locked in id order: members of a renamed group and those who left, together.
            try await touchUsers(renamed ? changedMembers.union(try await memberIDs(ofGroup: id, in: org, on: db)) : changedMembers, in: org, at: now, on: db)
            return record.resource
        }
    }

    public func deleteResource(_ kind: ResourceKind, id: String, in organisation: Organisation.ID, ifMatch: ExpectedVersions?) async throws {
        let org = Int(organisation)
        try await database.transaction { db in
            let now = Timestamp.now()
            // Groups before users, in id order, as every writer takes them (see lockInOrder): a group is locked
            // together with the groups it belongs to (two nested groups deleted at once deadlocked when each locked
            // its parent, the other, first).
            let parents = SQLFragment("SELECT group_id FROM memberships WHERE org_id = ? AND member_id = ?", [.integer(org), .text(id)])
            var locked = SQLFragment("r.org_id = ? AND (r.id IN (", [.integer(org)])
            locked.append(parents)
            locked.append(kind == .group ? SQLFragment(") OR r.id = ?)", [.text(id)]) : SQLFragment("))"))
            let groups = try await lockInOrder(locked, on: db).subtracting([id])
            let deleted = try await db.rows(
                SQLFragment(
                    "DELETE FROM resources WHERE org_id = ? AND id = ? AND kind = \(kind.sqlLiteral) RETURNING version",
                    [.integer(org), .text(id)]))
            guard let version = try deleted.first?.integer("version") else { throw Self.notFound(kind, id) }
            // The DELETE waited for member adds that had checked this resource exists; a group one of them joined it
            // to after the groups were locked would be locked now, after the resource, against the order every
            // writer keeps. Start again instead, with that group among the first locked.
            if dialect == .postgres, !Set(try await db.rows(parents).map { try $0.text("group_id") }).isSubset(of: groups) {
                throw SQLLockOrderConflict()
            }
            // Checked in the transaction that deletes (the throw rolls it back), so that no write slips in between.
            if let ifMatch, !ifMatch.admits(version) {
                throw SCIMError(
                    .preconditionFailed, nil, "the \(kind.rawValue) has changed since version \(ifMatch.description); it is now at version \(version)")
            }
            // The groups it belonged to have changed: give them a new version.
            try await db.execute(
                SQLFragment(
                    """
                    UPDATE resources SET version = version + 1, last_modified = ?, last_modified_at = ? \
                    WHERE org_id = ? AND id IN (SELECT group_id FROM memberships WHERE org_id = ? AND member_id = ?)
                    """,
                    [.text(now.text), .double(now.seconds), .integer(org), .integer(org), .text(id)]))
            try await db.execute(SQLFragment("DELETE FROM memberships WHERE org_id = ? AND member_id = ?", [.integer(org), .text(id)]))
            if kind == .group {
                try await touchMembers(ofGroup: id, in: org, at: now, on: db)
                try await db.execute(SQLFragment("DELETE FROM memberships WHERE org_id = ? AND group_id = ?", [.integer(org), .text(id)]))
            }
            try await db.execute(SQLFragment("DELETE FROM resource_emails WHERE org_id = ? AND resource_id = ?", [.integer(org), .text(id)]))
        }
    }

    public func queryResources(_ kind: ResourceKind, in organisation: Organisation.ID, _ query: ResourceQuery) async throws -> ResourcePage {
        if kind == .group, query.includeMembers, query.count > 1 {
            // The page without members first, to count what its members would weigh before reading them.
            var lean = query
            lean.includeMembers = false
            let page = try await queryResources(kind, in: organisation, lean)
            let ids = page.resources.map(\.id)
            var members = 0
            for batch in Self.batches(ids) where !batch.isEmpty {
                let statement = SQLFragment(
                    "SELECT count(*) AS n FROM memberships WHERE org_id = ? AND group_id IN (\(SQLFragment.placeholders(batch.count)))",
                    [.integer(Int(organisation))] + batch.map(SQLValue.text))
                members += try await database.read { db in try await db.rows(statement) }.first?.integer("n") ?? 0
            }
            guard members <= query.memberBudget else {
                throw SCIMError(
                    .badRequest, .tooMany,
                    "these \(ids.count) groups have \(members) members, more than one page holds (\(query.memberBudget)): "
                        + "ask for fewer with count, or leave members out with excludedAttributes=members")
            }
            // Then those groups with their members, by id: running the query again would scan the organisation a
            // second time when SQL cannot evaluate its filter or sort.
            var withMembers: [String: StoredResource] = [:]
            for batch in Self.batches(ids) where !batch.isEmpty {
                let statement = SQLFragment(
                    ResourceRecord.select(.group, members: true, dialect: dialect)
                        + " WHERE r.org_id = ? AND r.kind = \(ResourceKind.group.sqlLiteral) AND r.id IN (\(SQLFragment.placeholders(batch.count)))",
                    [.integer(Int(organisation))] + batch.map(SQLValue.text))
                for row in try await database.read({ db in try await db.rows(statement) }) {
                    let resource = try ResourceRecord(row: row).resource
                    withMembers[resource.id] = resource
                }
            }
            // A group deleted in between is left out; the total is the query's.
            return ResourcePage(totalResults: page.totalResults, resources: ids.compactMap { withMembers[$0] })
        }
        let listing = try ResourceListing(kind: kind, organisation: Int(organisation), query: query, schema: schema(for: kind), dialect: dialect)
        guard listing.isExact else {
            // A scan of the organisation: off the cooperative pool and two at a time, so that scans cannot stall
            // every request or hold every connection.
            return try await ScanExecutor.shared.run {
                let collector = MatchCollector(listing)
                let statement = listing.candidateStatement
                try await database.read { db in
                    try await db.forEachRow(statement) { collector.consume($0) }
                }
                if let failure = collector.failure { throw failure }
                return ResourcePage(totalResults: collector.total, resources: collector.page)
            }
        }
        return try await database.read { db in
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

    func selectOne(_ kind: ResourceKind, id: String, in organisation: Int, members: Bool) -> SQLFragment {
        let shape = SelectOneShape(dialect: dialect, kind: kind, members: kind == .group && members)
        return SQLFragment(Self.selectOneText[shape] ?? shape.text, [.integer(organisation), .text(id)])
    }

    /// What the text of a one-resource read depends on.
    private struct SelectOneShape: Hashable {
        var dialect: SQLDialect
        var kind: ResourceKind
        var members: Bool

        var text: String {
            ResourceRecord.select(kind, members: members, dialect: dialect) + " WHERE r.org_id = ? AND r.id = ? AND r.kind = \(kind.sqlLiteral)"
        }
    }

    /// Every one-resource read's text, built once: a GET by id would otherwise spend more assembling it than
    /// SQLite spends finding the cached statement.
    private static let selectOneText: [SelectOneShape: String] = {
        var texts: [SelectOneShape: String] = [:]
        for dialect in [SQLDialect.sqlite, .postgres] {
            for kind in ResourceKind.allCases {
                for members in [false, true] {
                    let shape = SelectOneShape(dialect: dialect, kind: kind, members: members)
                    texts[shape] = shape.text
                }
            }
        }
        return texts
    }()

    /// Locks a resource until the transaction ends, then reads it, so that writers of one resource take turns
    /// whichever instance they run on, and each sees the version the one before it stored. Where rows are locked
    /// (PostgreSQL) the read is a statement of its own: a locking read that waited re-reads the row but not the
    /// relations beside it (a user's groups, a group's members), which would be as old as the wait.
    func lockForUpdate(_ kind: ResourceKind, id: String, in organisation: Int, members: Bool, on db: any SQLConnection) async throws -> ResourceRecord {
        try await lockInOrder(SQLFragment("r.org_id = ? AND r.id = ? AND r.kind = \(kind.sqlLiteral)", [.integer(organisation), .text(id)]), on: db)
        guard let row = try await db.rows(selectOne(kind, id: id, in: organisation, members: members)).first else {
            throw Self.notFound(kind, id)
        }
        return try ResourceRecord(row: row)
    }

    /// Locks the resources `condition` selects (over `resources r`) in id order, where the database locks rows
    /// (PostgreSQL; SQLite has one writer and needs nothing). Writers lock a group before its users, and several
    /// rows in id order, so that two transactions never wait for each other in a circle.
    /// Returns the ids it locked (none on SQLite).
    @discardableResult
    func lockInOrder(_ condition: SQLFragment, on db: any SQLConnection) async throws -> Set<String> {
        let lock = dialect.locking(.update, of: "r")
        guard !lock.isEmpty else { return [] }
        var statement = SQLFragment("SELECT r.id FROM resources r WHERE ")
        statement.append(condition)
        statement.append(" ORDER BY r.id" + lock)
        return Set(try await db.rows(statement).map { try $0.text("id") })
    }

    static func checkVersion(_ ifMatch: ExpectedVersions?, of record: ResourceRecord) throws(SCIMError) {
        guard let ifMatch, !ifMatch.admits(record.version) else { return }
        throw SCIMError(
            .preconditionFailed, nil,
            "the \(record.kind.rawValue) has changed since version \(ifMatch.description); it is now at version \(record.version)")
    }

    /// Gives the users among `ids` a new version: their `groups` changed. Locked in id order (see lockInOrder).
    func touchUsers(_ ids: Set<String>, in organisation: Int, at now: Timestamp, on db: any SQLConnection) async throws {
        for batch in Self.batches(ids.sorted()) {
            try await lockInOrder(
                SQLFragment(
                    "r.org_id = ? AND r.kind = \(ResourceKind.user.sqlLiteral) AND r.id IN (\(SQLFragment.placeholders(batch.count)))",
                    [.integer(organisation)] + batch.map(SQLValue.text)),
                on: db)
            try await db.execute(
                SQLFragment(
                    "UPDATE resources SET version = version + 1, last_modified = ?, last_modified_at = ? "
                        + "WHERE org_id = ? AND kind = \(ResourceKind.user.sqlLiteral) AND id IN (\(SQLFragment.placeholders(batch.count)))",
                    [.text(now.text), .double(now.seconds), .integer(organisation)] + batch.map(SQLValue.text)))
        }
    }

    /// The ids of a group's members.
    func memberIDs(ofGroup group: String, in organisation: Int, on db: any SQLConnection) async throws -> Set<String> {
        let rows = try await db.rows(
            SQLFragment("SELECT member_id FROM memberships WHERE org_id = ? AND group_id = ?", [.integer(organisation), .text(group)]))
        return Set(try rows.map { try $0.text("member_id") })
    }

    /// Gives a group's users a new version: the group is going, and with it their `groups` entry.
    func touchMembers(ofGroup group: String, in organisation: Int, at now: Timestamp, on db: any SQLConnection) async throws {
        try await lockInOrder(
            SQLFragment(
                "r.org_id = ? AND r.kind = \(ResourceKind.user.sqlLiteral) AND r.id IN (SELECT member_id FROM memberships WHERE org_id = ? AND group_id = ?)",
                [.integer(organisation), .integer(organisation), .text(group)]),
            on: db)
        try await db.execute(
            SQLFragment(
                """
                UPDATE resources SET version = version + 1, last_modified = ?, last_modified_at = ? \
                WHERE org_id = ? AND kind = \(ResourceKind.user.sqlLiteral) \
                AND id IN (SELECT member_id FROM memberships WHERE org_id = ? AND group_id = ?)
                """,
                [.text(now.text), .double(now.seconds), .integer(organisation), .integer(organisation), .text(group)]))
    }

    /// The unique index that keeps users' userNames, or groups' displayNames, apart.
    static func uniqueIndex(_ kind: ResourceKind) -> String {
        kind == .user ? "resources_user_name" : "resources_group_name"
    }

    /// The clause that makes an `INSERT` into `resources` skip a row whose name ``uniqueIndex(_:)`` already holds.
    static func unlessNameTaken(_ kind: ResourceKind) -> String {
        kind == .user
            ? " ON CONFLICT (org_id, user_name_lc) DO NOTHING"
            : " ON CONFLICT (org_id, display_name_lc) WHERE kind = \(ResourceKind.group.sqlLiteral) DO NOTHING"
    }

    static func nameTaken(_ document: ResourceDocument, _ kind: ResourceKind) -> SCIMError {
        switch kind {
        case .user: return .uniqueness("userName '\(document.object["userName"]?.stringValue ?? "")' is already taken")
        case .group: return .uniqueness("a group named '\(document.displayName ?? "")' already exists")
        }
    }

    /// The profile a user write stores: `write`'s own (`stored` if it has none), checked, and worked out again if
    /// the organisation's locations changed since it was. `current` comes from ``lockedLocations(in:on:)``, read with a
    /// share lock on the organisation's row, which every location change locks for update (SQLite: its one
    /// writer), so that none changes until the transaction ends: a location added, renamed or removed meanwhile
    /// waits for this write, and then moves this user too, or this write waits for it and sees it.
    static func settledProfile(of write: ResourceWrite, else stored: KlaxonProfile?, against current: [Location]) throws -> KlaxonProfile? {
        let profile: KlaxonProfile?
        if let located = write.located, located.locations != current {
            profile = try located.derive(current)
        } else {
            profile = write.profile ?? stored
        }
        try check(profile, against: current)
        return profile
    }

    /// The organisation's locations, which cannot change until the transaction ends (see ``settledProfile(of:else:against:)``).
    func lockedLocations(in organisation: Int, on db: any SQLConnection) async throws -> [Location] {
        let lock = dialect.locking(.share, of: "organisations")
        if !lock.isEmpty {
            // Its own statement: a read that waited for a lock sees the locked row as it is now, but the rows joined
            // to it as they were when the statement began, i.e. the locations the change it waited for replaced.
            _ = try await db.rows(SQLFragment("SELECT 1 FROM organisations WHERE id = ?" + lock, [.integer(organisation)]))
        }
        let rows = try await db.rows(
            SQLFragment(
                """
                SELECT o.id AS organisation, l.org_id, l.id, l.name, l.is_default FROM organisations o \
                LEFT JOIN locations l ON l.org_id = o.id WHERE o.id = ? ORDER BY l.name_lc, l.id
                """,
                [.integer(organisation)]))
        guard !rows.isEmpty else { throw SCIMError.notFound("organisation \(organisation) does not exist") }
        return try rows.filter { $0.optionalInteger("id") != nil }.map(Self.location)
    }

    /// 400 `invalidValue` if the profile's synced location cannot be indexed, or it names a location (in force or
    /// set by hand) that is not among `locations`.
    static func check(_ profile: KlaxonProfile?, against locations: [Location]) throws {
        try ResourceDocument.checkIndexable(profile?.syncedLocation, as: "location")
        let known = Set(locations.map(\.id))
        for location in [profile?.locationID, profile?.locationChoice?.locationID].compactMap({ $0 }) where !known.contains(location) {
            throw SCIMError.invalidValue("location \(location) does not exist in this organisation")
        }
    }


    /// Adds members to a group (ignoring ids already there) after checking that each is a user or group of the
    /// organisation, which then cannot be deleted until the transaction ends. Returns the members as a group reads
    /// them, ordered by id, and the ids that were not members already.
    func insertMembers(
        _ members: [MemberReference], into group: String, in organisation: Int, on db: any SQLConnection
    ) async throws -> (references: [JSONValue], inserted: Set<String>) {
        guard !members.isEmpty else { return ([], []) }
        if members.contains(where: { $0.value == group }) {
            throw SCIMError.invalidValue("a group cannot be a member of itself ('\(group)')")
        }
        var kinds: [String: String] = [:]
        for batch in Self.batches(members.map(\.value)) {
            let rows = try await db.rows(
                SQLFragment(
                    "SELECT r.id, r.kind FROM resources r WHERE r.org_id = ? AND r.id IN (\(SQLFragment.placeholders(batch.count)))"
                        + dialect.locking(.keyShare, of: "r"),
                    [.integer(organisation)] + batch.map(SQLValue.text)))
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
        var inserted: Set<String> = []
        for batch in Self.batches(members) {
            var insert = SQLFragment(
                "INSERT INTO memberships (org_id, group_id, member_id, member_type, display) VALUES \(SQLFragment.rows(batch.count, of: 5)) "
                    + "ON CONFLICT DO NOTHING RETURNING member_id")
            for member in batch {
                insert.binds += [
                    .integer(organisation), .text(group), .text(member.value), .text(kinds[member.value] ?? ""), .text(orNull: member.display),
                ]
            }
            for row in try await db.rows(insert) { inserted.insert(try row.text("member_id")) }
        }
        let references = members.sorted { $0.value < $1.value }.map { member in
            ResourceRecord.reference(
                value: .string(member.value), display: member.display.map(JSONValue.string), type: kinds[member.value].map(JSONValue.string))
        }
        return (references, inserted)
    }

    /// Stores a changed resource as its next version.
    static func storeNewVersion(
        of record: inout ResourceRecord, _ document: ResourceDocument, at now: Timestamp, in organisation: Int, on db: any SQLConnection
    ) async throws {
        let (nameKey, newName) = record.kind == .user ? ("userName", document.userNameLC) : ("displayName", document.displayNameLC)
        if let newName, record.object[nameKey]?.stringValue?.caseFolded != newName {
            // A rename into a taken name is looked for first, so that it is a 409 without PostgreSQL logging the
            // failed UPDATE and the name with it; the unique index still settles a race with a concurrent write.
            let nameColumn = record.kind == .user ? "user_name_lc" : "display_name_lc"
            let holders = try await db.rows(
                SQLFragment(
                    "SELECT id FROM resources WHERE org_id = ? AND kind = \(record.kind.sqlLiteral) AND \(nameColumn) = ? LIMIT 1",
                    [.integer(organisation), .text(newName)]))
            if !holders.isEmpty { throw nameTaken(document, record.kind) }
        }
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
            [.integer(record.version), .text(now.text), .double(now.seconds)])
        update.binds += indexedValues(document, record.profile) + [.integer(organisation), .text(record.id)]
        let statement = update
        try await claiming(uniqueIndex(record.kind), or: nameTaken(document, record.kind)) { try await db.execute(statement) }
    }

    /// `json`, the indexed columns and the profile columns, in the order the statements above name them.
    static func indexedValues(_ document: ResourceDocument, _ profile: KlaxonProfile?) -> [SQLValue] {
        [
            .text(JSONWriter.string(from: .object(document.object))), .text(orNull: document.userNameLC), .text(orNull: document.displayName),
            .text(orNull: document.displayNameLC), .text(orNull: document.externalID), .text(orNull: profile?.syncedLocation),
            profile?.locationID.map { .integer(Int($0)) } ?? .null, .text(orNull: profile?.phoneE164), .text(orNull: profile?.phoneProblem),
        ] + profileValues(profile)
    }

    /// The columns added for the admin UI, in the order the statements above name them: the synced location's
    /// match key and the location set by hand.
    static func profileValues(_ profile: KlaxonProfile?) -> [SQLValue] {
        let choice = profile?.locationChoice
        return [
            .text(orNull: profile?.syncedLocation.map(Location.matchKey)), choice.map { .integer(Int($0.locationID)) } ?? .null,
            .text(orNull: choice?.source.rawValue), .text(orNull: choice?.syncedLocation),
            choice.map { .double($0.at.timeIntervalSince1970) } ?? .null,
        ]
    }

    static func storeEmails(_ emails: [ResourceDocument.Email], of id: String, in organisation: Int, on db: any SQLConnection) async throws {
        guard !emails.isEmpty else { return }
        var insert = SQLFragment(
            "INSERT INTO resource_emails (org_id, resource_id, position, type_lc, value_lc) VALUES \(SQLFragment.rows(emails.count, of: 5))")
        for (position, email) in emails.enumerated() {
            insert.binds += [.integer(organisation), .text(id), .integer(position), .text(orNull: email.typeLC), .text(orNull: email.valueLC)]
        }
        try await db.execute(insert)
    }

    static func batches<Element>(_ items: [Element]) -> [ArraySlice<Element>] {
        stride(from: 0, to: items.count, by: batchSize).map { items[$0..<min($0 + batchSize, items.count)] }
    }
}
