import HTTPTypes
import KlaxonTestSupport
import SCIM
import Testing

/// A token of one organisation opens nothing of another, whatever the URL says.
@Suite struct TenantIsolationTests {
    @Test(arguments: TestBackend.available)
    func tokensAndDataStayInTheirOrganisation(backend: TestBackend) async throws {
        try await TestServer.run(backend) { server in
            let acmeUser = try await server.createUser("shared@example.com")
            let globexUser = try await server.createUser("shared@example.com", org: "globex")
            #expect(acmeUser != globexUser, "the same userName may exist once per organisation")

            // Globex's token on Acme's URL, and the reverse: 401, never data.
            try await server.scim(.get, "/Users", org: "acme", token: server.globexToken).expectError(401)
            try await server.scim(.get, "/Users/\(acmeUser)", org: "globex", token: server.acmeToken).expectError(401)
            // Globex's own URL cannot reach Acme's ids.
            try await server.scim(.get, "/Users/\(acmeUser)", org: "globex").expectError(404)
            try await server.scim(.delete, "/Users/\(acmeUser)", org: "globex").expectError(404)
            try await server.scim(.patch, "/Users/\(acmeUser)", #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"active","value":false}]}"#, org: "globex").expectError(404)
            let list = try await server.scim(.get, "/Users", org: "globex")
            #expect((list["Resources"]?.arrayValue ?? []).compactMap { $0["id"]?.stringValue } == [globexUser])
            // Group membership cannot point across organisations.
            let group = try await server.scim(.post, "/Groups", #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"G","members":[{"value":"\#(acmeUser)"}]}"#, org: "globex")
            group.expectError(400, "invalidValue")
            // An unknown organisation is no different from a wrong token.
            try await server.scim(.get, "/Users", org: "initech").expectError(401)
            #expect(try await server.scim(.get, "/Users/\(acmeUser)")["active"] == true)
        }
    }
}
