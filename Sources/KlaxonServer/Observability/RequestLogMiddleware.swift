import Hummingbird
import Logging

/// Logs one structured line per request at `debug` level (`serve --log-level debug`; the admin UI's activity
/// view is the everyday record): method, route template, status and duration. Never the URL's path or
/// query (ids, filters with e-mail addresses or phone numbers) and never a header, so no token or personal data
/// reaches the log.
struct RequestLogMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let response = try await next(request, context)
        let (seconds, attoseconds) = (ContinuousClock.now - start).components
        let milliseconds = Double(seconds) * 1000 + Double(attoseconds) / 1e15
        context.logger.debug(
            "request",
            metadata: [
                "method": "\(request.method)", "route": "\(context.endpointPath ?? "unknown")", "status": "\(response.status.code)",
                "ms": "\((milliseconds * 100).rounded() / 100)",
            ])
        return response
    }
}
