import Foundation
import NIOCore
import NIOPosix
import Synchronization
import Testing

/// A TCP connection that sends raw bytes and keeps what comes back.
final class RawConnection: Sendable {
    private let channel: any Channel
    private let collector: Collector

    private init(channel: any Channel, collector: Collector) {
        self.channel = channel
        self.collector = collector
    }

    /// Connects to `127.0.0.1:port`, from the loopback address `source` (any port). Not `reading`, it reads nothing
    /// (with a small receive buffer, `receiveBuffer` bytes) until ``startReading()`` or as ``readOnce()`` asks, as a
    /// client that does not take its answers, or takes them slowly.
    static func open(port: Int, from source: String = "127.0.0.1", reading: Bool = true, receiveBuffer: Int = 4_096) async throws -> RawConnection {
        let collector = Collector()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.autoRead, value: reading)
            .channelOption(.socketOption(.so_rcvbuf), value: reading ? 131_072 : receiveBuffer)
            .bind(to: try SocketAddress(ipAddress: source, port: 0))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(collector) }
            }
            .connect(host: "127.0.0.1", port: port).get()
        return RawConnection(channel: channel, collector: collector)
    }

    func send(_ text: String) async throws {
        try await channel.writeAndFlush(ByteBuffer(string: text)).get()
    }

    var received: String { collector.text.withLock { $0 } }

    /// Asks for one read (of at most the small receive buffer), for a connection opened not `reading`.
    func readOnce() {
        channel.read()
    }

    /// Reads what has come and what comes from now on.
    func startReading() async throws {
        try await channel.setOption(.autoRead, value: true)
        channel.read()
    }

    /// Whether `count` answers with `status` have arrived within `limit`, after one with `earlier` if given.
    func answers(_ count: Int, within limit: Duration, status: Int = 200, after earlier: Int? = nil) async -> Bool {
        let deadline = ContinuousClock.now + limit
        let extra = earlier == status ? 1 : 0
        while ContinuousClock.now < deadline {
            let text = received
            if text.components(separatedBy: "HTTP/1.1 \(status)").count - 1 >= count + extra,
                earlier.map({ text.contains("HTTP/1.1 \($0)") }) ?? true
            {
                return true
            }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return false
    }
    var isClosed: Bool { !channel.isActive }

    /// Sends a `GET /healthz` and waits for its answer: true if it came, false if the server closed the connection
    /// without one (it was refused).
    func isServed(within limit: Duration = .seconds(10)) async -> Bool {
        guard (try? await send("GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")) != nil else { return false }
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if received.contains("HTTP/1.1 200") { return true }
            if isClosed { return received.contains("HTTP/1.1 200") }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return false
    }

    /// Whether the server has left the connection open for `period`.
    func staysOpen(for period: Duration) async -> Bool {
        try? await Task.sleep(for: period)
        return !isClosed
    }

    func close() async throws {
        try await channel.close()
    }

    /// Closes with a reset (RST) rather than an orderly close: no linger.
    func reset() async throws {
        let options = try #require(channel as? any SocketOptionProvider)
        try await options.setSoLinger(linger(l_onoff: 1, l_linger: 0)).get()
        try await channel.close()
    }

    /// Whether the server closed the connection within `limit`; if not, the test closes it.
    func closedWithin(_ limit: Duration) async -> Bool {
        let closed = await withTaskGroup(of: Bool.self) { group in
            group.addTask { (try? await self.channel.closeFuture.get()) != nil }
            group.addTask {
                try? await Task.sleep(for: limit)
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            if !first { try? await channel.close() }
            return first
        }
        return closed
    }

    private final class Collector: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        let text = Mutex("")

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let buffer = unwrapInboundIn(data)
            text.withLock { $0 += String(buffer: buffer) }
        }
    }
}
