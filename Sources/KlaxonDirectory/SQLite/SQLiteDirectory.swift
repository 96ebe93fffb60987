public import SCIM

/// The default backend: the directory in one SQLite file in WAL mode, written through one connection and read
/// through several. For one server instance; several instances share a ``PostgresDirectory`` instead.
///
/// ```swift
/// let directory = try await SQLiteDirectory.open(path: "klaxon.sqlite")
/// let acme = try await directory.createOrganisation(slug: "acme", name: "Acme")
/// try await directory.close()
/// ```
public enum SQLiteDirectory {
    /// Opens (or creates) the database file and brings its schema up to date.
    ///
    /// - Parameters:
    ///   - path: The SQLite file; `-wal` and `-shm` files appear beside it.
    ///   - readers: How many connections serve reads concurrently.
    ///   - schemas: The schemas filters are evaluated against, including any declared extensions.
    public static func open(path: String, readers: Int = 4, schemas: SchemaRegistry = .standard) async throws -> SQLDirectory {
        let pool = try await SQLiteConnectionPool.open(path: path, readers: readers)
        return try await SQLDirectory.open(pool, schema: SQLiteMigrations.schema, schemas: schemas)
    }
}
