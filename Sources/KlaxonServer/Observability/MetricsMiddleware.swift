import HTTPTypes
import Hummingbird

/// Records every request's route template (never its ids), method, status and latency.
struct MetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let registry: MetricsRegistry

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let response = try await next(request, context)
        let elapsed = ContinuousClock.now - start
        let (seconds, attoseconds) = elapsed.components
        registry.record(
            route: context.endpointPath ?? "unknown", method: request.method.rawValue, status: response.status.code,
            seconds: Double(seconds) + Double(attoseconds) / 1e18)
        return response
    }
}
