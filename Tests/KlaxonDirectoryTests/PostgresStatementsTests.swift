@testable import KlaxonDirectory
import KlaxonTestSupport
import PostgresNIO
import Synchronization
import Testing

/// A statement on a PostgreSQL connection that closes is answered, with ``SQLDirectoryError/unavailable(_:)``,
/// never left waiting: postgres-nio drops a query written to a connection whose channel has already closed.
@Suite(.enabled(if: TestBackend.postgresURL != nil, "needs \(TestBackend.postgresURLVariable)"))
struct PostgresStatementsTests {
    @Test func aStatementOnAClosedConnectionIsUnavailable() async throws {
        let connection = try await Self.connect()
        let statements = PostgresDatabase.PostgresStatements(connection: connection)
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
            let statements = PostgresDatabase.PostgresStatements(connection: connection)
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
