import KlaxonDirectory
import SCIM

extension SCIMService {
    /// `POST /Bulk` (RFC 7644 §3.7): runs the operations through the same code as single requests, each in its own
    /// transaction, and stops after `failOnErrors` failures. They run in request order, except that one referring
    /// to a `bulkId:` a later POST defines waits until that POST has run (RFC 7644 §3.7.1); a reference that cannot
    /// be resolved (its POST failed, or references wait on each other in a circle) fails with 409. Results are
    /// answered in request order.
    func bulk(_ request: SCIMRequest) async throws -> SCIMReply {
        let bulk = try BulkRequest(try requireBody(request), limits: limits.bulk)
        let definedBy = Dictionary(
            bulk.operations.enumerated().compactMap { index, operation in operation.method == .post ? operation.bulkId.map { ($0, index) } : nil },
            uniquingKeysWith: { first, _ in first })
        var ids: [String: String] = [:]
        var results: [BulkResponse.Operation?] = Array(repeating: nil, count: bulk.operations.count)
        var failures = 0
        var waiting = Array(bulk.operations.indices)
        scheduling: while !waiting.isEmpty {
            var deferred: [Int] = []
            for index in waiting {
                if let limit = bulk.failOnErrors, failures >= limit { break scheduling }
                let operation = bulk.operations[index]
                // It waits for a POST that has yet to run.
                let pending = operation.references.contains { reference in
                    ids[reference] == nil && definedBy[reference].map { $0 != index && results[$0] == nil } == true
                }
                if pending {
                    deferred.append(index)
                    continue
                }
                results[index] = try await run(operation, request, ids: &ids)
                if results[index]?.response != nil { failures += 1 }
            }
            // No progress: the rest wait on each other. Run them in order; their references fail.
            if deferred.count == waiting.count {
                for index in deferred {
                    if let limit = bulk.failOnErrors, failures >= limit { break scheduling }
                    results[index] = try await run(bulk.operations[index], request, ids: &ids)
                    if results[index]?.response != nil { failures += 1 }
                }
                break
            }
            waiting = deferred
        }
        return SCIMReply(status: 200, body: BulkResponse(operations: results.compactMap { $0 }).json)
    }

    /// Runs one operation and describes its result; a SCIM failure carries its error body, any other error ends
    /// the request (and is logged as unexpected).
    private func run(_ operation: BulkRequest.Operation, _ request: SCIMRequest, ids: inout [String: String]) async throws -> BulkResponse.Operation {
        do {
            let resolved = try operation.resolvingBulkIds(ids)
            let reply = try await perform(resolved, request)
            if resolved.method == .post, let bulkId = resolved.bulkId, let id = reply.resourceID { ids[bulkId] = id }
            let location = reply.resourceID.map { id in "\(request.baseURL)\(Self.collectionPath(resolved.path))/\(id)" }
            return .init(
                method: resolved.method, bulkId: resolved.bulkId, location: location,
                version: reply.etag.flatMap { try? ETag(parsing: $0) }, status: reply.status)
        } catch let error as SCIMError {
            // RFC 7644 §3.7.3: every result but a failed POST's names the resource.
            let location = operation.method == .post ? nil : "\(request.baseURL)/\(operation.path.drop { $0 == "/" })"
            return .init(method: operation.method, bulkId: operation.bulkId, location: location, error: error)
        }
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
