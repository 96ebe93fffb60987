import Logging
import NIOCore
import NIOHTTPTypes

/// Holds each connection to the server's limits on what a client may keep open: at most
/// ``ConnectionCounter/limit`` connections from one address, a request that has begun to arrive must arrive
/// whole (head and body) within ``ServerConfiguration/requestTimeout``, and an answer may wait no longer than
/// ``ServerConfiguration/idleTimeout`` for a client that does not read it.
///
/// The idle timeout alone closes a connection only after it has been quiet that long, and never while an answer is
/// being sent: a client trickling a byte of a request head or body every minute, or opening thousands of connections
/// and sending half a request on each, or asking for large answers and never reading them, would hold the server's
/// file descriptors (and, for the last, the answers' memory) for as long as it liked, and once they are all taken
/// nobody else can connect. This handler closes such connections.
///
/// It sits after the HTTP codec, where a request's head and end and a response's end are seen, and puts a
/// ``RequestStartWatcher`` at the front of the pipeline, where the first raw byte of each request is seen. Both run
/// on the channel's event loop and share one ``RequestClock``.
final class ConnectionGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let counter: ConnectionCounter?
    /// Whether requests are timed (a request timeout is set).
    private let timesRequests: Bool
    private let metrics: MetricsRegistry
    private let logger: Logger
    private let clock: RequestClock
    /// The address counted against ``counter`` while this connection is open.
    private var counted: ConnectionCounter.Address?
    /// How long the connection may stay unwritable (the socket's buffer full, because the client does not read),
    /// and the timer that closes it then.
    private let answerTimeout: TimeAmount?
    private var stalled: Scheduled<Void>?

    init(counter: ConnectionCounter?, requestTimeout: Duration?, idleTimeout: Duration?, metrics: MetricsRegistry, logger: Logger) {
        self.counter = counter
        self.timesRequests = requestTimeout != nil
        self.metrics = metrics
        self.logger = logger
        self.clock = RequestClock(timeout: requestTimeout.map(TimeAmount.init), metrics: metrics)
        self.answerTimeout = idleTimeout.map(TimeAmount.init)
    }

    func channelActive(context: ChannelHandlerContext) {
        context.fireChannelActive()
        if let counter, let address = context.remoteAddress.flatMap(counter.address(of:)) {
            guard counter.admit(address) else {
                metrics.recordRefusedConnection()
                if counter.warnings.shouldWarn() {
                    logger.warning(
                        "Refusing connections from an address that already has the most open at once",
                        metadata: ["address": "\(address)", "limit": "\(counter.limit)", "option": "--max-connections-per-address"])
                }
                context.close(promise: nil)
                return
            }
            counted = address
        }
        if timesRequests {
            let watcher = RequestStartWatcher(clock: clock)
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

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .end:
            clock.answerSent(context)
        case .body where answerTimeout != nil && !context.channel.isWritable:
            // A part of an answer handed to the socket is progress, however the channel's writability goes. (Parts
            // written while the channel takes them need no watching: the usual answer costs no promise.)
            let written = promise ?? context.eventLoop.makePromise(of: Void.self)
            written.futureResult.assumeIsolated().whenSuccess { self.answerMoved(context) }
            context.write(data, promise: written)
            return
        default:
            break
        }
        context.write(data, promise: promise)
    }

    /// The channel stops being writable when the kernel's send buffer is full and more of an answer waits; from
    /// then on, the answer must move: each part of it handed to the socket restarts the timer, and the connection is
    /// closed once none has gone for the idle timeout. The kernel takes more only once about a third of its buffer is
    /// free, and answers go out in 64 KB parts (``SCIMResponse/chunked(_:)``), so a client is cut off when it reads
    /// less than about a third of the send buffer within the idle timeout — with loopback's 4 MB and the default
    /// 75 s, slower than about 18 KB/s — and one that has stopped reading, after the idle timeout. (Writability
    /// alone is too coarse: NIO may hold megabytes of an answer, and becomes writable only when nearly all has gone.)
    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            stalled?.cancel()
            stalled = nil
        } else if stalled == nil {
            armStall(context)
        }
        context.fireChannelWritabilityChanged()
    }

    private func answerMoved(_ context: ChannelHandlerContext) {
        guard stalled != nil else { return }
        stalled?.cancel()
        armStall(context)
    }

    private func armStall(_ context: ChannelHandlerContext) {
        guard let answerTimeout else { return }
        let metrics = self.metrics
        stalled = context.eventLoop.assumeIsolated().scheduleTask(in: answerTimeout) {
            metrics.recordUnreadAnswer()
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        stalled?.cancel()
        stalled = nil
        clock.closed()
        if let counted { counter?.release(counted) }
        counted = nil
        context.fireChannelInactive()
    }
}

/// Times the request that is arriving on a connection, shared by its two handlers, on its event loop only.
///
/// The clock runs from a request's first byte until its last, but not while the server is still answering an
/// earlier request on the connection: the server then stops reading (backpressure), and a pipelined request
/// waiting for its turn is not the client's delay; its time starts when the answers before it are sent. A request
/// that arrives whole in one read never sets a timer.
final class RequestClock {
    private let timeout: TimeAmount?
    private let metrics: MetricsRegistry
    /// When the request now arriving began to, if one is.
    private var started: NIODeadline?
    /// Requests that have arrived whole, and answers sent (an answer may go out before its request has arrived
    /// whole, e.g. a 401 that does not read the body).
    private var received = 0
    private var answered = 0
    private var deadline: Scheduled<Void>?

    init(timeout: TimeAmount?, metrics: MetricsRegistry) {
        self.timeout = timeout
        self.metrics = metrics
    }

    /// Bytes arrived: the first of a request, unless one is already arriving.
    func bytesArrived(_ context: ChannelHandlerContext) {
        if started == nil { started = context.eventLoop.now }
    }

    /// A read has been handed on to the decoder: if it left a request still arriving, that request's deadline is set.
    func readFinished(_ context: ChannelHandlerContext) {
        arm(context)
    }

    /// The request's last byte has arrived: no deadline until the next one starts.
    func requestArrived() {
        received += 1
        started = nil
        deadline?.cancel()
        deadline = nil
    }

    /// An answer has been sent. A request that began to arrive while the server was busy answering has its time
    /// start now.
    func answerSent(_ context: ChannelHandlerContext) {
        answered += 1
        if started != nil, deadline == nil {
            started = context.eventLoop.now
            arm(context)
        }
    }

    func closed() {
        started = nil
        deadline?.cancel()
        deadline = nil
    }

    private func arm(_ context: ChannelHandlerContext) {
        guard let timeout, let started, deadline == nil, answered >= received else { return }
        let metrics = self.metrics
        deadline = context.eventLoop.assumeIsolated().scheduleTask(deadline: started + timeout) {
            metrics.recordTimedOutRequest()
            context.close(promise: nil)
        }
    }
}

/// Sees the raw bytes of a connection before the HTTP decoder does, and tells the ``RequestClock`` when a request
/// begins to arrive and when a read is over. A request stalled entirely in bytes that arrived with the end of the
/// one before it (pipelining) is left to the idle timeout.
final class RequestStartWatcher: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let clock: RequestClock

    init(clock: RequestClock) {
        self.clock = clock
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        clock.bytesArrived(context)
        context.fireChannelRead(data)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        clock.readFinished(context)
        context.fireChannelReadComplete()
    }
}
