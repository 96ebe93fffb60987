@testable import KlaxonDirectory
import KlaxonTestSupport
import Foundation
import PostgresNIO
import Synchronization
import Testing

/// A statement on a PostgreSQL connection that closes is answered, with ``SQLDirectoryError/unavailable(_:)``,
/// never left waiting: postgres-nio drops a query written to a connection whose channel has already closed.
@Suite(.enabled(if: TestBackend.postgresURL != nil, "needs \(TestBackend.postgresURLVariable)"))
struct PostgresStatementsTests {
    @Test func aStatementOnAClosedConnectionIsUnavailable() async throws {
        let connection = try await Self.connect()
        let statements = PostgresDatabase.PostgresStatements(connection: connection, watchdog: Self.unarmed)
        #expect(try await statements.rows(SQLFragment("SELECT 1 AS one")).first?.integer("one") == 1)
        try await connection.close()

        let outcome = try await Self.settled(within: .seconds(10)) {
            try await statements.rows(SQLFragment("SELECT 1 AS one"))
        }
        guard case .failure(SQLDirectoryError.unavailable) = outcome else {
            Issue.record("expected unavailable, got \(outcome)")
            return
        }
        let streamed = try await Self.settled(within: .seconds(10)) {
            try await statements.forEachRow(SQLFragment("SELECT 1 AS one")) { _ in }
        }
        guard case .failure(SQLDirectoryError.unavailable) = streamed else {
            Issue.record("expected unavailable, got \(streamed)")
            return
        }
    }

    /// Statements sent from many tasks while the connection closes under them: each one is answered, with rows or
    /// an error that the database reports as unavailable.
    @Test func everyStatementRacingACloseIsAnswered() async throws {
        for _ in 0..<20 {
            let connection = try await Self.connect()
            let statements = PostgresDatabase.PostgresStatements(connection: connection, watchdog: Self.unarmed)
            let outcomes = try await Self.settled(within: .seconds(20)) {
                try await withThrowingTaskGroup(of: Result<Int, any Error>.self) { group in
                    for index in 0..<50 {
                        group.addTask {
                            do {
                                let statement = SQLFragment("SELECT ? AS n", [.integer(index)])
                                guard index.isMultiple(of: 2) else {
                                    // A scan's way: rows streamed to a callback.
                                    let count = Mutex(0)
                                    try await statements.forEachRow(statement) { _ in count.withLock { $0 += 1 } }
                                    return .success(count.withLock { $0 })
                                }
                                return .success(try await statements.rows(statement).count)
                            } catch {
                                return .failure(error)
                            }
                        }
                        if index == 25 { group.addTask { try await connection.close(); return .success(0) } }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
            }
            let answered = try outcomes.get()
            #expect(answered.count == 51)
            for case .failure(let error) in answered {
                #expect(PostgresDatabase.unavailability(of: error) != nil, "\(String(reflecting: error))")
            }
        }
    }

    /// A statement PostgreSQL never answers fails soon after the time limit, as unavailable, and its connection is
    /// closed, rather than waiting the quarter of an hour TCP takes to give up: when the host went silent (the
    /// watchdog's check gets no answer either), and when only the established connections did, while new ones get
    /// through (a fail-over, a dropped flow: the check finds the statement's backend idle).
    @Test(arguments: [false, true])
    func aStatementLeftUnansweredFailsSoonAfterItsTimeLimit(onlyOpenConnections: Bool) async throws {
        let (proxy, proxied) = try await Self.proxied()
        let connection = try await ScratchDatabase.connect(proxied)
        let (statements, watching) = try await Self.watched(connection, limit: .seconds(1), probing: proxied)
        defer { watching.cancel() }
        #expect(try await statements.rows(SQLFragment("SELECT 1 AS one")).first?.integer("one") == 1)

        if onlyOpenConnections { proxy.freezeOpenConnections() } else { proxy.freeze() }
        let start = ContinuousClock.now
        let outcome = try await Self.settled(within: .seconds(20)) {
            try await statements.rows(SQLFragment("SELECT 1 AS one"))
        }
        try await proxy.close()
        guard case .failure(SQLDirectoryError.unavailable(let reason)) = outcome else {
            Issue.record("expected unavailable, got \(outcome)")
            return
        }
        #expect(reason.contains("did not answer"), "\(reason)")
        // The limit (1 s) and the check (1 s) take about 2 s; a loaded CI machine has taken just over 6.
        #expect(ContinuousClock.now - start < .seconds(12), "the limit and the check, not TCP's quarter of an hour")
        #expect(await eventually(within: .seconds(5)) { connection.isClosed })
    }

    /// A statement waiting for a lock on a PostgreSQL that answers is not cut off, however long it waits: closing its
    /// connection would fail work about to succeed, and leave its backend behind, still waiting.
    @Test func aStatementWaitingForALockOnALiveServerIsNotCutOff() async throws {
        let url = try #require(TestBackend.postgresURL)
        let holder = try await Self.connect()
        for try await _ in try await holder.query("SELECT pg_advisory_lock(7411)", logger: ScratchDatabase.logger) {}
        let connection = try await Self.connect()
        let (statements, watching) = try await Self.watched(connection, limit: .seconds(1), probing: url)
        defer { watching.cancel() }
        let release = Task {
            try await Task.sleep(for: .seconds(3))
            for try await _ in try await holder.query("SELECT pg_advisory_unlock(7411)", logger: ScratchDatabase.logger) {}
        }
        let start = ContinuousClock.now
        let rows: [SQLRow]
        do {
            rows = try await statements.rows(SQLFragment("SELECT pg_advisory_lock(7411) IS NOT NULL AS locked"))
        } catch {
            // Closed before they are let go: postgres-nio's debug builds stop the process otherwise.
            release.cancel()
            try? await connection.close()
            try? await holder.close()
            throw error
        }
        #expect(try rows.first?.integer("locked") == 1)
        #expect(ContinuousClock.now - start >= .seconds(3), "it waited for the lock, three times the limit")
        #expect(!connection.isClosed)
        try await release.value
        _ = try await statements.rows(SQLFragment("SELECT pg_advisory_unlock(7411)"))
        try await connection.close()
        try await holder.close()
    }

    /// A scan whose rows keep coming is answered, however long it takes in all, even when the check says PostgreSQL
    /// is silent; one whose rows stop is not, then.
    @Test func aScanIsAnsweredWhileItsRowsKeepComing() async throws {
        let connection = try await Self.connect()
        let watchdog = StatementWatchdog(limit: .seconds(2)) { _, _ in .silent }
        watchdog.arm()
        let watching = Task { await watchdog.run() }
        defer { watching.cancel() }
        let statements = PostgresDatabase.PostgresStatements(connection: connection, watchdog: watchdog)
        // Rows larger than PostgreSQL's 8 KB output buffer go out one by one, 0.5 s apart: 4 s in all, twice the
        // limit, and each gap a quarter of it (a busy test machine delays rows).
        let count = Mutex(0)
        try await statements.forEachRow(
            SQLFragment("SELECT repeat('x', 9000) AS filler, pg_sleep(0.5) AS pause FROM generate_series(1, 8)")
        ) { _ in count.withLock { $0 += 1 } }
        #expect(count.withLock { $0 } == 8)

        await #expect {
            try await statements.forEachRow(SQLFragment("SELECT pg_sleep(5) AS pause")) { _ in }
        } throws: { error in
            if case SQLDirectoryError.unavailable(let reason) = error { reason.contains("did not answer") } else { false }
        }
    }

    /// Before the watchdog is armed (while the schema migrates), a statement takes as long as it takes.
    @Test func statementsBeforeArmingHaveNoTimeLimit() async throws {
        let connection = try await Self.connect()
        let watchdog = StatementWatchdog(limit: .milliseconds(500)) { _, _ in .silent }
        let watching = Task { await watchdog.run() }
        defer { watching.cancel() }
        let statements = PostgresDatabase.PostgresStatements(connection: connection, watchdog: watchdog)
        #expect(try await statements.rows(SQLFragment("SELECT pg_sleep(1.5) AS pause, 1 AS one")).first?.integer("one") == 1)
        try await connection.close()
    }

    /// Never armed, so that the tests of closing see postgres-nio's own answers.
    static let unarmed = StatementWatchdog(limit: .seconds(30)) { _, _ in .working(nil) }

    /// Statements on `connection` (with its server process id) with an armed watchdog of `limit` that checks
    /// PostgreSQL at `url`, and the task running it (cancel it afterwards).
    static func watched(
        _ connection: PostgresConnection, limit: Duration, probing url: String
    ) async throws -> (KlaxonDirectory.PostgresDatabase.PostgresStatements, Task<Void, Never>) {
        let probe = try PostgresDirectory.Configuration(url: url).connection()
        let watchdog = StatementWatchdog(limit: limit) { limit, backends in await PostgresDatabase.check(probe, backends: backends, within: limit) }
        var statements = PostgresDatabase.PostgresStatements(connection: connection, watchdog: watchdog)
        statements.backend = Int32(try #require(try await statements.rows(SQLFragment("SELECT pg_backend_pid() AS pid")).first).integer("pid"))
        watchdog.arm()
        return (statements, Task { await watchdog.run() })
    }

    /// A TCP proxy in front of the test server, and the server's URL through it.
    static func proxied() async throws -> (TCPProxy, String) {
        let url = try #require(TestBackend.postgresURL)
        let server = try #require(URLComponents(string: url))
        let host = try #require(server.host)
        let proxy = try await TCPProxy.start(to: host, port: server.port ?? 5432)
        var throughProxy = server
        throughProxy.host = "127.0.0.1"
        throughProxy.port = proxy.port
        return (proxy, try #require(throughProxy.string))
    }

    static func connect() async throws -> PostgresConnection {
        try await ScratchDatabase.connect(try #require(TestBackend.postgresURL))
    }

    struct Unanswered: Error {}

    /// The outcome of `work`, or `Unanswered` after `limit`: `work` runs in a task of its own, so that a wait that
    /// never ends (and ignores cancellation) fails the test instead of stalling the run.
    static func settled<T: Sendable>(
        within limit: Duration, _ work: @escaping @Sendable () async throws -> T
    ) async throws -> Result<T, any Error> {
        let (outcomes, outcome) = AsyncStream<Result<T, any Error>>.makeStream()
        let worker = Task {
            do { outcome.yield(.success(try await work())) } catch { outcome.yield(.failure(error)) }
        }
        let timer = Task {
            try? await Task.sleep(for: limit)
            outcome.finish()
        }
        defer {
            worker.cancel()
            timer.cancel()
        }
        var iterator = outcomes.makeAsyncIterator()
        guard let first = await iterator.next() else { throw Unanswered() }
        return first
    }
}
