import Foundation
import HTTPTypes
import KlaxonTestSupport
import SCIM
import Testing

/// The requests Okta's SCIM client sends (reference: idp-behaviour.md §4), in order.
@Suite struct OktaCycleTests {
    @Test(arguments: TestBackend.available)
    func connectorTestAndImportPaging(backend: TestBackend) async throws {
        try await TestServer.run(backend) { server in
            let users = try await server.scim(.get, "/Users?startIndex=1&count=2")
            #expect(users.status == 200)
            #expect(users["totalResults"] == .integer(0))
            let groups = try await server.scim(.get, "/Groups?startIndex=1&count=100")
            #expect(groups.status == 200)
            #expect(groups["itemsPerPage"]?.intValue != nil)

            var ids: [String] = []
            for index in 1...5 { ids.append(try await server.createUser("user\(index)@okta.local")) }
            var seen: [String] = []
            var start = 1
            while true {
                let page = try await server.scim(.get, "/Users?startIndex=\(start)&count=2")
                #expect(page["totalResults"] == .integer(5))
                #expect(page["startIndex"] == .integer(start))
                let resources = page["Resources"]?.arrayValue ?? []
                #expect(page["itemsPerPage"] == .integer(resources.count))
                seen += resources.compactMap { $0["id"]?.stringValue }
                if resources.isEmpty || seen.count >= 5 { break }
                start += resources.count
            }
            #expect(seen == ids, "pages are in a stable order and cover every user once")
            let countOnly = try await server.scim(.get, "/Users?count=0")
            #expect(countOnly["totalResults"] == .integer(5))
            #expect(countOnly["Resources"]?.arrayValue?.isEmpty ?? true)
        }
    }

    @Test(arguments: TestBackend.available)
    func userLifecycle(backend: TestBackend) async throws {
        try await TestServer.run(backend) { server in
            let lookup = try await server.scim(.get, "/Users?filter=userName%20eq%20%22test.user%40okta.local%22&startIndex=1&count=100")
            #expect(lookup["totalResults"] == .integer(0))
            let body = """
                {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"test.user@okta.local",
                 "name":{"givenName":"Test","familyName":"User"},"emails":[{"primary":true,"value":"test.user@okta.local","type":"work"}],
                 "displayName":"Test User","locale":"en-US","externalId":"00ujl29u0le5T6Aj10h7","groups":[],"password":"1mz050nq","active":true}
                """
            let created = try await server.scim(.post, "/Users", body, headers: [.userAgent: "Okta SCIM Client 1.0.0"])
            #expect(created.status == 201, "\(created.text)")
            #expect(created["password"] == nil, "a password is never returned")
            let id = try #require(created["id"]?.stringValue)
            try await server.scim(.post, "/Users", body).expectError(409, "uniqueness")
            try await server.scim(.post, "/Users", body.replacingOccurrences(of: "test.user@okta.local\",\n \"name", with: "TEST.USER@OKTA.LOCAL\",\n \"name"))
                .expectError(409, "uniqueness")

            // Profile update: GET, then PUT of the whole object as read back, with changes.
            let read = try await server.scim(.get, "/Users/\(id)")
            var whole = try #require(read.json?.objectValue)
            whole["displayName"] = "Tested User"
            whole["password"] = "placeholder"
            whole["emails"] = [["primary": true, "value": "test.user@okta.local", "type": "work", "display": "test.user@okta.local"]]
            whole[SchemaURN.klaxonUser] = ["location": "Leeds"]
            let put = try await server.scim(.put, "/Users/\(id)", JSONWriter.string(from: .object(whole)))
            #expect(put.status == 200, "\(put.text)")
            #expect(put["displayName"] == "Tested User")
            #expect(put["id"] == .string(id))
            #expect(put["password"] == nil)
            #expect(put[SchemaURN.klaxonUser]?["location"] == "Leeds")

            // Deactivation: a path-less lowercase replace.
            let deactivated = try await server.scim(.patch, "/Users/\(id)", #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":false}}]}"#)
            #expect(deactivated.status == 200)
            #expect(deactivated["active"] == false)
            // AIW integrations deactivate through PUT.
            whole["active"] = false
            let putInactive = try await server.scim(.put, "/Users/\(id)", JSONWriter.string(from: .object(whole)))
            #expect(putInactive["active"] == false)
        }
    }

    @Test(arguments: TestBackend.available)
    func groupPush(backend: TestBackend) async throws {
        try await TestServer.run(backend) { server in
            let alice = try await server.createUser("alice@okta.local")
            let bob = try await server.createUser("bob@okta.local")
            let created = try await server.scim(.post, "/Groups", #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Test SCIMv2","members":[]}"#)
            #expect(created.status == 201)
            let id = try #require(created["id"]?.stringValue)
            // Rename with the read-only id in the value map, sent before every membership update.
            let rename = #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"id":"\#(id)","displayName":"Test SCIMv2 renamed"}}]}"#
            let renamed = try await server.scim(.patch, "/Groups/\(id)", rename)
            #expect(renamed.status == 204 || renamed.status == 200, "\(renamed.text)")
            let membership = #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"remove","path":"members[value eq \"\#(bob)\"]"},{"op":"add","path":"members","value":[{"value":"\#(alice)","display":"alice@okta.local"},{"value":"\#(bob)","display":"bob@okta.local"}]}]}"#
            #expect(try await server.scim(.patch, "/Groups/\(id)", membership).status == 204)
            let read = try await server.scim(.get, "/Groups/\(id)")
            #expect(read["displayName"] == "Test SCIMv2 renamed")
            #expect(Set((read["members"]?.arrayValue ?? []).compactMap { $0["value"]?.stringValue }) == [alice, bob])
            // AIW: PUT with the full member list.
            let put = try await server.scim(.put, "/Groups/\(id)", #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Test SCIMv2 renamed","members":[{"value":"\#(bob)"}]}"#)
            #expect(put.status == 200, "\(put.text)")
            #expect((put["members"]?.arrayValue ?? []).compactMap { $0["value"]?.stringValue } == [bob])
            #expect(try await server.scim(.delete, "/Groups/\(id)").status == 204)
        }
    }

    @Test(arguments: TestBackend.available)
    func specTestExtras(backend: TestBackend) async throws {
        try await TestServer.run(backend) { server in
            for path in ["/ServiceProviderConfig", "/ResourceTypes", "/Schemas"] {
                let reply = try await server.scim(.post, path, "test", headers: [.contentType: "text/plain"])
                reply.expectError(405)
            }
            let config = try await server.scim(.get, "/ServiceProviderConfig")
            #expect(config.status == 200)
            for key in ["patch", "bulk", "filter", "changePassword", "sort", "etag"] {
                #expect(config[key]?["supported"] != nil, "ServiceProviderConfig lacks \(key)")
            }
            #expect(config["bulk"]?["maxOperations"]?.intValue != nil)
            #expect(config["filter"]?["maxResults"]?.intValue != nil)
            #expect(config["authenticationSchemes"]?.arrayValue?.first?["type"] != nil)
            try await server.scim(.get, "/Users?filter=bjensen").expectError(400, "invalidFilter")
        }
    }
}
