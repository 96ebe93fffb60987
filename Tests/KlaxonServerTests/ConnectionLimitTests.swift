import Foundation
import HTTPTypes
import Hummingbird
import KlaxonDirectory
import KlaxonServer
import KlaxonTestSupport
import Logging
import NIOCore
import NIOEmbedded
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1
import SCIM
import Synchronization
import Testing

@testable import KlaxonServer

/// One client cannot hold the server's connections: a request must arrive whole within the request timeout of its
/// first byte, however often bytes trickle in, and one address may hold only so many connections at once.
@Suite struct ConnectionLimitTests {
    static let requestTimeout = Duration.milliseconds(1500)

    /// A short request timeout and a long idle timeout, so that only the request timeout can close a connection in
    /// the time these tests wait.
    static var configuration: ServerConfiguration {
        var configuration = TestServer.configuration
        configuration.idleTimeout = .seconds(600)
        configuration.requestTimeout = requestTimeout
        return configuration
    }

    @Test func aRequestHeadTrickledByteByByteIsCutOffAtTheRequestTimeout() async throws {
        try await TestBackend.sqlite.withScratchDatabase { database in
            try await TestServer.run(on: database, configuration: Self.configuration) { server in
                let connection = try await RawConnection.open(port: server.port)
                let start = ContinuousClock.now
                let head = "GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Padding: " + String(repeating: "a", count: 200)
                // A byte every 50 ms: the connection is never idle, but the head takes 10 s to arrive.
                var sent = 0
                for byte in head {
                    guard (try? await connection.send(String(byte))) != nil, !connection.isClosed else { break }
                    sent += 1
                    try await Task.sleep(for: .milliseconds(50))
                }
                let closedAt = ContinuousClock.now - start
                #expect(await connection.closedWithin(.seconds(10)))
                #expect(sent < head.count, "the whole head went out (\(closedAt)) and the connection stayed open")
                #expect(closedAt >= Self.requestTimeout)
                #expect(connection.received.isEmpty)
                let metrics = try await server.onNewConnection { fresh in try await fresh.raw(.get, "/metrics") }
                #expect(metrics.text.contains("klaxon_http_request_timeouts_total 1"))
            }
        }
    }

    @Test func aTrickledBodyIsCutOffAndNothingIsStored() async throws {
        try await TestBackend.sqlite.withScratchDatabase { database in
            try await TestServer.run(on: database, configuration: Self.configuration) { server in
                let connection = try await RawConnection.open(port: server.port)
                let body = #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"trickled@example.com"}"#
                try await connection.send(
                    "POST /scim/v2/acme/Users HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer \(server.acmeToken)\r\n"
                        + "Content-Type: application/scim+json\r\nContent-Length: \(body.utf8.count)\r\n\r\n")
                for byte in body {
                    guard (try? await connection.send(String(byte))) != nil, !connection.isClosed else { break }
                    try await Task.sleep(for: .milliseconds(50))
                }
                #expect(await connection.closedWithin(.seconds(10)))
                #expect(connection.received.isEmpty)
                let found = try await server.onNewConnection { fresh in
                    try await fresh.scim(.get, "/Users?filter=userName%20eq%20%22trickled@example.com%22")
                }
                #expect(found.status == 200)
                #expect(found["totalResults"] == 0)
            }
        }
    }

    @Test func theTimeoutCountsFromEachRequestsFirstByteNotFromTheConnection() async throws {
        try await TestBackend.sqlite.withScratchDatabase { database in
            try await TestServer.run(on: database, configuration: Self.configuration) { server in
                let connection = try await RawConnection.open(port: server.port)
                // Idle between requests for longer than the request timeout: the idle timeout governs that.
                try await Task.sleep(for: Self.requestTimeout + .milliseconds(500))
                try await connection.send("GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
                #expect(await connection.answers(1, within: .seconds(10)))
                try await Task.sleep(for: Self.requestTimeout + .milliseconds(500))
                // A request sent in two halves, well within the timeout of its first byte.
                try await connection.send("GET /healthz HTTP/1.1\r\n")
                try await Task.sleep(for: Self.requestTimeout / 3)
                try await connection.send("Host: localhost\r\n\r\n")
                #expect(await connection.answers(2, within: .seconds(10)))
                #expect(!connection.isClosed)
                try await connection.close()
            }
        }
    }

    /// A pipelined request waits while the one before it is answered (the server reads no further meanwhile): its
    /// time starts once that answer is sent. A reviewer lost answers to this: the request timeout closed the
    /// connection while an earlier request was still being answered.
    @Test func aPipelinedRequestIsNotTimedWhileAnEarlierOneIsBeingAnswered() throws {
        let (loop, channel) = try Self.guardedChannel()

        // The first request arrives whole; a second begins to arrive while the first is answered.
        try Self.read(channel, "GET /a HTTP/1.1\r\nHost: x\r\n\r\nPOST /b HTTP/1.1\r\nHost: x\r\n")
        try Self.read(channel, "Content-Length: 4\r\n\r\nab")
        loop.advanceTime(by: .seconds(5))
        #expect(channel.isActive, "the server was still answering the first request")

        // The first answer is sent: the second request's time starts now.
        try channel.writeOutbound(HTTPResponsePart.head(HTTPResponse(status: .ok, headerFields: [.contentLength: "0"])))
        try channel.writeOutbound(HTTPResponsePart.end(nil))
        loop.advanceTime(by: .milliseconds(900))
        #expect(channel.isActive)
        loop.advanceTime(by: .milliseconds(200))
        #expect(!channel.isActive, "the rest of the second request's body never came")
    }

    @Test func aRequestStalledInItsBodyIsTimedEvenIfTheServerAnswersBeforeReadingIt() throws {
        let (loop, channel) = try Self.guardedChannel()
        try Self.read(channel, "POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nab")
        // A 401 goes out before the body has arrived; the body still has to arrive in time.
        try channel.writeOutbound(HTTPResponsePart.head(HTTPResponse(status: .unauthorized, headerFields: [.contentLength: "0"])))
        try channel.writeOutbound(HTTPResponsePart.end(nil))
        loop.advanceTime(by: .milliseconds(900))
        #expect(channel.isActive)
        loop.advanceTime(by: .milliseconds(200))
        #expect(!channel.isActive)
    }

    /// A client that asks for answers and never reads them would hold its connection, and the answers, for ever:
    /// Hummingbird's idle timeout does not count while an answer is being sent. Once the answers fill the socket,
    /// the connection may wait the idle timeout for the client, then it is closed.
    @Test func answersTheClientDoesNotReadAreCutOffAtTheIdleTimeout() async throws {
        var configuration = TestServer.configuration
        configuration.idleTimeout = Self.requestTimeout
        try await TestBackend.sqlite.withScratchDatabase { database in
            try await TestServer.run(on: database, configuration: configuration) { server in
                let connection = try await RawConnection.open(port: server.port, reading: false)
                // About 21 MB of answers (7 KB each), far more than loopback's socket buffers hold (4 MB here).
                let request = "GET /admin/static/admin.css HTTP/1.1\r\nHost: localhost\r\n\r\n"
                let count = 3000
                try await connection.send(String(repeating: request, count: count))
                try await Task.sleep(for: Self.requestTimeout + .seconds(3))
                try await connection.startReading()
                #expect(await connection.closedWithin(.seconds(20)))
                let answered = connection.received.components(separatedBy: "HTTP/1.1 200").count - 1
                #expect(answered > 0)
                #expect(answered < count, "every answer was sent: the connection never stalled")
                let metrics = try await server.onNewConnection { fresh in try await fresh.raw(.get, "/metrics") }
                #expect(metrics.text.contains("klaxon_http_answer_timeouts_total 1"))
                #expect(metrics.text.contains("klaxon_http_request_timeouts_total 0"))
            }
        }
    }

    /// A client reading a large answer in small reads gets all of it, through stretches in which the socket is full:
    /// a 16 MB page goes out in 64 KB parts, each restarting the stall timer as the socket takes it. (The timer is set
    /// generously here: a busy test machine may leave the reader idle for seconds.)
    @Test func aLargeAnswerReadInSmallReadsArrivesWhole() async throws {
        var configuration = TestServer.configuration
        configuration.idleTimeout = .seconds(20)
        try await TestBackend.sqlite.withScratchDatabase { database in
            try await TestServer.run(on: database, configuration: configuration) { server in
                let filler = JSONValue.string(String(repeating: "x", count: 16_000))
                for index in 0..<1000 {
                    let user: JSONObject = ["schemas": [.string(SchemaURN.user)], "userName": .string("reader\(index)"), "title": filler]
                    _ = try await server.directory.createResource(.user, in: server.acme.id, ResourceWrite(object: user))
                }
                let connection = try await RawConnection.open(port: server.port, reading: false, receiveBuffer: 16_384)
                try await connection.send(
                    "GET /scim/v2/acme/Users?count=1000 HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer \(server.acmeToken)\r\n\r\n")
                let start = ContinuousClock.now
                while !connection.isClosed, !connection.received.hasSuffix("]}"), ContinuousClock.now - start < .seconds(120) {
                    connection.readOnce()
                    try await Task.sleep(for: .milliseconds(5))
                }
                #expect(connection.received.hasSuffix("]}"), "the whole page arrived")
                let text = connection.received
                let head = try #require(text.range(of: "\r\n\r\n"))
                let length = try #require(text[..<head.lowerBound].split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") })
                #expect(Int(length.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) == text[head.upperBound...].utf8.count)
                #expect(text[head.upperBound...].utf8.count > 16_000_000)
                let metrics = try await server.onNewConnection { fresh in try await fresh.raw(.get, "/metrics") }
                #expect(metrics.text.contains("klaxon_http_answer_timeouts_total 0"))
            }
        }
    }

    /// A client that reads makes the connection writable again now and then: each stall is timed on its own.
    @Test func eachStallOfAnAnswerIsTimedOnItsOwn() throws {
        let (loop, channel) = try Self.guardedChannel()
        for _ in 0..<3 {
            channel.isWritable = false
            channel.pipeline.fireChannelWritabilityChanged()
            loop.advanceTime(by: .milliseconds(900))
            channel.isWritable = true
            channel.pipeline.fireChannelWritabilityChanged()
        }
        #expect(channel.isActive, "three stalls of 0.9 s, each within the 1 s timeout")
        channel.isWritable = false
        channel.pipeline.fireChannelWritabilityChanged()
        loop.advanceTime(by: .milliseconds(1100))
        #expect(!channel.isActive)
    }

    /// A large answer is handed to the connection in chunks of at most 64 KB, each once the connection can take it,
    /// so that NIO never holds much of it: a client reading a large page makes the connection writable again as it
    /// goes, rather than only once nearly the whole page has been sent.
    @Test func largeAnswersGoOutInChunks() async throws {
        let bytes = (0..<300_000).map { UInt8(truncatingIfNeeded: $0) }
        let body = SCIMResponse.chunked(ByteBuffer(bytes: bytes))
        #expect(body.contentLength == 300_000)
        let collected = ChunkCollector()
        try await body.write(collected)
        #expect(collected.chunks.withLock { $0.map(\.readableBytes) } == [65_536, 65_536, 65_536, 65_536, 37_856])
        #expect(collected.chunks.withLock { $0.reduce(into: ByteBuffer()) { $0.writeImmutableBuffer($1) } } == ByteBuffer(bytes: bytes))
        #expect(collected.finished.withLock { $0 })

        let small = SCIMResponse.chunked(ByteBuffer(string: "{}"))
        #expect(small.contentLength == 2)
    }

    private final class ChunkCollector: ResponseBodyWriter, Sendable {
        let chunks = Mutex<[ByteBuffer]>([])
        let finished = Mutex(false)

        func write(_ buffer: ByteBuffer) async throws {
            chunks.withLock { $0.append(buffer) }
        }

        func finish(_ trailingHeaders: HTTPFields?) async throws {
            finished.withLock { $0 = true }
        }
    }

    @Test func aBodyBrokenOffIsTheClientsFailureNotTheServers() async throws {
        try await TestBackend.sqlite.withScratchDatabase { database in
            try await TestServer.run(on: database, configuration: Self.configuration) { server in
                for reset in [false, true] {
                    let connection = try await RawConnection.open(port: server.port)
                    try await connection.send(
                        "POST /scim/v2/acme/Users HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer \(server.acmeToken)\r\n"
                            + "Content-Type: application/scim+json\r\nContent-Length: 500\r\n\r\n{\"userName\":")
                    try await Task.sleep(for: .milliseconds(100))
                    // (On a busy machine the request timeout may have closed it first: the outcome is the same.)
                    if reset { try? await connection.reset() } else { try? await connection.close() }
                }
                // Both are in the activity log as the client's failure (400), not an internal error (500).
                var statuses: [Int] = []
                for _ in 0..<100 where statuses.count < 2 {
                    try await Task.sleep(for: .milliseconds(50))
                    statuses = try await server.directory.recentActivity(in: server.acme.id, limit: 10).map(\.status)
                }
                #expect(statuses == [400, 400])
            }
        }
    }

    @Test func aTokenCacheLookUpBegunBeforeARevocationStoresNothing() {
        let cache = TokenCache(ttl: .seconds(600))
        let organisation = Organisation(id: 1, slug: "acme", name: "Acme", created: Date())
        let before = cache.generation
        cache.forget(token: 7)  // the revocation commits while the look-up waits for the directory
        cache.store(organisation, token: 7, for: "secret", readAt: before)
        #expect(cache.organisation(for: "secret") == nil)
        cache.store(organisation, token: 7, for: "secret", readAt: cache.generation)
        #expect(cache.organisation(for: "secret") == organisation)
        cache.forget(token: 7)
        #expect(cache.organisation(for: "secret") == nil)
    }

    /// A connected channel with the server's HTTP/1 pipeline and a ``ConnectionGuard`` timing requests to 1 s, on an
    /// event loop whose clock the test moves.
    static func guardedChannel() throws -> (EmbeddedEventLoop, EmbeddedChannel) {
        let loop = EmbeddedEventLoop()
        let channel = EmbeddedChannel(loop: loop)
        try channel.pipeline.syncOperations.configureHTTPServerPipeline(withPipeliningAssistance: false, withErrorHandling: false)
        try channel.pipeline.syncOperations.addHandler(HTTP1ToHTTPServerCodec(secure: false))
        try channel.pipeline.syncOperations.addHandler(
            ConnectionGuard(
                counter: nil, requestTimeout: .seconds(1), idleTimeout: .seconds(1), metrics: MetricsRegistry(), logger: Logger(label: "test")))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        return (loop, channel)
    }

    /// One read of `text` from the socket, as NIO delivers it: the bytes, then the end of the read.
    static func read(_ channel: EmbeddedChannel, _ text: String) throws {
        try channel.writeInbound(ByteBuffer(string: text))
        channel.pipeline.fireChannelReadComplete()
    }

    @Test func anAddressPastItsLimitIsRefusedUntilOneOfItsConnectionsCloses() async throws {
        var configuration = Self.configuration
        configuration.maxConnectionsPerAddress = 3
        try await TestBackend.sqlite.withScratchDatabase { database in
            try await TestServer.run(on: database, configuration: configuration) { server in
                // Connections the test client holds count too: each one opened is either served or closed unserved.
                var held: [RawConnection] = []
                var refused = 0
                for _ in 0..<6 {
                    let connection = try await RawConnection.open(port: server.port)
                    if await connection.isServed() {
                        held.append(connection)
                    } else {
                        refused += 1
                    }
                }
                #expect(held.count <= 3)
                #expect(refused >= 3)
                // Another address (127.0.0.2 is loopback too) is not held back by this one's connections.
                let neighbour = try await RawConnection.open(port: server.port, from: "127.0.0.2")
                #expect(await neighbour.isServed())
                try await neighbour.close()
                // Closing one lets the next in, once the server has seen it close.
                let first = try #require(held.first)
                try await first.close()
                var replacement: RawConnection?
                for _ in 0..<50 where replacement == nil {
                    let candidate = try await RawConnection.open(port: server.port)
                    if await candidate.isServed() {
                        replacement = candidate
                    } else {
                        refused += 1
                        try await Task.sleep(for: .milliseconds(100))
                    }
                }
                let admitted = try #require(replacement)
                for connection in held.dropFirst() + [admitted] { try await connection.close() }
                try await Task.sleep(for: .milliseconds(200))  // the server sees the closes
                let metrics = try await server.onNewConnection { fresh in try await fresh.raw(.get, "/metrics") }
                #expect(metrics.text.contains("klaxon_http_connections_refused_total \(refused)"))
            }
        }
    }

    @Test func addressesAreCountedByIPv4AddressOrIPv6Network() throws {
        let v4 = try #require(ConnectionCounter.Address(try SocketAddress(ipAddress: "192.0.2.7", port: 1000)))
        let sameV4 = try #require(ConnectionCounter.Address(try SocketAddress(ipAddress: "192.0.2.7", port: 2000)))
        let mapped = try #require(ConnectionCounter.Address(try SocketAddress(ipAddress: "::ffff:192.0.2.7", port: 3000)))
        let otherV4 = try #require(ConnectionCounter.Address(try SocketAddress(ipAddress: "192.0.2.8", port: 1000)))
        #expect(v4 == sameV4)
        #expect(v4 == mapped)
        #expect(v4 != otherV4)
        #expect(v4.description == "192.0.2.7")

        let host = try #require(ConnectionCounter.Address(try SocketAddress(ipAddress: "2001:db8:1:2::1", port: 1)))
        let sameNetwork = try #require(ConnectionCounter.Address(try SocketAddress(ipAddress: "2001:db8:1:2:ffff:1:2:3", port: 1)))
        let otherNetwork = try #require(ConnectionCounter.Address(try SocketAddress(ipAddress: "2001:db8:1:3::1", port: 1)))
        #expect(host == sameNetwork)
        #expect(host != otherNetwork)
        #expect(host.description == "2001:db8:1:2::/64")

        let counter = ConnectionCounter(limit: 2)
        #expect(counter.admit(host))
        #expect(counter.admit(sameNetwork))
        #expect(!counter.admit(host))
        #expect(counter.admit(v4))
        counter.release(host)
        #expect(counter.admit(sameNetwork))
        #expect(!counter.admit(sameNetwork))
    }

    @Test func zeroMeansNoLimit() {
        let unlimited = ServerConfiguration(requestTimeout: .zero, maxConnectionsPerAddress: 0)
        #expect(unlimited.requestTimeout == nil)
        #expect(unlimited.maxConnectionsPerAddress == nil)
        #expect(ServerConfiguration().requestTimeout == .seconds(30))
        #expect(ServerConfiguration().maxConnectionsPerAddress == 256)
    }
}
