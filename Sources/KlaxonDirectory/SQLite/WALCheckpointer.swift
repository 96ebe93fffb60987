import Dispatch
import Synchronization
import VaporCSQLite

/// Copies the write-ahead log back into the database file on a connection and thread of its own, so that the
/// request whose commit fills the log does not wait for it.
///
/// SQLite's default checkpoints inside the commit that crosses the threshold: that request took about ten times the
/// median (create p99 15 ms against p50 1.4 ms). Here the writer's commit only signals (``walDidGrow(to:on:)``,
/// from `sqlite3_wal_hook`) and a serial queue runs a `PASSIVE` checkpoint, which waits for nobody. Under a
/// sustained load the log can outgrow what the background checkpoints keep up with, since the writer keeps
/// appending while they run; past ``highMark`` pages the committing writer checkpoints inline as SQLite would,
/// which bounds the log and lets it restart from its beginning.
///
/// Once writes pause for ``idleDelay``, whatever the log holds is checkpointed too: a reader must look every page
/// up in the log's index before the file, so a log left full after a burst of writes made every later read slower
/// (get-by-id cost 61–68 µs of server CPU after seeding 100k users, 49–52 µs once the log was copied back).
///
/// ```swift
/// let checkpointer = try WALCheckpointer(path: path)
/// writer.reportWALGrowth(to: checkpointer)  // the writer's commits now signal it
/// checkpointer.close()                      // after the writer is closed
/// ```
final class WALCheckpointer: Sendable {
    /// Log pages (4 KiB each) after which a commit asks for a background checkpoint.
    let threshold: Int32
    /// Log pages after which the committing writer checkpoints inline.
    let highMark: Int32
    /// How long writes must pause before the log is checkpointed whatever its size.
    let idleDelay: DispatchTimeInterval

    private let connection: SQLiteConnection
    /// Checkpoints run one at a time on this queue; the blocking SQLite call never occupies a Swift concurrency thread.
    private let queue = DispatchQueue(label: "klaxon.sqlite.checkpoint")
    private let pending = Atomic(false)
    private let completed = Atomic(0)
    /// Commits seen, so that an idle check can tell whether any came since it was scheduled.
    private let commits = Atomic(0)
    private let idleCheckScheduled = Atomic(false)
    private let closed = Atomic(false)

    /// Opens its own connection to the file. The defaults keep the log under 16 MB in steady use and 64 MB at most.
    init(path: String, threshold: Int32 = 4000, highMark: Int32 = 16000, idleDelay: DispatchTimeInterval = .milliseconds(250)) throws {
        connection = try SQLiteConnection.open(path: path)
        self.threshold = threshold
        self.highMark = highMark
        self.idleDelay = idleDelay
    }

    /// How many background checkpoints have run (for tests and diagnostics).
    var checkpointCount: Int { completed.load(ordering: .relaxed) }

    /// Called by the writer after each commit with the log's size in pages: schedules a background checkpoint past
    /// ``threshold`` (at most one waiting at a time), and checkpoints on `writer` itself past ``highMark``.
    func walDidGrow(to pages: Int32, on writer: OpaquePointer) {
        commits.add(1, ordering: .relaxed)
        scheduleIdleCheckpoint()
        if pages >= highMark {
            // The writer is between transactions here, so this checkpoint can finish and the log restart.
            sqlite_nio_sqlite3_wal_checkpoint_v2(writer, nil, SQLITE_CHECKPOINT_PASSIVE, nil, nil)
            return
        }
        guard pages >= threshold, pending.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged
        else { return }
        queue.async { [self] in
            pending.store(false, ordering: .releasing)
            // PASSIVE never waits: a checkpoint that a reader or the writer's own inline one holds up just stops,
            // and the next commit past the threshold asks again.
            checkpoint()
        }
    }

    /// Checkpoints once no commit has come for ``idleDelay``; while they keep coming, looks again after each delay.
    private func scheduleIdleCheckpoint() {
        guard idleCheckScheduled.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged else { return }
        let seen = commits.load(ordering: .relaxed)
        queue.asyncAfter(deadline: .now() + idleDelay) { [self] in
            idleCheckScheduled.store(false, ordering: .releasing)
            if commits.load(ordering: .relaxed) == seen {
                checkpoint()
            } else {
                scheduleIdleCheckpoint()
            }
        }
    }

    /// Runs on ``queue``.
    private func checkpoint() {
        guard !closed.load(ordering: .acquiring) else { return }
        _ = try? connection.checkpoint()
        completed.add(1, ordering: .relaxed)
    }

    /// Waits for a checkpoint in progress, then closes the connection. Call after the writer is closed.
    func close() {
        queue.sync {
            closed.store(true, ordering: .releasing)
            connection.close()
        }
    }
}
