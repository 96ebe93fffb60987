public import Hummingbird
public import KlaxonDirectory
public import NIOCore

/// The one carrier of per-request state: Hummingbird's core storage, the organisation the bearer token opened (set
/// by ``TokenAuthMiddleware``) and the connection the request came on.
public struct SCIMRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var organisation: Organisation?
    /// Kept to read the client's address only where it is needed (admin sign-in), not on every request.
    private let channel: any Channel

    public init(source: Source) {
        self.coreContext = .init(source: source)
        self.organisation = nil
        self.channel = source.channel
    }

    /// The client's address as connection limits and sign-in tallies count it: an IPv4 address, or an IPv6 /64
    /// (`2001:db8:1:2::/64`); empty if the connection has none.
    public var clientAddress: String {
        channel.remoteAddress.flatMap(ConnectionCounter.Address.init)?.description ?? ""
    }
}
