public import Hummingbird
public import KlaxonDirectory
public import Logging
import SCIM
import NIOCore
import ServiceLifecycle

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
        let counter = configuration.maxConnectionsPerAddress.map(ConnectionCounter.init(limit:))
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
        router.get("healthz") { _, _ in
            SCIMResponse.json(200, ["status": "ok"])
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
        if configuration.activityRetentionDays > 0 {
            services.append(ActivityPruner(directory: directory, retentionDays: configuration.activityRetentionDays, logger: logger))
        }
        return Application(
            router: router,
            server: .http1(
                configuration: .init(
                    additionalChannelHandlers: [
                        ConnectionGuard(
                            counter: counter, requestTimeout: configuration.requestTimeout, metrics: metrics, logger: logger)
                    ],
                    idleTimeout: configuration.idleTimeout.map(TimeAmount.init))),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "klaxon-sync"),
            services: services,
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? configuration.port) },
            logger: logger)
    }
}
