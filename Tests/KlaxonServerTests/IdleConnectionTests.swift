import Foundation
import HTTPTypes
import KlaxonServer
import KlaxonTestSupport
import NIOCore
import NIOPosix
import SCIM
import Synchronization
import Testing

/// Connections that send nothing are closed after the idle timeout; busy ones are not. The timeout is long enough
/// that a machine busy with the rest of the suite still reads a request sent at once well within it.
@Suite struct IdleConnectionTests {
    static let idleTimeout = Duration.milliseconds(1500)

    static var configuration: ServerConfiguration {
        var configuration = TestServer.configuration
        configuration.idleTimeout = idleTimeout
        return configuration
    }

    @Test func aStalledRequestHeadIsCutOff() async throws {
        try await TestBackend.sqlite.withScratchDatabase { database in
            try await TestServer.run(on: database, configuration: Self.configuration) { server in
                let start = ContinuousClock.now
                let connection = try await RawConnection.open(port: server.port)
                try await connection.send("GET /healthz HTTP/1.1\r\nHost: localhost\r\n")
                #expect(await connection.closedWithin(.seconds(10)))
                #expect(ContinuousClock.now - start >= Self.idleTimeout)
                #expect(connection.received.isEmpty)
            }
        }
    }

    @Test func aStalledRequestBodyIsCutOffAndNothingIsStored() async throws {
        try await TestBackend.sqlite.withScratchDatabase { database in
            try await TestServer.run(on: database, configuration: Self.configuration) { server in
                let connection = try await RawConnection.open(port: server.port)
                let body = #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"stalled@example.com"}"#
                try await connection.send(
                    "POST /scim/v2/acme/Users HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer \(server.acmeToken)\r\n"
                        + "Content-Type: application/scim+json\r\nContent-Length: \(body.utf8.count)\r\n\r\n" + body.prefix(20))
                #expect(await connection.closedWithin(.seconds(10)))
                // On a new connection: the test client's own one has been idle as long, and is closed too.
                let found = try await server.onNewConnection { fresh in
                    try await fresh.scim(.get, "/Users?filter=userName%20eq%20%22stalled@example.com%22")
                }
                #expect(found.status == 200)
                #expect(found["totalResults"] == 0)
            }
        }
    }

    @Test func anIdleKeepAliveConnectionIsClosedAfterItsAnswer() async throws {
        try await TestBackend.sqlite.withScratchDatabase { database in
            try await TestServer.run(on: database, configuration: Self.configuration) { server in
                let connection = try await RawConnection.open(port: server.port)
                try await connection.send("GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
                #expect(await connection.closedWithin(.seconds(10)))
                #expect(connection.received.hasPrefix("HTTP/1.1 200"))
            }
        }
    }

    @Test func aConnectionInUseStaysOpenPastTheTimeout() async throws {
        try await TestBackend.sqlite.withScratchDatabase { database in
            try await TestServer.run(on: database, configuration: Self.configuration) { server in
                let connection = try await RawConnection.open(port: server.port)
                let start = ContinuousClock.now
                var sent = 0
                // A request a tenth of the timeout after each answer, for twice the timeout: the connection stays.
                while ContinuousClock.now - start < Self.idleTimeout * 2 {
                    try await connection.send("GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
                    sent += 1
                    #expect(await connection.answers(sent, within: .seconds(10)), "answer \(sent)")
                    try await Task.sleep(for: Self.idleTimeout / 10)
                }
                #expect(!connection.isClosed)
            }
        }
    }

    @Test func zeroOrNegativeMeansNoTimeout() {
        #expect(ServerConfiguration(idleTimeout: .zero).idleTimeout == nil)
        #expect(ServerConfiguration(idleTimeout: .seconds(-1)).idleTimeout == nil)
        #expect(ServerConfiguration().idleTimeout == .seconds(75))
    }
}
