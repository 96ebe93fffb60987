import HTTPTypes
import Hummingbird
import KlaxonDirectory
import SCIM
import Synchronization

/// Opens `/scim/v2/{org}/…` to a bearer token of that organisation, and to nothing else.
///
/// `Authorization: Bearer <token>` is the form; `Bearer Bearer <token>` is accepted too, because admins paste
/// "Bearer <token>" into Entra's Secret Token field when Test Connection fails. A token of another organisation,
/// a revoked token and a missing header all get the same 401, so the answer tells nothing about other tenants.
///
/// Looked-up tokens are cached (``TokenCache``) so a request costs one directory read, not two; a token revoked
/// through this server's admin screen stops working at once, one revoked elsewhere (another instance, the command
/// line) within the cache's time to live.
struct TokenAuthMiddleware: RouterMiddleware {
    typealias Context = SCIMRequestContext

    let directory: any Directory
    let cache: TokenCache

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let slug = context.parameters.get("org"), let secret = Self.bearerToken(request.headers[.authorization]) else {
            throw Self.unauthorized("a bearer token is required: send 'Authorization: Bearer <token>'")
        }
        let organisation: Organisation
        if let cached = cache.organisation(for: secret) {
            organisation = cached
        } else {
            let generation = cache.generation
            guard let (found, token) = try await directory.authenticate(secret: secret) else {
                throw Self.unauthorized("the bearer token is not valid")
            }
            cache.store(found, token: token.id, for: secret, readAt: generation)
            organisation = found
        }
        guard organisation.slug == slug else {
            throw Self.unauthorized("the bearer token is not valid")
        }
        var context = context
        context.organisation = organisation
        return try await next(request, context)
    }

    /// The token from an Authorization header: `Bearer <token>` or `Bearer Bearer <token>`, scheme in any case.
    static func bearerToken(_ header: String?) -> String? {
        guard let header else { return nil }
        // Split on bytes: this runs on every request, and Character-wise splitting and lower-casing cost more
        // than the rest of authentication.
        var words = header.utf8.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: true)
        guard words.count >= 2, isBearer(words[0]) else { return nil }
        words.removeFirst()
        if words.count == 2, isBearer(words[0]) { words.removeFirst() }
        guard words.count == 1 else { return nil }
        return String(Substring(words[0]))
    }

    private static func isBearer(_ word: Substring.UTF8View) -> Bool {
        word.count == 6 && zip(word, "bearer".utf8).allSatisfy { $0 | 0x20 == $1 }
    }

    static func unauthorized(_ detail: String) -> SCIMError {
        SCIMError(.unauthorized, nil, detail)
    }
}

/// Authenticated tokens for a short time, keyed by the secret (process memory only; never written anywhere).
final class TokenCache: Sendable {
    private struct Entry {
        var organisation: Organisation
        var token: TokenRecord.ID
        var expires: ContinuousClock.Instant
    }

    private let ttl: Duration
    private let entries = Mutex<(entries: [String: Entry], generation: Int)>(([:], 0))

    init(ttl: Duration) {
        self.ttl = ttl
    }

    func organisation(for secret: String) -> Organisation? {
        let now = ContinuousClock.now
        return entries.withLock { cache in
            guard let entry = cache.entries[secret] else { return nil }
            guard entry.expires > now else {
                cache.entries[secret] = nil
                return nil
            }
            return entry.organisation
        }
    }

    /// Counts revocations: a look-up begun before one may have read the token as still valid.
    var generation: Int { entries.withLock { $0.generation } }

    /// Remembers a token the directory accepted, unless a token was revoked since `generation` was read before
    /// asking the directory (its answer may be from before the revocation).
    func store(_ organisation: Organisation, token: TokenRecord.ID, for secret: String, readAt generation: Int) {
        guard ttl > .zero else { return }
        let expires = ContinuousClock.now + ttl
        entries.withLock { cache in
            guard cache.generation == generation else { return }
            if cache.entries.count > 10_000 { cache.entries.removeAll() }
            cache.entries[secret] = Entry(organisation: organisation, token: token, expires: expires)
        }
    }

    /// Drops a revoked token, so that this server refuses it from the next request on.
    func forget(token: TokenRecord.ID) {
        entries.withLock { cache in
            cache.generation += 1
            cache.entries = cache.entries.filter { $0.value.token != token }
        }
    }
}
