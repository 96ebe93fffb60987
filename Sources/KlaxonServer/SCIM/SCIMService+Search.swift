import KlaxonDirectory
import SCIM

extension SCIMService {
    /// `POST /.search` at the root: users then groups, paged as one list (RFC 7644 §3.4.3).
    func searchAll(_ request: SCIMRequest) async throws -> SCIMReply {
        let query = try SearchRequest.query(from: try requireBody(request), limits: limits.list)
        var counting = query
        counting.count = 0
        counting.startIndex = 1
        let userTotal = try await totalResults(.user, counting, request)
        let groupTotal = try await totalResults(.group, counting, request)
        var resources: [JSONValue] = []
        let firstUser = query.startIndex
        if firstUser <= userTotal, query.count > 0 {
            var page = query
            page.count = min(query.count, userTotal - firstUser + 1)
            resources += try await listBody(.user, page, request)
        }
        let remaining = query.count - resources.count
        if remaining > 0 {
            var page = query
            page.startIndex = max(1, query.startIndex - userTotal)
            page.count = remaining
            if page.startIndex <= groupTotal { resources += try await listBody(.group, page, request) }
        }
        let response = ListResponse(totalResults: userTotal + groupTotal, startIndex: query.startIndex, resources: resources)
        return SCIMReply(status: 200, body: response.json)
    }

    private func totalResults(_ kind: ResourceKind, _ query: ListQuery, _ request: SCIMRequest) async throws -> Int {
        let reply = try await list(kind, query, request)
        return reply.body?["totalResults"]?.intValue ?? 0
    }

    private func listBody(_ kind: ResourceKind, _ query: ListQuery, _ request: SCIMRequest) async throws -> [JSONValue] {
        let reply = try await list(kind, query, request)
        return reply.body?["Resources"]?.arrayValue ?? []
    }
}
