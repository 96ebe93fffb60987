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

    /// Transactions queued behind a slow one join its group: one that fails in the middle of the group leaves the
    /// ones before and after it committed.
    @Test func aFailureInsideAGroupUndoesOnlyItsOwnStatements() async throws {
        let (pool, folder) = try await pool()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (gate, opener) = AsyncStream<Void>.makeStream()
        let first = Task { try await pool.transaction { db in
            try await db.execute(SQLFragment("INSERT INTO t (k, v) VALUES (1, 'first')"))
            for await _ in gate { break }  // holds the writer until the others queue behind it
        } }
        try await Task.sleep(for: .milliseconds(50))
        let failing = Task { try await pool.transaction { db in
            try await db.execute(SQLFragment("INSERT INTO t (k, v) VALUES (2, 'failing')"))
            try await db.execute(SQLFragment("INSERT INTO t (k, v) VALUES (3, 'first')"))  // breaks v's uniqueness
        } }
        try await Task.sleep(for: .milliseconds(50))
        let last = Task { try await pool.transaction { db in
            try await db.execute(SQLFragment("INSERT INTO t (k, v) VALUES (4, 'last')"))
        } }
        try await Task.sleep(for: .milliseconds(50))
        opener.yield()
        try await first.value
        await #expect(throws: (any Error).self) { try await failing.value }
        try await last.value
        #expect(try await keys(pool) == [1, 4])
        try await pool.close()
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
        await withTaskGroup(of: Void.self) { group in
            for index in 0..<20 {
                group.addTask {
                    try? await pool.transaction { db in
                        try await db.execute(SQLFragment("INSERT INTO t (k, v) VALUES (?, ?)", [.integer(index), .text("v\(index)")]))
                    }
                }
            }
            group.addTask { try? await pool.close() }
        }
        await #expect(throws: SQLDirectoryError.self) {
            try await pool.transaction { db in try await db.execute(SQLFragment("INSERT INTO t (k, v) VALUES (99, 'late')")) }
        }
        // Whatever was accepted before closing was committed: reopening finds exactly those rows.
        let reopened = try await SQLiteConnectionPool.open(path: folder.appendingPathComponent("t.sqlite").path, readers: 1)
        let stored = try await keys(reopened)
        #expect(stored.isSubset(of: Set(0..<20)))
        try await reopened.close()
    }
}
