/// Marks the task running a write transaction, so that a write transaction begun inside it fails at once with
/// ``SQLDirectoryError/nestedTransaction`` instead of waiting forever: on SQLite for the one writer connection
/// the outer transaction holds, on PostgreSQL for the row locks it holds.
///
/// Tasks started inside the transaction inherit the mark (a task-local value): awaited there, they would wait for
/// the same connection or locks.
enum TransactionScope {
    @TaskLocal private static var database: ObjectIdentifier?

    /// Runs `body` as the write transaction of `database`; throws if the task is already inside one of its
    /// transactions.
    static func enter<T>(_ database: AnyObject, _ body: () async throws -> T) async throws -> T {
        let id = ObjectIdentifier(database)
        guard Self.database != id else { throw SQLDirectoryError.nestedTransaction }
        return try await $database.withValue(id) { try await body() }
    }
}
