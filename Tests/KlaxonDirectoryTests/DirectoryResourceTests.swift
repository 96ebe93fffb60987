import Foundation
import KlaxonTestSupport
import Testing
@testable import KlaxonDirectory
import SCIM

@Suite struct DirectoryResourceTests {
    @Test(arguments: TestBackend.available)
    func createsReadsUpdatesAndDeletesAUser(backend: TestBackend) async throws {
        try await backend.withDirectory { directory in
            let org = try await directory.createOrganisation(slug: "acme", name: "Acme").id
            let created = try await directory.createUser(
                "BJensen", in: org, ["externalId": "bj-1", "emails": [["type": "work", "value": "BJ@Example.com"]]])
            #expect(created.version == 1)
            #expect(created.kind == .user)
            #expect(created.id == created.id.lowercased())
            #expect(created.object["id"] == .string(created.id))
            #expect(created.object.keys == ["schemas", "id", "userName", "externalId", "emails", "meta"])
            #expect(created.object["meta"]?["resourceType"] == "User")
            #expect(created.object["meta"]?["version"] == #"W/"1""#)
            #expect(created.object["meta"]?["created"] == created.object["meta"]?["lastModified"])
            #expect(created.object["meta"]?["created"]?.stringValue.flatMap(SCIMDateTime.seconds(from:)) != nil)
            #expect(created.object["emails"]?.arrayValue?.first?["value"] == "BJ@Example.com")
            #expect(created.profile == KlaxonProfile())

            let read = try #require(try await directory.resource(.user, id: created.id, in: org, includeMembers: true))
            #expect(read == created)
            #expect(try await directory.resource(.group, id: created.id, in: org, includeMembers: true) == nil)

            let updated = try await directory.updateResource(.user, id: created.id, in: org, ifMatch: 1, includeMembers: true) { current in
                #expect(current == created)
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

    @Test(arguments: TestBackend.available)
    func updatesReindexWhatFiltersSearch(backend: TestBackend) async throws {
        try await backend.withDirectory { directory in
            let org = try await directory.createOrganisation(slug: "acme", name: "Acme").id
            let user = try await directory.createUser("bjensen", in: org, ["externalId": "e1", "emails": [["type": "work", "value": "old@example.com"]]])
            func found(_ text: String) async throws -> Bool {
                let page = try await directory.queryResources(.user, in: org, ResourceQuery(filter: try Filter(parsing: text)))
                return page.resources.map(\.id) == [user.id]
            }
            // A change that leaves the emails alone keeps them searchable.
            _ = try await directory.updateResource(.user, id: user.id, in: org, ifMatch: nil, includeMembers: true) {
                var object = $0.object
                object["title"] = "Boss"
                return ResourceWrite(object: object)
            }
            #expect(try await found(#"emails[type eq "work"].value eq "old@example.com""#))

            _ = try await directory.updateResource(.user, id: user.id, in: org, ifMatch: nil, includeMembers: true) { _ in
                ResourceWrite(object: ["userName": "babs", "externalId": "e2", "displayName": "Babs", "emails": [["type": "home", "value": "new@example.com"]]])
            }
            for text in [#"userName eq "babs""#, #"externalId eq "e2""#, #"displayName eq "babs""#, #"emails[type eq "home"].value eq "new@example.com""#] {
                #expect(try await found(text), "\(text)")
            }
            for text in [#"userName eq "bjensen""#, #"externalId eq "e1""#, #"emails.value eq "old@example.com""#, #"title pr"#] {
                #expect(try await !found(text), "\(text)")
            }
            // The old userName is free again.
            try await directory.createUser("bjensen", in: org)
        }
    }

    @Test(arguments: TestBackend.available)
    func storesTheObjectWithoutReadOnlyPartsItRebuilds(backend: TestBackend) async throws {
        try await backend.withDirectory { directory in
            let org = try await directory.createOrganisation(slug: "acme", name: "Acme").id
            let user = try await directory.createUser(
                "bjensen", in: org, ["id": "client-chosen", "meta": ["version": "W/\"99\""], "groups": [["value": "g"]]])
            #expect(user.id != "client-chosen")
            #expect(user.object["id"] == .string(user.id))
            #expect(user.object["meta"]?["version"] == #"W/"1""#)
            #expect(user.object["groups"] == nil)
        }
    }

    @Test(arguments: TestBackend.available)
    func keepsTheProfileAndChecksItsLocation(backend: TestBackend) async throws {
        try await backend.withDirectory { directory in
            let org = try await directory.createOrganisation(slug: "acme", name: "Acme").id
            let office = try await directory.addLocation(named: "London", in: org)
            let profile = KlaxonProfile(syncedLocation: "london", locationID: office.id, phoneE164: "+442071234567")
            let user = try await directory.createUser("bjensen", in: org, profile: profile)
            #expect(user.profile == profile)
            #expect(try await directory.resource(.user, id: user.id, in: org, includeMembers: true)?.profile == profile)

            // A write without a profile keeps the stored one.
            let renamed = try await directory.updateResource(.user, id: user.id, in: org, ifMatch: nil, includeMembers: true) {
                var object = $0.object
                object["displayName"] = "Babs"
                return ResourceWrite(object: object)
            }
            #expect(renamed.profile == profile)

            let problem = KlaxonProfile(syncedLocation: "Mars", locationID: 1, phoneProblem: "not a phone number")
            let changed = try await directory.updateResource(.user, id: user.id, in: org, ifMatch: nil, includeMembers: true) {
                ResourceWrite(object: $0.object, profile: problem)
            }
            #expect(changed.profile == problem)

            await expectSCIMError(.badRequest, .invalidValue) {
                try await directory.createUser("other", in: org, profile: KlaxonProfile(locationID: 999))
            }
        }
    }

    static let malformedWrites: [(ResourceKind, JSONObject)] = [
        (.user, ["schemas": [.string(SchemaURN.user)]]),
        (.user, ["userName": ""]),
        (.user, ["userName": 5]),
        (.user, ["userName": "a", "externalId": true]),
        (.user, ["userName": "a", "displayName": ["x"]]),
        (.user, ["userName": "a", "emails": "a@example.com"]),
        (.user, ["userName": "a", "emails": ["a@example.com"]]),
        (.user, ["userName": "a", "emails": [["value": 1]]]),
        (.group, ["members": []]),
        (.group, ["displayName": "g", "members": [["display": "no value"]]]),
        (.group, ["displayName": "g", "members": "everyone"]),
    ]

    @Test(arguments: TestBackend.available, malformedWrites)
    func rejectsMissingOrMistypedIndexedAttributes(backend: TestBackend, write: (ResourceKind, JSONObject)) async throws {
        let (kind, object) = write
        try await backend.withDirectory { directory in
            let org = try await directory.createOrganisation(slug: "acme", name: "Acme").id
            await expectSCIMError(.badRequest, .invalidValue) {
                _ = try await directory.createResource(kind, in: org, ResourceWrite(object: object))
            }
            #expect(try await directory.queryResources(kind, in: org, ResourceQuery()).totalResults == 0)
        }
    }

    @Test(arguments: TestBackend.available)
    func userNamesAndGroupNamesAreUniqueIgnoringCase(backend: TestBackend) async throws {
        try await backend.withDirectory { directory in
            let org = try await directory.createOrganisation(slug: "acme", name: "Acme").id
            let user = try await directory.createUser("BJensen", in: org)
            await expectSCIMError(.conflict, .uniqueness) { try await directory.createUser("bjensen", in: org) }
            await expectSCIMError(.conflict, .uniqueness) { try await directory.createUser("BJENSEN", in: org) }
            // Non-ASCII letters fold too.
            try await directory.createUser("Ærøskøbing", in: org)
            await expectSCIMError(.conflict, .uniqueness) { try await directory.createUser("ÆRØSKØBING", in: org) }
            // Canonically equivalent spellings are the same name.
            try await directory.createUser("Ren\u{E9}e", in: org)
            await expectSCIMError(.conflict, .uniqueness) { try await directory.createUser("rene\u{301}e", in: org) }

            let group = try await directory.createGroup("Admins", in: org)
            await expectSCIMError(.conflict, .uniqueness) { try await directory.createGroup("ADMINS", in: org) }
            // A user's displayName is not unique, and names do not clash across kinds.
            try await directory.createUser("admins", in: org, ["displayName": "Admins"])
            try await directory.createUser("other", in: org, ["displayName": "Admins"])

            // Updating to one's own name in another case is fine; to another's name is not.
            let recased = try await directory.updateResource(.user, id: user.id, in: org, ifMatch: nil, includeMembers: true) {
                var object = $0.object
                object["userName"] = "bjensen"
                return ResourceWrite(object: object)
            }
            #expect(recased.object["userName"] == "bjensen")
            await expectSCIMError(.conflict, .uniqueness) {
                _ = try await directory.updateResource(.user, id: user.id, in: org, ifMatch: nil, includeMembers: true) {
                    var object = $0.object
                    object["userName"] = "Other"
                    return ResourceWrite(object: object)
                }
            }
            let other = try await directory.createGroup("Operators", in: org)
            await expectSCIMError(.conflict, .uniqueness) {
                _ = try await directory.updateResource(.group, id: other.id, in: org, ifMatch: nil, includeMembers: false) {
                    var object = $0.object
                    object["displayName"] = "admins"
                    return ResourceWrite(object: object)
                }
            }
            // The name is free again once its holder is deleted.
            try await directory.deleteResource(.group, id: group.id, in: org)
            try await directory.createGroup("admins", in: org)
        }
    }

    @Test(arguments: TestBackend.available)
    func aWriteThatChangesNothingKeepsTheVersion(backend: TestBackend) async throws {
        try await backend.withDirectory { directory in
            let org = try await directory.createOrganisation(slug: "acme", name: "Acme").id
            let user = try await directory.createUser("bjensen", in: org, ["nickName": "Babs"])
            let group = try await directory.createGroup("Admins", in: org, members: [user.id])
            let userBefore = try #require(try await directory.resource(.user, id: user.id, in: org, includeMembers: false))
            try await Task.sleep(for: .milliseconds(5))  // a new lastModified would differ

            let same = try await directory.updateResource(.user, id: user.id, in: org, ifMatch: nil, includeMembers: true) {
                ResourceWrite(object: $0.object, profile: $0.profile)
            }
            #expect(same.version == userBefore.version)
            #expect(same.object["meta"]?["lastModified"] == userBefore.object["meta"]?["lastModified"])
            let unchangedGroup = try await directory.updateResource(.group, id: group.id, in: org, ifMatch: nil, includeMembers: true) {
                ResourceWrite(object: $0.object)
            }
            #expect(unchangedGroup.version == group.version, "the same members, sent again")
            let readded = try await directory.updateMembers(
                ofGroup: group.id, in: org, ifMatch: nil, MembershipPatch(add: [["value": .string(user.id)]], remove: ["not-a-member"])
            ) { ResourceWrite(object: $0.object) }
            #expect(readded.version == group.version, "a member added again and a non-member removed change nothing")
            #expect(try await directory.resource(.user, id: user.id, in: org, includeMembers: false)?.version == userBefore.version)

            // A real change: a new version for the group and for the user who left it.
            let emptied = try await directory.updateMembers(ofGroup: group.id, in: org, ifMatch: nil, MembershipPatch(remove: [user.id])) {
                ResourceWrite(object: $0.object)
            }
            #expect(emptied.version == group.version + 1)
            let userAfter = try #require(try await directory.resource(.user, id: user.id, in: org, includeMembers: false))
            #expect(userAfter.version == userBefore.version + 1)
            #expect(userAfter.object["meta"]?["lastModified"] != userBefore.object["meta"]?["lastModified"])
            // Replacing the members with the same set changes nothing; with another set, the users who joined or left.
            let bob = try await directory.createUser("bob", in: org)
            let replaced = try await directory.updateMembers(
                ofGroup: group.id, in: org, ifMatch: nil, MembershipPatch(replaceAll: [["value": .string(bob.id)]])
            ) { ResourceWrite(object: $0.object) }
            let again = try await directory.updateMembers(
                ofGroup: group.id, in: org, ifMatch: nil, MembershipPatch(replaceAll: [["value": .string(bob.id)]])
            ) { ResourceWrite(object: $0.object) }
            #expect(again.version == replaced.version)
            #expect(try await directory.resource(.user, id: bob.id, in: org, includeMembers: false)?.version == 2)
            #expect(try await directory.resource(.user, id: user.id, in: org, includeMembers: false)?.version == userAfter.version)
            // The same member with another display is a change of the group (its members read differently), not of bob.
            let renamedMember = try await directory.updateMembers(
                ofGroup: group.id, in: org, ifMatch: nil, MembershipPatch(replaceAll: [["value": .string(bob.id), "display": "Robert"]])
            ) { ResourceWrite(object: $0.object) }
            #expect(renamedMember.version == replaced.version + 1)
            let read = try await directory.resource(.group, id: group.id, in: org, includeMembers: true)
            #expect(read?.object["members"]?.arrayValue?.first?["display"] == "Robert")
            #expect(try await directory.resource(.user, id: bob.id, in: org, includeMembers: false)?.version == 2)
        }
    }

    @Test(arguments: TestBackend.available)
    func ifMatchMustNameTheCurrentVersion(backend: TestBackend) async throws {
        try await backend.withDirectory { directory in
            let org = try await directory.createOrganisation(slug: "acme", name: "Acme").id
            let user = try await directory.createUser("bjensen", in: org)
            let group = try await directory.createGroup("Admins", in: org)
            let touch: @Sendable (StoredResource) -> ResourceWrite = { current in
                var object = current.object
                object["nickName"] = .string("v\(current.version + 1)")
                return ResourceWrite(object: object)
            }
            _ = try await directory.updateResource(.user, id: user.id, in: org, ifMatch: 1, includeMembers: true, touch)
            await expectSCIMError(.preconditionFailed, nil) {
                _ = try await directory.updateResource(.user, id: user.id, in: org, ifMatch: 1, includeMembers: true, touch)
            }
            await expectSCIMError(.preconditionFailed, nil) {
                _ = try await directory.updateMembers(ofGroup: group.id, in: org, ifMatch: 7, MembershipPatch(add: [["value": .string(user.id)]]), touch)
            }
            #expect(try await directory.memberIDs(of: group.id, in: org).isEmpty)
            let current = try await directory.updateResource(.user, id: user.id, in: org, ifMatch: [7, 2], includeMembers: true, touch)
            #expect(current.version == 3, "any of the versions an If-Match lists will do")
            await expectSCIMError(.preconditionFailed, nil) {
                try await directory.deleteResource(.user, id: user.id, in: org, ifMatch: [1, 2])
            }
            #expect(try await directory.resource(.user, id: user.id, in: org, includeMembers: false)?.version == 3, "a refused delete deletes nothing")
            try await directory.deleteResource(.user, id: user.id, in: org, ifMatch: 3)
            #expect(try await directory.resource(.user, id: user.id, in: org, includeMembers: false) == nil)
        }
    }

    @Test(arguments: TestBackend.available)
    func aFailedUpdateLeavesTheResourceUnchanged(backend: TestBackend) async throws {
        try await backend.withDirectory { directory in
            let org = try await directory.createOrganisation(slug: "acme", name: "Acme").id
            try await directory.createUser("taken", in: org)
            let user = try await directory.createUser("bjensen", in: org, ["emails": [["value": "bj@example.com"]]])
            struct Refused: Error {}

            await #expect(throws: Refused.self) {
                _ = try await directory.updateResource(.user, id: user.id, in: org, ifMatch: nil, includeMembers: true) { _ in throw Refused() }
            }
            await expectSCIMError(.conflict, .uniqueness) {
                _ = try await directory.updateResource(.user, id: user.id, in: org, ifMatch: nil, includeMembers: true) { _ in
                    ResourceWrite(object: ["userName": "TAKEN", "emails": [["value": "new@example.com"]]])
                }
            }
            await expectSCIMError(.badRequest, .invalidValue) {
                _ = try await directory.updateResource(.user, id: user.id, in: org, ifMatch: nil, includeMembers: true) {
                    ResourceWrite(object: $0.object, profile: KlaxonProfile(locationID: 42))
                }
            }
            #expect(try await directory.resource(.user, id: user.id, in: org, includeMembers: true) == user)
            let byOldEmail = try await directory.queryResources(
                .user, in: org, ResourceQuery(filter: try Filter(parsing: #"emails.value eq "bj@example.com""#)))
            #expect(byOldEmail.resources.map(\.id) == [user.id])
            await expectSCIMError(.notFound, nil) {
                _ = try await directory.updateResource(.user, id: "missing", in: org, ifMatch: nil, includeMembers: true) { ResourceWrite(object: $0.object) }
            }
        }
    }

    @Test(arguments: TestBackend.available)
    func groupUpdatesReplaceMembersOnlyWhenTheyWereRead(backend: TestBackend) async throws {
        try await backend.withDirectory { directory in
            let org = try await directory.createOrganisation(slug: "acme", name: "Acme").id
            let alice = try await directory.createUser("alice", in: org)
            let bob = try await directory.createUser("bob", in: org)
            let group = try await directory.createGroup("Admins", in: org, members: [alice.id])

            let renamed = try await directory.updateResource(.group, id: group.id, in: org, ifMatch: nil, includeMembers: false) { current in
                #expect(current.object["members"] == nil)
                return ResourceWrite(object: ["displayName": "Administrators", "members": []])
            }
            #expect(renamed.object["displayName"] == "Administrators")
            #expect(try await directory.memberIDs(of: group.id, in: org) == [alice.id])

            let replaced = try await directory.updateResource(.group, id: group.id, in: org, ifMatch: nil, includeMembers: true) { current in
                #expect(current.object["members"]?.arrayValue?.count == 1)
                return ResourceWrite(object: ["displayName": "Administrators", "members": [["value": .string(bob.id), "display": "Bob"]]])
            }
            #expect(replaced.object["members"] == [["value": .string(bob.id), "display": "Bob", "type": "User"]])
            #expect(try await directory.resource(.group, id: group.id, in: org, includeMembers: true) == replaced)
        }
    }
}
