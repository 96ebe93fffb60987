import Foundation
import KlaxonTestSupport
import Testing
@testable import KlaxonDirectory
import SCIM

/// One organisation's ids, names and tokens must open nothing of another's, through every method.
@Suite struct DirectoryIsolationTests {
    private let unchanged: @Sendable (StoredResource) -> ResourceWrite = { ResourceWrite(object: $0.object) }

    @Test(arguments: TestBackend.available)
    func anotherOrganisationsIDsOpenNothing(backend: TestBackend) async throws {
        try await backend.withDirectory { directory in
            let acme = try await directory.createOrganisation(slug: "acme", name: "Acme").id
            let globex = try await directory.createOrganisation(slug: "globex", name: "Globex").id
            let user = try await directory.createUser("bjensen", in: acme, ["externalId": "e1", "emails": [["value": "bj@example.com"]]])
            let group = try await directory.createGroup("Admins", in: acme, members: [user.id])
            let ownGroup = try await directory.createGroup("Admins", in: globex)
            // The same names are free in another organisation.
            let twin = try await directory.createUser("BJENSEN", in: globex)
            let before = try await directory.resource(.user, id: user.id, in: acme, includeMembers: true)

            #expect(try await directory.resource(.user, id: user.id, in: globex, includeMembers: true) == nil)
            #expect(try await directory.resource(.group, id: group.id, in: globex, includeMembers: true) == nil)
            await expectSCIMError(.notFound, nil) {
                _ = try await directory.updateResource(.user, id: user.id, in: globex, ifMatch: nil, includeMembers: true, self.unchanged)
            }
            await expectSCIMError(.notFound, nil) {
                _ = try await directory.updateMembers(ofGroup: group.id, in: globex, ifMatch: nil, MembershipPatch(clearAll: true), self.unchanged)
            }
            await expectSCIMError(.notFound, nil) { try await directory.deleteResource(.user, id: user.id, in: globex) }
            await expectSCIMError(.notFound, nil) { try await directory.deleteResource(.group, id: group.id, in: globex) }
            // Another organisation's users cannot be made members.
            await expectSCIMError(.badRequest, .invalidValue) {
                _ = try await directory.updateMembers(
                    ofGroup: ownGroup.id, in: globex, ifMatch: nil, MembershipPatch(add: [["value": .string(user.id)]]), self.unchanged)
            }
            await expectSCIMError(.badRequest, .invalidValue) { try await directory.createGroup("Mixed", in: globex, members: [user.id]) }

            for text in [
                nil, #"userName eq "bjensen""#, #"externalId eq "e1""#, #"emails.value eq "bj@example.com""#, "id eq \"\(user.id)\"",
                #"displayName eq "Admins""#, "groups eq \"\(group.id)\"", #"title pr or userName pr"#,
            ] {
                let query = ResourceQuery(filter: try text.map { try Filter(parsing: $0) })
                let users = try await directory.queryResources(.user, in: globex, query)
                #expect(users.resources.allSatisfy { $0.id == twin.id }, "\(text ?? "no filter")")
            }
            let groups = try await directory.queryResources(.group, in: globex, ResourceQuery(filter: try Filter(parsing: "members eq \"\(user.id)\"")))
            #expect(groups.totalResults == 0)
            #expect(try await directory.queryResources(.group, in: globex, ResourceQuery()).resources.map(\.id) == [ownGroup.id])

            // Nothing of Acme's changed.
            #expect(try await directory.resource(.user, id: user.id, in: acme, includeMembers: true) == before)
            #expect(try await directory.memberIDs(of: group.id, in: acme) == [user.id])
        }
    }

    @Test(arguments: TestBackend.available)
    func tokensLocationsAndActivityStayInTheirOrganisation(backend: TestBackend) async throws {
        try await backend.withDirectory { directory in
            let acme = try await directory.createOrganisation(slug: "acme", name: "Acme")
            let globex = try await directory.createOrganisation(slug: "globex", name: "Globex")
            let acmeToken = try await directory.issueToken(in: acme.id, label: "Entra")
            let globexToken = try await directory.issueToken(in: globex.id, label: "Okta")
            // Token ids are numbered per organisation, so the same id names different tokens.
            #expect(acmeToken.record.id == globexToken.record.id)
            #expect(try await directory.authenticate(secret: acmeToken.secret)?.0 == acme)
            #expect(try await directory.authenticate(secret: globexToken.secret)?.0 == globex)
            #expect(try await directory.tokens(in: globex.id).map(\.label) == ["Okta"])
            #expect(try await directory.revokeToken(globexToken.record.id, in: globex.id))
            #expect(try await directory.authenticate(secret: acmeToken.secret) != nil)
            #expect(try await directory.revokeToken(2, in: globex.id) == false)

            let paris = try await directory.addLocation(named: "Paris", in: acme.id)
            #expect(try await directory.locations(in: globex.id).map(\.name) == ["Default"])
            await expectSCIMError(.notFound, nil) { _ = try await directory.renameLocation(paris.id, to: "Rome", in: globex.id) }
            await expectSCIMError(.notFound, nil) { try await directory.removeLocation(paris.id, in: globex.id) }
            await expectSCIMError(.notFound, nil) { try await directory.setDefaultLocation(paris.id, in: globex.id) }
            await expectSCIMError(.badRequest, .invalidValue) {
                try await directory.createUser("bjensen", in: globex.id, profile: KlaxonProfile(locationID: paris.id))
            }
            _ = try await directory.addLocation(named: "Paris", in: globex.id)
            #expect(try await directory.locations(in: acme.id).map(\.name) == ["Default", "Paris"])

            try await directory.recordActivity([ActivityEntry(organisation: acme.id, at: Date(timeIntervalSince1970: 1), method: "GET", path: "/a", status: 200)])
            #expect(try await directory.recentActivity(in: globex.id, limit: 10).isEmpty)
            #expect(try await directory.recentActivity(in: acme.id, limit: 10).count == 1)
        }
    }

    /// SQL and pattern metacharacters in every string parameter are data, never syntax.
    @Test(arguments: TestBackend.available, ["' OR 1=1 --", "%", "_", #"\"#, "'; DROP TABLE resources; --", #"" OR ""=""#, "*", "?", "[a]"])
    func metacharactersAreJustCharacters(backend: TestBackend, text: String) async throws {
        try await backend.withDirectory { directory in
            let org = try await directory.createOrganisation(slug: "acme", name: text)
            #expect(org.name == text)
            #expect(try await directory.organisation(slug: text) == nil)
            let decoy = try await directory.createUser("decoy", in: org.id, ["externalId": "decoy", "emails": [["value": "decoy@example.com"]]])
            let user = try await directory.createUser(text, in: org.id, ["externalId": .string(text), "displayName": .string(text), "emails": [["type": .string(text), "value": .string(text)]]])
            let group = try await directory.createGroup(text, in: org.id, members: [user.id])
            #expect(try await directory.resource(.user, id: text, in: org.id, includeMembers: true) == nil)
            await expectSCIMError(.notFound, nil) { try await directory.deleteResource(.user, id: text, in: org.id) }

            for filter in [
                "userName eq \(quoted(text))", "userName co \(quoted(text))", "userName sw \(quoted(text))", "userName ew \(quoted(text))",
                "externalId eq \(quoted(text))", "externalId co \(quoted(text))", "displayName eq \(quoted(text))",
                "emails.value eq \(quoted(text))", "emails[type eq \(quoted(text))]", "emails.value co \(quoted(text))",
            ] {
                let page = try await directory.queryResources(.user, in: org.id, ResourceQuery(filter: try Filter(parsing: filter)))
                #expect(page.resources.map(\.id) == [user.id], "\(filter)")
            }
            let groups = try await directory.queryResources(.group, in: org.id, ResourceQuery(filter: try Filter(parsing: "displayName eq \(quoted(text))")))
            #expect(groups.resources.map(\.id) == [group.id])

            await expectSCIMError(.badRequest, .invalidValue) {
                _ = try await directory.updateMembers(ofGroup: group.id, in: org.id, ifMatch: nil, MembershipPatch(add: [["value": .string(text)]]), self.unchanged)
            }
            _ = try await directory.updateMembers(ofGroup: group.id, in: org.id, ifMatch: nil, MembershipPatch(remove: [text]), unchanged)
            #expect(try await directory.memberIDs(of: group.id, in: org.id) == [user.id])

            let location = try await directory.addLocation(named: text, in: org.id)
            #expect(try await directory.renameLocation(location.id, to: text + text, in: org.id).name == text + text)
            let token = try await directory.issueToken(in: org.id, label: text)
            #expect(try await directory.tokens(in: org.id).map(\.label) == [text])
            #expect(try await directory.authenticate(secret: text) == nil)
            #expect(try await directory.authenticate(secret: token.secret) != nil)
            let entry = ActivityEntry(
                organisation: org.id, at: Date(timeIntervalSince1970: 5), method: text, path: text, status: 400, resourceID: text, detail: text, client: text)
            try await directory.recordActivity([entry])
            #expect(try await directory.recentActivity(in: org.id, limit: 5) == [entry])

            #expect(try await directory.resource(.user, id: decoy.id, in: org.id, includeMembers: true) == decoy)
            #expect(try await directory.queryResources(.user, in: org.id, ResourceQuery()).totalResults == 2)
        }
    }

    /// A SCIM filter string literal for any text.
    private func quoted(_ text: String) -> String {
        JSONWriter.string(from: .string(text))
    }
}
