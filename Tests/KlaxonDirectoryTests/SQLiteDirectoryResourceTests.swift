import Foundation
import Testing
@testable import KlaxonDirectory
import SCIM

@Suite struct SQLiteDirectoryResourceTests {
    @Test func createsReadsUpdatesAndDeletesAUser() async throws {
        try await withDirectory { directory in
            let org = try await directory.createOrganisation(slug: "acme", name: "Acme").id
            let created = try await directory.createUser(
                "BJensen", in: org, ["externalId": "bj-1", "emails": [["type": "work", "value": "BJ@Example.com"]]])
            #expect(created.version == 1)
            #expect(created.kind == .user)
            #expect(created.object["id"] == .string(created.id))
            #expect(created.object.keys.prefix(2) == ["schemas", "id"])
            #expect(created.object["meta"]?["resourceType"] == "User")
            #expect(created.object["meta"]?["version"] == #"W/"1""#)
            #expect(created.object["meta"]?["created"] == created.object["meta"]?["lastModified"])
            #expect(created.object["emails"]?.arrayValue?.first?["value"] == "BJ@Example.com")
            #expect(created.profile == KlaxonProfile())

            let read = try #require(try await directory.resource(.user, id: created.id, in: org, includeMembers: true))
            #expect(read == created)
            #expect(try await directory.resource(.group, id: created.id, in: org, includeMembers: true) == nil)

            let updated = try await directory.updateResource(.user, id: created.id, in: org, ifMatch: 1, includeMembers: true) { current in
                var object = current.object
                object["displayName"] = "Babs"
                return ResourceWrite(object: object)
            }
            #expect(updated.version == 2)
            #expect(updated.object["displayName"] == "Babs")
            #expect(updated.object["meta"]?["version"] == #"W/"2""#)
            #expect(updated.object["meta"]?["created"] == created.object["meta"]?["created"])
            #expect(try await directory.resource(.user, id: created.id, in: org, includeMembers: false) == updated)

            try await directory.deleteResource(.user, id: created.id, in: org)
            #expect(try await directory.resource(.user, id: created.id, in: org, includeMembers: true) == nil)
            await expectSCIMError(.notFound, nil) { try await directory.deleteResource(.user, id: created.id, in: org) }
        }
    }
}
