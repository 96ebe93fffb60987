import Foundation
import KlaxonTestSupport
import Testing
@testable import KlaxonDirectory
import SCIM

@Suite struct DirectoryLocationTests {
    @Test(arguments: TestBackend.available)
    func addsRenamesAndRemovesLocations(backend: TestBackend) async throws {
        try await backend.withDirectory { directory in
            let org = try await directory.createOrganisation(slug: "acme", name: "Acme").id
            let london = try await directory.addLocation(named: " London ", in: org)
            #expect(london.name == "London")
            #expect(london.isDefault == false)
            let paris = try await directory.addLocation(named: "Paris", in: org)
            #expect(try await directory.locations(in: org).map(\.name) == ["Default", "London", "Paris"])

            await expectSCIMError(.conflict, .uniqueness) { _ = try await directory.addLocation(named: "LONDON", in: org) }
            await expectSCIMError(.conflict, .uniqueness) { _ = try await directory.addLocation(named: "default", in: org) }
            await expectSCIMError(.badRequest, .invalidValue) { _ = try await directory.addLocation(named: "  ", in: org) }

            let renamed = try await directory.renameLocation(london.id, to: "london", in: org)
            #expect(renamed == Location(id: london.id, organisation: org, name: "london", isDefault: false))
            await expectSCIMError(.conflict, .uniqueness) { _ = try await directory.renameLocation(london.id, to: "Paris", in: org) }
            await expectSCIMError(.notFound, nil) { _ = try await directory.renameLocation(99, to: "Rome", in: org) }

            try await directory.removeLocation(paris.id, in: org)
            #expect(try await directory.locations(in: org).map(\.name) == ["Default", "london"])
            await expectSCIMError(.notFound, nil) { try await directory.removeLocation(paris.id, in: org) }
            // The name is free again.
            _ = try await directory.addLocation(named: "Paris", in: org)
        }
    }

    /// A user's profile is worked out from the locations read before its write; one added or removed in between
    /// must not be missed. The write works the profile out again from the locations as they are in its
    /// transaction (which no location change can overtake). It used to store the stale answer: a user synced to
    /// a location added meanwhile stayed at the Default, and one whose location was removed meanwhile was refused
    /// with 400 or kept the removed location's id.
    @Test(arguments: TestBackend.available)
    func aUserWriteWorksItsLocationOutFromTheLocationsAsTheyAreWhenItRuns(backend: TestBackend) async throws {
        try await backend.withDirectory { directory in
            let org = try await directory.createOrganisation(slug: "acme", name: "Acme").id
            let defaultID = try #require(try await directory.locations(in: org).first(where: \.isDefault)?.id)
            let derive: @Sendable ([Location]) -> KlaxonProfile = { locations in
                KlaxonProfile(syncedLocation: "Leeds", locationID: (locations.first { $0.name == "Leeds" } ?? locations.first(where: \.isDefault))?.id)
            }
            let object: JSONObject = ["schemas": [.string(SchemaURN.user)], "userName": "bjensen"]

            let beforeLeeds = try await directory.locations(in: org)
            let leeds = try await directory.addLocation(named: "Leeds", in: org)
            let created = try await directory.createResource(.user, in: org, try ResourceWrite(object: object, locations: beforeLeeds, derive: derive))
            #expect(created.profile?.locationID == leeds.id)
            #expect(try await directory.resource(.user, id: created.id, in: org, includeMembers: false)?.profile?.locationID == leeds.id)

            let withLeeds = try await directory.locations(in: org)
            try await directory.removeLocation(leeds.id, in: org)
            let renamed: JSONObject = ["schemas": [.string(SchemaURN.user)], "userName": "bjensen", "displayName": "Barbara"]
            let updated = try await directory.updateResource(.user, id: created.id, in: org, ifMatch: nil, includeMembers: false) { _ in
                try ResourceWrite(object: renamed, locations: withLeeds, derive: derive)
            }
            #expect(updated.profile?.locationID == defaultID)
            #expect(updated.object["displayName"] == "Barbara")

            // Unchanged locations: the profile worked out before the write is the one stored, not worked out again.
            let current = try await directory.locations(in: org)
            let kept = try await directory.updateResource(.user, id: created.id, in: org, ifMatch: nil, includeMembers: false) { _ in
                var write = try ResourceWrite(object: renamed, locations: current, derive: derive)
                write.profile?.phoneE164 = "+441132960000"
                return write
            }
            #expect(kept.profile?.phoneE164 == "+441132960000")
        }
    }

    @Test(arguments: TestBackend.available)
    func exactlyOneLocationIsTheDefault(backend: TestBackend) async throws {
        try await backend.withDirectory { directory in
            let org = try await directory.createOrganisation(slug: "acme", name: "Acme").id
            let original = try #require(try await directory.locations(in: org).first)
            let london = try await directory.addLocation(named: "London", in: org)

            await expectSCIMError(.badRequest, .invalidValue) { try await directory.removeLocation(original.id, in: org) }
            try await directory.setDefaultLocation(london.id, in: org)
            try await directory.setDefaultLocation(london.id, in: org)
            let defaults = try await directory.locations(in: org).filter(\.isDefault)
            #expect(defaults.map(\.id) == [london.id])
            await expectSCIMError(.notFound, nil) { try await directory.setDefaultLocation(99, in: org) }
            #expect(try await directory.locations(in: org).filter(\.isDefault).map(\.id) == [london.id])

            await expectSCIMError(.badRequest, .invalidValue) { try await directory.removeLocation(london.id, in: org) }
            try await directory.removeLocation(original.id, in: org)
            #expect(try await directory.locations(in: org).map(\.id) == [london.id])
        }
    }

    @Test(arguments: TestBackend.available)
    func usersAtARemovedLocationMoveToTheDefault(backend: TestBackend) async throws {
        try await backend.withDirectory { directory in
            let org = try await directory.createOrganisation(slug: "acme", name: "Acme").id
            let paris = try await directory.addLocation(named: "Paris", in: org)
            let user = try await directory.createUser("bjensen", in: org, profile: KlaxonProfile(syncedLocation: "Paris", locationID: paris.id))
            try await directory.removeLocation(paris.id, in: org)
            let moved = try await directory.resource(.user, id: user.id, in: org, includeMembers: true)
            #expect(moved?.profile == KlaxonProfile(syncedLocation: "Paris", locationID: 1))
            #expect(moved?.version == user.version)
        }
    }
}
