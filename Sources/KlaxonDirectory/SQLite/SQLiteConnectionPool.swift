import SQLiteNIO

/// One writer connection and a fixed set of reader connections to one SQLite file in WAL mode.
///
/// Writes are serialised on the writer, one transaction at a time; reads run concurrently on the readers, each
/// seeing the last committed state. SQLite allows one writer per file anyway, and WAL lets readers proceed while
/// it writes.
///
/// ```swift
/// let pool = try await SQLiteConnectionPool.open(path: "/tmp/klaxon.sqlite", readers: 4)
/// try await pool.transaction { db in try await db.execute(SQLFragment("INSERT …", [.integer(1)])) }
/// let rows = try await pool.read { db in try await db.rows(SQLFragment("SELECT …")) }
/// try await pool.close()
/// ```
final class SQLiteConnectionPool: SQLDatabase {
    var dialect: SQLDialect { .sqlite }

    private let writer: ConnectionQueue
    private let readers: ConnectionQueue

    private init(writer: SQLiteConnection, readers: [SQLiteConnection]) {
        self.writer = ConnectionQueue([writer])
        self.readers = ConnectionQueue(readers)
    }

    /// Opens the file (creating it if needed), switches it to WAL mode and opens the connections.
    static func open(path: String, readers readerCount: Int) async throws -> SQLiteConnectionPool {
        var opened: [SQLiteConnection] = []
        do {
            let writer = try await SQLiteConnection.open(storage: .file(path: path))
            opened.append(writer)
            _ = try await writer.query("PRAGMA journal_mode = WAL")
            _ = try await writer.query("PRAGMA synchronous = NORMAL")
            for _ in 0..<max(1, readerCount) {
                let reader = try await SQLiteConnection.open(storage: .file(path: path))
                opened.append(reader)
                // Readers never write; this turns a mistake into an error instead of a second writer.
                _ = try await reader.query("PRAGMA query_only = ON")
            }
            return SQLiteConnectionPool(writer: writer, readers: Array(opened.dropFirst()))
        } catch {
            for connection in opened {
                try? await connection.close()
            }
            throw error
        }
    }

    /// Runs `body` in one write transaction (`BEGIN IMMEDIATE` … `COMMIT`) on the writer, rolling back if it
    /// throws. `BEGIN IMMEDIATE` takes the file's write lock, so transactions never conflict and are not retried.
    func transaction<T: Sendable>(_ body: (any SQLConnection) async throws -> T) async throws -> T {
        try await writer.with { connection in
            try await connection.transaction(begin: "BEGIN IMMEDIATE", body)
        }
    }

    /// Runs `body` on the writer without a transaction: for single statements, which SQLite commits on their own.
    func autocommit<T: Sendable>(_ body: (any SQLConnection) async throws -> T) async throws -> T {
        try await writer.with(body)
    }

    /// Runs `body` on a reader, outside any transaction.
    func read<T: Sendable>(_ body: (any SQLConnection) async throws -> T) async throws -> T {
        try await readers.with(body)
    }

    /// Waits for running work to finish, then closes every connection. Later calls fail.
    func close() async throws {
        var firstError: (any Error)?
        for queue in [writer, readers] {
            for connection in await queue.drain() {
                do {
                    try await connection.close()
                } catch {
                    firstError = firstError ?? error
                }
            }
        }
        if let firstError { throw firstError }
    }
}

/// Hands out idle connections one caller at a time; callers wait, in order, when all are busy.
private actor ConnectionQueue {
    private var idle: [SQLiteConnection]
    private var waiters: [CheckedContinuation<SQLiteConnection, Never>] = []
    private let total: Int
    /// Set when closing starts: new callers are refused, callers already waiting are still served.
    private var closing = false

    init(_ connections: [SQLiteConnection]) {
        self.idle = connections
        self.total = connections.count
    }

    private func take() async throws -> SQLiteConnection {
        guard !closing else { throw SQLDirectoryError.closed }
        if let connection = idle.popLast() { return connection }
        return await withCheckedContinuation { waiters.append($0) }
    }

    private func put(_ connection: SQLiteConnection) {
        if waiters.isEmpty {
            idle.append(connection)
        } else {
            waiters.removeFirst().resume(returning: connection)
        }
    }

    nonisolated func with<T>(_ body: (SQLiteConnection) async throws -> T) async throws -> T {
        let connection = try await take()
        do {
            let result = try await body(connection)
            await put(connection)
            return result
        } catch {
            await put(connection)
            throw error
        }
    }

    /// Marks the queue closed and returns every connection once all of them are idle.
    func drain() async -> [SQLiteConnection] {
        guard !closing else { return [] }
        closing = true
        var drained: [SQLiteConnection] = []
        while drained.count < total {
            if let connection = idle.popLast() {
                drained.append(connection)
            } else {
                drained.append(await withCheckedContinuation { waiters.append($0) })
            }
        }
        return drained
    }
}

extension SQLiteConnection: SQLConnection {
    /// Runs `body` between `begin` and `COMMIT`; rolls back and rethrows if anything fails.
    func transaction<T>(begin: String, _ body: (SQLiteConnection) async throws -> T) async throws -> T {
        _ = try await query(begin)
        do {
            let result = try await body(self)
            _ = try await query("COMMIT")
            return result
        } catch {
            _ = try? await query("ROLLBACK")
            throw error
        }
    }

    func execute(_ statement: SQLFragment) async throws {
        _ = try await query(statement.sql, statement.binds.map(\.sqlite))
    }

    func rows(_ statement: SQLFragment) async throws -> [SQLRow] {
        try await query(statement.sql, statement.binds.map(\.sqlite)).map(SQLRow.init)
    }

    func forEachRow(_ statement: SQLFragment, _ body: @escaping @Sendable (SQLRow) -> Void) async throws {
        try await query(statement.sql, statement.binds.map(\.sqlite)) { body(SQLRow($0)) }
    }
}

extension SQLValue {
    var sqlite: SQLiteData {
        switch self {
        case .integer(let value): return .integer(value)
        case .double(let value): return .float(value)
        case .text(let value): return .text(value)
        case .null: return .null
        }
    }
}

extension SQLRow {
    init(_ row: SQLiteRow) {
        let columns = row.columns
        self.init(
            names: columns.map(\.name),
            values: columns.map { column in
                switch column.data {
                case .integer(let value): return .integer(value)
                case .float(let value): return .double(value)
                case .text(let value): return .text(value)
                case .blob, .null: return .null
                }
            })
    }
}
