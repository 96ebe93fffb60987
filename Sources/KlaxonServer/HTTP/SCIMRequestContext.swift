public import Hummingbird
public import KlaxonDirectory

/// The one carrier of per-request state: Hummingbird's core storage plus the organisation the bearer token
/// opened (set by ``TokenAuthMiddleware``).
public struct SCIMRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var organisation: Organisation?

    public init(source: Source) {
        self.coreContext = .init(source: source)
        self.organisation = nil
    }
}
