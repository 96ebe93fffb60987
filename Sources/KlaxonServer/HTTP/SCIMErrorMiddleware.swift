import HTTPTypes
import Hummingbird
import KlaxonDirectory
import Logging
import NIOCore
import SCIM

/// Turns every failure into an RFC 7644 error body with `application/scim+json`: SCIM errors as they are,
/// Hummingbird's 404 for unknown routes, 413 for oversized bodies, and anything unexpected as a 500 whose detail
/// reveals nothing internal (the log has it).
struct SCIMErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            return SCIMResponse.error(Self.scimError(for: error, request: request, route: context.endpointPath, logger: context.logger))
        }
    }

    /// The error body for `error`; an unexpected one is logged with the route template (`route`), never the
    /// request's path, which holds ids and can hold personal data.
    static func scimError(for error: any Error, request: Request, route: String?, logger: Logger) -> SCIMError {
        switch error {
        case let error as SCIMError:
            return error
        case SQLDirectoryError.unavailable(let reason):
            // An outage fails every request alike: one log line every few seconds says so.
            if WarningLimiter.unreachableDatabase.shouldWarn() {
                logger.warning("the database cannot be reached; answering 503", metadata: ["reason": "\(reason)"])
            }
            return SCIMError(.serviceUnavailable, nil, "the directory's database cannot be reached; try again shortly")
        case let error as UnreadableRequestBody:
            logger.debug("request body unreadable", metadata: ["route": "\(route ?? "unknown")", "error": "\(error.reason)"])
            return SCIMError(.badRequest, nil, error.description)
        case is NIOTooManyBytesError:
            return SCIMError(.payloadTooLarge, nil, "the request body is too large")
        case let error as HTTPError where error.status == .notFound:
            return SCIMError.notFound("no such endpoint: \(request.method) \(request.uri.path)")
        case let error as any HTTPResponseError:
            return SCIMError(.init(rawValue: error.status.code), nil, error.status.reasonPhrase)
        default:
            logger.error("unexpected failure", metadata: ["method": "\(request.method)", "route": "\(route ?? "unknown")", "error": "\(String(reflecting: error))"])
            return SCIMError(.internalServerError, nil, "internal error; the server log has the details")
        }
    }
}
