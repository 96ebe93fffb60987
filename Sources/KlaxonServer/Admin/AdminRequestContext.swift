import Hummingbird
import KlaxonDirectory
import NIOCore

/// The admin pages' per-request state: the signed-in session, if any, and a POSTed form (already checked for
/// forgery by ``AdminSessionMiddleware``).
struct AdminRequestContext: ChildRequestContext {
    var coreContext: CoreRequestContextStorage
    var session: AdminSession?
    /// The session cookie's value, for signing out.
    var sessionSecret: String?
    var form = AdminForm(fields: [])
    /// The address the connection comes from (``SCIMRequestContext/peerAddress``).
    let peerAddress: SocketAddress?

    init(context: SCIMRequestContext) throws {
        self.coreContext = context.coreContext
        self.peerAddress = context.peerAddress
    }

    /// The signed-in session; the middleware lets no request reach a handler that needs one without it.
    func requireSession() throws -> AdminSession {
        guard let session else { throw AdminError.notSignedIn }
        return session
    }
}

/// The fields of an `application/x-www-form-urlencoded` body or a query string.
///
/// A decoded `%00` is read as U+FFFD: no field means anything by U+0000, and PostgreSQL cannot even look one up
/// (a sign-in name holding one failed with a 500 rather than "wrong name or password").
struct AdminForm: Sendable {
    let fields: [(name: String, value: String)]

    init(fields: [(name: String, value: String)]) {
        self.fields = fields.map { ($0.name, $0.value.replacingNUL) }
    }

    init(query: String?) {
        self.init(fields: QueryString.parse(Substring(query ?? "")))
    }

    /// The first value of a field, or nil.
    subscript(_ name: String) -> String? {
        fields.first { $0.name == name }?.value
    }

    /// The first value of a field with surrounding white space removed, or "".
    func trimmed(_ name: String) -> String {
        self[name]?.trimmingSpaces() ?? ""
    }
}

/// Failures the admin pages answer with a page of their own.
enum AdminError: Error {
    /// No valid session: the browser is sent to the sign-in page.
    case notSignedIn
    /// The form's anti-forgery token is missing or wrong.
    case forgedForm
    /// The URL names nothing this organisation has.
    case notFound
}
