import Foundation
import KlaxonSyncEngine
import NIOHTTP1
import SCIM
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

            var reader = try await SCIMSourceReader.read(from: source, pageSize: 2)
            try await source.shutdown()
            let report = try await target.sync(mapping: try target.file("scim.yaml", Self.mapping), reader: &reader)
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
}
