import Foundation
import Testing
@testable import KlaxonDirectory

/// The write-ahead log is copied back in the background while the writer goes on, and stays bounded under a load
/// the background cannot keep up with; nothing written is lost.
@Suite(.timeLimit(.minutes(1))) struct WALCheckpointerTests {
    /// A writer on a new file in WAL mode with one table `t (k INTEGER PRIMARY KEY, v TEXT NOT NULL)`, in a folder
    /// of its own for the caller to remove.
    private func walFile() async throws -> (folder: URL, path: String, writer: SQLiteConnection) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("wal-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent("t.sqlite").path
        let writer = try SQLiteConnection.open(path: path)
        try await writer.query("PRAGMA journal_mode = WAL")
        try await writer.query("CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT NOT NULL)")
        return (folder, path, writer)
    }

    @Test func checkpointsInTheBackgroundAndKeepsTheLogBounded() async throws {
        let (folder, path, writer) = try await walFile()
        defer { try? FileManager.default.removeItem(at: folder) }
        // Small marks (pages of 4 KiB), so that a few megabytes cross both.
        let checkpointer = try WALCheckpointer(path: path, threshold: 50, highMark: 400)
        writer.reportWALGrowth(to: checkpointer)

        let row = String(repeating: "x", count: 1000)
        var largestLog = 0
        for batch in 0..<200 {
            try await writer.query("BEGIN IMMEDIATE")
            for index in 0..<40 {
                try await writer.query("INSERT INTO t (k, v) VALUES (?, ?)", [.integer(batch * 40 + index), .text(row)])
            }
            try await writer.query("COMMIT")
            let log = (try? FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int) ?? 0
            largestLog = max(largestLog, log)
        }
        // About 8 MB went through a log that never held much more than the high mark (400 pages, 1.6 MB).
        #expect(largestLog < 450 * 4096 + 64 * 1024, "the log grew to \(largestLog) bytes")
        #expect(checkpointer.checkpointCount > 0, "no checkpoint ran in the background")
        writer.close()
        checkpointer.close()

        let reopened = try SQLiteConnection.open(path: path)
        let count = try await reopened.query("SELECT count(*) AS n, sum(length(v)) AS bytes FROM t").first
        #expect(try count?.integer("n") == 8000)
        #expect(try count?.integer("bytes") == 8_000_000)
        reopened.close()
    }

    /// A log left below the threshold after writes stop is copied back once they pause, so that reads stop looking
    /// pages up in it (a full log after seeding 100k users cost get-by-id a fifth more CPU).
    @Test func checkpointsWhatTheLogHoldsOnceWritesPause() async throws {
        let (folder, path, writer) = try await walFile()
        defer { try? FileManager.default.removeItem(at: folder) }
        let checkpointer = try WALCheckpointer(path: path, threshold: 4000, highMark: 16000, idleDelay: .milliseconds(50))
        writer.reportWALGrowth(to: checkpointer)
        for index in 0..<20 {
            try await writer.query("INSERT INTO t (k, v) VALUES (?, 'v')", [.integer(index)])
        }
        for _ in 0..<200 where checkpointer.checkpointCount == 0 {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(checkpointer.checkpointCount == 1, "one checkpoint once the writes paused, far below the threshold")
        writer.close()
        checkpointer.close()
    }

    /// The pool wires it up: its writer's commits reach the checkpointer, and closing the pool closes it too.
    @Test func thePoolCheckpointsItsWritersLog() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("wal-pool-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let pool = try await SQLiteConnectionPool.open(path: folder.appendingPathComponent("t.sqlite").path, readers: 1)
        try await pool.transaction { db in try await db.execute(SQLFragment("CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT NOT NULL)")) }
        let row = String(repeating: "y", count: 2000)
        for batch in 0..<100 {
            try await pool.transaction { db in
                for index in 0..<100 {
                    try await db.execute(SQLFragment("INSERT INTO t (k, v) VALUES (?, ?)", [.integer(batch * 100 + index), .text(row)]))
                }
            }
        }
        // 20 MB through the log crosses the default 4,000-page threshold; the checkpoint runs on its own queue.
        for _ in 0..<200 where pool.checkpointer.checkpointCount == 0 {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(pool.checkpointer.checkpointCount > 0)
        try await pool.close()
    }
}
