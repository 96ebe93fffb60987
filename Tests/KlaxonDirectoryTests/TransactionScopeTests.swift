import Testing
@testable import KlaxonDirectory
import KlaxonTestSupport

/// A write transaction begun inside another would wait forever for the writer (SQLite) or the outer row locks
/// (PostgreSQL); it fails at once instead, and the outer transaction's changes roll back with it.
@Suite(.timeLimit(.minutes(1))) struct TransactionScopeTests {
    @Test(arguments: TestBackend.available)
    func aNestedTransactionFailsInsteadOfWaitingForever(backend: TestBackend) async throws {
        try await backend.withDirectory { directory in
            let org = try await directory.createOrganisation(slug: "acme", name: "Acme").id
            let database = directory.database
            await #expect(throws: SQLDirectoryError.nestedTransaction) {
                try await database.transaction { db in
                    try await db.execute(SQLFragment("UPDATE organisations SET name = 'Changed' WHERE id = ?", [.integer(Int(org))]))
                    try await database.transaction { _ in }
                }
            }
            // A task started inside the transaction carries the mark too.
            await #expect(throws: SQLDirectoryError.nestedTransaction) {
                try await database.transaction { _ in
                    try await Task { try await database.autocommit { _ in } }.value
                }
            }
            #expect(try await directory.organisations().map(\.name) == ["Acme"], "the outer transaction rolled back")
            // A task that outlives its transaction may write once the transaction has ended.
            let (ended, end) = AsyncStream<Void>.makeStream()
            let later = try await database.transaction { _ in
                Task {
                    for await _ in ended { break }
                    try await database.autocommit { db in try await db.execute(SQLFragment("UPDATE organisations SET name = 'Later'")) }
                }
            }
            end.yield()
            try await later.value
            #expect(try await directory.organisations().map(\.name) == ["Later"])
            // Transactions one after another are unaffected.
            try await database.transaction { db in
                try await db.execute(SQLFragment("UPDATE organisations SET name = 'Renamed' WHERE id = ?", [.integer(Int(org))]))
            }
            #expect(try await directory.organisations().map(\.name) == ["Renamed"])
        }
    }
}
