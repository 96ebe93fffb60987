import PostgresNIO
import Synchronization

/// Closes a connection whose statement PostgreSQL has not answered within ``limit`` when PostgreSQL has gone
/// silent, for ``PostgresDatabase``, so that the statement fails with ``SQLDirectoryError/unavailable(_:)`` (503 to
/// the client) instead of waiting for the network to give up.
///
/// A server that has gone silent (a host powered off, a network partition, a frozen process) breaks nothing that
/// TCP sees: a statement sent to it waits until the kernel stops retransmitting, about a quarter of an hour, and
/// meanwhile holds its pooled connection, so that once every connection waits the whole server waits.
///
/// A statement past its limit may also be waiting for a lock, or simply be slow, on a server that is fine; closing
/// its connection then would fail work that was going to succeed, and leave its backend behind, still waiting,
/// holding a connection slot (PostgreSQL does not notice the client has gone until it next writes to it). So the
/// watchdog first asks PostgreSQL itself, on a connection of its own (``probe``, 5 s), which of the overdue statements'
/// backends are working (`pg_stat_activity`): those statements get another ``limit``; a statement whose backend is
/// not working (its statement never arrived, or its answer was lost: the connection's path went silent while new
/// connections get through, as after a fail-over or a dropped flow), or all of them when PostgreSQL does not answer
/// within 5 s, have their connections closed. That fails them at once and lets the pool connect
/// afresh; a transaction cut off this way never commits, unless the unanswered statement was its `COMMIT` or a
/// single write outside any transaction.
///
/// Each row of an answer moves its statement's deadline on, so a long export is not questioned while rows keep
/// coming. Statements run before ``arm()`` (the schema's migrations) have no deadline. Like ``LeaseWatchdog``, one
/// task checks every quarter of a second rather than a timer per statement.
final class StatementWatchdog: Sendable {
    /// What the check found.
    enum Answer: Sendable {
        /// PostgreSQL did not answer.
        case silent
        /// Of the backends asked about, those working on a statement; nil when PostgreSQL answered but could not
        /// say (it refused the check's connection, say), which counts as all of them.
        case working(Set<Int32>?)
    }

    private struct Watched {
        var next = 0
        var armed = false
        var entries: [Int: (deadline: ContinuousClock.Instant, connection: PostgresConnection, backend: Int32?)] = [:]
        /// The tickets whose connections were closed, until their statements end.
        var expired: Set<Int> = []
    }

    /// How long a statement may go without an answer before PostgreSQL is asked whether it is there.
    let limit: Duration
    /// Asks PostgreSQL, within the time given and on a connection of its own, which of the given backends work.
    private let probe: @Sendable (Duration, [Int32]) async -> Answer
    private let watched = Mutex(Watched())

    init(limit: Duration, probe: @escaping @Sendable (Duration, [Int32]) async -> Answer) {
        self.limit = limit
        self.probe = probe
    }

    /// Gives statements from now on a deadline.
    func arm() {
        watched.withLock { $0.armed = true }
    }

    /// Watches a statement about to be sent on `connection`, whose server process is `backend` if known; returns the
    /// ticket to pass to ``progress(_:)`` and ``end(_:)``, or nil before ``arm()``.
    func watch(_ connection: PostgresConnection, backend: Int32?) -> Int? {
        let deadline = ContinuousClock.now + limit
        return watched.withLock { watched in
            guard watched.armed else { return nil }
            defer { watched.next += 1 }
            watched.entries[watched.next] = (deadline, connection, backend)
            return watched.next
        }
    }

    /// The statement was answered in part (a row): its deadline starts again.
    func progress(_ ticket: Int?) {
        guard let ticket else { return }
        let deadline = ContinuousClock.now + limit
        watched.withLock { $0.entries[ticket]?.deadline = deadline }
    }

    /// The statement is over; true if it ran out of time and its connection was closed.
    @discardableResult
    func end(_ ticket: Int?) -> Bool {
        guard let ticket else { return false }
        return watched.withLock { watched in
            watched.entries[ticket] = nil
            return watched.expired.remove(ticket) != nil
        }
    }

    /// The error for a statement that ran out of time and ended with `error`: the closing's, unless PostgreSQL's own
    /// answer (a deadlock, a unique violation) came first.
    func timedOut(else error: any Error) -> any Error {
        guard PostgresDatabase.unavailability(of: error) != nil else { return error }
        return SQLDirectoryError.unavailable(
            "PostgreSQL did not answer a statement within \(limit), and a check on a connection of its own found no server process "
                + "working on it (or got no answer either); the statement's connection was closed")
    }

    /// How long the check waits for PostgreSQL.
    var probeLimit: Duration { .seconds(5) }

    /// Until cancelled: asks PostgreSQL about overdue statements, and closes the connections of those it is not
    /// working on.
    func run() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(250))
            let now = ContinuousClock.now
            let overdue = watched.withLock { watched in watched.entries.filter { $0.value.deadline <= now } }
            guard !overdue.isEmpty else { continue }
            let answer = await probe(probeLimit, overdue.values.compactMap(\.backend))
            let later = ContinuousClock.now + limit
            let silent = watched.withLock { watched in
                var closing: [PostgresConnection] = []
                for ticket in overdue.keys {
                    // Answered meanwhile, or a row came while the check ran.
                    guard let entry = watched.entries[ticket], entry.deadline <= now else { continue }
                    let working: Bool
                    switch answer {
                    case .silent: working = false
                    case .working(nil): working = true
                    case .working(let backends?): working = entry.backend.map(backends.contains) ?? true
                    }
                    if working {
                        // The statement waits on the database (a lock, a long sort), not on the network.
                        watched.entries[ticket]?.deadline = later
                    } else {
                        watched.entries[ticket] = nil
                        watched.expired.insert(ticket)
                        closing.append(entry.connection)
                    }
                }
                return closing
            }
            for connection in silent {
                connection.close().whenComplete { _ in }
            }
        }
    }
}
