import NIOHTTP1
import SCIM

/// Reads the users and then the groups of another SCIM 2.0 endpoint, a page at a time (`startIndex` and
/// `count`, RFC 7644 §3.4.2.4), for a mapping whose source system is `scim`. The pages are fetched when the
/// reader is made; records are then handed out one at a time, users first.
///
/// ```swift
/// let source = SCIMClient(baseURL: "https://old.example/scim/v2", token: sourceToken)
/// var reader = try await SCIMSourceReader.read(from: source)
/// ```
public struct SCIMSourceReader: SourceReader {
    private var entries: [SourceEntry]
    private var index = 0

    /// Fetches every user and group of the endpoint, `pageSize` at a time.
    public static func read(from client: SCIMClient, pageSize: Int = 500) async throws(SyncFailure) -> SCIMSourceReader {
        var entries: [SourceEntry] = []
        for (endpoint, kind) in [("/Users", SourceObjectKind.user), ("/Groups", .group)] {
            var startIndex = 1
            while true {
                let reply = try await client.send(.GET, "\(endpoint)?startIndex=\(startIndex)&count=\(max(1, pageSize))")
                guard reply.status == 200, let body = reply.body else {
                    throw SyncEngine.failure("GET \(client.baseURL)\(endpoint)?startIndex=\(startIndex)", reply)
                }
                let resources = body["Resources"]?.arrayValue ?? []
                for resource in resources {
                    let position = startIndex + entries.count
                    if let record = resource.objectValue {
                        entries.append(.item(SourceItem(kind: kind, record: record, line: position)))
                    } else {
                        entries.append(.malformed(line: position, reason: "\(endpoint) gave \(resource.typeName), not a resource"))
                    }
                }
                startIndex += resources.count
                let total = body["totalResults"]?.intValue ?? 0
                if resources.isEmpty || startIndex > total { break }
            }
        }
        return SCIMSourceReader(entries: entries)
    }

    private init(entries: [SourceEntry]) {
        self.entries = entries
    }

    public mutating func next() throws(SyncFailure) -> SourceEntry? {
        guard index < entries.count else { return nil }
        defer { index += 1 }
        return entries[index]
    }
}
