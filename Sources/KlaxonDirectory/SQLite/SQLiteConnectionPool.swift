import Synchronization

/// One writer connection and a fixed set of reader connections to one SQLite file in WAL mode.
///
/// Writes are serialised on the writer, one transaction at a time, and concurrent ones are committed in groups
/// (``GroupCommitWriter``); reads run concurrently on the readers, each seeing the last committed state. SQLite
/// allows one writer per file anyway, and WAL lets readers proceed while it writes.
///
/// ```swift
/// let pool = try await SQLiteConnectionPool.open(path: "/tmp/klaxon.sqlite", readers: 4)
/// try await pool.transaction { db in try await db.execute(SQLFragment("INSERT …", [.integer(1)])) }
/// let rows = try await pool.read { db in try await db.rows(SQLFragment("SELECT …")) }
/// try await pool.close()
/// ```
final class SQLiteConnectionPool: SQLDatabase {
    var dialect: SQLDialect { .sqlite }

    let writer: GroupCommitWriter
    private let readers: ConnectionQueue
    let checkpointer: WALCheckpointer

    private init(writer: SQLiteConnection, readers: [SQLiteConnection], checkpointer: WALCheckpointer) {
        self.writer = GroupCommitWriter(writer)
        self.readers = ConnectionQueue(readers)
        self.checkpointer = checkpointer
    }

    /// Opens the file (creating it if needed), switches it to WAL mode and opens the connections. The log is
    /// checkpointed in the background (``WALCheckpointer``), not inside the commit that fills it.
    static func open(path: String, readers readerCount: Int) async throws -> SQLiteConnectionPool {
        var opened: [SQLiteConnection] = []
        do {
            let writer = try SQLiteConnection.open(path: path)
            opened.append(writer)
            _ = try await writer.query("PRAGMA journal_mode = WAL")
            // Every commit reaches the disk before it returns, so a write the server acknowledged survives a power
            // cut, not only a crash of the process (NORMAL leaves WAL commits in the page cache). Group commit
            // shares one sync among the transactions that wait together; measured: about 8% of create's rate.
            _ = try await writer.query("PRAGMA synchronous = FULL")
            // When the log restarts after a checkpoint, its file is cut back to 16 MB: under load it may reach the
            // checkpointer's high mark (about 64 MB), and the file would otherwise keep that size at rest.
            _ = try await writer.query("PRAGMA journal_size_limit = 16777216")
            for _ in 0..<max(1, readerCount) {
                let reader = try SQLiteConnection.open(path: path)
                opened.append(reader)
                // Readers never write; this turns a mistake into an error instead of a second writer.
                _ = try await reader.query("PRAGMA query_only = ON")
            }
            let checkpointer = try WALCheckpointer(path: path)
            writer.reportWALGrowth(to: checkpointer)
            return SQLiteConnectionPool(writer: writer, readers: Array(opened.dropFirst()), checkpointer: checkpointer)
        } catch {
            for connection in opened {
                connection.close()
            }
            throw error
        }
    }

    /// Runs `body` in one write transaction on the writer, rolling back if it throws. `BEGIN IMMEDIATE` takes the
    /// file's write lock, so transactions never conflict and are not retried.
    /// A write begun inside `body` throws ``SQLDirectoryError/nestedTransaction``: it would wait for the writer forever.
    func transaction<T: Sendable>(_ body: (any SQLConnection) async throws -> T) async throws -> T {
        try await TransactionScope.enter(self) { try await writer.transaction(body) }
    }

    /// Runs `body` on the writer. Its single statements join the writer's transactions like any other write:
    /// run on their own they would commit alone, which is what grouping saves.
    func autocommit<T: Sendable>(_ body: (any SQLConnection) async throws -> T) async throws -> T {
        try await TransactionScope.enter(self) { try await writer.transaction(body) }
    }

    /// Runs `body` on a reader, outside any transaction.
    func read<T: Sendable>(_ body: (any SQLConnection) async throws -> T) async throws -> T {
        try await readers.with(body)
    }

    /// Waits for running work to finish, then closes every connection. Later calls fail.
    func close() async throws {
        guard let connection = await writer.drain() else { return }
        connection.close()
        for connection in await readers.drain() {
            connection.close()
        }
        checkpointer.close()
    }
}

/// Hands out idle connections one caller at a time; callers wait, in order, when all are busy.
///
/// A mutex rather than an actor: taking and returning a connection is a few instructions, and an actor would
/// add two executor hops to every query.
private final class ConnectionQueue: Sendable {
    private struct State {
        var idle: [SQLiteConnection]
        var waiters: [CheckedContinuation<SQLiteConnection, Never>] = []
        /// Set when closing starts: new callers are refused, callers already waiting are still served.
        var closing = false
    }

    private let state: Mutex<State>
    private let total: Int

    init(_ connections: [SQLiteConnection]) {
        self.state = Mutex(State(idle: connections))
        self.total = connections.count
    }

    private enum Take {
        case ready(SQLiteConnection)
        case wait
        case closed
    }

    private func take() async throws -> SQLiteConnection {
        let attempt: Take = state.withLock { state in
            if state.closing { return .closed }
            if let connection = state.idle.popLast() { return .ready(connection) }
            return .wait
        }
        switch attempt {
        case .ready(let connection): return connection
        case .closed: throw SQLDirectoryError.closed
        case .wait:
            return await withCheckedContinuation { continuation in
                let handed: SQLiteConnection? = state.withLock { state in
                    // A connection may have come back between the first look and now.
                    if let connection = state.idle.popLast() { return connection }
                    state.waiters.append(continuation)
                    return nil
                }
                if let handed { continuation.resume(returning: handed) }
            }
        }
    }

    private func put(_ connection: SQLiteConnection) {
        let waiter: CheckedContinuation<SQLiteConnection, Never>? = state.withLock { state in
            if state.waiters.isEmpty {
                state.idle.append(connection)
                return nil
            }
            return state.waiters.removeFirst()
        }
        waiter?.resume(returning: connection)
    }

    func with<T>(_ body: (SQLiteConnection) async throws -> T) async throws -> T {
        let connection = try await take()
        do {
            let result = try await body(connection)
            put(connection)
            return result
        } catch {
            put(connection)
            throw error
        }
    }

    /// Marks the queue closed and returns every connection once all of them are idle.
    func drain() async -> [SQLiteConnection] {
        let alreadyClosing = state.withLock { state in
            defer { state.closing = true }
            return state.closing
        }
        guard !alreadyClosing else { return [] }
        var drained: [SQLiteConnection] = []
        while drained.count < total {
            let connection: SQLiteConnection = await withCheckedContinuation { continuation in
                let idle: SQLiteConnection? = state.withLock { state in
                    if let connection = state.idle.popLast() { return connection }
                    state.waiters.append(continuation)
                    return nil
                }
                if let idle { continuation.resume(returning: idle) }
            }
            drained.append(connection)
        }
        return drained
    }
}
