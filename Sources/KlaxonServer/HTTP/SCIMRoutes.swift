import Foundation
import HTTPTypes
import Hummingbird
import KlaxonDirectory
import SCIM

/// Registers the SCIM endpoints of every organisation under `/scim/v2/{org}` and adapts HTTP to ``SCIMService``.
struct SCIMRoutes: Sendable {
    let service: SCIMService
    let activity: ActivityRecorder?
    let configuration: ServerConfiguration

    func register(on router: Router<SCIMRequestContext>, auth: TokenAuthMiddleware) {
        let group = router.group("scim/v2/:org").add(middleware: auth)
        for (path, kind) in [("Users", ResourceKind.user), ("Groups", ResourceKind.group)] {
            group.get(RouterPath(path)) { request, context in
                try await handle(request, context, hasBody: false) { try await service.list(kind, $0) }
            }
            group.post(RouterPath(path)) { request, context in
                try await handle(request, context, hasBody: true) { try await service.create(kind, $0) }
            }
            group.post(RouterPath("\(path)/.search")) { request, context in
                try await handle(request, context, hasBody: true) { try await service.search(kind, $0) }
            }
            group.get(RouterPath("\(path)/:id")) { request, context in
                let id = try context.parameters.require("id")
                return try await handle(request, context, hasBody: false) { try await service.read(kind, id: id, $0) }
            }
            group.put(RouterPath("\(path)/:id")) { request, context in
                let id = try context.parameters.require("id")
                return try await handle(request, context, hasBody: true) { try await service.replace(kind, id: id, $0) }
            }
            group.patch(RouterPath("\(path)/:id")) { request, context in
                let id = try context.parameters.require("id")
                return try await handle(request, context, hasBody: true) { try await service.patch(kind, id: id, $0) }
            }
            group.delete(RouterPath("\(path)/:id")) { request, context in
                let id = try context.parameters.require("id")
                return try await handle(request, context, hasBody: false) { try await service.delete(kind, id: id, $0) }
            }
            for method in [HTTPRequest.Method.put, .patch, .delete] {
                group.on(RouterPath(path), method: method) { request, _ in methodNotAllowed(request, allowed: "GET, POST") }
            }
        }
        group.post(".search") { request, context in
            try await handle(request, context, hasBody: true) { try await service.searchAll($0) }
        }
        group.post("Bulk") { request, context in
            try await handle(request, context, hasBody: true, maxBody: service.limits.bulk.maxPayloadSize) { try await service.bulk($0, logger: context.logger) }
        }
        // RFC 7644 §3.11: a provider without `/Me` answers 501. (A token here belongs to an organisation, not a user.)
        for method in [HTTPRequest.Method.get, .post, .put, .patch, .delete] {
            group.on("Me", method: method) { _, _ in
                SCIMResponse.error(SCIMError(.notImplemented, nil, "/Me is not supported: a token belongs to an organisation, not to a user"))
            }
        }
        let discovery: [(RouterPath, @Sendable (SCIMRequest, String?) throws -> SCIMReply)] = [
            ("ServiceProviderConfig", { request, _ in try service.serviceProviderConfig(request) }),
            ("ResourceTypes", { request, _ in try service.resourceTypes(request) }),
            ("ResourceTypes/:id", { request, id in try service.resourceType(id: id ?? "", request) }),
            ("Schemas", { request, _ in try service.schemas(request) }),
            ("Schemas/:id", { request, id in try service.schema(id: id ?? "", request) }),
        ]
        for (path, answer) in discovery {
            group.get(path) { request, context in
                try await handle(request, context, hasBody: false) { try answer($0, context.parameters.get("id")) }
            }
            // Okta's SPEC test POSTs the text "test" here and expects 405: the method is checked before any body is read.
            for method in [HTTPRequest.Method.post, .put, .patch, .delete] {
                group.on(path, method: method) { request, _ in methodNotAllowed(request, allowed: "GET") }
            }
        }
    }

    private func methodNotAllowed(_ request: Request, allowed: String) -> Response {
        var response = SCIMResponse.error(SCIMError(.methodNotAllowed, nil, "\(request.method) is not allowed on \(request.uri.path); use \(allowed)"))
        response.headers[.allow] = allowed
        return response
    }

    /// Reads and parses the body, calls the service, writes the reply, and logs writes and failures as activity.
    private func handle(
        _ request: Request, _ context: SCIMRequestContext, hasBody: Bool, maxBody: Int? = nil,
        _ operation: (SCIMRequest) async throws -> SCIMReply
    ) async throws -> Response {
        guard let organisation = context.organisation else { throw TokenAuthMiddleware.unauthorized("a bearer token is required") }
        let method = SCIMRequest.Method(rawValue: request.method.rawValue) ?? .get
        do {
            var body: JSONValue?
            if hasBody {
                let limit = maxBody ?? configuration.maxBodySize
                let buffer = try await request.collectBody(upTo: limit)
                if buffer.readableBytes > 0 {
                    do {
                        body = try JSONParser.parse(buffer.readableBytesView, limits: .scimRequest(maxBytes: limit))
                    } catch {
                        throw SCIMError.invalidSyntax("the body is not valid JSON: \(error)")
                    }
                }
            }
            let scimRequest = SCIMRequest(
                method: method, organisation: organisation, baseURL: baseURL(request, organisation), query: QueryString.parse(Substring(request.uri.query ?? "")),
                body: body, ifMatch: request.headers[.ifMatch], ifNoneMatch: request.headers[.ifNoneMatch])
            let reply = try await operation(scimRequest)
            if method != .get || reply.status >= 400 {
                record(request, organisation, status: reply.status, resourceID: reply.resourceID, detail: nil)
            }
            var headers: HTTPFields = [:]
            if let etag = reply.etag { headers[.eTag] = etag }
            if let location = reply.location { headers[.location] = location }
            return SCIMResponse.json(reply.status, reply.body, headers: headers)
        } catch {
            let scimError = SCIMErrorMiddleware<SCIMRequestContext>.scimError(
                for: error, request: request, route: context.endpointPath, logger: context.logger)
            record(request, organisation, status: scimError.status.rawValue, resourceID: context.parameters.get("id"), detail: scimError.detail)
            return SCIMResponse.error(scimError)
        }
    }

    private func record(_ request: Request, _ organisation: Organisation, status: Int, resourceID: String?, detail: String?) {
        activity?.record(
            ActivityEntry(
                organisation: organisation.id, at: Date(), method: request.method.rawValue, path: request.uri.path, status: status,
                resourceID: resourceID, detail: detail, client: request.headers[.userAgent]))
    }

    private func baseURL(_ request: Request, _ organisation: Organisation) -> String {
        if let publicURL = configuration.publicURL {
            return "\(publicURL)/scim/v2/\(organisation.slug)"
        }
        let authority = request.head.authority ?? "\(configuration.host):\(configuration.port)"
        return "http://\(authority)/scim/v2/\(organisation.slug)"
    }
}
