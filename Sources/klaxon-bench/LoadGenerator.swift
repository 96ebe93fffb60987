import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// Sends HTTP/1.1 requests from a fixed number of keep-alive connections for a fixed time (or a fixed number of
/// requests) and reports throughput and latency percentiles.
///
/// Each connection sends one request, waits for the whole answer and sends the next (no pipelining), as an
/// identity provider's client does. The generator is written straight on SwiftNIO's channel pipeline, without
/// a general-purpose HTTP client's pooling and async bridging, because it shares the machine's cores with the
/// server it measures: every microsecond it spends per request is one the server cannot use.
///
/// ```swift
/// let load = try LoadGenerator(bases: ["http://127.0.0.1:8080/scim/v2/default"], token: token, concurrency: 16)
/// let result = await load.run(seconds: 5) { _ in .init(method: .GET, path: "/Users/\(id)") }
/// print(result.rate, result.percentile(0.99))
/// ```
struct LoadGenerator: Sendable {
    struct Result: Sendable {
        /// Requests answered with a 2xx status; `latencies` holds one figure for each.
        var requests: Int
        var failures: Int
        var seconds: Double
        var latencies: [Double]

        var rate: Double { Double(requests) / seconds }

        func percentile(_ p: Double) -> Double {
            guard !latencies.isEmpty else { return .nan }
            // Nearest rank: the smallest latency that at least a share p of the requests did not exceed.
            let sorted = latencies.sorted()
            return sorted[min(sorted.count - 1, max(0, Int((Double(sorted.count) * p).rounded(.up)) - 1))]
        }
    }

    /// One request: method, path relative to the base URL, optional JSON body.
    struct Call: Sendable {
        var method: HTTPMethod
        var path: String
        var body: String?
    }

    /// Where requests go: a loopback host, a port and the base URL's path.
    struct Target: Sendable {
        var host: String
        var port: Int
        var basePath: String

        init(url: String) throws {
            guard let components = URLComponents(string: url), components.scheme == "http", let host = components.host else {
                throw LoadGeneratorError("\(url) is not an http:// URL")
            }
            self.host = host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host
            self.port = components.port ?? 80
            let path = components.percentEncodedPath
            self.basePath = path.hasSuffix("/") ? String(path.dropLast()) : path
        }

        var hostHeader: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
    }

    let targets: [Target]
    let token: String?
    let concurrency: Int

    /// Connections go to `bases` in turn, so requests spread evenly over several instances.
    init(bases: [String], token: String?, concurrency: Int) throws {
        guard !bases.isEmpty else { throw LoadGeneratorError("no base URL to send requests to") }
        self.targets = try bases.map(Target.init(url:))
        self.token = token
        self.concurrency = concurrency
    }

    /// Runs until `seconds` have passed or `limit` calls were made; `next(i)` makes the i-th call.
    func run(seconds: Double, limit: Int = .max, _ next: @escaping @Sendable (Int) -> Call) async -> Result {
        let plan = Plan(
            counter: Counter(), limit: limit, deadline: .now() + .milliseconds(Int64(seconds * 1000)), next: next, token: token)
        let start = ContinuousClock.now
        let tallies = await withTaskGroup(of: Tally.self) { group in
            for worker in 0..<concurrency {
                let target = targets[worker % targets.count]
                group.addTask { await Self.drive(target, plan) }
            }
            var all = Tally()
            for await tally in group { all.merge(tally) }
            return all
        }
        let elapsed = (ContinuousClock.now - start).seconds
        return Result(requests: tallies.latencies.count, failures: tallies.failures, seconds: elapsed, latencies: tallies.latencies)
    }

    /// Sends one call on a connection of its own and returns the answer's status and body.
    func execute(_ call: Call) async throws -> (status: Int, body: ByteBuffer) {
        let plan = Plan(counter: Counter(), limit: 1, deadline: .distantFuture, next: { _ in call }, token: token, keepBody: true)
        let tally = try await Self.connect(targets[0], plan)
        guard let answer = tally.lastAnswer else {
            throw LoadGeneratorError("\(call.method) \(call.path): no answer (\(tally.error.map { "\($0)" } ?? "the connection closed"))")
        }
        return answer
    }

    /// One worker: a connection that sends calls until the plan is done, reconnecting if the server closes it.
    /// A server that refuses three connections in a row ends the worker (its calls would all fail alike).
    private static func drive(_ target: Target, _ plan: Plan) async -> Tally {
        var total = Tally()
        var refusals = 0
        while !plan.isOver {
            do {
                total.merge(try await connect(target, plan))
                refusals = 0
            } catch {
                total.failures += 1
                refusals += 1
                if refusals == 3 { break }
                try? await Task.sleep(for: .milliseconds(50))
            }
        }
        return total
    }

    private static func connect(_ target: Target, _ plan: Plan) async throws -> Tally {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let finished = loop.makePromise(of: Tally.self)
        do {
            _ = try await ClientBootstrap(group: loop)
                .channelOption(.tcpOption(.tcp_nodelay), value: 1)
                .connectTimeout(.seconds(5))
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHTTPClientHandlers()
                        try channel.pipeline.syncOperations.addHandler(IdleStateHandler(readTimeout: LoadGenerator.answerTimeout))
                        try channel.pipeline.syncOperations.addHandler(ConnectionDriver(target: target, plan: plan, finished: finished))
                    }
                }
                .connect(host: target.host, port: target.port)
                .get()
        } catch {
            finished.fail(error)
            throw error
        }
        return try await finished.futureResult.get()
    }
}

extension LoadGenerator {
    /// How long a request may wait for its answer before its connection is closed and it counts as failed.
    static let answerTimeout = TimeAmount.seconds(30)
}

struct LoadGeneratorError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// What all connections of one run share.
private struct Plan: Sendable {
    let counter: Counter
    let limit: Int
    let deadline: NIODeadline
    let next: @Sendable (Int) -> LoadGenerator.Call
    let token: String?
    var keepBody = false

    var isOver: Bool { NIODeadline.now() >= deadline || counter.peek() >= limit }

    /// The index of the next call to make, nil when the run is over.
    func take() -> Int? {
        guard NIODeadline.now() < deadline else { return nil }
        let index = counter.next()
        return index < limit ? index : nil
    }
}

/// One connection's results.
private struct Tally: Sendable {
    var latencies: [Double] = []
    var failures = 0
    var lastAnswer: (status: Int, body: ByteBuffer)?
    /// The first error the connection met.
    var error: (any Error)?

    mutating func merge(_ other: Tally) {
        latencies += other.latencies
        failures += other.failures
        lastAnswer = other.lastAnswer ?? lastAnswer
        error = error ?? other.error
    }
}

/// Drives one connection on its event loop: sends a call, reads the whole answer, notes its latency, sends the
/// next; closes the connection when the plan is over, when the server says it will close it, or when an answer
/// takes longer than ``LoadGenerator/answerTimeout``, and hands its tally to `finished`.
private final class ConnectionDriver: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    private let target: LoadGenerator.Target
    private let plan: Plan
    private let finished: EventLoopPromise<Tally>
    private var tally = Tally()
    private var sentAt = NIODeadline.now()
    private var status = 0
    private var keepAlive = true
    private var body: ByteBuffer?
    private var inFlight = false
    private var done = false

    init(target: LoadGenerator.Target, plan: Plan, finished: EventLoopPromise<Tally>) {
        self.target = target
        self.plan = plan
        self.finished = finished
    }

    func channelActive(context: ChannelHandlerContext) {
        sendNext(context)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            status = Int(head.status.code)
            keepAlive = head.isKeepAlive
        case .body(var part):
            if plan.keepBody {
                body.setOrWriteBuffer(&part)
            }
        case .end:
            inFlight = false
            if (200..<300).contains(status) {
                tally.latencies.append(Double((NIODeadline.now() - sentAt).nanoseconds) / 1e9)
            } else {
                tally.failures += 1
            }
            if plan.keepBody { tally.lastAnswer = (status, body ?? ByteBuffer()) }
            body = nil
            if keepAlive {
                sendNext(context)
            } else {
                // The server closes this connection: the worker reconnects rather than send into it.
                finish()
                context.close(promise: nil)
            }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if inFlight { tally.failures += 1 }
        finish()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        tally.error = tally.error ?? error
        context.close(promise: nil)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let idle = event as? IdleStateHandler.IdleStateEvent, idle == .read, inFlight {
            tally.error = tally.error ?? LoadGeneratorError("no answer within \(LoadGenerator.answerTimeout)")
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    private func sendNext(_ context: ChannelHandlerContext) {
        guard let index = plan.take() else {
            finish()
            context.close(promise: nil)
            return
        }
        let call = plan.next(index)
        let uri = target.basePath + call.path
        var head = HTTPRequestHead(version: .http1_1, method: call.method, uri: uri.isEmpty ? "/" : uri)
        head.headers.add(name: "Host", value: target.hostHeader)
        if let token = plan.token { head.headers.add(name: "Authorization", value: "Bearer \(token)") }
        let payload = call.body.map { ByteBuffer(string: $0) }
        if let payload {
            head.headers.add(name: "Content-Type", value: "application/scim+json")
            head.headers.add(name: "Content-Length", value: String(payload.readableBytes))
        }
        status = 0
        inFlight = true
        sentAt = .now()
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if let payload { context.write(wrapOutboundOut(.body(.byteBuffer(payload))), promise: nil) }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }

    private func finish() {
        guard !done else { return }
        done = true
        finished.succeed(tally)
    }
}

/// A shared request counter.
final class Counter: Sendable {
    private let value = Mutex(0)
    func next() -> Int { value.withLock { current in defer { current += 1 }; return current } }
    func peek() -> Int { value.withLock { $0 } }
}

extension Duration {
    var seconds: Double {
        let (whole, attoseconds) = components
        return Double(whole) + Double(attoseconds) / 1e18
    }
}
