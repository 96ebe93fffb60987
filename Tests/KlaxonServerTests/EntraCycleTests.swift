import Foundation
import HTTPTypes
import KlaxonDirectory
import KlaxonTestSupport
import SCIM
import Testing

/// The requests Microsoft Entra ID sends over a provisioning cycle (reference: idp-behaviour.md §1–3), in order.
@Suite struct EntraCycleTests {
    @Test(arguments: TestBackend.available)
    func testConnectionGetsAnEmptyListInBothEncodings(backend: TestBackend) async throws {
        try await TestServer.run(backend) { server in
            for query in [
                #"?filter=userName%20eq%20%22a1b2c3d4-0000-4000-8000-0123456789ab%22"#,
                #"?filter=userName+eq+%22a1b2c3d4-0000-4000-8000-0123456789ab%22"#,
                #"/?aadOptscim062020&filter=userName%20eq%20%22a1b2c3d4-0000-4000-8000-0123456789ab%22"#,
            ] {
                let reply = try await server.scim(.get, "/Users\(query)")
                #expect(reply.status == 200, "\(query): \(reply.text)")
                #expect(reply.headers[.contentType]?.hasPrefix("application/scim+json") == true)
                #expect(reply["schemas"] == [.string(SchemaURN.listResponse)])
                #expect(reply["totalResults"] == .integer(0))
                #expect(reply["Resources"] == [])
                #expect(reply["startIndex"] == .integer(1))
            }
            let groups = try await server.scim(.get, "/Groups?excludedAttributes=members&filter=displayName%20eq%20%22x%22")
            #expect(groups.status == 200)
            #expect(groups["totalResults"] == .integer(0))
        }
    }

    @Test(arguments: TestBackend.available)
    func userLifecycle(backend: TestBackend) async throws {
        try await TestServer.run(backend) { server in
            let leeds = try await server.directory.addLocation(named: "Leeds", in: server.acme.id)
            // Create, as Entra sends it: the Klaxon URN is not in `schemas`.
            let created = try await server.scim(.post, "/Users", """
                {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
                 "externalId":"0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef","userName":"Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1",
                 "active":true,"emails":[{"primary":true,"type":"work","value":"Test_User_fd0ea19b@testuser.com"}],
                 "meta":{"resourceType":"User"},"name":{"formatted":"givenName familyName","familyName":"familyName","givenName":"givenName"},
                 "roles":[],
                 "urn:ietf:params:scim:schemas:extension:klaxon:2.0:User":{"location":"leeds ","notificationPhoneNumber":"07911 123456"}}
                """)
            #expect(created.status == 201, "\(created.text)")
            let id = try #require(created["id"]?.stringValue)
            #expect(created.headers[.location]?.hasSuffix("/scim/v2/acme/Users/\(id)") == true)
            #expect(created.headers[.eTag] == #"W/"1""#)
            #expect(created["meta"]?["resourceType"] == "User")
            #expect(created["meta"]?["location"]?.stringValue?.hasSuffix("/Users/\(id)") == true)
            let schemas = created["schemas"]?.arrayValue ?? []
            #expect(schemas.contains(.string(SchemaURN.klaxonUser)))
            // Stored exactly as sent; the derived profile resolves the location and normalises the phone.
            #expect(created[SchemaURN.klaxonUser]?["notificationPhoneNumber"] == "07911 123456")
            let stored = try #require(try await server.directory.resource(.user, id: id, in: server.acme.id, includeMembers: false))
            #expect(stored.profile?.locationID == leeds.id)
            #expect(stored.profile?.phoneE164 == "+447911123456")

            // Matching queries: userName (any case), externalId, work email.
            for filter in [
                #"userName eq "test_user_ab6490ee-1e48-479e-a20b-2d77186b5dd1""#,
                #"externalId eq "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef""#,
                #"emails[type eq "work"].value eq "Test_User_fd0ea19b@testuser.com""#,
            ] {
                let found = try await server.scim(.get, "/Users?filter=\(percentEncoded(filter))")
                #expect(found["totalResults"] == .integer(1), "\(filter): \(found.text)")
                #expect(found["Resources"]?.arrayValue?.first?["id"] == .string(id))
            }
            let wrongCase = try await server.scim(.get, "/Users?filter=\(percentEncoded(#"externalId eq "0A21F0F2-8D2A-4F8E-BF98-7363C4AED4EF""#))")
            #expect(wrongCase["totalResults"] == .integer(0), "externalId is caseExact")

            // Update, default mode: capitalised ops, a value-path replace, an Add of an empty attribute.
            let patched = try await server.scim(.patch, "/Users/\(id)", """
                {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[
                 {"op":"Replace","path":"emails[type eq \\"work\\"].value","value":"updatedEmail@microsoft.com"},
                 {"op":"Replace","path":"name.familyName","value":"updatedFamilyName"},
                 {"op":"Add","path":"nickName","value":"Babs"},
                 {"op":"Add","path":"phoneNumbers[type eq \\"mobile\\"].value","value":"+44 7700 900999"},
                 {"op":"Replace","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber","value":"E123"},
                 {"op":"Add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager","value":"mgr-1"}]}
                """)
            #expect(patched.status == 200, "\(patched.text)")
            #expect(patched["emails"]?.arrayValue?.first?["value"] == "updatedEmail@microsoft.com")
            #expect(patched["name"]?["familyName"] == "updatedFamilyName")
            #expect(patched["nickName"] == "Babs")
            #expect(patched["phoneNumbers"] == [["type": "mobile", "value": "+44 7700 900999"]])
            #expect(patched[SchemaURN.enterpriseUser]?["employeeNumber"] == "E123")
            #expect(patched[SchemaURN.enterpriseUser]?["manager"]?["value"] == "mgr-1")
            #expect(patched.headers[.eTag] == #"W/"2""#)

            // Update, aadOptscim062020 mode: a path-less replace with dotted and URN keys.
            let flagged = try await server.scim(.patch, "/Users/\(id)?aadOptscim062020", """
                {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{
                 "displayName":"Bjfe","name.givenName":"Kkom","name.familyName":"Unua",
                 "urn:ietf:params:scim:schemas:extension:klaxon:2.0:User:location":"Mars Base"}}]}
                """)
            #expect(flagged.status == 200, "\(flagged.text)")
            #expect(flagged["displayName"] == "Bjfe")
            #expect(flagged["name"]?["givenName"] == "Kkom")
            #expect(flagged[SchemaURN.klaxonUser]?["location"] == "Mars Base")
            #expect(flagged["name.givenName"] == nil)
            let moved = try #require(try await server.directory.resource(.user, id: id, in: server.acme.id, includeMembers: false))
            let defaultLocation = try await server.directory.locations(in: server.acme.id).first(where: \.isDefault)
            #expect(moved.profile?.syncedLocation == "Mars Base")
            #expect(moved.profile?.locationID == defaultLocation?.id, "an unknown location resolves to the Default")

            // Disable with the string "False"; the user stays visible to reads and filters.
            let disabled = try await server.scim(.patch, "/Users/\(id)", #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"active","value":"False"}]}"#)
            #expect(disabled.status == 200)
            #expect(disabled["active"] == false)
            #expect(try await server.scim(.get, "/Users/\(id)")["active"] == false)
            let stillFound = try await server.scim(.get, "/Users?filter=\(percentEncoded(#"userName eq "Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1""#))")
            #expect(stillFound["totalResults"] == .integer(1))
            let enabled = try await server.scim(.patch, "/Users/\(id)", #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"active","value":"True"}]}"#)
            #expect(enabled["active"] == true)

            // Hard delete: 204, then 404 for reads and for a repeated delete.
            #expect(try await server.scim(.delete, "/Users/\(id)").status == 204)
            try await server.scim(.get, "/Users/\(id)").expectError(404)
            try await server.scim(.delete, "/Users/\(id)").expectError(404)
        }
    }

    @Test(arguments: TestBackend.available)
    func groupLifecycle(backend: TestBackend) async throws {
        try await TestServer.run(backend) { server in
            let alice = try await server.createUser("alice@contoso.com")
            let bob = try await server.createUser("bob@contoso.com")
            let carol = try await server.createUser("carol@contoso.com")
            let created = try await server.scim(.post, "/Groups", """
                {"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group","http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"],
                 "externalId":"8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159","displayName":"displayName","meta":{"resourceType":"Group"}}
                """)
            #expect(created.status == 201, "\(created.text)")
            let id = try #require(created["id"]?.stringValue)
            let match = try await server.scim(.get, "/Groups?excludedAttributes=members&filter=\(percentEncoded(#"displayName eq "DISPLAYNAME""#))")
            #expect(match["totalResults"] == .integer(1))

            // Entra adds members with $ref: null, several at once; a repeated add duplicates nothing.
            let add = #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Add","path":"members","value":[{"$ref":null,"value":"\#(alice)"},{"$ref":null,"value":"\#(bob)"},{"$ref":null,"value":"\#(carol)"}]}]}"#
            #expect(try await server.scim(.patch, "/Groups/\(id)", add).status == 204)
            #expect(try await server.scim(.patch, "/Groups/\(id)", add).status == 204)
            #expect(try await memberIDs(server, id) == [alice, bob, carol].sorted())

            // Default mode removal by a value array removes only those named.
            let remove = #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Remove","path":"members","value":[{"$ref":null,"value":"\#(bob)"}]}]}"#
            #expect(try await server.scim(.patch, "/Groups/\(id)", remove).status == 204)
            #expect(try await memberIDs(server, id) == [alice, carol].sorted())
            // Flag mode: a filter path.
            let removeFiltered = #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"remove","path":"members[value eq \"\#(carol)\"]"}]}"#
            #expect(try await server.scim(.patch, "/Groups/\(id)", removeFiltered).status == 204)
            #expect(try await memberIDs(server, id) == [alice])

            // Members and the user's groups carry their URLs.
            let withMembers = try await server.scim(.get, "/Groups/\(id)")
            #expect(withMembers["members"]?.arrayValue?.first?["$ref"]?.stringValue?.hasSuffix("/scim/v2/acme/Users/\(alice)") == true)
            let aliceRead = try await server.scim(.get, "/Users/\(alice)")
            #expect(aliceRead["groups"]?.arrayValue?.first?["value"] == .string(id))
            #expect(aliceRead["groups"]?.arrayValue?.first?["$ref"]?.stringValue?.hasSuffix("/scim/v2/acme/Groups/\(id)") == true)

            // Rename; reads without members.
            let rename = #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"displayName","value":"Renamed"}]}"#
            #expect(try await server.scim(.patch, "/Groups/\(id)", rename).status == 204)
            let read = try await server.scim(.get, "/Groups/\(id)?excludedAttributes=members")
            #expect(read["displayName"] == "Renamed")
            #expect(read["members"] == nil)

            // An unknown member id is refused and changes nothing.
            let unknown = #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Add","path":"members","value":[{"value":"no-such-user"}]}]}"#
            try await server.scim(.patch, "/Groups/\(id)", unknown).expectError(400, "invalidValue")
            #expect(try await memberIDs(server, id) == [alice])

            #expect(try await server.scim(.delete, "/Groups/\(id)").status == 204)
            try await server.scim(.get, "/Groups/\(id)").expectError(404)
        }
    }

    private func memberIDs(_ server: TestServer, _ group: String) async throws -> [String] {
        let reply = try await server.scim(.get, "/Groups/\(group)")
        return (reply["members"]?.arrayValue ?? []).compactMap { $0["value"]?.stringValue }.sorted()
    }
}

/// Percent-encodes a query value the way clients do (spaces as %20).
func percentEncoded(_ text: String) -> String {
    var allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~".utf8)
    allowed.remove(UInt8(ascii: "+"))
    return text.utf8.map { allowed.contains($0) ? String(UnicodeScalar($0)) : String(format: "%%%02X", $0) }.joined()
}
