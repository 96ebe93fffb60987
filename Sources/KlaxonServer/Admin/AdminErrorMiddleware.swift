import Hummingbird
import KlaxonDirectory
import Logging
import SCIM

/// Answers the admin pages' failures with pages, not SCIM errors: visitors without a session go to the sign-in page,
/// forged or expired forms get 403, unknown ids 404, and anything unexpected a 500 that reveals nothing internal.
struct AdminErrorMiddleware: RouterMiddleware {
    typealias Context = AdminRequestContext

    let views: AdminViews

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch AdminError.notSignedIn {
            return AdminViews.redirect("/admin/sign-in")
        } catch AdminError.forgedForm {
            return views.message(
                heading: "This form has expired",
                message: "The form was not sent from a current Klaxon page, so nothing was changed. Go back, reload the page and try again.",
                session: context.session, request: request, status: .forbidden)
        } catch let error as SCIMError where error.status == .notFound {
            return notFound(request, context)
        } catch AdminError.notFound {
            return notFound(request, context)
        } catch {
            context.logger.error("admin page failed", metadata: ["path": "\(request.uri.path)", "error": "\(String(reflecting: error))"])
            return views.message(
                heading: "Something went wrong", message: "Klaxon could not show this page. The server log has the details.",
                session: context.session, request: request, status: .internalServerError)
        }
    }

    private func notFound(_ request: Request, _ context: Context) -> Response {
        views.message(
            heading: "Not found", message: "There is nothing at this address in your organisation.", session: context.session,
            request: request, status: .notFound)
    }
}
