import KlaxonDirectory
import KlaxonTestSupport
import NIOCore
import Testing

@testable import KlaxonServer

/// `serve --trusted-proxy`: behind a load balancer, sign-in tallies count the client `X-Forwarded-For` names, and the
/// balancer's own connections are not held to the per-address limit; from anywhere else the header means nothing.
@Suite struct TrustedProxiesTests {
    static func address(_ text: String) throws -> SocketAddress { try SocketAddress(ipAddress: text, port: 4000) }

    @Test func rangesAreAddressesOrCIDRRanges() throws {
        let proxies = try TrustedProxies(["10.0.0.0/8", "192.0.2.5", "fd00::/8", "::1", "172.16.0.0/12"])
        for trusted in ["10.1.2.3", "192.0.2.5", "fd12:3456::1", "::1", "::ffff:10.9.9.9", "172.31.255.255"] {
            #expect(proxies.trusts(try Self.address(trusted)), "\(trusted)")
        }
        for untrusted in ["11.0.0.1", "192.0.2.6", "fe80::1", "::2", "172.32.0.0", "2001:db8::1"] {
            #expect(!proxies.trusts(try Self.address(untrusted)), "\(untrusted)")
        }
        #expect(try TrustedProxies(["0.0.0.0/0"]).trusts(try Self.address("203.0.113.9")))
        #expect(!TrustedProxies.none.trusts(try Self.address("127.0.0.1")))
        // An IPv4 range written as IPv6 counts IPv6 bits.
        let mapped = try TrustedProxies(["::ffff:10.0.0.0/104"])
        #expect(mapped.trusts(try Self.address("10.200.0.1")))
        #expect(!mapped.trusts(try Self.address("11.0.0.1")))
        for invalid in [
            "10.0.0.0/33", "::/129", "10.0.0/8", "proxy.example", "10.0.0.0/", "10.0.0.0/-1", "10.0.0.0/８", "",
            "10.0.0.0/-0", "10.0.0.0/+8", "10.0.0.0/0008", "fe80::1%lo", "::ffff:10.0.0.0/95", "::ffff:10.0.0.0/129",
        ] {
            #expect(throws: TrustedProxies.InvalidRange.self, "\(invalid)") { try TrustedProxies([invalid]) }
        }
    }

    @Test func theClientIsTheRightMostAddressNoTrustedProxyWrote() throws {
        let proxies = try TrustedProxies(["10.0.0.0/8"])
        let balancer = try Self.address("10.0.0.5")
        func client(_ peer: SocketAddress, _ forwardedFor: [String]) -> String {
            proxies.clientAddress(peer: peer, forwardedFor: forwardedFor)
        }
        #expect(client(balancer, ["198.51.100.7"]) == "198.51.100.7")
        // The left-most entry is whatever the client claimed; the balancer appended the address it saw.
        #expect(client(balancer, ["203.0.113.1, 198.51.100.7"]) == "198.51.100.7")
        #expect(client(balancer, ["203.0.113.1", "198.51.100.7, 10.0.0.9"]) == "198.51.100.7", "header lines in order")
        #expect(client(balancer, ["198.51.100.7:4711"]) == "198.51.100.7", "with a port, as Azure Application Gateway writes it")
        #expect(client(balancer, ["[2001:db8:1:2::7]:4711"]) == "2001:db8:1:2::/64")
        #expect(client(balancer, [" 2001:db8:1:2::7 "]) == "2001:db8:1:2::/64")
        #expect(client(balancer, ["10.0.0.7, 10.0.0.8"]) == "10.0.0.7", "every entry trusted: the left-most")
        #expect(client(balancer, ["198.51.100.7, unknown, 10.0.0.8"]) == "10.0.0.8", "stops at an entry that is no address")
        #expect(client(balancer, []) == "10.0.0.5", "no header: the balancer itself")
        for odd in ["[198.51.100.7]xyz", "198.51.100.7:port", "198.51.100.7:1234567", "fe80::1%lo", "\"198.51.100.7\"", " "] {
            #expect(client(balancer, [odd]) == "10.0.0.5", "\(odd) is no address")
        }
        // Entries are read from the right, 20 at most.
        let chain = Array(repeating: "10.0.0.7", count: TrustedProxies.maximumEntries + 5).joined(separator: ", ")
        #expect(client(balancer, ["198.51.100.7, " + chain]) == "10.0.0.7")
        #expect(client(balancer, [String(repeating: "203.0.113.1, ", count: 5000) + "198.51.100.7"]) == "198.51.100.7")
        // Anyone else's header is not believed.
        #expect(client(try Self.address("198.51.100.7"), ["203.0.113.1"]) == "198.51.100.7")
        #expect(proxies.clientAddress(peer: nil, forwardedFor: ["203.0.113.1"]) == "")
    }

    @Test(arguments: TestBackend.available)
    func signInsBehindATrustedProxyAreTalliedPerForwardedClient(backend: TestBackend) async throws {
        var configuration = TestServer.configuration
        configuration.trustedProxies = try TrustedProxies(["127.0.0.1"])
        try await backend.withScratchDatabase { database in
            try await TestServer.run(on: database, configuration: configuration) { server in
                try await server.createAdministrator("ops@acme.example", password: AdminUITests.password, in: server.acme.id)
                var statuses: [Int] = []
                for _ in 0..<6 {
                    statuses.append(
                        try await AdminUITests.signIn(
                            port: server.port, from: "127.0.0.1", forwardedFor: "198.51.100.7", "ops@acme.example", "a guess"))
                }
                #expect(statuses == [401, 401, 401, 401, 401, 429])
                // The administrator, behind the same proxy but elsewhere, signs in at once.
                #expect(
                    try await AdminUITests.signIn(
                        port: server.port, from: "127.0.0.1", forwardedFor: "198.51.100.8", "ops@acme.example", AdminUITests.password) == 303)
                #expect(try await server.directory.signInFailures(login: "ops@acme.example", client: "198.51.100.7")?.count == 5)
                #expect(try await server.directory.signInFailures(login: "ops@acme.example", client: "127.0.0.1") == nil)

                // 127.0.0.2 is no trusted proxy: the header it sends changes nothing.
                statuses = []
                for index in 0..<6 {
                    statuses.append(
                        try await AdminUITests.signIn(
                            port: server.port, from: "127.0.0.2", forwardedFor: "203.0.113.\(index)", "ops@acme.example", "a guess"))
                }
                #expect(statuses == [401, 401, 401, 401, 401, 429])
                #expect(try await server.directory.signInFailures(login: "ops@acme.example", client: "127.0.0.2")?.count == 5)
            }
        }
    }

    @Test func aTrustedProxysConnectionsAreNotHeldToThePerAddressLimit() async throws {
        var configuration = TestServer.configuration
        configuration.idleTimeout = .seconds(600)
        configuration.maxConnectionsPerAddress = 2
        configuration.trustedProxies = try TrustedProxies(["127.0.0.1"])
        try await TestBackend.sqlite.withScratchDatabase { database in
            try await TestServer.run(on: database, configuration: configuration) { server in
                var held: [RawConnection] = []
                for _ in 0..<6 {
                    let connection = try await RawConnection.open(port: server.port, from: "127.0.0.1")
                    #expect(await connection.isServed())
                    held.append(connection)
                }
                // An untrusted neighbour is still held to it.
                var neighbours: [RawConnection] = []
                var served = 0
                for _ in 0..<4 {
                    let connection = try await RawConnection.open(port: server.port, from: "127.0.0.2")
                    if await connection.isServed() { served += 1 }
                    neighbours.append(connection)
                }
                #expect(served == 2)
                for connection in held { try await connection.close() }
                for connection in neighbours where !connection.isClosed { try await connection.close() }
            }
        }
    }
}
