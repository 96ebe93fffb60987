import HTTPTypes
import KlaxonDirectory
import KlaxonTestSupport
import SCIM
import Testing

/// What a server stored is there after a restart on the same database.
@Suite struct PersistenceTests {
    @Test(arguments: TestBackend.available)
    func restartKeepsUsersGroupsAndMembers(backend: TestBackend) async throws {
        try await backend.withScratchDatabase { database in
            let ids = IDs()
            try await TestServer.run(on: database) { server in
                let user = try await server.createUser("persist@example.com", extra: #","urn:ietf:params:scim:schemas:extension:klaxon:2.0:User":{"notificationPhoneNumber":"+1 (425) 555-0100"}"#)
                let group = try await server.scim(.post, "/Groups", #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Persisted","members":[{"value":"\#(user)"}]}"#)
                await ids.set(user: user, group: try #require(group["id"]?.stringValue))
            }
            try await TestServer.run(on: database) { server in
                let (user, group) = await ids.get()
                let read = try await server.scim(.get, "/Users/\(user)")
                #expect(read["userName"] == "persist@example.com")
                #expect(read[SchemaURN.klaxonUser]?["notificationPhoneNumber"] == "+1 (425) 555-0100")
                let stored = try await server.directory.resource(.user, id: user, in: server.acme.id, includeMembers: false)
                #expect(stored?.profile?.phoneE164 == "+14255550100")
                let groupRead = try await server.scim(.get, "/Groups/\(group)")
                #expect(groupRead["members"]?.arrayValue?.first?["value"] == .string(user))
            }
        }
    }
}

private actor IDs {
    var user = ""
    var group = ""
    func set(user: String, group: String) {
        self.user = user
        self.group = group
    }
    func get() -> (String, String) { (user, group) }
}
