import NIOHTTP1
import SCIM

/// Reads the users and then the groups of another SCIM 2.0 endpoint, for a mapping whose source system is
/// `scim`. Pages are fetched as the records are asked for (`startIndex` and `count`, RFC 7644 §3.4.2.4), so
/// one page is in memory at a time; a page that cannot be fetched throws ``SyncFailure``. A group listed without
/// `members` is asked for them by name; if it still has none, it is read as empty only when the source's Group
/// schema says members are returned (by default or always). Otherwise its members are unknown and the target's
/// are left alone: a server may never return them.
///
/// ```swift
/// let source = SCIMClient(baseURL: "https://old.example/scim/v2", token: sourceToken)
/// var reader = SCIMSourceReader(client: source)
/// let report = await engine.run(&reader, state: &state)
/// try await source.shutdown()
/// ```
public struct SCIMSourceReader: SourceReader {
    private static let endpoints: [(path: String, kind: SourceObjectKind)] = [("/Users", .user), ("/Groups", .group)]

    /// The source endpoint's client; the caller shuts it down after the run.
    public let client: SCIMClient
    /// Resources asked for per request.
    public let pageSize: Int
    /// The endpoint being read (an index into `endpoints`).
    private var endpoint = 0
    private var page: [JSONValue] = []
    private var indexInPage = 0
    /// The `startIndex` of the next page of the endpoint.
    private var startIndex = 1
    /// The last page of the endpoint has been fetched.
    private var lastPage = false
    /// Records handed out so far, across both endpoints.
    private var position = 0
    /// Whether the source's Group schema says `members` are returned; read once, when first needed.
    private var membersAreReturned: Bool?

    /// A reader of `client`'s endpoint, `pageSize` resources a request. Nothing is fetched until ``next()``.
    public init(client: SCIMClient, pageSize: Int = 500) {
        self.client = client
        self.pageSize = max(1, pageSize)
    }

    public mutating func next() async throws(SyncFailure) -> SourceEntry? {
        while endpoint < Self.endpoints.count {
            let (path, kind) = Self.endpoints[endpoint]
            if indexInPage < page.count {
                let resource = page[indexInPage]
                indexInPage += 1
                position += 1
                guard var record = resource.objectValue else {
                    return .malformed(line: position, reason: "\(path) gave \(resource.typeName), not a resource")
                }
                if kind == .group, record["members"] == nil {
                    record = try await withMembers(record)
                }
                return .item(SourceItem(kind: kind, record: record, line: position))
            }
            if lastPage {
                endpoint += 1
                startIndex = 1
                lastPage = false
                page = []
                indexInPage = 0
                continue
            }
            let body = try await get("\(path)?startIndex=\(startIndex)&count=\(pageSize)")
            page = body["Resources"]?.arrayValue ?? []
            indexInPage = 0
            startIndex += page.count
            let total = body["totalResults"]?.intValue ?? 0
            lastPage = page.isEmpty || startIndex > total
        }
        return nil
    }

    /// A group listed without `members`: SCIM leaves out an empty attribute, but a server may also leave out
    /// members it returns only on request, or never. Asked for them by name, a group that still has none has none
    /// if the source's schema says members are returned; else it is handed out without `members` (unknown).
    private mutating func withMembers(_ group: JSONObject) async throws(SyncFailure) -> JSONObject {
        guard let id = group["id"]?.stringValue else { return group }
        let body = try await get("/Groups/\(SyncEngine.percentEncoded(id))?attributes=members")
        var complete = group
        if let members = body["members"] {
            complete["members"] = members
        } else if await membersReturned() {
            complete["members"] = []
        }
        return complete
    }

    /// The body of a GET that must answer 200; anything else throws ``SyncFailure``.
    private func get(_ query: String) async throws(SyncFailure) -> JSONValue {
        let reply: SCIMClient.Reply
        do {
            reply = try await client.send(.GET, query)
        } catch {
            throw SyncFailure("reading \(SyncRunSummary.withoutCredentials(client.baseURL)): \(error.message)", status: error.status)
        }
        guard reply.status == 200, let body = reply.body else {
            throw SyncEngine.failure("GET \(SyncRunSummary.withoutCredentials(client.baseURL))\(query)", reply)
        }
        return body
    }

    /// The `returned` characteristic of the source's Group `members` (RFC 7643 §7) is `default` or `always`: read
    /// from `/Schemas/<Group URN>`, else from the `/Schemas` list; false if neither says.
    private mutating func membersReturned() async -> Bool {
        if let known = membersAreReturned { return known }
        let urn = "urn:ietf:params:scim:schemas:core:2.0:Group"
        var schema: JSONValue?
        if let reply = try? await client.send(.GET, "/Schemas/\(urn)"), reply.status == 200 {
            schema = reply.body
        } else if let reply = try? await client.send(.GET, "/Schemas"), reply.status == 200 {
            schema = reply.body?["Resources"]?.arrayValue?.first { $0["id"]?.stringValue?.equalsIgnoringASCIICase(urn) == true }
        }
        let members = schema?["attributes"]?.arrayValue?.first { $0["name"]?.stringValue?.equalsIgnoringASCIICase("members") == true }
        let returned = members.map { ($0["returned"]?.stringValue ?? "default").lowercased() }
        let answer = returned == "default" || returned == "always"
        membersAreReturned = answer
        return answer
    }
}
