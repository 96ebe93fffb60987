import KlaxonDirectory
import Logging
import SCIM

extension SCIMService {
    /// `POST /Bulk` (RFC 7644 §3.7): runs the operations through the same code as single requests, each in its own
    /// transaction, and stops after `failOnErrors` failures. They run in request order, except that a POST whose
    /// `bulkId` an earlier operation names runs just before that operation (RFC 7644 §3.7.1), so every other
    /// operation keeps its place; a reference that cannot be resolved (its POST failed, or references in a circle)
    /// fails with 409. Results are answered in request order. An unexpected failure (the disk is full, the database
    /// is gone) is that operation's 500, logged to `logger`: the operations before it are committed, and the client
    /// must learn their ids. A database that cannot be reached is that operation's 503, and the rest are not tried
    /// (each would wait for a connection in vain), as when `failOnErrors` is reached.
    func bulk(_ request: SCIMRequest, logger: Logger) async throws -> SCIMReply {
        let bulk = try BulkRequest(try requireBody(request), limits: limits.bulk)
        let definedBy = Dictionary(
            bulk.operations.enumerated().compactMap { index, operation in operation.method == .post ? operation.bulkId.map { ($0, index) } : nil },
            uniquingKeysWith: { first, _ in first })
        var ids: [String: String] = [:]
        var results: [BulkResponse.Operation?] = Array(repeating: nil, count: bulk.operations.count)
        var failures = 0
        running: for index in bulk.operations.indices where results[index] == nil {
            var order: [Int] = []
            var visiting: Set<Int> = []
            // The POSTs `index` needs, depth first, then `index`; a circle is cut where it closes.
            func schedule(_ next: Int) {
                guard results[next] == nil, !order.contains(next), visiting.insert(next).inserted else { return }
                for reference in bulk.operations[next].references.sorted() {
                    if let definer = definedBy[reference], definer != next { schedule(definer) }
                }
                order.append(next)
            }
            schedule(index)
            for next in order {
                if let limit = bulk.failOnErrors, failures >= limit { break running }
                results[next] = await run(bulk.operations[next], request, ids: &ids, logger: logger)
                if results[next]?.response != nil { failures += 1 }
                if results[next]?.status == SCIMError.Status.serviceUnavailable.rawValue { break running }
            }
        }
        return SCIMReply(status: 200, body: BulkResponse(operations: results.compactMap { $0 }).json)
    }

    /// Runs one operation and describes its result; a failure carries its error body, a 500 for anything but a
    /// SCIM error (logged, with the resource type but not the path, which holds ids).
    private func run(
        _ operation: BulkRequest.Operation, _ request: SCIMRequest, ids: inout [String: String], logger: Logger
    ) async -> BulkResponse.Operation {
        // RFC 7644 §3.7.3: every result but a failed POST's names the resource.
        let failedLocation = operation.method == .post ? nil : "\(request.baseURL)/\(operation.path.drop { $0 == "/" })"
        do {
            let resolved = try operation.resolvingBulkIds(ids)
            let reply = try await perform(resolved, request)
            if resolved.method == .post, let bulkId = resolved.bulkId, let id = reply.resourceID { ids[bulkId] = id }
            let location = reply.resourceID.map { id in "\(request.baseURL)\(Self.collectionPath(resolved.path))/\(id)" }
            return .init(
                method: resolved.method, bulkId: resolved.bulkId, location: location,
                version: reply.etag.flatMap { try? ETag(parsing: $0) }, status: reply.status)
        } catch let error as SCIMError {
            return .init(method: operation.method, bulkId: operation.bulkId, location: failedLocation, error: error)
        } catch SQLDirectoryError.unavailable(let reason) {
            logger.warning("/Bulk stopped: the database cannot be reached", metadata: ["reason": "\(reason)"])
            return .init(
                method: operation.method, bulkId: operation.bulkId, location: failedLocation,
                error: SCIMError(.serviceUnavailable, nil, "the directory's database cannot be reached; the operations after this one were not tried"))
        } catch {
            let type = operation.path.split(separator: "/").first.map(String.init) ?? ""
            logger.error(
                "unexpected failure",
                metadata: ["method": "\(operation.method.rawValue)", "route": "/Bulk: \(type)", "error": "\(String(reflecting: error))"])
            return .init(
                method: operation.method, bulkId: operation.bulkId, location: failedLocation,
                error: SCIMError(.internalServerError, nil, "internal error; the server log has the details"))
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
