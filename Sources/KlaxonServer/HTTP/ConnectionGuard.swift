import Logging
import NIOCore
import NIOHTTPTypes

/// Holds each connection to the server's limits on what a client may keep open: at most
/// ``ConnectionCounter/limit`` connections from one address, and a request that has begun to arrive must arrive
/// whole (head and body) within ``ServerConfiguration/requestTimeout``.
///
/// The idle timeout alone closes a connection only after it has been quiet that long: a client trickling a byte
/// of a request head or body every minute, or opening thousands of connections and sending half a request on
/// each, would hold the server's file descriptors for as long as it liked, and once they are all taken nobody
/// else can connect. This handler closes such connections.
///
/// It sits after the HTTP codec, where a request's head and end are seen, and puts a ``RequestStartWatcher`` at
/// the front of the pipeline, where the first raw byte of each request is seen. Both run on the channel's event
/// loop and share one ``RequestClock``.
final class ConnectionGuard: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart

    private let counter: ConnectionCounter?
    private let requestTimeout: TimeAmount?
    private let metrics: MetricsRegistry
    private let logger: Logger
    private let clock = RequestClock()
    /// The address counted against ``counter`` while this connection is open.
    private var counted: ConnectionCounter.Address?

    init(counter: ConnectionCounter?, requestTimeout: Duration?, metrics: MetricsRegistry, logger: Logger) {
        self.counter = counter
        self.requestTimeout = requestTimeout.map(TimeAmount.init)
        self.metrics = metrics
        self.logger = logger
    }

    func channelActive(context: ChannelHandlerContext) {
        context.fireChannelActive()
        if let counter, let address = context.remoteAddress.flatMap(ConnectionCounter.Address.init) {
            guard counter.admit(address) else {
                metrics.recordRefusedConnection()
                if counter.shouldWarn() {
                    logger.warning(
                        "Refusing connections from an address that already has the most open at once",
                        metadata: ["address": "\(address)", "limit": "\(counter.limit)", "option": "--max-connections-per-address"])
                }
                context.close(promise: nil)
                return
            }
            counted = address
        }
        if let requestTimeout {
            let watcher = RequestStartWatcher(clock: clock, timeout: requestTimeout, metrics: metrics)
            do {
                try context.pipeline.syncOperations.addHandler(watcher, position: .first)
            } catch {
                context.fireErrorCaught(error)
            }
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .end = unwrapInboundIn(data) { clock.requestArrived() }
        context.fireChannelRead(data)
    }

    func channelInactive(context: ChannelHandlerContext) {
        clock.requestArrived()
        if let counted { counter?.release(counted) }
        counted = nil
        context.fireChannelInactive()
    }
}

/// Whether a request is arriving on a connection, and the timer that closes the connection if it takes too long.
/// Shared by the two handlers of one connection, on its event loop only.
final class RequestClock {
    private(set) var deadline: Scheduled<Void>?

    var isReadingRequest: Bool { deadline != nil }

    func requestStarted(_ deadline: Scheduled<Void>) {
        self.deadline = deadline
    }

    /// The request's last byte has arrived (or the connection has closed): no deadline until the next one starts.
    func requestArrived() {
        deadline?.cancel()
        deadline = nil
    }
}

/// Sees the raw bytes of a connection before the HTTP decoder does and starts the request's deadline on the
/// first byte of each request.
///
/// A byte that arrives while a request is being read belongs to it, and one that arrives between requests starts
/// the next; bytes of the next request that arrive with the end of the one before (pipelining) start no deadline
/// until more arrive, so a request stalled entirely in such a read is left to the idle timeout.
final class RequestStartWatcher: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let clock: RequestClock
    private let timeout: TimeAmount
    private let metrics: MetricsRegistry

    init(clock: RequestClock, timeout: TimeAmount, metrics: MetricsRegistry) {
        self.clock = clock
        self.timeout = timeout
        self.metrics = metrics
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if !clock.isReadingRequest {
            let metrics = self.metrics
            clock.requestStarted(
                context.eventLoop.assumeIsolated().scheduleTask(in: timeout) {
                    metrics.recordTimedOutRequest()
                    context.close(promise: nil)
                })
        }
        context.fireChannelRead(data)
    }
}
