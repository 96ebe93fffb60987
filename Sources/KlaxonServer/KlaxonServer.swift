public import Hummingbird
public import KlaxonDirectory
public import Logging
import SCIM
import NIOCore
import ServiceLifecycle
import Synchronization

/// Builds the Klaxon Sync HTTP application: the SCIM endpoints of every organisation, the admin UI under `/admin`,
/// `/healthz` and `/metrics`.
///
/// ```swift
/// let directory = try await SQLiteDirectory.open(path: "klaxon.sqlite")
/// let app = try KlaxonServer.application(directory: directory, configuration: ServerConfiguration(port: 8080))
/// try await app.runService()
/// ```
public enum KlaxonServer {
    public static func application(
        directory: any Directory,
        configuration: ServerConfiguration,
        profiles: ProfileDeriver,
        registry: SchemaRegistry = .standard,
        logger: Logger = Logger(label: "klaxon-sync"),
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) throws -> some ApplicationProtocol {
        let metrics = MetricsRegistry()
        let counter = configuration.maxConnectionsPerAddress.map { ConnectionCounter(limit: $0, exempt: configuration.trustedProxies) }
        let activity = ActivityRecorder(directory: directory, logger: logger)
        let service = try SCIMService(directory: directory, registry: registry, profiles: profiles)
        // HEAD on every GET route, as HTTP requires (RFC 9110 §9.1); NIO's encoder sends no body in answer to HEAD.
        let router = Router(context: SCIMRequestContext.self, options: .autoGenerateHeadEndpoints)
        router.add(middleware: MetricsMiddleware(registry: metrics))
        router.add(middleware: RequestLogMiddleware())
        router.add(middleware: SCIMErrorMiddleware())
        let tokens = TokenCache(ttl: configuration.tokenCacheTTL)
        let admin = AdminRoutes(directory: directory, profiles: profiles, configuration: configuration, tokens: tokens)
        router.add(middleware: admin.notFoundMiddleware)
        router.get("healthz") { _, context in
            await health(of: directory, logger: context.logger)
        }
        router.get("metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: metrics.render())))
        }
        SCIMRoutes(service: service, activity: activity, configuration: configuration)
            .register(on: router, auth: TokenAuthMiddleware(directory: directory, cache: tokens))
        admin.register(on: router)
        // Services stop in reverse order: the activity log is pruned and flushed before the directory closes.
        var services: [any Service] = [DirectoryCloser(directory: directory), activity]
        let retention = configuration.activityRetentionDays
        services.append(RetentionPruner(directory: directory, retentionDays: retention > 0 ? retention : nil, logger: logger))
        return Application(
            router: router,
            server: .http1(
                configuration: .init(
                    additionalChannelHandlers: [
                        ConnectionGuard(
                            counter: counter, requestTimeout: configuration.requestTimeout, idleTimeout: configuration.idleTimeout,
                            metrics: metrics, logger: logger)
                    ],
                    idleTimeout: configuration.idleTimeout.map(TimeAmount.init))),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "klaxon-sync"),
            services: services,
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? configuration.port) },
            logger: logger)
    }

    /// How long `/healthz` waits for the database before it answers 503.
    static let healthTimeout = Duration.seconds(3)

    /// 200 if the database answers a read within ``healthTimeout``, else 503, so that a load balancer stops sending
    /// requests to an instance that would fail them all. The reason is logged, not shown: the endpoint is public.
    static func health(of directory: any Directory, logger: Logger) async -> Response {
        // The read runs in a task of its own that the answer does not wait for: a statement on a server that has
        // stopped answering (frozen, or cut off without its connections closing) waits for the statement time limit
        // and a check (`--database-timeout`, 30 s by default), and cancelling it does not end that wait.
        let problem: String? = await awaitAtMost(healthTimeout, otherwise: "no answer within \(healthTimeout)") {
            do {
                try await directory.ping()
                return nil
            } catch {
                return "\(error)"
            }
        }
        guard let problem else { return SCIMResponse.json(200, ["status": "ok"]) }
        if healthWarnings.shouldWarn() {
            logger.warning("health check: the database cannot be reached", metadata: ["reason": "\(problem)"])
        }
        var response = SCIMResponse.json(503, ["status": "unavailable", "detail": "the database cannot be reached"])
        response.headers[.retryAfter] = String(SCIMResponse.retryAfterUnavailable)
        return response
    }
}

/// Rate-limits the warning `/healthz` logs while the database cannot be reached.
private let healthWarnings = WarningLimiter(every: .seconds(10))
