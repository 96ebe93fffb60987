import HTTPTypes
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
}
