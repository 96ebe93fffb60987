import KlaxonSQLiteSupport
import VaporCSQLite

/// Why SQLite refused a statement.
struct SQLiteError: Error, CustomStringConvertible {
    var code: Int32
    var message: String
    var description: String { "SQLite error \(code): \(message)" }
}

/// A connection to one SQLite file with a cache of prepared statements, so each distinct SQL text is parsed and
/// planned once per connection rather than once per request.
///
/// Calls run synchronously on the calling task: reads and writes in WAL mode take microseconds, far less than
/// handing each one to a thread pool and back (which is what the directory measured sqlite-nio spending most of
/// its time on). `@unchecked Sendable` because the raw handle is not thread-safe by itself: `SQLiteConnectionPool`
/// hands each connection to one task at a time, and nothing else keeps a reference.
final class SQLiteConnection: @unchecked Sendable {
    private let handle: OpaquePointer
    /// Prepared statements by SQL text, with their column names (read once, not per row or per run).
    private var statements: [String: (statement: OpaquePointer, columns: [String])] = [:]
    private var closed = false

    /// At most this many prepared statements are kept; the filter translator produces varying SQL (IN lists).
    private static let cacheLimit = 256
    /// SQLite's SQLITE_TRANSIENT: it copies bound text before the call returns.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    private init(handle: OpaquePointer) {
        self.handle = handle
    }

    /// Opens (creating if needed) the file. Another process writing at the same time (an admin command while the
    /// server runs) is waited for up to `busyTimeout` milliseconds.
    static func open(path: String, busyTimeout: Int32 = 5000) throws -> SQLiteConnection {
        var handle: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let status = sqlite_nio_sqlite3_open_v2(path, &handle, flags, nil)
        guard status == SQLITE_OK, let handle else {
            let message = handle.flatMap { sqlite_nio_sqlite3_errmsg($0) }.map { String(cString: $0) } ?? "cannot open"
            if let handle { sqlite_nio_sqlite3_close_v2(handle) }
            throw SQLiteError(code: status, message: "\(message) (\(path))")
        }
        sqlite_nio_sqlite3_busy_timeout(handle, busyTimeout)
        sqlite_nio_sqlite3_extended_result_codes(handle, 1)
        let qpsg = klaxon_sqlite_enable_qpsg(handle)
        guard qpsg == SQLITE_OK else {
            sqlite_nio_sqlite3_close_v2(handle)
            throw SQLiteError(code: qpsg, message: "cannot enable the query planner stability guarantee (\(path))")
        }
        return SQLiteConnection(handle: handle)
    }

    deinit {
        if !closed { close() }
    }

    /// Runs one statement with its binds and returns every row. `async` only so call sites read like any other
    /// directory I/O; it does not suspend.
    @discardableResult
    func query(_ sql: String, _ binds: [SQLValue] = []) async throws -> [SQLRow] {
        var rows: [SQLRow] = []
        try run(sql, binds) { rows.append($0) }
        return rows
    }

    /// Runs one statement and hands each row to `onRow` as it is read, keeping none.
    func query(_ sql: String, _ binds: [SQLValue], _ onRow: (SQLRow) -> Void) async throws {
        try run(sql, binds, onRow)
    }

    private func run(_ sql: String, _ binds: [SQLValue], _ onRow: (SQLRow) -> Void) throws {
        guard !closed else { throw SQLDirectoryError.closed }
        let (statement, names) = try prepared(sql)
        defer {
            sqlite_nio_sqlite3_reset(statement)
            sqlite_nio_sqlite3_clear_bindings(statement)
        }
        for (offset, value) in binds.enumerated() {
            let index = Int32(offset + 1)
            let status: Int32
            switch value {
            case .integer(let number): status = sqlite_nio_sqlite3_bind_int64(statement, index, Int64(number))
            case .double(let number): status = sqlite_nio_sqlite3_bind_double(statement, index, number)
            case .text(let text):
                // The length in bytes, not -1: SQLite would stop at a U+0000 and store the rest of the text silently cut.
                status = sqlite_nio_sqlite3_bind_text(statement, index, text, Int32(text.utf8.count), Self.transient)
            case .null: status = sqlite_nio_sqlite3_bind_null(statement, index)
            }
            guard status == SQLITE_OK else { throw error(status) }
        }
        let count = Int32(names.count)
        while true {
            let status = sqlite_nio_sqlite3_step(statement)
            if status == SQLITE_DONE { return }
            if status == Self.uniqueConstraintFailed { throw uniqueViolation() }
            guard status == SQLITE_ROW else { throw error(status) }
            var values: [SQLValue] = []
            values.reserveCapacity(Int(count))
            for column in 0..<count {
                values.append(value(statement, column))
            }
            onRow(SQLRow(names: names, values: values))
        }
    }

    /// A column's value. The directory's tables hold no BLOBs; one would read as NULL.
    private func value(_ statement: OpaquePointer, _ column: Int32) -> SQLValue {
        switch sqlite_nio_sqlite3_column_type(statement, column) {
        case SQLITE_INTEGER: return .integer(Int(sqlite_nio_sqlite3_column_int64(statement, column)))
        case SQLITE_FLOAT: return .double(sqlite_nio_sqlite3_column_double(statement, column))
        case SQLITE_TEXT:
            guard let text = sqlite_nio_sqlite3_column_text(statement, column) else { return .text("") }
            let length = Int(sqlite_nio_sqlite3_column_bytes(statement, column))
            return .text(String(decoding: UnsafeBufferPointer(start: text, count: length), as: UTF8.self))
        default: return .null
        }
    }

    private func prepared(_ sql: String) throws -> (statement: OpaquePointer, columns: [String]) {
        if let cached = statements[sql] { return cached }
        var statement: OpaquePointer?
        let status = sqlite_nio_sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard status == SQLITE_OK, let statement else { throw error(status) }
        if statements.count >= Self.cacheLimit { finalizeStatements() }
        let columns = (0..<sqlite_nio_sqlite3_column_count(statement)).map { String(cString: sqlite_nio_sqlite3_column_name(statement, $0)) }
        statements[sql] = (statement, columns)
        return (statement, columns)
    }

    /// Copies what it can of the write-ahead log into the database file without waiting for readers or the writer
    /// (`PASSIVE`); a checkpoint already running elsewhere is not an error.
    func checkpoint() throws {
        guard !closed else { throw SQLDirectoryError.closed }
        let status = sqlite_nio_sqlite3_wal_checkpoint_v2(handle, nil, SQLITE_CHECKPOINT_PASSIVE, nil, nil)
        guard status == SQLITE_OK || status & 0xFF == SQLITE_BUSY else { throw error(status) }
    }

    /// Hands the log's size to `checkpointer` after each commit, instead of SQLite's own checkpoint inside the
    /// commit. `checkpointer` must outlive this connection (``SQLiteConnectionPool`` closes the writer first).
    func reportWALGrowth(to checkpointer: WALCheckpointer) {
        let context = Unmanaged.passUnretained(checkpointer).toOpaque()
        _ = sqlite_nio_sqlite3_wal_hook(
            handle,
            { context, db, _, pages in
                guard let context, let db else { return SQLITE_OK }
                Unmanaged<WALCheckpointer>.fromOpaque(context).takeUnretainedValue().walDidGrow(to: pages, on: db)
                return SQLITE_OK
            }, context)
    }

    /// Whether a transaction is open: false after `COMMIT`, `ROLLBACK`, or an error SQLite answered by rolling back.
    var isInTransaction: Bool { sqlite_nio_sqlite3_get_autocommit(handle) == 0 }

    private func finalizeStatements() {
        for (statement, _) in statements.values { sqlite_nio_sqlite3_finalize(statement) }
        statements.removeAll()
    }

    private func error(_ status: Int32) -> SQLiteError {
        SQLiteError(code: status, message: String(cString: sqlite_nio_sqlite3_errmsg(handle)))
    }

    /// SQLITE_CONSTRAINT_UNIQUE (an extended code; the connection is opened with extended codes on).
    private static let uniqueConstraintFailed: Int32 = 2067

    /// The unique index a broken `UNIQUE constraint failed: resources.org_id, resources.user_name_lc` names by its
    /// columns, found in the schema (SQLite's message has no index name; PostgreSQL's error does).
    private func uniqueViolation() -> any Error {
        let failure = error(Self.uniqueConstraintFailed)
        let prefix = "UNIQUE constraint failed: "
        guard failure.message.hasPrefix(prefix) else { return failure }
        let qualified = failure.message.dropFirst(prefix.count).split(separator: ",").map { $0.drop { $0 == " " } }
        guard let table = qualified.first?.split(separator: ".").first.map(String.init) else { return failure }
        let columns = qualified.map { String($0.split(separator: ".").last ?? "") }
        func names(_ sql: String, _ argument: String) -> [SQLValue] {
            var values: [SQLValue] = []
            try? run(sql, [.text(argument)]) { values.append($0.values.first ?? .null) }
            return values
        }
        for case .text(let index) in names("SELECT name FROM pragma_index_list(?) WHERE \"unique\" = 1", table)
        where names("SELECT name FROM pragma_index_info(?) ORDER BY seqno", index) == columns.map(SQLValue.text) {
            return SQLUniqueViolation(constraint: index)
        }
        return failure
    }

    /// Finalizes the cached statements and closes the handle. Later queries fail.
    func close() {
        guard !closed else { return }
        closed = true
        finalizeStatements()
        sqlite_nio_sqlite3_close_v2(handle)
    }
}

extension SQLiteConnection: SQLConnection {
    func execute(_ statement: SQLFragment) async throws {
        try await query(statement.sql, statement.binds)
    }

    func rows(_ statement: SQLFragment) async throws -> [SQLRow] {
        try await query(statement.sql, statement.binds)
    }

    func forEachRow(_ statement: SQLFragment, _ body: @escaping @Sendable (SQLRow) -> Void) async throws {
        try await query(statement.sql, statement.binds, body)
    }
}
