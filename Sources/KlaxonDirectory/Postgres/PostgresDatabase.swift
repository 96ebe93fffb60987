import Logging
import NIOCore
import PostgresNIO
import Synchronization

/// A `PostgresClient` pool as the ``SQLDirectory`` uses it: reads and single writes on any pooled connection,
/// transactions that roll back on error and are run again when PostgreSQL aborted them to break a deadlock
/// between instances, and a unique index broken by a concurrent transaction reported as ``SQLUniqueViolation``.
///
/// ```swift
/// let database = try await PostgresDatabase.connect(configuration)
/// try await database.transaction { db in try await db.execute(SQLFragment("UPDATE … WHERE id = ?", [.integer(1)])) }
/// try await database.close()
/// ```
final class PostgresDatabase: SQLDatabase {
    var dialect: SQLDialect { .postgres }

    private let client: PostgresClient
    private let runner: Task<Void, Never>
    private let watchdog: LeaseWatchdog
    private let statements: StatementWatchdog
    /// The server process id of each pooled connection, once read.
    private let backends = Mutex<[ObjectIdentifier: Int32]>([:])
    private let watching: Task<Void, Never>
    private let work = WorkGate()
    static let logger = Logger(label: "klaxon.directory.postgres", factory: { _ in SwiftLogNoOpLogHandler() })

    /// How often a transaction aborted by a deadlock or serialization failure is tried again.
    static let transientRetries = 8

    /// How long work waits for a pooled connection, while the pool lends none (see ``LeaseWatchdog``), before the
    /// database counts as unavailable. While PostgreSQL cannot be reached the pool keeps trying to connect for a minute before it
    /// fails what waits, far longer than an identity platform waits for an answer.
    static let leaseTimeout = Duration.seconds(5)

    private init(
        client: PostgresClient, runner: Task<Void, Never>, watchdog: LeaseWatchdog, statements: StatementWatchdog, watching: Task<Void, Never>
    ) {
        self.client = client
        self.runner = runner
        self.watchdog = watchdog
        self.statements = statements
        self.watching = watching
    }

    /// Starts the pool. Connections are made as work needs them, up to the configuration's maximum. Statements
    /// get `statementTimeout` to be answered in (see ``StatementWatchdog``) once ``armStatementTimeout()`` is called;
    /// whether PostgreSQL is there is then asked on a connection made with `probe`.
    static func connect(
        _ configuration: PostgresClient.Configuration, statementTimeout: Duration, probe: PostgresConnection.Configuration
    ) -> PostgresDatabase {
        let client = PostgresClient(configuration: configuration)
        let runner = Task { await client.run() }
        let watchdog = LeaseWatchdog(limit: leaseTimeout, capacity: configuration.options.maximumConnections)
        let statements = StatementWatchdog(limit: statementTimeout) { limit, backends in await check(probe, backends: backends, within: limit) }
        let watching = Task {
            await withDiscardingTaskGroup { group in
                group.addTask { await watchdog.run() }
                group.addTask { await statements.run() }
            }
        }
        return PostgresDatabase(client: client, runner: runner, watchdog: watchdog, statements: statements, watching: watching)
    }

    /// Gives every statement from now on its time limit. Called once the schema is migrated: a migration may
    /// rightly take longer.
    func armStatementTimeout() {
        statements.arm()
    }

    func read<T: Sendable>(_ body: (any SQLConnection) async throws -> T) async throws -> T {
        try await work.run {
            try await withLeasedConnection { connection in
                try await body(try await statements(on: connection))
            }
        }
    }

    /// Statements on a leased connection, watched with its server process id (read once per connection, so that
    /// the watchdog can ask PostgreSQL what that process is doing).
    private func statements(on connection: PostgresConnection) async throws -> PostgresStatements {
        let key = ObjectIdentifier(connection)
        if let backend = backends.withLock({ $0[key] }) {
            return PostgresStatements(connection: connection, watchdog: statements, backend: backend)
        }
        let unknown = PostgresStatements(connection: connection, watchdog: statements)
        let row = try await unknown.rows(SQLFragment("SELECT pg_backend_pid() AS pid")).first
        guard let backend = row.flatMap({ try? $0.integer("pid") }).map(Int32.init) else { return unknown }
        backends.withLock { $0[key] = backend }
        connection.closeFuture.whenComplete { [self] _ in backends.withLock { _ = $0.removeValue(forKey: key) } }
        return PostgresStatements(connection: connection, watchdog: statements, backend: backend)
    }

    /// Runs `body` on a pooled connection, waiting at most ``leaseTimeout`` for one (unless the pool is busy, see
    /// ``LeaseWatchdog``); a database that cannot be reached then, a broken connection postgres-nio reports while
    /// `body` runs, or a statement left unanswered (see ``StatementWatchdog``) throws ``SQLDirectoryError/unavailable(_:)``.
    ///
    /// The pool lends a connection only for the scope of a closure, so a child task holds the lease and hands the
    /// connection over, while `body` runs here, in the caller's task, as it would inside `withConnection`.
    private func withLeasedConnection<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        let (handOver, handing) = AsyncThrowingStream<PostgresConnection, any Error>.makeStream()
        let release = ReleaseSignal()
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { [client, watchdog] in
                do {
                    try await client.withConnection { connection in
                        watchdog.lend(true)
                        defer { watchdog.lend(false) }
                        handing.yield(connection)
                        // Until `body` is done with it, cancelled or not: the connection must not go back to the
                        // pool while `body` may still be using it.
                        await release.wait()
                    }
                } catch is CancellationError {
                    handing.finish(throwing: CancellationError())
                } catch {
                    // The closure throws nothing: this is the pool failing the lease (it gave up connecting).
                    handing.finish(throwing: Self.unavailability(of: error) ?? .unavailable("PostgreSQL cannot be reached (\(error))"))
                }
            }
            let ticket = watchdog.watch(handing)
            defer {
                watchdog.end(ticket)
                release.fire()
                group.cancelAll()
            }
            var connections = handOver.makeAsyncIterator()
            guard let connection = try await connections.next() else { throw CancellationError() }
            watchdog.end(ticket)
            do {
                return try await body(connection)
            } catch {
                throw Self.unavailability(of: error) ?? error
            }
        }
    }

    /// Like ``read(_:)``, for writes: one begun inside a transaction throws ``SQLDirectoryError/nestedTransaction``.
    func autocommit<T: Sendable>(_ body: (any SQLConnection) async throws -> T) async throws -> T {
        try await TransactionScope.enter(self) { try await read(body) }
    }

    /// A write begun inside `body` throws ``SQLDirectoryError/nestedTransaction``: on another connection it would
    /// wait forever for the row locks `body` holds.
    func transaction<T: Sendable>(_ body: (any SQLConnection) async throws -> T) async throws -> T {
        try await TransactionScope.enter(self) { try await retryingTransaction(body) }
    }

    private func retryingTransaction<T: Sendable>(_ body: (any SQLConnection) async throws -> T) async throws -> T {
        try await work.run {
            var attempt = 0
            while true {
                do {
                    return try await withLeasedConnection { connection in
                        let statements = try await statements(on: connection)
                        try await statements.execute(SQLFragment("BEGIN"))
                        do {
                            let result = try await body(statements)
                            try await statements.execute(SQLFragment("COMMIT"))
                            return result
                        } catch {
                            try? await statements.execute(SQLFragment("ROLLBACK"))
                            throw error
                        }
                    }
                } catch let error where Self.isTransient(error) && attempt < Self.transientRetries {
                    attempt += 1
                    // A short random pause, growing with each attempt, so that the transactions that collided
                    // do not collide again.
                    try await Task.sleep(for: .milliseconds(Int.random(in: 1...5) * attempt))
                }
            }
        }
    }

    func close() async throws {
        guard await work.close() else { return }
        watching.cancel()
        runner.cancel()
        await runner.value
    }

    /// Asks PostgreSQL, on a new connection made with `configuration`, which of `backends` are working on a statement
    /// (`pg_stat_activity`), within `limit`. A refusal it sends (too many connections, a wrong password) is an answer
    /// that cannot say which. The attempt is not waited for past `limit` (on a silent host it could wait until TCP
    /// gives up), and its connection is closed whenever it is made.
    static func check(
        _ configuration: PostgresConnection.Configuration, backends: [Int32], within limit: Duration
    ) async -> StatementWatchdog.Answer {
        var bounded = configuration
        bounded.options.connectTimeout = TimeAmount(limit)
        let settings = bounded
        let attempt = ProbeAttempt()
        let answer: StatementWatchdog.Answer = await awaitAtMost(limit, otherwise: .silent) {
            let connection: PostgresConnection
            do {
                connection = try await PostgresConnection.connect(configuration: settings, id: 0, logger: logger)
            } catch {
                return Self.isServerAnswer(error) ? .working(nil) : .silent
            }
            attempt.opened(connection)
            var answer = StatementWatchdog.Answer.working(nil)
            if !backends.isEmpty {
                do {
                    var working: Set<Int32> = []
                    let query: PostgresQuery = "SELECT pid FROM pg_stat_activity WHERE state = 'active' AND pid = ANY(\(backends))"
                    for try await pid in try await connection.query(query, logger: logger).decode(Int32.self) { working.insert(pid) }
                    answer = .working(working)
                } catch {
                    answer = Self.isServerAnswer(error) ? .working(nil) : .silent
                }
            }
            // Awaited: postgres-nio requires a connection to be closed before it is let go.
            try? await connection.close()
            return answer
        }
        if case .silent = answer { attempt.abandon() }
        return answer
    }

    /// An error PostgreSQL sent, rather than a connection that failed.
    private static func isServerAnswer(_ error: any Error) -> Bool {
        (error as? PSQLError)?.code == .server
    }

    /// Deadlock detected (40P01) or serialization failure (40001): PostgreSQL rolled the transaction back so that
    /// another could go on, and it may simply be tried again; so may a transaction that stopped rather than lock
    /// rows out of order (``SQLLockOrderConflict``).
    static func isTransient(_ error: any Error) -> Bool {
        if error is SQLLockOrderConflict { return true }
        guard let error = error as? PSQLError, error.code == .server, let state = error.serverInfo?[.sqlState] else { return false }
        return state == "40P01" || state == "40001"
    }

    /// The error to report when `error` means PostgreSQL cannot be reached (a connection failed or broke off), or
    /// nil.
    static func unavailability(of error: any Error) -> SQLDirectoryError? {
        switch error {
        case SQLDirectoryError.unavailable:
            return error as? SQLDirectoryError
        case let error as PSQLError where [.connectionError, .serverClosedConnection, .clientClosedConnection, .uncleanShutdown].contains(error.code):
            return .unavailable(reason(error))
        case let error as PSQLError where error.code == .server && ["57P01", "57P02", "57P03"].contains(error.serverInfo?[.sqlState]):
            // The server is shutting down (admin_shutdown, crash_shutdown) or not yet accepting (cannot_connect_now).
            return .unavailable(reason(error))
        default:
            return nil
        }
    }

    /// What went wrong, for an operator: PostgreSQL's own message, or the connection failure. (A `PSQLError`
    /// describes itself generically, so that query text cannot leak into logs by accident.)
    static func reason(_ error: PSQLError) -> String {
        if let info = error.serverInfo, let message = info[.message] {
            return "\(message) (SQLSTATE \(info[.sqlState] ?? "?"))"
        }
        return error.underlying.map { "\(error.code): \($0)" } ?? "\(error.code)"
    }

    /// Runs statements on one leased connection.
    ///
    /// Each statement is sent from the connection's event loop, after a look at whether the connection is still
    /// open: postgres-nio drops a query written to a connection whose channel has closed (the write's failure goes
    /// nowhere; postgres-nio#487 fixed that and was reverted in #501), and whoever waits for it would wait for ever.
    /// On the event loop nothing can close the channel between the look and the write, and a query that reaches
    /// postgres-nio's handler is always answered, with rows or an error. The `watchdog` closes the connection if
    /// PostgreSQL does not answer in time.
    struct PostgresStatements: SQLConnection {
        let connection: PostgresConnection
        let watchdog: StatementWatchdog
        /// The connection's server process id, when known.
        var backend: Int32?

        func rows(_ statement: SQLFragment) async throws -> [SQLRow] {
            let loop = connection.eventLoop
            let watchdog = watchdog
            return try await run(statement) { query, ticket in
                let rows = NIOLoopBoundBox([SQLRow](), eventLoop: loop)
                return connection.query(query, logger: PostgresDatabase.logger) { row in
                    watchdog.progress(ticket)
                    rows.value.append(try SQLRow(row))
                }.map { _ in rows.value }
            }
        }

        func execute(_ statement: SQLFragment) async throws {
            try await run(statement) { query, _ in
                connection.query(query, logger: PostgresDatabase.logger) { _ in }.map { _ in () }
            }
        }

        /// Streams the rows to `body` where the caller runs (a scan's lane, not the event loop that serves other
        /// connections too), reading from PostgreSQL no faster than `body` takes them. Only sending the statement
        /// runs on the event loop.
        func forEachRow(_ statement: SQLFragment, _ body: @escaping @Sendable (SQLRow) -> Void) async throws {
            let query = Self.query(statement)
            let connection = connection
            let ticket = watchdog.watch(connection, backend: backend)
            do {
                let rows = try await withTaskExecutorPreference(EventLoopTaskExecutor(connection.eventLoop)) {
                    // On the event loop, `query` writes to the channel before it first waits, so nothing can close
                    // the channel between this look and the write.
                    guard !connection.isClosed else { throw SQLDirectoryError.unavailable("the connection to PostgreSQL closed") }
                    return try await connection.query(query, logger: PostgresDatabase.logger)
                }
                for try await row in rows {
                    watchdog.progress(ticket)
                    body(try SQLRow(row))
                }
                watchdog.end(ticket)
            } catch {
                let reported = Self.uniqueViolation(error) ?? error
                throw watchdog.end(ticket) ? watchdog.timedOut(else: reported) : reported
            }
        }

        /// Sends the statement on the connection's event loop and waits for every row, so that an error the server
        /// reports after the first row (or after none, for a write) is thrown here rather than lost.
        private func run<T: Sendable>(
            _ statement: SQLFragment, _ send: @escaping @Sendable (PostgresQuery, Int?) -> EventLoopFuture<T>
        ) async throws -> T {
            let query = Self.query(statement)
            let connection = connection
            let ticket = watchdog.watch(connection, backend: backend)
            do {
                let result: T = try await connection.eventLoop.flatSubmit {
                    guard !connection.isClosed else {
                        return connection.eventLoop.makeFailedFuture(SQLDirectoryError.unavailable("the connection to PostgreSQL closed"))
                    }
                    return send(query, ticket)
                }.get()
                watchdog.end(ticket)
                return result
            } catch {
                let reported = Self.uniqueViolation(error) ?? error
                throw watchdog.end(ticket) ? watchdog.timedOut(else: reported) : reported
            }
        }

        private static func query(_ statement: SQLFragment) -> PostgresQuery {
            var bindings = PostgresBindings(capacity: statement.binds.count)
            for value in statement.binds {
                switch value {
                case .integer(let integer): bindings.append(integer)
                case .double(let double): bindings.append(double)
                case .text(let text): bindings.append(text)
                case .null: bindings.appendNull()
                }
            }
            return PostgresQuery(unsafeSQL: SQLDialect.postgres.statement(statement.sql), binds: bindings)
        }

        /// A broken unique index (23505) as ``SQLUniqueViolation``, or nil.
        private static func uniqueViolation(_ error: any Error) -> SQLUniqueViolation? {
            guard let error = error as? PSQLError, error.code == .server, error.serverInfo?[.sqlState] == "23505" else { return nil }
            return SQLUniqueViolation(constraint: error.serverInfo?[.constraintName] ?? "")
        }
    }
}

extension SQLRow {
    init(_ row: PostgresRow) throws {
        var names: [String] = []
        var values: [SQLValue] = []
        for cell in row {
            names.append(cell.columnName)
            values.append(try SQLValue(cell))
        }
        self.init(names: names, values: values)
    }
}

extension SQLValue {
    /// The value of a cell of the types the directory's tables and queries use.
    init(_ cell: PostgresCell) throws {
        guard cell.bytes != nil else {
            self = .null
            return
        }
        switch cell.dataType {
        case .int2, .int4, .int8: self = .integer(try cell.decode(Int.self))
        case .float4, .float8: self = .double(try cell.decode(Double.self))
        case .bool: self = .integer(try cell.decode(Bool.self) ? 1 : 0)
        default: self = .text(try cell.decode(String.self))
        }
    }
}

/// Counts work in progress so that closing waits for it, and refuses work once closing has begun.
private final class WorkGate: Sendable {
    private struct State {
        var closed = false
        var running = 0
        var drained: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())

    func run<T>(_ body: () async throws -> T) async throws -> T {
        try state.withLock { state throws(SQLDirectoryError) in
            guard !state.closed else { throw .closed }
            state.running += 1
        }
        defer {
            let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
                state.running -= 1
                guard state.running == 0 else { return [] }
                defer { state.drained = [] }
                return state.drained
            }
            for waiter in waiters { waiter.resume() }
        }
        return try await body()
    }

    /// Refuses new work and waits for running work to finish. False if it was already closed.
    func close() async -> Bool {
        let first = state.withLock { state -> Bool in
            defer { state.closed = true }
            return !state.closed
        }
        guard first else { return false }
        await withCheckedContinuation { continuation in
            let idle = state.withLock { state -> Bool in
                if state.running == 0 { return true }
                state.drained.append(continuation)
                return false
            }
            if idle { continuation.resume() }
        }
        return true
    }
}

/// Tells the task that holds a connection's lease that the work using the connection is done. Waiting ignores
/// cancellation: a cancelled request must not give its connection back while its statements may still be running.
private final class ReleaseSignal: Sendable {
    private let state = Mutex<(fired: Bool, waiter: CheckedContinuation<Void, Never>?)>((false, nil))

    func wait() async {
        await withCheckedContinuation { continuation in
            let fired = state.withLock { state in
                if !state.fired { state.waiter = continuation }
                return state.fired
            }
            if fired { continuation.resume() }
        }
    }

    func fire() {
        let waiter = state.withLock { state in
            state.fired = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }
}

/// Runs a task's jobs on a NIO event loop: code inside `withTaskExecutorPreference(EventLoopTaskExecutor(loop))`
/// runs there, until it returns.
private final class EventLoopTaskExecutor: TaskExecutor {
    let loop: any EventLoop

    init(_ loop: any EventLoop) { self.loop = loop }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        loop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}

/// A check's connection, closed as soon as it is made once nobody waits for the check any more.
private final class ProbeAttempt: Sendable {
    private let state = Mutex<(connection: PostgresConnection?, abandoned: Bool)>((nil, false))

    func opened(_ connection: PostgresConnection) {
        let abandoned = state.withLock { state in
            state.connection = connection
            return state.abandoned
        }
        if abandoned { connection.close().whenComplete { _ in } }
    }

    func abandon() {
        let connection = state.withLock { state in
            state.abandoned = true
            return state.connection
        }
        connection?.close().whenComplete { _ in }
    }
}
