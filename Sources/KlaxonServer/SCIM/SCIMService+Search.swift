import KlaxonDirectory
import SCIM

extension SCIMService {
    /// `POST /.search` at the root: users then groups, paged as one list (RFC 7644 §3.4.3); with `sortBy`, one list
    /// in that order.
    func searchAll(_ request: SCIMRequest) async throws -> SCIMReply {
        let query = try SearchRequest.query(from: try requireBody(request), limits: limits.list)
        if let sortBy = query.sortBy { return try await searchAll(query, sortedBy: sortBy, request) }
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

    /// The most resources a sorted root search reads of each type: the page is found by merging both types' first
    /// `startIndex + count - 1` in order.
    static let sortedRootSearchWindow = 10_000

    /// A sorted root search: each type's first resources up to the page's end, in order (a type whose schema has no
    /// such attribute has no value for it, and so comes after every resource that has one, in creation order), merged
    /// by the directory's own ``SortKey``; ties keep users before groups, and each type's order.
    private func searchAll(_ query: ListQuery, sortedBy sortBy: AttributePath, _ request: SCIMRequest) async throws -> SCIMReply {
        let end = query.startIndex - 1 + query.count
        guard end <= Self.sortedRootSearchWindow else {
            throw SCIMError.invalidValue(
                "a root search sorted by '\(sortBy)' reaches only the first \(Self.sortedRootSearchWindow) resources; narrow "
                    + "the filter, or search /Users/.search and /Groups/.search, which sort indexed attributes to any depth")
        }
        let attributes = query.attributes.isEmpty ? nil : query.attributes
        let excluded = query.excludedAttributes.isEmpty ? nil : query.excludedAttributes
        let kinds = [ResourceKind.user, .group]
        var keys: [ResourceKind: SortKey] = [:]
        var refusal: SCIMError?
        for kind in kinds {
            do {
                keys[kind] = try SortKey(sortBy, schema: schema(for: kind))
            } catch {
                refusal = refusal ?? error
            }
        }
        if keys.isEmpty, let refusal { throw refusal }
        var candidates: [(key: SortKey.Value?, stored: StoredResource)] = []
        var total = 0
        for kind in kinds {
            if let filter = query.filter { _ = try FilterEvaluator(filter, for: schema(for: kind)) }
            let key = keys[kind]
            let page = try await directory.queryResources(
                kind, in: request.organisation.id,
                ResourceQuery(
                    filter: query.filter, sortBy: key == nil ? nil : sortBy, descending: query.sortOrder == .descending, startIndex: 1,
                    count: end,
                    includeMembers: Self.includesMembers(kind, attributes: attributes, excluded: excluded) || key?.readsMembers == true))
            total += page.totalResults
            candidates += page.resources.map { (key?.value(of: $0.object), $0) }
        }
        let descending = query.sortOrder == .descending
        // Each type's resources are in order already; a stable sort keeps that order between equal keys.
        let ordered = candidates.enumerated().sorted { a, b in
            switch (a.element.key, b.element.key) {
            case (let x?, let y?) where x != y: return descending ? x > y : x < y
            case (_?, nil): return true
            case (nil, _?): return false
            default: return a.offset < b.offset
            }
        }
        var resources: [JSONValue] = []
        for (_, candidate) in ordered.dropFirst(query.startIndex - 1).prefix(query.count) {
            let projection = try projection(for: candidate.stored.kind, attributes: attributes, excluded: excluded)
            resources.append(render(candidate.stored, baseURL: request.baseURL, projection: projection))
        }
        let response = ListResponse(totalResults: total, startIndex: query.startIndex, resources: resources)
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
