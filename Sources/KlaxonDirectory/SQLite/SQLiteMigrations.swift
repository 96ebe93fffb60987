/// The SQLite schema as numbered migrations (see ``SQLSchema``); a database is brought up to date when it is opened.
///
/// Every table is keyed by organisation first, so the same schema can later be sharded by organisation.
/// Case-insensitive attributes are stored folded by Swift (lowercased, full Unicode, then NFC) in `*_lc` columns,
/// which filters compare with an operand folded the same way.
///
/// ```swift
/// try await SQLiteMigrations.schema.migrate(pool)   // no-op when already current
/// ```
enum SQLiteMigrations {
    static let schema = SQLSchema(
        ledger: """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version INTEGER PRIMARY KEY,
                description TEXT NOT NULL,
                applied REAL NOT NULL
            ) STRICT
            """,
        migrations: all, lock: nil)

    static let all: [SQLMigration] = [
        SQLMigration(
            version: 1, description: "organisations, tokens, locations, resources, emails, memberships, activity",
            statements: [
                """
                CREATE TABLE organisations (
                    id INTEGER PRIMARY KEY,
                    slug TEXT NOT NULL,
                    name TEXT NOT NULL,
                    created REAL NOT NULL
                ) STRICT
                """,
                "CREATE UNIQUE INDEX organisations_slug ON organisations (slug)",
                """
                CREATE TABLE tokens (
                    org_id INTEGER NOT NULL,
                    id INTEGER NOT NULL,
                    hash TEXT NOT NULL,
                    hint TEXT NOT NULL,
                    label TEXT NOT NULL,
                    created REAL NOT NULL,
                    last_used REAL,
                    revoked REAL,
                    PRIMARY KEY (org_id, id)
                ) STRICT, WITHOUT ROWID
                """,
                // Authentication finds a token by its hash (SHA-256, hex) alone: the organisation is what it tells us.
                "CREATE UNIQUE INDEX tokens_hash ON tokens (hash)",
                """
                CREATE TABLE locations (
                    org_id INTEGER NOT NULL,
                    id INTEGER NOT NULL,
                    name TEXT NOT NULL,
                    name_lc TEXT NOT NULL,
                    is_default INTEGER NOT NULL DEFAULT 0,
                    PRIMARY KEY (org_id, id)
                ) STRICT, WITHOUT ROWID
                """,
                "CREATE UNIQUE INDEX locations_name ON locations (org_id, name_lc)",
                "CREATE UNIQUE INDEX locations_default ON locations (org_id) WHERE is_default = 1",
                // `seq` numbers resources per organisation and kind in creation order: the stable list order.
                // `json` is the resource as stored, without `meta`, `members` or `groups`, which are rebuilt on read.
                """
                CREATE TABLE resources (
                    org_id INTEGER NOT NULL,
                    id TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    seq INTEGER NOT NULL,
                    version INTEGER NOT NULL,
                    created TEXT NOT NULL,
                    created_at REAL NOT NULL,
                    last_modified TEXT NOT NULL,
                    last_modified_at REAL NOT NULL,
                    json TEXT NOT NULL,
                    user_name_lc TEXT COLLATE NOCASE,
                    display_name TEXT,
                    display_name_lc TEXT COLLATE NOCASE,
                    external_id TEXT,
                    synced_location TEXT,
                    location_id INTEGER,
                    phone_e164 TEXT,
                    phone_problem TEXT,
                    PRIMARY KEY (org_id, id)
                ) STRICT
                """
            ] + SQLSchema.resourceIndexes + [
                """
                CREATE TABLE resource_emails (
                    org_id INTEGER NOT NULL,
                    resource_id TEXT NOT NULL,
                    position INTEGER NOT NULL,
                    type_lc TEXT COLLATE NOCASE,
                    value_lc TEXT COLLATE NOCASE,
                    PRIMARY KEY (org_id, resource_id, position)
                ) STRICT, WITHOUT ROWID
                """,
                "CREATE INDEX resource_emails_value ON resource_emails (org_id, value_lc)",
                """
                CREATE TABLE memberships (
                    org_id INTEGER NOT NULL,
                    group_id TEXT NOT NULL,
                    member_id TEXT NOT NULL,
                    member_type TEXT NOT NULL,
                    display TEXT,
                    PRIMARY KEY (org_id, group_id, member_id)
                ) STRICT, WITHOUT ROWID
                """,
                "CREATE INDEX memberships_member ON memberships (org_id, member_id)",
                """
                CREATE TABLE activity (
                    org_id INTEGER NOT NULL,
                    seq INTEGER NOT NULL,
                    at REAL NOT NULL,
                    method TEXT NOT NULL,
                    path TEXT NOT NULL,
                    status INTEGER NOT NULL,
                    resource_id TEXT,
                    detail TEXT,
                    client TEXT,
                    PRIMARY KEY (org_id, seq)
                ) STRICT, WITHOUT ROWID
                """,
                "CREATE INDEX activity_at ON activity (org_id, at)",
            ] + plannerStatistics),
        SQLMigration(
            version: 2, description: "administrators, admin sessions, sign-in failures; locations set by hand, synced location match key",
            statements: [
                // The synced location in its match form (`Location.matchKey`), so unmatched locations are found in SQL.
                // Rows written before this migration get SQLite's ASCII-only lower(); their next write stores the full form.
                "ALTER TABLE resources ADD COLUMN synced_location_lc TEXT",
                "UPDATE resources SET synced_location_lc = lower(trim(synced_location)) WHERE synced_location IS NOT NULL",
                "CREATE INDEX resources_synced_location ON resources (org_id, synced_location_lc) WHERE synced_location_lc IS NOT NULL",
                // A location set by hand: which, by whom, when, and the synced location it was set against.
                "ALTER TABLE resources ADD COLUMN location_choice_id INTEGER",
                "ALTER TABLE resources ADD COLUMN location_choice_by TEXT",
                "ALTER TABLE resources ADD COLUMN location_choice_basis TEXT",
                "ALTER TABLE resources ADD COLUMN location_choice_at REAL",
                """
                CREATE TABLE administrators (
                    org_id INTEGER NOT NULL,
                    id INTEGER NOT NULL,
                    login TEXT NOT NULL,
                    login_lc TEXT NOT NULL,
                    password_hash TEXT,
                    code_hash TEXT,
                    code_expires REAL,
                    created REAL NOT NULL,
                    last_sign_in REAL,
                    PRIMARY KEY (org_id, id)
                ) STRICT, WITHOUT ROWID
                """,
                // Sign-in names are unique on the server: sign-in finds the organisation from the name.
                "CREATE UNIQUE INDEX administrators_login ON administrators (login_lc)",
                "CREATE UNIQUE INDEX administrators_code ON administrators (code_hash) WHERE code_hash IS NOT NULL",
                """
                CREATE TABLE admin_sessions (
                    org_id INTEGER NOT NULL,
                    hash TEXT NOT NULL,
                    admin_id INTEGER NOT NULL,
                    csrf TEXT NOT NULL,
                    created REAL NOT NULL,
                    expires REAL NOT NULL,
                    PRIMARY KEY (org_id, hash)
                ) STRICT, WITHOUT ROWID
                """,
                "CREATE UNIQUE INDEX admin_sessions_hash ON admin_sessions (hash)",
                // Keyed by the name typed, which may belong to no account: the tally must not tell which do.
                """
                CREATE TABLE sign_in_failures (
                    login_lc TEXT NOT NULL PRIMARY KEY,
                    failures INTEGER NOT NULL,
                    last_failure REAL NOT NULL
                ) STRICT, WITHOUT ROWID
                """,
                """
                INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES
                    ('resources', 'resources_synced_location', '1000000 500000 50'),
                    ('administrators', 'administrators', '10000 10 1'),
                    ('administrators', 'administrators_login', '10000 1'),
                    ('administrators', 'administrators_code', '100 1'),
                    ('admin_sessions', 'admin_sessions', '10000 10 1'),
                    ('admin_sessions', 'admin_sessions_hash', '10000 1')
                """,
                "ANALYZE sqlite_schema",
            ]),
        SQLMigration(
            version: 3, description: "sign-in failures per client address",
            statements: [
                // Tallied per name and client address, so a stranger who knows an administrator's sign-in name cannot
                // lock them out from everywhere. The old tallies are only minutes of state and are dropped.
                "DROP TABLE sign_in_failures",
                """
                CREATE TABLE sign_in_failures (
                    login_lc TEXT NOT NULL,
                    client TEXT NOT NULL,
                    failures INTEGER NOT NULL,
                    last_failure REAL NOT NULL,
                    PRIMARY KEY (login_lc, client)
                ) STRICT, WITHOUT ROWID
                """,
            ]),
    ]

    /// Index statistics for SQLite's query planner, written by hand as its documentation allows (§ "Manual Control
    /// Of Query Plans Using SQLITE_STAT Tables").
    ///
    /// Without statistics SQLite assumes that `org_id = ?` alone narrows a table to a handful of rows, and then
    /// prefers walking an organisation's rows in `seq` order over the index a filter names: fine for ten users,
    /// a full scan for a million. These figures describe a large organisation, so a `userName eq` or `emails.value
    /// eq` filter stays an index look-up at any size. An index added by a later migration needs a row here too.
    /// `ANALYZE sqlite_schema` creates the statistics table without analysing anything, and reloads it.
    static let plannerStatistics: [String] = [
        "ANALYZE sqlite_schema",
        """
        INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES
            ('organisations', 'organisations_slug', '1000 1'),
            ('tokens', 'tokens', '10000 10 1'),
            ('tokens', 'tokens_hash', '10000 1'),
            ('locations', 'locations', '100000 100 1'),
            ('locations', 'locations_name', '100000 100 1'),
            ('locations', 'locations_default', '1000 1'),
            ('resources', 'sqlite_autoindex_resources_1', '1000000 500000 1'),
            ('resources', 'resources_seq', '1000000 500000 250000 1'),
            ('resources', 'resources_user_name', '1000000 500000 1'),
            ('resources', 'resources_display_name', '1000000 500000 250000 2'),
            ('resources', 'resources_group_name', '10000 5000 1'),
            ('resources', 'resources_external_id', '1000000 500000 250000 2'),
            ('resources', 'resources_location', '1000000 500000 5000'),
            ('resource_emails', 'resource_emails', '1500000 750000 2 1'),
            ('resource_emails', 'resource_emails_value', '1500000 750000 2'),
            ('memberships', 'memberships', '5000000 2500000 500 1'),
            ('memberships', 'memberships_member', '5000000 2500000 5'),
            ('activity', 'activity', '10000000 1000000 1'),
            ('activity', 'activity_at', '10000000 1000000 2')
        """,
        "ANALYZE sqlite_schema",
    ]
}
