import KlaxonDirectory
import KlaxonTestSupport
import Testing

/// Says which backends the directory and server suites ran on. Without a PostgreSQL server the PostgreSQL run is
/// reported as skipped, not failed, so `swift test` passes on SQLite alone.
@Suite struct BackendCoverageTests {
    @Test(
        .enabled(
            if: TestBackend.postgresURL != nil,
            """
            PostgreSQL run skipped: the directory and server suites ran on SQLite only. Set \(TestBackend.postgresURLVariable) \
            (e.g. postgres://postgres@127.0.0.1:54329/postgres, as .ci/run does) to run them on PostgreSQL too.
            """))
    func postgreSQLRunsToo() async throws {
        #expect(TestBackend.available == [.sqlite, .postgres])
        try await TestBackend.postgres.withDirectory { directory in
            let organisations = try await directory.organisations()
            #expect(organisations.isEmpty)
        }
    }
}
