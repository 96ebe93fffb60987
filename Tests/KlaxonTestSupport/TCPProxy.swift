import NIOCore
import NIOPosix
import Synchronization

/// A loopback TCP proxy in front of a server that a test can take down and bring back, to see how clients of the
/// server (the directory's PostgreSQL pool) behave in an outage.
///
/// Taken down, it closes every connection through it and closes each new one as soon as it is accepted, as a
/// database server that went away looks to its clients. Frozen, it keeps every connection open but passes nothing
/// on, as a server host that went silent (powered off, cut off by the network) looks until TCP gives up.
///
/// ```swift
/// let proxy = try await TCPProxy.start(to: "127.0.0.1", port: 5432)
/// // connect to 127.0.0.1:\(proxy.port) …
/// proxy.takeDown()
/// proxy.bringBack()
/// proxy.freeze()
/// proxy.thaw()
/// try await proxy.close()
/// ```
public final class TCPProxy: Sendable {
    private let listener: any Channel
    private let state: Mutex<State>

    private struct State {
        var up = true
        var frozen = false
        /// Connections frozen on their own, while new ones pass.
        var frozenConnections: Set<ObjectIdentifier> = []
        var open: [ObjectIdentifier: any Channel] = [:]
    }

    /// The loopback port to connect to.
    public let port: Int

    private init(listener: any Channel, port: Int) {
        self.listener = listener
        self.state = Mutex(State())
        self.port = port
    }

    /// Starts a proxy on a free loopback port that forwards to `host:port`.
    public static func start(to host: String, port target: Int) async throws -> TCPProxy {
        let box = ProxyBox()
        let listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.autoRead, value: false)
            .childChannelInitializer { inbound in
                guard let proxy = box.proxy, proxy.admit(inbound) else { return inbound.close() }
                return ClientBootstrap(group: inbound.eventLoop)
                    .connect(host: host, port: target)
                    .flatMap { outbound in
                        proxy.track(outbound)
                        let (toServer, toClient) = Glue.pair(proxy)
                        return outbound.pipeline.addHandler(toClient).flatMap {
                            inbound.pipeline.addHandler(toServer)
                        }.flatMap {
                            toServer.partner = outbound
                            toClient.partner = inbound
                            return inbound.setOption(.autoRead, value: true)
                        }
                    }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let proxy = TCPProxy(listener: listener, port: listener.localAddress?.port ?? 0)
        box.set(proxy)
        return proxy
    }

    /// Closes every connection through the proxy, and each new one as it opens.
    public func takeDown() {
        let open = state.withLock { state in
            state.up = false
            defer { state.open = [:] }
            return Array(state.open.values)
        }
        for channel in open { channel.close(promise: nil) }
    }

    /// Forwards new connections again.
    public func bringBack() {
        state.withLock { $0.up = true }
    }

    /// Drops every byte from now on, both ways, on the connections open and on new ones, without closing any.
    public func freeze() {
        state.withLock { $0.frozen = true }
    }

    /// Drops every byte from now on on the connections open now, and only on those: new connections pass, as when
    /// the path of established connections goes silent (a fail-over, a dropped flow) while the server is fine.
    public func freezeOpenConnections() {
        state.withLock { $0.frozenConnections = Set($0.open.keys) }
    }

    /// Passes bytes on again (those dropped while frozen stay lost).
    public func thaw() {
        state.withLock { state in
            state.frozen = false
            state.frozenConnections = []
        }
    }

    func isFrozen(_ channel: any Channel) -> Bool {
        state.withLock { $0.frozen || $0.frozenConnections.contains(ObjectIdentifier(channel)) }
    }

    /// Stops listening and closes every connection.
    public func close() async throws {
        takeDown()
        try await listener.close()
    }

    private func admit(_ channel: any Channel) -> Bool {
        state.withLock { state in
            guard state.up else { return false }
            state.open[ObjectIdentifier(channel)] = channel
            return true
        }
    }

    private func track(_ channel: any Channel) {
        let up = state.withLock { state in
            if state.up { state.open[ObjectIdentifier(channel)] = channel }
            return state.up
        }
        if !up { channel.close(promise: nil) }
    }
}

/// Lets the child channel initializer reach the proxy built after the listener is bound.
private final class ProxyBox: Sendable {
    private let value = Mutex<TCPProxy?>(nil)
    var proxy: TCPProxy? { value.withLock { $0 } }
    func set(_ proxy: TCPProxy) { value.withLock { $0 = proxy } }
}

/// Copies what one channel reads to its partner (unless the proxy is frozen), and closes the partner when it closes.
private final class Glue: ChannelInboundHandler, @unchecked Sendable {
    // @unchecked: `partner` is set once, before either channel reads, and only read on the event loop afterwards.
    typealias InboundIn = ByteBuffer

    let proxy: TCPProxy
    var partner: (any Channel)?

    init(_ proxy: TCPProxy) {
        self.proxy = proxy
    }

    static func pair(_ proxy: TCPProxy) -> (Glue, Glue) { (Glue(proxy), Glue(proxy)) }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !proxy.isFrozen(context.channel) else { return }
        partner?.writeAndFlush(unwrapInboundIn(data), promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        partner?.close(promise: nil)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
