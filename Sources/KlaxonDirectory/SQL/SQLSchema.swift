/// A numbered schema change: its statements run once, in order, in one transaction, recorded in `schema_migrations`.
struct SQLMigration: Sendable {
    var version: Int
    var description: String
    /// One statement each: SQLite prepares a single statement per call.
    var statements: [String]
}

/// A backend's schema as numbered migrations, and the runner that brings a database up to date when it is opened.
///
/// ```swift
/// try await SQLiteMigrations.schema.migrate(pool)   // no-op when already current
/// ```
struct SQLSchema: Sendable {
    /// `CREATE TABLE IF NOT EXISTS schema_migrations (version, description, applied)` in the backend's types.
    var ledger: String
    var migrations: [SQLMigration]
    /// Run first in every migration transaction, so that instances starting at the same moment take turns. Nil when
    /// the transaction itself shuts other writers out (SQLite's `BEGIN IMMEDIATE`).
    var lock: String?

    /// Applies every migration the database has not had yet, each in its own transaction. A database that a newer
    /// release has migrated further is refused: this release would write rows that ignore the newer schema's rules.
    func migrate(_ database: any SQLDatabase) async throws {
        let newest = try await database.transaction { db in
            try await takeLock(on: db)
            try await db.execute(SQLFragment(ledger))
            return try await db.rows(SQLFragment("SELECT max(version) AS newest FROM schema_migrations")).first?.optionalInteger("newest")
        }
        let known = migrations.map(\.version).max() ?? 0
        if let newest, newest > known { throw SQLDirectoryError.newerSchema(found: newest, known: known) }
        for migration in migrations.sorted(by: { $0.version < $1.version }) {
            try await database.transaction { db in
                try await takeLock(on: db)
                // Checked under the lock, so two instances opening one database cannot both apply it.
                let applied = try await db.rows(SQLFragment("SELECT 1 FROM schema_migrations WHERE version = ?", [.integer(migration.version)]))
                guard applied.isEmpty else { return }
                for statement in migration.statements {
                    try await db.execute(SQLFragment(statement))
                }
                try await db.execute(
                    SQLFragment(
                        "INSERT INTO schema_migrations (version, description, applied) VALUES (?, ?, ?)",
                        [.integer(migration.version), .text(migration.description), .double(Timestamp.now().seconds)]))
            }
        }
    }

    private func takeLock(on db: any SQLConnection) async throws {
        if let lock { try await db.execute(SQLFragment(lock)) }
    }

    /// The indexes of `resources` (migration 1), which both backends write alike: what an `eq` filter, a
    /// uniqueness check and the list order look up.
    static let resourceIndexes = [
        "CREATE UNIQUE INDEX resources_seq ON resources (org_id, kind, seq)",
        // Only users have a user_name_lc, so this is both the look-up and the uniqueness rule.
        "CREATE UNIQUE INDEX resources_user_name ON resources (org_id, user_name_lc)",
        "CREATE INDEX resources_display_name ON resources (org_id, kind, display_name_lc)",
        "CREATE UNIQUE INDEX resources_group_name ON resources (org_id, display_name_lc) WHERE kind = 'Group'",
        "CREATE INDEX resources_external_id ON resources (org_id, kind, external_id)",
        "CREATE INDEX resources_location ON resources (org_id, location_id) WHERE location_id IS NOT NULL",
    ]
}
