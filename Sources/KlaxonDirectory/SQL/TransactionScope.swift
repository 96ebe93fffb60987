import Synchronization

/// Marks the task running a write transaction, so that a write transaction begun inside it fails at once with
/// ``SQLDirectoryError/nestedTransaction`` instead of waiting forever: on SQLite for the one writer connection
/// the outer transaction holds, on PostgreSQL for the row locks it may hold.
///
/// Tasks started inside the transaction inherit the mark (a task-local value): awaited there, they would wait for
/// the same connection or locks. One that outlives the transaction is free to write once it has ended.
enum TransactionScope {
    /// The transaction a task is inside, while it lasts.
    private final class Mark: Sendable {
        let database: ObjectIdentifier
        let isOpen = Atomic(true)

        init(_ database: ObjectIdentifier) {
            self.database = database
        }
    }

    @TaskLocal private static var mark: Mark?

    /// Runs `body` as the write transaction of `database`; throws if the task is already inside one of its
    /// transactions.
    static func enter<T>(_ database: AnyObject, _ body: () async throws -> T) async throws -> T {
        let id = ObjectIdentifier(database)
        if let mark, mark.database == id, mark.isOpen.load(ordering: .acquiring) {
            throw SQLDirectoryError.nestedTransaction
        }
        let mark = Mark(id)
        defer { mark.isOpen.store(false, ordering: .releasing) }
        return try await $mark.withValue(mark) { try await body() }
    }
}
