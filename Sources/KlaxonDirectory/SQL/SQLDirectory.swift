import Foundation
import SCIM

/// The ``Directory`` on a SQL database: SQLite (one file, the default; see ``SQLiteDirectory``) or PostgreSQL
/// (shared by several server instances; see ``PostgresDirectory``). One implementation serves both, with the
/// differences in ``SQLDialect`` and in each backend's connection pool.
///
/// Resources are stored as JSON with indexed columns for what identity platforms filter on, so a `userName eq`
/// filter or a membership change costs an index look-up however large the organisation. Every table is keyed by
/// organisation first. Writes that several instances may make at once are safe on PostgreSQL: a resource being
/// changed is locked until its transaction ends, so versions and `If-Match` hold across instances, and a unique
/// name claimed by a concurrent transaction is a 409. Call ``close()`` once at shutdown.
///
/// ```swift
/// let directory = try await SQLiteDirectory.open(path: "klaxon.sqlite")
/// let acme = try await directory.createOrganisation(slug: "acme", name: "Acme")
/// let token = try await directory.issueToken(in: acme.id, label: "Entra ID")
/// let user = try await directory.createResource(.user, in: acme.id, ResourceWrite(object: ["userName": "bjensen"]))
/// try await directory.close()
/// ```
public final class SQLDirectory: Directory {
    let database: any SQLDatabase
    let userSchema: ResourceSchema
    let groupSchema: ResourceSchema

    /// A token's last use is recorded at most this often, so that authentication stays a read.
    static let lastUsedResolution: Double = 60

    var dialect: SQLDialect { database.dialect }

    private init(database: any SQLDatabase, userSchema: ResourceSchema, groupSchema: ResourceSchema) {
        self.database = database
        self.userSchema = userSchema
        self.groupSchema = groupSchema
    }

    /// Brings the database's schema up to date and wraps it; closes the database if that fails.
    static func open(_ database: any SQLDatabase, schema: SQLSchema, schemas: SchemaRegistry) async throws -> SQLDirectory {
        do {
            guard let users = schemas.resourceSchema(for: ResourceKind.user.rawValue),
                let groups = schemas.resourceSchema(for: ResourceKind.group.rawValue)
            else {
                throw SCIMError.invalidValue("the schema registry must define the User and Group resource types")
            }
            try await schema.migrate(database)
            return SQLDirectory(database: database, userSchema: users, groupSchema: groups)
        } catch {
            try? await database.close()
            throw error
        }
    }

    public func ping() async throws {
        _ = try await database.read { db in try await db.rows(SQLFragment("SELECT 1 AS reachable")) }
    }

    public func close() async throws {
        try await database.close()
    }

    // MARK: Organisations

    public func createOrganisation(slug: String, name: String) async throws -> Organisation {
        try Self.validateSlug(slug)
        let name = try Self.requiredName(name, of: "organisation")
        let created = Timestamp.now()
        let taken = SCIMError.uniqueness("an organisation with the slug '\(slug)' already exists")
        return try await database.transaction { db in
            guard try await db.rows(SQLFragment("SELECT 1 FROM organisations WHERE slug = ?", [.text(slug)])).isEmpty else { throw taken }
            let inserted = try await Self.claiming("organisations_slug", or: taken) {
                try await db.rows(
                    SQLFragment(
                        "INSERT INTO organisations (slug, name, created) VALUES (?, ?, ?) RETURNING id",
                        [.text(slug), .text(name), .double(created.seconds)]))
            }
            let id = try Self.returnedID(inserted)
            try await db.execute(
                SQLFragment(
                    "INSERT INTO locations (org_id, id, name, name_lc, is_default) VALUES (?, 1, ?, ?, 1)",
                    [.integer(id), .text(Self.defaultLocationName), .text(Self.defaultLocationName.caseFolded)]))
            return Organisation(id: Int64(id), slug: slug, name: name, created: created.date)
        }
    }

    public func organisations() async throws -> [Organisation] {
        try await database.read { db in
            try await db.rows(SQLFragment("SELECT id, slug, name, created FROM organisations ORDER BY id")).map(Self.organisation)
        }
    }

    public func organisation(slug: String) async throws -> Organisation? {
        try await database.read { db in
            try await db.rows(SQLFragment("SELECT id, slug, name, created FROM organisations WHERE slug = ?", [.text(slug)]))
                .first.map(Self.organisation)
        }
    }

    /// The name of the location every new organisation starts with.
    static let defaultLocationName = "Default"

    /// The `id` an `INSERT … RETURNING id` gave back.
    static func returnedID(_ rows: [SQLRow]) throws -> Int {
        guard let row = rows.first else { throw SQLDirectoryError.corrupt("an insert returned no id") }
        return try row.integer("id")
    }

    /// Runs a write that a concurrent transaction may have beaten to a unique value, and reports that as `conflict`.
    static func claiming<T>(_ constraint: String, or conflict: SCIMError, _ write: () async throws -> T) async throws -> T {
        do {
            return try await write()
        } catch let violation as SQLUniqueViolation where violation.constraint == constraint {
            throw conflict
        }
    }

    private static func organisation(_ row: SQLRow) throws -> Organisation {
        Organisation(
            id: Int64(try row.integer("id")), slug: try row.text("slug"), name: try row.text("name"),
            created: Date(timeIntervalSince1970: try row.double("created")))
    }

    /// Slugs appear in URLs: 1–63 lowercase letters, digits and `-`, starting with a letter or digit.
    private static func validateSlug(_ slug: String) throws(SCIMError) {
        let bytes = Array(slug.utf8)
        let allowed = bytes.allSatisfy { (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x2D }
        guard (1...63).contains(bytes.count), allowed, bytes.first != 0x2D else {
            throw .invalidValue("'\(slug)' is not a valid slug: use 1 to 63 lowercase letters, digits and '-', e.g. 'acme-corp'")
        }
    }

    /// The name with its white space (tabs and line breaks included) collapsed to single spaces, as location names
    /// are matched (``KlaxonLocationName/matchKey(_:)``); refused if empty, longer than the indexed-text limit, or
    /// holding other control characters.
    private static func requiredName(_ name: String, of thing: String) throws(SCIMError) -> String {
        let collapsed = try printableText(name, as: "a \(thing) name")
        guard !collapsed.isEmpty else { throw .invalidValue("a \(thing) needs a name") }
        try ResourceDocument.checkIndexable(collapsed, as: "\(thing) name")
        return collapsed
    }

    /// `text` with its white space (tabs and line breaks included) collapsed to single spaces and trimmed; refused if
    /// other control characters remain (see ``checkPrintable(_:as:)``).
    static func printableText(_ text: String, as what: String) throws(SCIMError) -> String {
        let collapsed = text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        try checkPrintable(collapsed, as: what)
        return collapsed
    }

    /// Names and labels are shown to admins and stored as text: control characters (U+0000, an escape) have no place
    /// in them, and PostgreSQL cannot store U+0000 at all.
    static func checkPrintable(_ text: String, as what: String) throws(SCIMError) {
        guard text.unicodeScalars.allSatisfy({ $0.properties.generalCategory != .control }) else {
            throw .invalidValue("\(what) cannot contain control characters")
        }
    }

    /// 404 if the organisation does not exist. Otherwise its row stays locked until the transaction ends, so that
    /// changes numbering its tokens and locations, or choosing its Default, take turns across instances.
    func lockOrganisation(_ organisation: Int, on db: any SQLConnection) async throws {
        let rows = try await db.rows(
            SQLFragment("SELECT 1 FROM organisations WHERE id = ?" + dialect.locking(.update, of: "organisations"), [.integer(organisation)]))
        guard !rows.isEmpty else { throw SCIMError.notFound("organisation \(organisation) does not exist") }
    }

    // MARK: Tokens

    public func issueToken(in organisation: Organisation.ID, label: String) async throws -> IssuedToken {
        let label = try Self.printableText(label, as: "a token label")
        let org = Int(organisation)
        let secret = TokenHasher.newSecret()
        let created = Timestamp.now()
        let hint = TokenHasher.hint(of: secret)
        return try await database.transaction { db in
            try await lockOrganisation(org, on: db)
            let inserted = try await db.rows(
                SQLFragment(
                    """
                    INSERT INTO tokens (org_id, id, hash, hint, label, created) \
                    VALUES (?, (SELECT coalesce(max(id), 0) + 1 FROM tokens WHERE org_id = ?), ?, ?, ?, ?) RETURNING id
                    """,
                    [.integer(org), .integer(org), .text(TokenHasher.hash(secret)), .text(hint), .text(label), .double(created.seconds)]))
            let id = try Self.returnedID(inserted)
            let record = TokenRecord(
                id: Int64(id), organisation: organisation, label: label, hint: hint, created: created.date, lastUsed: nil, revoked: nil)
            return IssuedToken(record: record, secret: secret)
        }
    }

    public func tokens(in organisation: Organisation.ID) async throws -> [TokenRecord] {
        try await database.read { db in
            try await db.rows(
                SQLFragment(
                    "SELECT org_id, id, hint, label, created, last_used, revoked FROM tokens WHERE org_id = ? ORDER BY id",
                    [.integer(Int(organisation))])
            ).map(Self.tokenRecord)
        }
    }

    public func revokeToken(_ id: TokenRecord.ID, in organisation: Organisation.ID) async throws -> Bool {
        let revoked = Timestamp.now()
        return try await database.autocommit { db in
            try await !db.rows(
                SQLFragment(
                    "UPDATE tokens SET revoked = coalesce(revoked, ?) WHERE org_id = ? AND id = ? RETURNING id",
                    [.double(revoked.seconds), .integer(Int(organisation)), .integer(Int(id))])
            ).isEmpty
        }
    }

    public func renameToken(_ id: TokenRecord.ID, to label: String, in organisation: Organisation.ID) async throws -> Bool {
        let label = try Self.printableText(label, as: "a token label")
        return try await database.autocommit { db in
            try await !db.rows(
                SQLFragment(
                    "UPDATE tokens SET label = ? WHERE org_id = ? AND id = ? RETURNING id",
                    [.text(label), .integer(Int(organisation)), .integer(Int(id))])
            ).isEmpty
        }
    }

    public func authenticate(secret: String) async throws -> (Organisation, TokenRecord)? {
        let hash = TokenHasher.hash(secret)
        let rows = try await database.read { db in
            try await db.rows(
                SQLFragment(
                    """
                    SELECT t.org_id, t.id, t.hash, t.hint, t.label, t.created, t.last_used, t.revoked, \
                    o.slug, o.name, o.created AS org_created \
                    FROM tokens t JOIN organisations o ON o.id = t.org_id WHERE t.hash = ?
                    """,
                    [.text(hash)]))
        }
        // The index found the row; the constant-time comparison is what decides.
        guard let row = rows.first, TokenHasher.constantTimeEquals(try row.text("hash"), hash) else { return nil }
        var record = try Self.tokenRecord(row)
        guard record.revoked == nil else { return nil }
        let organisation = Organisation(
            id: record.organisation, slug: try row.text("slug"), name: try row.text("name"),
            created: Date(timeIntervalSince1970: try row.double("org_created")))
        let now = Timestamp.now()
        if let lastUsed = record.lastUsed, now.seconds - lastUsed.timeIntervalSince1970 < Self.lastUsedResolution {
            return (organisation, record)
        }
        let owner = record.organisation
        let id = record.id
        try await database.autocommit { db in
            try await db.execute(
                SQLFragment(
                    "UPDATE tokens SET last_used = ? WHERE org_id = ? AND id = ?",
                    [.double(now.seconds), .integer(Int(owner)), .integer(Int(id))]))
        }
        record.lastUsed = now.date
        return (organisation, record)
    }

    private static func tokenRecord(_ row: SQLRow) throws -> TokenRecord {
        TokenRecord(
            id: Int64(try row.integer("id")), organisation: Int64(try row.integer("org_id")), label: try row.text("label"),
            hint: try row.text("hint"), created: Date(timeIntervalSince1970: try row.double("created")),
            lastUsed: row.optionalDouble("last_used").map(Date.init(timeIntervalSince1970:)),
            revoked: row.optionalDouble("revoked").map(Date.init(timeIntervalSince1970:)))
    }

    // MARK: Locations

    public func locations(in organisation: Organisation.ID) async throws -> [Location] {
        try await database.read { db in
            try await db.rows(
                SQLFragment(
                    "SELECT org_id, id, name, is_default FROM locations WHERE org_id = ? ORDER BY name_lc, id",
                    [.integer(Int(organisation))])
            ).map(Self.location)
        }
    }

    public func addLocation(named name: String, in organisation: Organisation.ID) async throws -> Location {
        let org = Int(organisation)
        let name = try Self.requiredName(name, of: "location")
        return try await database.transaction { db in
            try await lockOrganisation(org, on: db)
            try await Self.checkLocationName(name, in: org, excluding: nil, on: db)
            let inserted = try await Self.claiming("locations_name", or: Self.locationNameTaken(name)) {
                try await db.rows(
                    SQLFragment(
                        """
                        INSERT INTO locations (org_id, id, name, name_lc, is_default) \
                        VALUES (?, (SELECT coalesce(max(id), 0) + 1 FROM locations WHERE org_id = ?), ?, ?, 0) RETURNING id
                        """,
                        [.integer(org), .integer(org), .text(name), .text(name.caseFolded)]))
            }
            let id = try Self.returnedID(inserted)
            return Location(id: Int64(id), organisation: organisation, name: name, isDefault: false)
        }
    }

    public func renameLocation(_ id: Location.ID, to name: String, in organisation: Organisation.ID) async throws -> Location {
        let org = Int(organisation)
        let name = try Self.requiredName(name, of: "location")
        return try await database.transaction { db in
            try await lockOrganisation(org, on: db)
            var location = try await Self.existingLocation(Int(id), in: org, on: db)
            try await Self.checkLocationName(name, in: org, excluding: Int(id), on: db)
            try await db.execute(
                SQLFragment(
                    "UPDATE locations SET name = ?, name_lc = ? WHERE org_id = ? AND id = ?",
                    [.text(name), .text(name.caseFolded), .integer(org), .integer(Int(id))]))
            location.name = name
            return location
        }
    }

    public func removeLocation(_ id: Location.ID, in organisation: Organisation.ID) async throws {
        let org = Int(organisation)
        try await database.transaction { db in
            try await lockOrganisation(org, on: db)
            let location = try await Self.existingLocation(Int(id), in: org, on: db)
            guard !location.isDefault else {
                throw SCIMError.invalidValue("'\(location.name)' is the Default location and cannot be removed; make another location the Default first")
            }
            // User writes hold a share lock on the organisation's row, which lockOrganisation waited for, so the users
            // they wrote are visible here; newer ones wait for this transaction and then read the locations without it.
            try await db.execute(SQLFragment("DELETE FROM locations WHERE org_id = ? AND id = ?", [.integer(org), .integer(Int(id))]))
            // Users at the removed location fall back to the Default, as an unknown location name would; a choice of
            // it made by hand (which is always the location in force) is forgotten.
            try await db.execute(
                SQLFragment(
                    """
                    UPDATE resources SET location_id = (SELECT id FROM locations WHERE org_id = ? AND is_default = 1), \
                    location_choice_id = NULL, location_choice_by = NULL, location_choice_basis = NULL, location_choice_at = NULL \
                    WHERE org_id = ? AND location_id = ?
                    """,
                    [.integer(org), .integer(org), .integer(Int(id))]))
        }
    }

    public func setDefaultLocation(_ id: Location.ID, in organisation: Organisation.ID) async throws {
        let org = Int(organisation)
        try await database.transaction { db in
            try await lockOrganisation(org, on: db)
            _ = try await Self.existingLocation(Int(id), in: org, on: db)
            // Two statements: the unique index on the default is checked row by row.
            try await db.execute(
                SQLFragment("UPDATE locations SET is_default = 0 WHERE org_id = ? AND is_default = 1", [.integer(org)]))
            try await db.execute(
                SQLFragment("UPDATE locations SET is_default = 1 WHERE org_id = ? AND id = ?", [.integer(org), .integer(Int(id))]))
        }
    }

    static func location(_ row: SQLRow) throws -> Location {
        Location(
            id: Int64(try row.integer("id")), organisation: Int64(try row.integer("org_id")), name: try row.text("name"),
            isDefault: try row.integer("is_default") != 0)
    }

    private static func existingLocation(_ id: Int, in organisation: Int, on db: any SQLConnection) async throws -> Location {
        let rows = try await db.rows(
            SQLFragment(
                "SELECT org_id, id, name, is_default FROM locations WHERE org_id = ? AND id = ?", [.integer(organisation), .integer(id)]))
        guard let row = rows.first else { throw SCIMError.notFound("location \(id) does not exist") }
        return try location(row)
    }

    private static func locationNameTaken(_ name: String) -> SCIMError {
        .uniqueness("a location named '\(name)' already exists")
    }

    private static func checkLocationName(_ name: String, in organisation: Int, excluding id: Int?, on db: any SQLConnection) async throws {
        let rows = try await db.rows(
            SQLFragment("SELECT id FROM locations WHERE org_id = ? AND name_lc = ?", [.integer(organisation), .text(name.caseFolded)]))
        if let row = rows.first, try row.integer("id") != id {
            throw locationNameTaken(name)
        }
    }

    // MARK: Activity

    public func recordActivity(_ entries: [ActivityEntry]) async throws {
        guard !entries.isEmpty else { return }
        let statements = entries.map { entry in
            let org = Int(entry.organisation)
            var insert = SQLFragment(
                "INSERT INTO activity (org_id, seq, at, method, path, status, resource_id, detail, client) VALUES (?, ", [.integer(org)])
            insert.append(dialect.next(.activity(organisation: org)))
            insert.append(
                ", ?, ?, ?, ?, ?, ?, ?)", .double(entry.at.timeIntervalSince1970), .text(entry.method.replacingNUL), .text(entry.path.replacingNUL),
                .integer(entry.status), .text(orNull: entry.resourceID?.replacingNUL), .text(orNull: entry.detail?.replacingNUL),
                .text(orNull: entry.client?.replacingNUL))
            return insert
        }
        try await database.transaction { db in
            for statement in statements {
                try await db.execute(statement)
            }
        }
    }

    public func pruneActivity(in organisation: Organisation.ID, before cutoff: Date) async throws -> Int {
        try await pruneActivity(in: organisation, before: cutoff, batchSize: Self.activityPruneBatch)
    }

    /// How many activity entries one pruning transaction removes at most.
    static let activityPruneBatch = 5000

    /// ``pruneActivity(in:before:)`` in batches of `batchSize` entries, each picked through the `activity_at` index
    /// and removed by key. The statement suits both backends (SQLite's `activity` table has no rowid to use).
    func pruneActivity(in organisation: Organisation.ID, before cutoff: Date, batchSize: Int) async throws -> Int {
        let org = Int(organisation)
        let size = max(1, batchSize)
        let batch = SQLFragment(
            """
            DELETE FROM activity WHERE org_id = ? AND seq IN \
            (SELECT seq FROM activity WHERE org_id = ? AND at < ? LIMIT ?) RETURNING seq
            """,
            [.integer(org), .integer(org), .double(cutoff.timeIntervalSince1970), .integer(size)])
        return try await deleteInBatches(batch, size: size)
    }

    /// Runs `batch`, a `DELETE … RETURNING` of at most `size` rows, one transaction at a time until it removes fewer;
    /// returns how many it removed in all.
    func deleteInBatches(_ batch: SQLFragment, size: Int) async throws -> Int {
        var removed = 0
        while true {
            let count = try await database.transaction { db in try await db.rows(batch).count }
            removed += count
            guard count == size else { return removed }
            // Let the writes queued behind this batch go before the next one.
            await Task.yield()
        }
    }

    public func recentActivity(in organisation: Organisation.ID, limit: Int) async throws -> [ActivityEntry] {
        try await database.read { db in
            try await db.rows(
                SQLFragment(
                    """
                    SELECT org_id, at, method, path, status, resource_id, detail, client FROM activity \
                    WHERE org_id = ? ORDER BY at DESC, seq DESC LIMIT ?
                    """,
                    [.integer(Int(organisation)), .integer(max(0, limit))])
            ).map { row in
                ActivityEntry(
                    organisation: Int64(try row.integer("org_id")), at: Date(timeIntervalSince1970: try row.double("at")),
                    method: try row.text("method"), path: try row.text("path"), status: try row.integer("status"),
                    resourceID: row.optionalText("resource_id"), detail: row.optionalText("detail"), client: row.optionalText("client"))
            }
        }
    }
}
