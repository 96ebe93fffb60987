import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
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
        case let error as HTTPParserError:
            // The body broke off (the client closed the connection or was cut off by the request timeout) or was
            // malformed: the client's doing, and usually nobody is left to read the answer.
            logger.debug("request body unreadable", metadata: ["route": "\(route ?? "unknown")", "error": "\(error)"])
            return SCIMError(.badRequest, nil, "the request could not be read: \(error)")
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
