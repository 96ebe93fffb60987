import PostgresNIO
import Synchronization

/// Closes a connection whose statement PostgreSQL has not answered within ``limit``, for ``PostgresDatabase``, so
/// that the statement fails with ``SQLDirectoryError/unavailable(_:)`` (503 to the client) instead of waiting for
/// the network to give up.
///
/// A server that has gone silent (a host powered off, a network partition, a frozen process) breaks nothing that
/// TCP sees: a statement sent to it waits until the kernel stops retransmitting, about a quarter of an hour, and
/// meanwhile holds its pooled connection, so that once every connection waits the whole server waits. Closing the
/// connection fails the statement at once and lets the pool connect afresh; a transaction cut off this way never
/// commits (PostgreSQL rolls back what a vanished client began), unless the unanswered statement was its `COMMIT`.
///
/// A scan counts as answered as long as its rows keep coming: each row moves its deadline on. Statements run
/// before ``arm()`` (the schema's migrations, whose index builds may take minutes) have no deadline. Like
/// ``LeaseWatchdog``, one task checks every quarter of a second rather than a timer per statement.
final class StatementWatchdog: Sendable {
    private struct Watched {
        var next = 0
        var armed = false
        var entries: [Int: (deadline: ContinuousClock.Instant, connection: PostgresConnection)] = [:]
        /// The tickets whose connections were closed, until their statements end.
        var expired: Set<Int> = []
    }

    /// How long a statement may go without an answer.
    let limit: Duration
    private let watched = Mutex(Watched())

    init(limit: Duration) {
        self.limit = limit
    }

    /// Gives statements from now on a deadline.
    func arm() {
        watched.withLock { $0.armed = true }
    }

    /// Watches a statement about to be sent on `connection`; returns the ticket to pass to ``progress(_:)`` and
    /// ``end(_:)``, or nil before ``arm()``.
    func watch(_ connection: PostgresConnection) -> Int? {
        let deadline = ContinuousClock.now + limit
        return watched.withLock { watched in
            guard watched.armed else { return nil }
            defer { watched.next += 1 }
            watched.entries[watched.next] = (deadline, connection)
            return watched.next
        }
    }

    /// The statement was answered in part (a scan's row): its deadline starts again.
    func progress(_ ticket: Int?) {
        guard let ticket else { return }
        let deadline = ContinuousClock.now + limit
        watched.withLock { $0.entries[ticket]?.deadline = deadline }
    }

    /// The statement is over; true if it ran out of time and its connection was closed (whatever error the
    /// statement ended with then is the closing's).
    @discardableResult
    func end(_ ticket: Int?) -> Bool {
        guard let ticket else { return false }
        return watched.withLock { watched in
            watched.entries[ticket] = nil
            return watched.expired.remove(ticket) != nil
        }
    }

    /// The error for a statement that ran out of time.
    var timedOut: SQLDirectoryError {
        .unavailable("PostgreSQL did not answer a statement within \(limit); its connection was closed")
    }

    /// Closes the connections of overdue statements until cancelled.
    func run() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(250))
            let now = ContinuousClock.now
            let overdue = watched.withLock { watched in
                let overdue = watched.entries.filter { $0.value.deadline <= now }
                for ticket in overdue.keys {
                    watched.entries[ticket] = nil
                    watched.expired.insert(ticket)
                }
                return overdue.values.map(\.connection)
            }
            for connection in overdue {
                connection.close().whenComplete { _ in }
            }
        }
    }
}
