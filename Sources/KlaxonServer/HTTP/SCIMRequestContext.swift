public import Hummingbird
public import KlaxonDirectory
public import NIOCore

/// The one carrier of per-request state: Hummingbird's core storage, the organisation the bearer token opened (set
/// by ``TokenAuthMiddleware``) and the connection the request came on.
public struct SCIMRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var organisation: Organisation?
    /// Kept to read the peer's address only where it is needed (admin sign-in), not on every request.
    private let channel: any Channel

    public init(source: Source) {
        self.coreContext = .init(source: source)
        self.organisation = nil
        self.channel = source.channel
    }

    /// The address the connection comes from: the client's, or a proxy's (``TrustedProxies``).
    public var peerAddress: SocketAddress? {
        channel.remoteAddress
    }
}
