/// A connection pool the ``SQLDirectory`` runs its statements through: SQLite's one writer and several readers,
/// or a PostgreSQL client pool. Each backend decides how a transaction is begun, locked and retried.
protocol SQLDatabase: Sendable {
    var dialect: SQLDialect { get }

    /// Runs `body` outside a transaction: each statement sees one consistent, committed state, so the directory reads
    /// what belongs together (a resource and its relations, a page and its total) in one statement.
    func read<T: Sendable>(_ body: (any SQLConnection) async throws -> T) async throws -> T

    /// Runs `body` as one transaction, committed if it returns and rolled back if it throws. A backend may run
    /// `body` again when the database aborted the transaction to resolve a conflict (a deadlock between
    /// instances), so `body` must not have effects outside the database. A write (``transaction(_:)`` or ``autocommit(_:)``)
    /// begun inside `body` throws ``SQLDirectoryError/nestedTransaction``.
    func transaction<T: Sendable>(_ body: (any SQLConnection) async throws -> T) async throws -> T

    /// Runs `body`, whose statements are single writes that need no transaction of their own. PostgreSQL runs them
    /// outside any; SQLite's single writer runs them like any other write, possibly in a group commit.
    func autocommit<T: Sendable>(_ body: (any SQLConnection) async throws -> T) async throws -> T

    /// Waits for running work, then closes every connection. Later calls throw ``SQLDirectoryError/closed``.
    func close() async throws
}

/// One connection's statements, as the directory runs them.
protocol SQLConnection {
    /// Runs a statement and returns its rows. A broken unique index throws ``SQLUniqueViolation``.
    func rows(_ statement: SQLFragment) async throws -> [SQLRow]

    /// Runs a statement for its effect.
    func execute(_ statement: SQLFragment) async throws

    /// Runs a statement and hands each row to `body` as it is read, without collecting them.
    func forEachRow(_ statement: SQLFragment, _ body: @escaping @Sendable (SQLRow) -> Void) async throws
}
