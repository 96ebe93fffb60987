/// How `klaxon-sync serve` listens and what it accepts.
public struct ServerConfiguration: Sendable {
    public var host: String
    public var port: Int
    /// The URL clients reach the server at (e.g. behind a proxy), without a trailing slash. When nil, URLs are built
    /// from the request's Host header.
    public var publicURL: String?
    /// The largest request body accepted (413 above it), except `/Bulk`, which has its own limit.
    public var maxBodySize: Int
    /// How long an authenticated token is remembered before the directory is asked again.
    public var tokenCacheTTL: Duration
    /// The bcrypt cost (log2 of the rounds) of admin passwords set through the admin UI.
    public var passwordCost: UInt8
    /// How long an admin UI session lasts after sign-in.
    public var adminSessionLifetime: Duration
    /// How many days the activity log keeps entries; older ones are removed at start and then hourly. 0 keeps them all.
    public var activityRetentionDays: Int
    /// How long a connection may sit without a request, or with a request whose head or body has stopped
    /// arriving, or with an answer the client does not read, before the server closes it; nil keeps connections
    /// open until the client closes them. Without it, clients that open connections and send nothing, or ask and
    /// never read, hold a file descriptor each (and the answers' memory), for ever.
    public var idleTimeout: Duration?
    /// How long a request may take to arrive whole, head and body, from its first byte; past it the connection is
    /// closed. The idle timeout alone lets a client that trickles a byte now and then hold a connection for ever.
    /// nil sets no limit.
    public var requestTimeout: Duration?
    /// The most connections one client address (an IPv6 client's /64) may hold open at once; more are closed as
    /// they open. nil sets no limit. A trusted proxy's connections (``trustedProxies``) are not counted.
    public var maxConnectionsPerAddress: Int?
    /// The proxies whose `X-Forwarded-For` names the client, for sign-in tallies; their own connections are not
    /// held to ``maxConnectionsPerAddress``.
    public var trustedProxies: TrustedProxies

    public init(
        host: String = "127.0.0.1", port: Int = 8080, publicURL: String? = nil, maxBodySize: Int = 1 << 20, tokenCacheTTL: Duration = .seconds(5),
        passwordCost: UInt8 = AdminPasswords.defaultCost, adminSessionLifetime: Duration = .seconds(8 * 3600),
        activityRetentionDays: Int = 30, idleTimeout: Duration? = .seconds(75), requestTimeout: Duration? = .seconds(30),
        maxConnectionsPerAddress: Int? = 256, trustedProxies: TrustedProxies = .none
    ) {
        self.host = host
        self.port = port
        self.publicURL = publicURL.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
        self.maxBodySize = maxBodySize
        self.tokenCacheTTL = tokenCacheTTL
        self.passwordCost = passwordCost
        self.adminSessionLifetime = adminSessionLifetime
        self.activityRetentionDays = max(0, activityRetentionDays)
        self.idleTimeout = idleTimeout.flatMap { $0 > .zero ? $0 : nil }
        self.requestTimeout = requestTimeout.flatMap { $0 > .zero ? $0 : nil }
        self.maxConnectionsPerAddress = maxConnectionsPerAddress.flatMap { $0 > 0 ? $0 : nil }
        self.trustedProxies = trustedProxies
    }

    /// The URL of the server's root, for messages: `http://127.0.0.1:8080`.
    public var rootURL: String {
        publicURL ?? "http://\(host.contains(":") ? "[\(host)]" : host):\(port)"
    }
}
