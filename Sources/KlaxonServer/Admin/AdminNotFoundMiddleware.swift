import Hummingbird
import KlaxonDirectory

/// Answers a request for an address under `/admin` that no admin page serves (an unknown path, or a method the
/// path does not take) with the admin UI's HTML 404 page, where any other unknown address gets a SCIM error body.
/// A signed-in administrator sees the page with the navigation. Runs inside ``SCIMErrorMiddleware``, so anything
/// else still reaches it.
struct AdminNotFoundMiddleware: RouterMiddleware {
    typealias Context = SCIMRequestContext

    let directory: any Directory
    let views: AdminViews

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound && Self.isAdmin(request.uri.path) {
            // The page is a 404 whether or not the session can be read, so a failed look-up just leaves out the navigation.
            let session = try? await AdminSessionMiddleware.session(of: request, in: directory)?.0
            return views.notFound(session: session, request: request)
        }
    }

    /// `/admin` itself or anything under it, but not e.g. `/administrators`.
    static func isAdmin(_ path: String) -> Bool {
        path == "/admin" || path.hasPrefix("/admin/")
    }
}
