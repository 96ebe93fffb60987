import Hummingbird
import KlaxonDirectory
import Logging
import NIOCore
import SCIM

/// Answers the admin pages' failures with pages, not SCIM errors: visitors without a session go to the sign-in page,
/// forged or expired forms get 403, unknown ids 404, oversized forms 413, and anything unexpected a 500 that reveals
/// nothing internal.
/// The pages show the navigation when the visitor is signed in.
struct AdminErrorMiddleware: RouterMiddleware {
    typealias Context = AdminRequestContext

    let views: AdminViews
    let directory: any Directory

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch AdminError.notSignedIn {
            return AdminViews.redirect("/admin/sign-in")
        } catch AdminError.forgedForm {
            let session = await session(of: request)
            return views.message(
                heading: "This form has expired",
                message: "The form was not sent from a current Klaxon page, so nothing was changed. Go back, reload the page and try again.",
                session: session, request: request, status: .forbidden)
        } catch is NIOTooManyBytesError {
            // Anyone can send a large form, signed in or not: a 413, not an error in the server's log.
            return views.message(
                heading: "This form is too large",
                message: "Klaxon accepts forms of up to \(AdminSessionMiddleware.maxFormSize / 1024) KB, so nothing was changed.",
                session: await session(of: request), request: request, status: .contentTooLarge)
        } catch let error as UnreadableRequestBody {
            // The form broke off on its way (the connection closed or timed out): the visitor's doing.
            context.logger.debug("admin form unreadable", metadata: ["error": "\(error.reason)"])
            return views.message(
                heading: "This form did not arrive whole", message: "Nothing was changed. Go back and send it again.",
                session: await session(of: request), request: request, status: .badRequest)
        } catch SQLDirectoryError.unavailable(let reason) {
            if WarningLimiter.unreachableDatabase.shouldWarn() {
                context.logger.warning("admin page: the database cannot be reached", metadata: ["reason": "\(reason)"])
            }
            var response = views.message(
                heading: "Klaxon's database cannot be reached",
                message: "Nothing was changed. Try again in a few seconds; if this lasts, the server log says why.",
                session: nil, request: request, status: .serviceUnavailable)
            response.headers[.retryAfter] = String(SCIMResponse.retryAfterUnavailable)
            return response
        } catch let error as SCIMError where error.status == .notFound {
            return views.notFound(session: await session(of: request), request: request)
        } catch AdminError.notFound {
            return views.notFound(session: await session(of: request), request: request)
        } catch {
            let session = await session(of: request)
            context.logger.error(
                "admin page failed",
                metadata: ["method": "\(request.method)", "route": "\(context.endpointPath ?? "unknown")", "error": "\(String(reflecting: error))"])
            return views.message(
                heading: "Something went wrong", message: "Klaxon could not show this page. The server log has the details.",
                session: session, request: request, status: .internalServerError)
        }
    }

    /// The visitor's session. This middleware runs outside ``AdminSessionMiddleware``, whose context it never sees,
    /// so it reads the cookie again; a page about a failure leaves out the navigation if even that fails.
    private func session(of request: Request) async -> AdminSession? {
        try? await AdminSessionMiddleware.session(of: request, in: directory)?.0
    }
}
