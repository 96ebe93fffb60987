import KlaxonDirectory
import KlaxonTestSupport
import Testing

/// When PostgreSQL goes away, work fails within seconds as ``SQLDirectoryError/unavailable(_:)`` (the server answers
/// it with 503), rather than waiting the minute the connection pool keeps trying; when it comes back, work goes on.
///
/// These used to stall about one run in four: postgres-nio dropped a statement written to a connection that had just
/// closed (see `PostgresStatementsTests`).
@Suite(.enabled(if: TestBackend.postgresURL != nil, "needs \(TestBackend.postgresURLVariable)"))
struct DatabaseOutageTests {
    @Test func workFailsFastWhileTheDatabaseIsDownAndResumesWhenItIsBack() async throws {
        try await TestBackend.postgres.withScratchDatabase { database in
            let server = try #require(database.server)
            let proxy = try await TCPProxy.start(to: server.host, port: server.port)
            let directory = try await database.through(proxy).open()
            try await directory.closing {
                let organisation = try await directory.createOrganisation(slug: "acme", name: "Acme")
                try await directory.ping()

                proxy.takeDown()
                for _ in 0..<2 {
                    let start = ContinuousClock.now
                    await #expect {
                        _ = try await directory.organisation(slug: "acme")
                    } throws: { error in
                        if case SQLDirectoryError.unavailable = error { true } else { false }
                    }
                    #expect(ContinuousClock.now - start < .seconds(15), "not the pool's minute")
                }
                await #expect(throws: SQLDirectoryError.self) { try await directory.ping() }

                proxy.bringBack()
                // The pool tries again after a pause of its own; nothing else is needed.
                #expect(await eventually(within: .seconds(90)) { (try? await directory.organisation(slug: "acme")) != nil })
                #expect(try await directory.organisation(slug: "acme")?.id == organisation.id)
            }
            try await proxy.close()
        }
    }
}
