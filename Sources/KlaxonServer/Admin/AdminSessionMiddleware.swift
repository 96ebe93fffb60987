import Foundation
import HTTPTypes
import Hummingbird
import KlaxonDirectory

/// Finds the signed-in session from its cookie, sends visitors without one to the sign-in page, and rejects every
/// POST whose form does not carry the right anti-forgery token.
///
/// Signed-in forms carry the session's own token. The two forms used before there is a session (sign-in and the
/// one-time sign-in) carry the value of a separate HttpOnly, SameSite cookie instead (double submit). Both cookies
/// are SameSite=Strict as well, so a forged cross-site POST fails twice over.
struct AdminSessionMiddleware: RouterMiddleware {
    typealias Context = AdminRequestContext

    static let sessionCookie = "klaxon_session"
    static let formCookie = "klaxon_form"
    /// Paths that work without a session.
    static let publicPaths: Set<String> = ["/admin/sign-in", "/admin/welcome"]
    /// The largest form accepted.
    static let maxFormSize = 64 * 1024

    let directory: any Directory

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        if let (session, secret) = try await Self.session(of: request, in: directory) {
            context.session = session
            context.sessionSecret = secret
        }
        let path = request.uri.path
        let isPublic = Self.publicPaths.contains(path) || path.hasPrefix("/admin/static/")
        guard isPublic || context.session != nil else { throw AdminError.notSignedIn }
        if request.method == .post {
            let body = try await request.collectBody(upTo: Self.maxFormSize)
            context.form = AdminForm(fields: QueryString.parse(Substring(String(buffer: body))))
            let expected = Self.publicPaths.contains(path) ? request.cookies[Self.formCookie]?.value : context.session?.csrfToken
            guard let expected, !expected.isEmpty, let sent = context.form["csrf"], TokenHasher.constantTimeEquals(expected, sent) else {
                throw AdminError.forgedForm
            }
        }
        return try await next(request, context)
    }

    /// The unexpired session the request's cookie names, with the cookie's value, or nil.
    static func session(of request: Request, in directory: any Directory) async throws -> (AdminSession, String)? {
        guard let secret = request.cookies[sessionCookie]?.value, !secret.isEmpty,
            let session = try await directory.adminSession(secret: secret, at: Date())
        else { return nil }
        return (session, secret)
    }
}
