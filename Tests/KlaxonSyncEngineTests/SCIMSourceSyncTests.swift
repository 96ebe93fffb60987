import Foundation
import Hummingbird
import HummingbirdTesting
import KlaxonSyncEngine
import NIOCore
import NIOHTTP1
import SCIM
import Synchronization
import Testing

/// One SCIM endpoint (an organisation of the server) synchronised into another, read in pages.
@Suite struct SCIMSourceSyncTests {
    static let mapping = """
        apiVersion: klaxon.sync/v1
        kind: MappingSet
        metadata: { name: scim-to-scim }
        source: { system: scim }
        target:
          schemas:
            - urn:ietf:params:scim:schemas:core:2.0:User
            - urn:ietf:params:scim:schemas:core:2.0:Group
        objectMappings:
          - name: users
            source: { object: User }
            target: { resource: User }
            actions: [create, update, disable]
            mappings:
              - { target: userName, type: direct, source: userName, match: { precedence: 1 } }
              - { target: displayName, type: direct, source: displayName }
              - { target: active, type: direct, source: active }
          - name: groups
            source: { object: Group }
            target: { resource: Group }
            actions: [create, update]
            mappings:
              - { target: displayName, type: direct, source: displayName, match: { precedence: 1 } }
              - { target: members, type: direct, source: members }
        """

    @Test func pagedSource() async throws {
        try await SyncTarget.run { target in
            let source = SCIMClient(baseURL: target.sourceURL, token: target.sourceToken)
            var sourceIDs: [String] = []
            for index in 1...5 {
                let user: JSONValue = [
                    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": .string("user\(index)@globex.com"),
                    "displayName": .string("User \(index)"), "active": .bool(index != 5),
                ]
                let reply = try await source.send(.POST, "/Users", body: user)
                #expect(reply.status == 201)
                sourceIDs.append(try #require(reply.body?["id"]?.stringValue))
            }
            let group: JSONValue = [
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "Globex staff",
                "members": .array(sourceIDs.prefix(3).map { ["value": .string($0)] }),
            ]
            #expect(try await source.send(.POST, "/Groups", body: group).status == 201)

            var reader = SCIMSourceReader(client: source, pageSize: 2)
            let report = try await target.sync(mapping: try target.file("scim.yaml", Self.mapping), reader: &reader)
            try await source.shutdown()
            #expect(report.failures == [])
            #expect(report.created == 6)
            #expect(try await target.user("user5@globex.com")["active"] == false)
            #expect(try await target.user("user2@globex.com")["displayName"] == "User 2")
            var targetIDs: Set<String> = []
            for index in 1...3 { targetIDs.insert(try #require(try await target.user("user\(index)@globex.com")["id"]?.stringValue)) }
            let staff = try await target.group("Globex staff")
            #expect(Set(staff["members"]?.arrayValue?.compactMap { $0["value"]?.stringValue } ?? []) == targetIDs)
        }
    }

    @Test func aGroupEmptiedAtTheSourceIsEmptiedAtTheTarget() async throws {
        try await SyncTarget.run { target in
            let source = SCIMClient(baseURL: target.sourceURL, token: target.sourceToken)
            do {
                try await Self.emptyAGroup(target, source)
            } catch {
                try? await source.shutdown()
                throw error
            }
            try await source.shutdown()
        }
    }

    static func emptyAGroup(_ target: SyncTarget, _ source: SCIMClient) async throws {
        let user: JSONValue = ["schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "amy@globex.com"]
        let userID = try #require(try await source.send(.POST, "/Users", body: user).body?["id"]?.stringValue)
        let group: JSONValue = [
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "Night shift", "members": [["value": .string(userID)]],
        ]
        let groupID = try #require(try await source.send(.POST, "/Groups", body: group).body?["id"]?.stringValue)
        let mapping = try target.file("scim.yaml", Self.mapping)
        var reader = SCIMSourceReader(client: source)
        #expect(try await target.sync(mapping: mapping, reader: &reader).created == 2)
        #expect(try await target.group("Night shift")["members"]?.arrayValue?.count == 1)

        // A group without members is listed without the attribute (RFC 7643 §2.5).
        let empty: JSONValue = [
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [["op": "replace", "path": "members", "value": []]],
        ]
        let emptied = try await source.send(.PATCH, "/Groups/\(groupID)", body: empty)
        #expect((200..<300).contains(emptied.status))
        #expect(try await source.send(.GET, "/Groups").body?["Resources"]?.arrayValue?.first?["members"] == nil)
        var again = SCIMSourceReader(client: source)
        let report = try await target.sync(mapping: mapping, reader: &again)
        #expect(report.updated == 1, "\(report.summary)")
        #expect(try await target.group("Night shift")["members"] == nil)
    }
}

/// The SCIM source reader against a stub endpoint that counts the pages asked for.
@Suite struct SCIMSourceReaderTests {
    /// Five users and one group, served `count` at a time; the groups page fails if `failGroups`. The group is
    /// listed without its members, which are returned when asked for by name unless `membersOnRequest` is false;
    /// `/Schemas/<Group>` says members are returned `schemaReturned` (404 when nil).
    static func stub(
        requests: RequestLog, failGroups: Bool, membersOnRequest: Bool = true, schemaReturned: String? = nil
    ) -> some ApplicationProtocol {
        let router = Router()
        @Sendable func page(_ request: Request, _ all: [JSONValue]) -> Response {
            requests.entries.withLock { $0.append("\(request.uri.path)?\(request.uri.query ?? "")") }
            let start = max(1, request.uri.queryParameters.get("startIndex", as: Int.self) ?? 1)
            let count = request.uri.queryParameters.get("count", as: Int.self) ?? all.count
            let resources = Array(all.dropFirst(start - 1).prefix(count))
            let body: JSONValue = [
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"], "totalResults": .integer(all.count),
                "startIndex": .integer(start), "itemsPerPage": .integer(resources.count), "Resources": .array(resources),
            ]
            return Response(
                status: .ok, headers: [.contentType: "application/scim+json"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: JSONWriter.bytes(from: body))))
        }
        router.get("/scim/Users") { request, _ in
            page(request, (1...5).map { ["id": .string("s-\($0)"), "userName": .string("user\($0)")] })
        }
        router.get("/scim/Groups") { request, _ -> Response in
            guard !failGroups else {
                requests.entries.withLock { $0.append("\(request.uri.path)?\(request.uri.query ?? "")") }
                let error: JSONValue = ["schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"], "status": "500", "detail": "boom"]
                return Response(
                    status: .internalServerError, headers: [.contentType: "application/scim+json"],
                    body: ResponseBody(byteBuffer: ByteBuffer(bytes: JSONWriter.bytes(from: error))))
            }
            return page(request, [["id": "g-1", "displayName": "Staff"], 7])
        }
        router.get("/scim/Groups/g-1") { request, _ -> Response in
            requests.entries.withLock { $0.append("\(request.uri.path)?\(request.uri.query ?? "")") }
            let group: JSONValue =
                request.uri.queryParameters.get("attributes") == "members" && membersOnRequest ? ["id": "g-1", "members": [["value": "s-1"]]] : ["id": "g-1"]
            return Response(
                status: .ok, headers: [.contentType: "application/scim+json"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: JSONWriter.bytes(from: group))))
        }
        router.get("/scim/Schemas/urn:ietf:params:scim:schemas:core:2.0:Group") { request, _ -> Response in
            requests.entries.withLock { $0.append(request.uri.path) }
            guard let schemaReturned else { return Response(status: .notFound) }
            let schema: JSONValue = ["id": "urn:ietf:params:scim:schemas:core:2.0:Group", "attributes": [["name": "members", "returned": .string(schemaReturned)]]]
            return Response(
                status: .ok, headers: [.contentType: "application/scim+json"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: JSONWriter.bytes(from: schema))))
        }
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
    }

    /// A group that has no members even when asked for them by name is empty only if the source's schema says
    /// members are returned; otherwise its members are unknown, and it is handed out without them.
    @Test(arguments: [("default", true), ("always", true), ("never", false), ("request", false), (nil, false)] as [(String?, Bool)])
    func membersTheSourceDoesNotReturnAreUnknownNotEmpty(returned: String?, empty: Bool) async throws {
        let requests = RequestLog()
        try await Self.stub(requests: requests, failGroups: false, membersOnRequest: false, schemaReturned: returned).test(.live) { stubClient in
            let port = try #require(stubClient.port)
            let client = SCIMClient(baseURL: "http://127.0.0.1:\(port)/scim", token: "t", concurrency: 1)
            var reader = SCIMSourceReader(client: client, pageSize: 10)
            var group: JSONObject?
            do {
                while let entry = try await reader.next() {
                    if case .item(let item) = entry, item.kind == .group { group = item.record }
                }
            } catch {
                Issue.record("\(error)")
            }
            try await client.shutdown()
            #expect(group?["members"] == (empty ? .array([]) : nil), "returned: \(returned ?? "no schema")")
        }
    }

    @Test func pagesAreFetchedAsRecordsAreAskedFor() async throws {
        let requests = RequestLog()
        try await Self.stub(requests: requests, failGroups: false).test(.live) { stubClient in
            let port = try #require(stubClient.port)
            let client = SCIMClient(baseURL: "http://127.0.0.1:\(port)/scim", token: "t", concurrency: 1)
            var reader = SCIMSourceReader(client: client, pageSize: 2)
            #expect(requests.entries.withLock { $0 }.isEmpty, "nothing is fetched before the first record is asked for")
            var seen: [String] = []
            var pagesAfterEach: [Int] = []
            while let entry = try await reader.next() {
                switch entry {
                case .item(let item):
                    let members = item.record["members"].map { " members \(JSONWriter.string(from: $0))" } ?? ""
                    seen.append("\(item.kind.rawValue) \(item.record["id"]?.stringValue ?? "?") @\(item.line)\(members)")
                case .malformed(let line, let reason): seen.append("malformed @\(line): \(reason)")
                }
                pagesAfterEach.append(requests.entries.withLock { $0.count })
            }
            try await client.shutdown()
            #expect(seen == [
                "user s-1 @1", "user s-2 @2", "user s-3 @3", "user s-4 @4", "user s-5 @5", #"group g-1 @6 members [{"value":"s-1"}]"#,
                "malformed @7: /Groups gave integer, not a resource",
            ])
            #expect(pagesAfterEach == [1, 1, 2, 2, 3, 5, 5], "one page in memory at a time, fetched when it is needed")
            #expect(requests.entries.withLock { $0 } == [
                "/scim/Users?startIndex=1&count=2", "/scim/Users?startIndex=3&count=2", "/scim/Users?startIndex=5&count=2",
                "/scim/Groups?startIndex=1&count=2", "/scim/Groups/g-1?attributes=members",
            ])
        }
    }

    @Test func aPageThatFailsStopsTheReader() async throws {
        let requests = RequestLog()
        try await Self.stub(requests: requests, failGroups: true).test(.live) { stubClient in
            let port = try #require(stubClient.port)
            let client = SCIMClient(baseURL: "http://127.0.0.1:\(port)/scim", token: "t", concurrency: 1, policy: .init(maxAttempts: 1))
            var reader = SCIMSourceReader(client: client, pageSize: 10)
            var users = 0
            do {
                while let entry = try await reader.next() {
                    if case .item = entry { users += 1 }
                }
                Issue.record("the failing page was not reported")
            } catch {
                #expect(
                    (error as? SyncFailure)?.message
                        == "reading http://127.0.0.1:\(port)/scim: GET /Groups?startIndex=1&count=10 answered 500: boom (after 1 attempts)")
            }
            try await client.shutdown()
            #expect(users == 5)
        }
    }
}

/// What a stub was asked, in order.
final class RequestLog: Sendable {
    let entries = Mutex<[String]>([])
}
