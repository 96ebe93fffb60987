import Foundation
import Testing
@testable import KlaxonDirectory

/// Group commit on a real SQLite file: concurrent write transactions share commits, yet each one is all or
/// nothing and is visible to readers by the time it returns.
@Suite struct GroupCommitWriterTests {
    struct Refused: Error {}

    /// A fresh pool on a temporary file with one table `t (k INTEGER PRIMARY KEY, v TEXT UNIQUE)`.
    private func pool() async throws -> (SQLiteConnectionPool, URL) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("group-commit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let pool = try await SQLiteConnectionPool.open(path: folder.appendingPathComponent("t.sqlite").path, readers: 2)
        try await pool.transaction { db in try await db.execute(SQLFragment("CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT UNIQUE)")) }
        return (pool, folder)
    }

    private func keys(_ pool: SQLiteConnectionPool) async throws -> Set<Int> {
        try await pool.read { db in Set(try await db.rows(SQLFragment("SELECT k FROM t")).map { try $0.integer("k") }) }
    }

    /// A commit is synced to the disk before the write is reported: an acknowledged write must survive a power cut.
    @Test func commitsAreSyncedToTheDisk() async throws {
        let (pool, folder) = try await pool()
        defer { try? FileManager.default.removeItem(at: folder) }
        let level = try await pool.transaction { db in try await db.rows(SQLFragment("PRAGMA synchronous")) }
        #expect(try level.first?.integer("synchronous") == 2, "FULL")
        try await pool.close()
    }

    /// Text is bound with its length: SQLite, told to read up to a terminator, stored "a\u{0}b" as "a".
    @Test func textIsBoundWhole() async throws {
        let (pool, folder) = try await pool()
        defer { try? FileManager.default.removeItem(at: folder) }
        try await pool.transaction { db in try await db.execute(SQLFragment("INSERT INTO t (k, v) VALUES (1, ?)", [.text("a\u{0}bé")])) }
        let row = try #require(try await pool.read { db in try await db.rows(SQLFragment("SELECT v, length(CAST(v AS BLOB)) AS n FROM t")) }.first)
        #expect(try row.integer("n") == 5)
        #expect(try row.text("v") == "a\u{0}bé")
        try await pool.close()
    }

    @Test func concurrentTransactionsCommitWhatSucceededAndNothingOfWhatFailed() async throws {
        let (pool, folder) = try await pool()
        defer { try? FileManager.default.removeItem(at: folder) }
        let count = 300
        let outcomes = await withTaskGroup(of: (Int, Bool, Bool).self) { group in
            for index in 0..<count {
                group.addTask {
                    do {
                        try await pool.transaction { db in
                            try await db.execute(SQLFragment("INSERT INTO t (k, v) VALUES (?, ?)", [.integer(2 * index), .text("a\(index)")]))
                            // Every seventh fails after writing its first row: that row must not survive.
                            if index % 7 == 3 { throw Refused() }
                            try await db.execute(SQLFragment("INSERT INTO t (k, v) VALUES (?, ?)", [.integer(2 * index + 1), .text("b\(index)")]))
                        }
                        // Returned means committed: a reader sees both rows now.
                        let seen = try await pool.read { db in
                            try await db.rows(SQLFragment("SELECT count(*) AS n FROM t WHERE k IN (?, ?)", [.integer(2 * index), .integer(2 * index + 1)]))
                        }
                        return (index, true, (try? seen.first?.integer("n")) == 2)
                    } catch is Refused {
                        return (index, false, true)
                    } catch {
                        Issue.record("transaction \(index) failed: \(error)")
                        return (index, false, false)
                    }
                }
            }
            var all: [(Int, Bool, Bool)] = []
            for await outcome in group { all.append(outcome) }
            return all
        }
        #expect(outcomes.allSatisfy { $0.2 }, "a transaction returned before a reader could see its rows")
        let succeeded = outcomes.filter(\.1).map(\.0)
        #expect(Set(succeeded) == Set((0..<count).filter { $0 % 7 != 3 }))
        let expected = Set(succeeded.flatMap { [2 * $0, 2 * $0 + 1] })
        #expect(try await keys(pool) == expected)
        try await pool.close()
    }

    /// Starts `body` as a transaction that holds the writer until `release()` is called, then queues `others`
    /// behind it one after another, so that they form one group when it is released.
    private func group(
        _ pool: SQLiteConnectionPool, first body: @escaping @Sendable (any SQLConnection) async throws -> Void,
        then others: [@Sendable (any SQLConnection) async throws -> Void]
    ) async throws -> (first: Task<Void, any Error>, others: [Task<Void, any Error>], release: @Sendable () -> Void) {
        let (gate, opener) = AsyncStream<Void>.makeStream()
        let first = Task {
            try await pool.transaction { db in
                try await body(db)
                for await _ in gate { break }
            }
        }
        var tasks: [Task<Void, any Error>] = []
        for (index, other) in others.enumerated() {
            tasks.append(Task { try await pool.transaction { db in try await other(db) } })
            while pool.writer.waitingCount < index + 1 { try await Task.sleep(for: .milliseconds(5)) }
        }
        return (first, tasks, { opener.yield() })
    }

    /// Transactions queued behind a slow one join its group and share its commit; one that fails in the middle
    /// of the group leaves the ones before and after it committed, and returns only once they are.
    @Test func aFailureInsideAGroupUndoesOnlyItsOwnStatements() async throws {
        let (pool, folder) = try await pool()
        defer { try? FileManager.default.removeItem(at: folder) }
        let commitsBefore = pool.writer.commitCount
        let (first, others, release) = try await group(
            pool, first: { db in try await db.execute(SQLFragment("INSERT INTO t (k, v) VALUES (1, 'first')")) },
            then: [
                { db in
                    try await db.execute(SQLFragment("INSERT INTO t (k, v) VALUES (2, 'failing')"))
                    try await db.execute(SQLFragment("INSERT INTO t (k, v) VALUES (3, 'first')"))  // breaks v's uniqueness
                },
                { db in try await db.execute(SQLFragment("INSERT INTO t (k, v) VALUES (4, 'last')")) },
            ])
        release()
        await #expect(throws: (any Error).self) { try await others[0].value }
        // The failure rested on the first transaction's row: by the time it is reported, that row is committed.
        #expect(try await keys(pool).contains(1))
        try await first.value
        try await others[1].value
        #expect(try await keys(pool) == [1, 4])
        #expect(pool.writer.commitCount == commitsBefore + 1, "three transactions, one commit")
    }

    /// A member that ends the shared transaction (as SQLite does itself on some I/O errors) takes the group's
    /// changes with it: every member is told, none reports success, and the writer goes on with a fresh one.
    @Test(arguments: [true, false]) func aMemberThatEndsTheTransactionFailsTheWholeGroup(memberThrows: Bool) async throws {
        let (pool, folder) = try await pool()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (first, others, release) = try await group(
            pool, first: { db in try await db.execute(SQLFragment("INSERT INTO t (k, v) VALUES (1, 'first')")) },
            then: [
                { db in try await db.execute(SQLFragment("INSERT INTO t (k, v) VALUES (2, 'second')")) },
                { db in
                    try await db.execute(SQLFragment("INSERT INTO t (k, v) VALUES (3, 'breaker')"))
                    try await db.execute(SQLFragment("ROLLBACK"))
                    if memberThrows { throw Refused() }
                },
                { db in try await db.execute(SQLFragment("INSERT INTO t (k, v) VALUES (4, 'after')")) },
            ])
        release()
        await #expect(throws: (any Error).self) { try await first.value }
        await #expect(throws: (any Error).self) { try await others[0].value }
        await #expect(throws: (any Error).self) { try await others[1].value }
        try await others[2].value
        #expect(try await keys(pool) == [4])
    }

    /// A group holds at most `groupLimit` transactions, failed ones included.
    @Test func aGroupHoldsAtMostTheLimit() async throws {
        let (pool, folder) = try await pool()
        defer { try? FileManager.default.removeItem(at: folder) }
        let commitsBefore = pool.writer.commitCount
        let limit = GroupCommitWriter.groupLimit
        let (first, others, release) = try await group(
            pool, first: { db in try await db.execute(SQLFragment("INSERT INTO t (k, v) VALUES (0, 'v0')")) },
            then: (1..<(2 * limit)).map { index in
                { db in
                    try await db.execute(SQLFragment("INSERT INTO t (k, v) VALUES (?, ?)", [.integer(index), .text("v\(index)")]))
                    if index % 2 == 0 { throw Refused() }
                }
            })
        release()
        try await first.value
        for (offset, task) in others.enumerated() {
            let index = offset + 1
            if index % 2 == 0 { await #expect(throws: Refused.self) { try await task.value } } else { try await task.value }
        }
        #expect(pool.writer.commitCount == commitsBefore + 2, "\(2 * limit) transactions in groups of \(limit)")
        #expect(try await keys(pool) == Set([0] + (1..<(2 * limit)).filter { $0 % 2 == 1 }))
    }

    @Test func theSameUniqueValueFromManyConcurrentTransactionsIsWrittenOnce() async throws {
        let (pool, folder) = try await pool()
        defer { try? FileManager.default.removeItem(at: folder) }
        let successes = await withTaskGroup(of: Bool.self) { group in
            for index in 0..<50 {
                group.addTask {
                    (try? await pool.transaction { db in
                        try await db.execute(SQLFragment("INSERT INTO t (k, v) VALUES (?, 'taken')", [.integer(index)]))
                    }) != nil
                }
            }
            var count = 0
            for await success in group where success { count += 1 }
            return count
        }
        #expect(successes == 1)
        #expect(try await keys(pool).count == 1)
        try await pool.close()
    }

    @Test func closingWaitsForQueuedTransactionsAndRefusesNewOnes() async throws {
        let (pool, folder) = try await pool()
        defer { try? FileManager.default.removeItem(at: folder) }
        let accepted = await withTaskGroup(of: Int?.self) { group in
            for index in 0..<20 {
                group.addTask {
                    let written: Void? = try? await pool.transaction { db in
                        try await db.execute(SQLFragment("INSERT INTO t (k, v) VALUES (?, ?)", [.integer(index), .text("v\(index)")]))
                    }
                    return written.map { index }
                }
            }
            group.addTask {
                try? await pool.close()
                return nil
            }
            var accepted = Set<Int>()
            for await index in group { if let index { accepted.insert(index) } }
            return accepted
        }
        await #expect(throws: SQLDirectoryError.self) {
            try await pool.transaction { db in try await db.execute(SQLFragment("INSERT INTO t (k, v) VALUES (99, 'late')")) }
        }
        // Whatever was accepted before closing was committed, and nothing else: reopening finds exactly those rows.
        let reopened = try await SQLiteConnectionPool.open(path: folder.appendingPathComponent("t.sqlite").path, readers: 1)
        #expect(try await keys(reopened) == accepted)
        try await reopened.close()
    }
}
