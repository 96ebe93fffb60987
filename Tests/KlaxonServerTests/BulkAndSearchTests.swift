import HTTPTypes
@testable import KlaxonDirectory
import KlaxonTestSupport
import SCIM
import Testing

/// `/Bulk` and `/.search`.
@Suite struct BulkAndSearchTests {
    @Test(arguments: TestBackend.available)
    func bulkCreatesAndReferencesByBulkID(backend: TestBackend) async throws {
        try await TestServer.run(backend) { server in
            let reply = try await server.scim(.post, "/Bulk", """
                {"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],"Operations":[
                 {"method":"POST","path":"/Users","bulkId":"u1","data":{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"bulk1"}},
                 {"method":"POST","path":"/Groups","bulkId":"g1","data":{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Bulk group","members":[{"value":"bulkId:u1"}]}},
                 {"method":"PATCH","path":"/Users/bulkId:u1","data":{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"displayName","value":"Bulk One"}]}},
                 {"method":"POST","path":"/Users","bulkId":"u2","data":{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"BULK1"}},
                 {"method":"DELETE","path":"/Groups/bulkId:g1"}]}
                """)
            #expect(reply.status == 200, "\(reply.text)")
            let operations = reply["Operations"]?.arrayValue ?? []
            #expect(operations.map { $0["status"]?.stringValue } == ["201", "201", "200", "409", "204"])
            let userLocation = try #require(operations.first?["location"]?.stringValue)
            let userID = String(userLocation.split(separator: "/").last ?? "")
            #expect(try await server.scim(.get, "/Users/\(userID)")["displayName"] == "Bulk One")
            #expect(operations[3]["response"]?["scimType"] == "uniqueness")

            let stopping = try await server.scim(.post, "/Bulk", """
                {"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],"failOnErrors":1,"Operations":[
                 {"method":"POST","path":"/Users","bulkId":"x","data":{"userName":"bulk1"}},
                 {"method":"POST","path":"/Users","bulkId":"y","data":{"userName":"never-created"}}]}
                """)
            #expect(stopping["Operations"]?.arrayValue?.count == 1)
            let search = try await server.scim(.get, "/Users?filter=\(percentEncoded(#"userName eq "never-created""#))")
            #expect(search["totalResults"] == .integer(0))
        }
    }

    /// An operation that fails unexpectedly (here a trigger stands in for a full disk) is its own 500: the ones
    /// before it are committed, so the client must get their results, and the ones after it still run (§3.7).
    @Test(arguments: TestBackend.available)
    func anUnexpectedFailureIsOneOperationsResultNotTheRequests(backend: TestBackend) async throws {
        try await TestServer.run(backend) { server in
            let database = try #require(server.directory as? SQLDirectory).database
            let statements = switch backend {
            case .sqlite:
                ["CREATE TRIGGER refuse_boom BEFORE INSERT ON resources WHEN NEW.user_name_lc = 'boom' BEGIN SELECT RAISE(ABORT, 'the disk is on fire'); END"]
            case .postgres:
                [
                    """
                    CREATE FUNCTION refuse_boom() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
                    IF NEW.user_name_lc = 'boom' THEN RAISE EXCEPTION 'the disk is on fire'; END IF; RETURN NEW; END $$
                    """,
                    "CREATE TRIGGER refuse_boom BEFORE INSERT ON resources FOR EACH ROW EXECUTE FUNCTION refuse_boom()",
                ]
            }
            for statement in statements {
                try await database.autocommit { db in try await db.execute(SQLFragment(statement)) }
            }
            let reply = try await server.scim(.post, "/Bulk", """
                {"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],"Operations":[
                 {"method":"POST","path":"/Users","bulkId":"a","data":{"userName":"before"}},
                 {"method":"POST","path":"/Users","bulkId":"b","data":{"userName":"boom"}},
                 {"method":"POST","path":"/Users","bulkId":"c","data":{"userName":"after"}}]}
                """)
            #expect(reply.status == 200, "\(reply.text)")
            let operations = reply["Operations"]?.arrayValue ?? []
            #expect(operations.map { $0["status"]?.stringValue } == ["201", "500", "201"])
            #expect(operations[1]["response"]?["detail"]?.stringValue?.contains("fire") == false, "nothing internal is revealed")
            for (index, userName) in [(0, "before"), (2, "after")] {
                let location = try #require(operations[index]["location"]?.stringValue)
                #expect(try await server.scim(.get, "/Users/\(location.split(separator: "/").last ?? "")")["userName"] == .string(userName))
            }
        }
    }

    /// RFC 7644 §3.7.1: an operation may name a bulkId that a later POST defines; a circle of them, or a failed
    /// POST, leaves 409s. Results come back in request order, and every one but a failed POST's has a location.
    @Test(arguments: TestBackend.available)
    func bulkResolvesForwardReferences(backend: TestBackend) async throws {
        try await TestServer.run(backend) { server in
            let reply = try await server.scim(.post, "/Bulk", """
                {"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],"Operations":[
                 {"method":"POST","path":"/Groups","bulkId":"g","data":{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Forward","members":[{"value":"bulkId:u"}]}},
                 {"method":"PATCH","path":"/Users/bulkId:u","data":{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"nickName","value":"U"}]}},
                 {"method":"POST","path":"/Users","bulkId":"u","data":{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"forward"}},
                 {"method":"POST","path":"/Groups","bulkId":"a","data":{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"A","members":[{"value":"bulkId:b"}]}},
                 {"method":"POST","path":"/Groups","bulkId":"b","data":{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"B","members":[{"value":"bulkId:a"}]}},
                 {"method":"DELETE","path":"/Users/00000000-0000-0000-0000-000000000000"}]}
                """)
            #expect(reply.status == 200, "\(reply.text)")
            let operations = reply["Operations"]?.arrayValue ?? []
            #expect(operations.map { $0["bulkId"]?.stringValue } == ["g", nil, "u", "a", "b", nil])
            #expect(operations.map { $0["status"]?.stringValue } == ["201", "200", "201", "409", "409", "404"])
            #expect(operations[5]["location"]?.stringValue?.hasSuffix("/scim/v2/acme/Users/00000000-0000-0000-0000-000000000000") == true)
            #expect(operations[3]["location"] == nil, "a failed POST has no location")
            let user = try await server.scim(.get, "/Users?filter=\(percentEncoded(#"userName eq "forward""#))")
            let userID = try #require(user["Resources"]?.arrayValue?.first?["id"]?.stringValue)
            #expect(user["Resources"]?.arrayValue?.first?["nickName"] == "U")
            let group = try await server.scim(.get, "/Groups?filter=\(percentEncoded(#"displayName eq "Forward""#))")
            #expect(group["Resources"]?.arrayValue?.first?["members"]?.arrayValue?.first?["value"] == .string(userID))
        }
    }

    /// Moving a POST forward, not the operation that names it, keeps every other operation in request order: the
    /// end state is the one the operations give run in order (RFC 7644 §3.7).
    @Test(arguments: TestBackend.available)
    func bulkKeepsTheOrderOfEverythingButTheNamedPOSTs(backend: TestBackend) async throws {
        try await TestServer.run(backend) { server in
            let bob = try await server.createUser("bob@example.com")
            let group = try await server.scim(.post, "/Groups", #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"G"}"#)
            let groupID = try #require(group["id"]?.stringValue)
            let reply = try await server.scim(.post, "/Bulk", """
                {"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],"Operations":[
                 {"method":"PATCH","path":"/Groups/\(groupID)","data":{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"members","value":[{"value":"bulkId:nu"}]}]}},
                 {"method":"POST","path":"/Users","bulkId":"nu","data":{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"new@example.com"}},
                 {"method":"PATCH","path":"/Groups/\(groupID)","data":{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"members","value":[{"value":"\(bob)"}]}]}}]}
                """)
            #expect(reply["Operations"]?.arrayValue?.map { $0["status"]?.stringValue } == ["204", "201", "204"], "\(reply.text)")
            let members = try await server.scim(.get, "/Groups/\(groupID)")["members"]?.arrayValue ?? []
            #expect(members.count == 2, "the new user and bob")
            #expect(members.contains { $0["value"]?.stringValue == bob })
        }
    }

    @Test(arguments: TestBackend.available)
    func searchByPost(backend: TestBackend) async throws {
        try await TestServer.run(backend) { server in
            let alice = try await server.createUser("alice@search.example")
            _ = try await server.createUser("bob@search.example")
            _ = try await server.scim(.post, "/Groups", #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Searchers"}"#)
            let users = try await server.scim(.post, "/Users/.search", """
                {"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],"filter":"userName sw \\"alice\\"","attributes":["userName"]}
                """)
            #expect(users["totalResults"] == .integer(1))
            let found = try #require(users["Resources"]?.arrayValue?.first)
            #expect(found["id"] == .string(alice))
            #expect(found["userName"] == "alice@search.example")
            #expect(found["active"] == nil, "only the attributes asked for, plus those always returned")
            let all = try await server.scim(.post, "/.search", #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],"startIndex":2,"count":2}"#)
            #expect(all["totalResults"] == .integer(3))
            #expect(all["Resources"]?.arrayValue?.count == 2)
            #expect(all["Resources"]?.arrayValue?.last?["displayName"] == "Searchers", "users first, then groups")
            try await server.scim(.post, "/Users/.search", #"{"filter":"userName eq \"x\""}"#).expectError(400, "invalidSyntax")
        }
    }

    /// Sorted at the root, users and groups are one list in that order; resources whose type has no such attribute
    /// have no value for it, and come last.
    @Test(arguments: TestBackend.available)
    func aSortedRootSearchMergesUsersAndGroups(backend: TestBackend) async throws {
        try await TestServer.run(backend) { server in
            let named = [("user", "Bravo"), ("group", "alpha"), ("user", "delta"), ("group", "Charlie"), ("user", "echo")]
            for (kind, name) in named {
                if kind == "user" {
                    _ = try await server.createUser("\(name.lowercased())@sort.example", extra: #","displayName":"\#(name)""#)
                } else {
                    #expect(try await server.scim(.post, "/Groups", #"{"displayName":"\#(name)"}"#).status == 201)
                }
            }
            let schemas = #""schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"]"#
            func names(_ order: String, from start: Int, count: Int) async throws -> [String] {
                let search = #"{\#(schemas),"sortBy":"displayName","sortOrder":"\#(order)","startIndex":\#(start),"count":\#(count),"attributes":["displayName"]}"#
                let reply = try await server.scim(.post, "/.search", search)
                #expect(reply.status == 200)
                #expect(reply["totalResults"] == 5)
                return (reply["Resources"]?.arrayValue ?? []).compactMap { $0["displayName"]?.stringValue }
            }
            #expect(try await names("ascending", from: 1, count: 5) == ["alpha", "Bravo", "Charlie", "delta", "echo"])
            #expect(try await names("descending", from: 1, count: 5) == ["echo", "delta", "Charlie", "Bravo", "alpha"])
            #expect(try await names("ascending", from: 2, count: 2) == ["Bravo", "Charlie"], "a page of the merged list")
            #expect(try await names("descending", from: 4, count: 10) == ["Bravo", "alpha"])

            // Groups have no userName: they follow every user, ascending or descending.
            let sorted = try await server.scim(
                .post, "/.search", #"{\#(schemas),"sortBy":"userName","sortOrder":"descending","count":5,"attributes":["userName","displayName"]}"#)
            #expect(sorted.status == 200)
            let resources = sorted["Resources"]?.arrayValue ?? []
            #expect(resources.map { $0["userName"]?.stringValue ?? $0["displayName"]?.stringValue ?? "?" }
                == ["echo@sort.example", "delta@sort.example", "bravo@sort.example", "alpha", "Charlie"])

            try await server.scim(.post, "/.search", #"{\#(schemas),"sortBy":"nickName.nothing"}"#).expectError(400, "invalidValue")
            try await server.scim(.post, "/.search", #"{\#(schemas),"sortBy":"displayName","startIndex":20000}"#).expectError(400, "invalidValue")
        }
    }
}
