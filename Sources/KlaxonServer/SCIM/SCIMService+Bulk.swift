import KlaxonDirectory
import SCIM

extension SCIMService {
    /// `POST /Bulk` (RFC 7644 §3.7): runs the operations in order through the same code as single requests, each
    /// in its own transaction, resolving `bulkId:` references to the ids earlier POSTs created, and stopping after
    /// `failOnErrors` failures.
    func bulk(_ request: SCIMRequest) async throws -> SCIMReply {
        let bulk = try BulkRequest(try requireBody(request), limits: limits.bulk)
        var ids: [String: String] = [:]
        var response = BulkResponse()
        var failures = 0
        for operation in bulk.operations {
            if let limit = bulk.failOnErrors, failures >= limit { break }
            do {
                let resolved = try operation.resolvingBulkIds(ids)
                let reply = try await perform(resolved, request)
                if resolved.method == .post, let bulkId = resolved.bulkId, let id = reply.resourceID { ids[bulkId] = id }
                let location = reply.resourceID.map { id in "\(request.baseURL)\(Self.collectionPath(resolved.path))/\(id)" }
                response.append(
                    .init(
                        method: resolved.method, bulkId: resolved.bulkId, location: location,
                        version: reply.etag.flatMap { try? ETag(parsing: $0) }, status: reply.status))
            } catch let error as SCIMError {
                failures += 1
                response.append(.init(method: operation.method, bulkId: operation.bulkId, error: error))
            }
        }
        return SCIMReply(status: 200, body: response.json)
    }

    private func perform(_ operation: BulkRequest.Operation, _ request: SCIMRequest) async throws -> SCIMReply {
        let parts = operation.path.split(separator: "/", omittingEmptySubsequences: true)
        guard let first = parts.first, parts.count <= 2 else {
            throw SCIMError.invalidPath("'\(operation.path)' is not a resource path such as /Users or /Users/{id}")
        }
        let kind: ResourceKind
        switch first.lowercased() {
        case "users": kind = .user
        case "groups": kind = .group
        default: throw SCIMError.invalidPath("'\(operation.path)' names no resource type of this server (Users, Groups)")
        }
        var single = request
        single.query = []
        single.body = operation.data
        single.ifMatch = operation.version?.description
        single.ifNoneMatch = nil
        let id = parts.count == 2 ? String(parts[1]) : nil
        switch (operation.method, id) {
        case (.post, nil): return try await create(kind, single)
        case (.put, let id?): return try await replace(kind, id: id, single)
        case (.patch, let id?): return try await patch(kind, id: id, single)
        case (.delete, let id?): return try await delete(kind, id: id, single)
        default:
            throw SCIMError.invalidPath("\(operation.method.rawValue) needs \(id == nil ? "a resource id" : "no resource id") in '\(operation.path)'")
        }
    }

    private static func collectionPath(_ path: String) -> String {
        "/" + (path.split(separator: "/", omittingEmptySubsequences: true).first.map(String.init) ?? "")
    }
}
