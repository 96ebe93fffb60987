import Foundation
import HTTPTypes
import KlaxonTestSupport
import SCIM
import Testing

/// While PostgreSQL cannot be reached, SCIM requests get 503 with `Retry-After` (identity platforms retry those)
/// within seconds, and `/healthz` answers 503 so that a load balancer stops sending requests to the instance.
///
/// These used to stall about one run in four: postgres-nio dropped a statement written to a connection that had just
/// closed (see `PostgresStatementsTests`).
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
                // A Bulk stops at the first operation that cannot reach the database, rather than wait for each.
                let user = #"{"method":"POST","path":"/Users","bulkId":"b%d","data":{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"u%d@example.com"}}"#
                let operations = (1...3).map { String(format: user, $0, $0) }.joined(separator: ",")
                let bulkStart = ContinuousClock.now
                let bulk = try await server.scim(
                    .post, "/Bulk", #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],"Operations":[\#(operations)]}"#,
                    token: server.acmeToken)
                if bulk.status == 200 {
                    let results = bulk["Operations"]?.arrayValue ?? []
                    #expect(results.count == 1)
                    #expect(results.first?["status"] == "503")
                } else {
                    bulk.expectError(503)  // the token look-up itself found the database gone
                }
                #expect(ContinuousClock.now - bulkStart < .seconds(15))

                // Back again: the instance recovers by itself (the pool reconnects after a pause of its own).
                proxy.bringBack()
                #expect(try await eventually(within: .seconds(90)) { try await server.raw(.get, "/healthz").status == 200 })
                #expect(try await server.scim(.get, "/Users").status == 200)
            }
            try await proxy.close()
        }
    }

    /// A database host that goes silent (no answer, no closed connection, as when it loses power or the network
    /// drops it) holds a request for the statement time limit, not the quarter of an hour TCP takes to give up; then
    /// it gets 503 with `Retry-After`, and the instance recovers when the host answers again.
    @Test func aSilentDatabaseIs503AfterTheStatementTimeLimit() async throws {
        try await TestBackend.postgres.withScratchDatabase { database in
            let server = try #require(database.server)
            let proxy = try await TCPProxy.start(to: server.host, port: server.port)
            try await TestServer.run(on: try database.through(proxy).answering(within: .seconds(2))) { server in
                let created = try await server.scim(.post, "/Users", #"{"userName":"silent@example.com"}"#)
                #expect(created.status == 201)
                let id = try #require(created["id"]?.stringValue)

                proxy.freeze()
                // The first waits for its statement's time limit; the next for a connection, which cannot be made.
                for limit in [Duration.seconds(12), .seconds(15)] {
                    let start = ContinuousClock.now
                    let reply = try await server.scim(.get, "/Users/\(id)")
                    reply.expectError(503)
                    #expect(reply.headers[.retryAfter] != nil)
                    #expect(ContinuousClock.now - start < limit, "the time limit, not TCP's quarter of an hour")
                }
                let health = ContinuousClock.now
                #expect(try await server.raw(.get, "/healthz").status == 503)
                #expect(ContinuousClock.now - health < .seconds(5))

                proxy.thaw()
                #expect(try await eventually(within: .seconds(90)) { try await server.scim(.get, "/Users/\(id)").status == 200 })
            }
            try await proxy.close()
        }
    }
}
