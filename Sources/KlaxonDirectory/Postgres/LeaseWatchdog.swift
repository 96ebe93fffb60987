import PostgresNIO
import Synchronization

/// Fails the wait for a pooled connection that takes longer than ``limit`` while the pool is making no progress, for
/// ``PostgresDatabase``: while PostgreSQL cannot be reached, the pool keeps trying to connect for a minute before
/// it fails what waits. No progress means no connection lent within ``limit`` although not all of them are out:
/// a wait behind a busy pool (connections lent and given back all the time, or all of them out on long work) is
/// the pool doing its job under load, and goes on.
///
/// One task checks the waits every quarter of a second, rather than a timer per statement: scheduling and
/// cancelling an event-loop timer from the statement's thread cost a fifth of a PostgreSQL read.
final class LeaseWatchdog: Sendable {
    typealias HandOver = AsyncThrowingStream<PostgresConnection, any Error>.Continuation

    private struct Waits {
        var next = 0
        var entries: [Int: (deadline: ContinuousClock.Instant, handOver: HandOver)] = [:]
        /// Connections lent out now, and when one last was.
        var lent = 0
        var lastLent = ContinuousClock.now
    }

    /// How long a wait may last.
    let limit: Duration
    /// The pool's most connections.
    let capacity: Int
    private let waits = Mutex(Waits())

    init(limit: Duration, capacity: Int) {
        self.limit = limit
        self.capacity = capacity
    }

    /// Watches a wait whose connection `handOver` delivers; returns the ticket to end the watch with.
    func watch(_ handOver: HandOver) -> Int {
        let deadline = ContinuousClock.now + limit
        return waits.withLock { waits in
            defer { waits.next += 1 }
            waits.entries[waits.next] = (deadline, handOver)
            return waits.next
        }
    }

    /// The wait is over (it got its connection, or failed).
    func end(_ ticket: Int) {
        _ = waits.withLock { $0.entries.removeValue(forKey: ticket) }
    }

    /// A connection was lent out (`true`) or given back (`false`).
    func lend(_ lent: Bool) {
        waits.withLock { waits in
            waits.lent += lent ? 1 : -1
            if lent { waits.lastLent = .now }
        }
    }

    /// Fails overdue waits with ``SQLDirectoryError/unavailable(_:)`` until cancelled.
    func run() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(250))
            let now = ContinuousClock.now
            let overdue = waits.withLock { waits in
                guard waits.lent < capacity, now - waits.lastLent >= limit else { return [HandOver]() }
                let overdue = waits.entries.filter { $0.value.deadline <= now }
                for ticket in overdue.keys { waits.entries[ticket] = nil }
                return overdue.values.map(\.handOver)
            }
            for handOver in overdue {
                handOver.finish(throwing: SQLDirectoryError.unavailable("no database connection within \(limit)"))
            }
        }
    }
}
