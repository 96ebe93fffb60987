import Foundation
import HTTPTypes
import KlaxonTestSupport
import Testing

/// While PostgreSQL cannot be reached, SCIM requests get 503 with `Retry-After` (identity platforms retry those)
/// within seconds, and `/healthz` answers 503 so that a load balancer stops sending requests to the instance.
@Suite(.enabled(if: TestBackend.postgresURL != nil, "needs \(TestBackend.postgresURLVariable)"))
struct DatabaseOutageServerTests {
    @Test func anUnreachableDatabaseIs503AndUnhealthy() async throws {
        try await TestBackend.postgres.withScratchDatabase { database in
            let server = try #require(database.server)
            let proxy = try await TCPProxy.start(to: server.host, port: server.port)
            try await TestServer.run(on: try database.through(proxy)) { server in
                #expect(try await server.raw(.get, "/healthz").status == 200)
                #expect(try await server.scim(.get, "/Users").status == 200)

                proxy.takeDown()
                let start = ContinuousClock.now
                let health = try await server.raw(.get, "/healthz")
                #expect(health.status == 503)
                #expect(health.headers[.retryAfter] != nil)
                #expect(ContinuousClock.now - start < .seconds(10))
                let users = try await server.scim(.get, "/Users")
                users.expectError(503)
                #expect(users.headers[.retryAfter] != nil)
                #expect(ContinuousClock.now - start < .seconds(20))

                // Back again: the instance recovers by itself (the pool reconnects after a pause of its own).
                proxy.bringBack()
                let deadline = ContinuousClock.now + .seconds(90)
                var healthy = false
                while !healthy, ContinuousClock.now < deadline {
                    healthy = try await server.raw(.get, "/healthz").status == 200
                    if !healthy { try await Task.sleep(for: .milliseconds(500)) }
                }
                #expect(healthy)
                #expect(try await server.scim(.get, "/Users").status == 200)
            }
            try await proxy.close()
        }
    }
}
