import Foundation
import KlaxonTestSupport
import Testing
@testable import KlaxonDirectory
import SCIM

@Suite struct DirectoryQueryTests {
    /// Seven users, created in this order; some without an externalId.
    private func makeUsers(_ directory: SQLDirectory) async throws -> (Organisation.ID, [StoredResource]) {
        let org = try await directory.createOrganisation(slug: "acme", name: "Acme").id
        let names = ["delta", "Alpha", "echo", "bravo", "Golf", "charlie", "foxtrot"]
        var users: [StoredResource] = []
        for (index, name) in names.enumerated() {
            let attributes: JSONObject = index.isMultiple(of: 2) ? ["externalId": .string("x\(7 - index)"), "title": "Crew"] : ["title": "Crew"]
            users.append(try await directory.createUser(name, in: org, attributes))
        }
        return (org, users)
    }

    private func ids(_ page: ResourcePage) -> [String] { page.resources.map(\.id) }

    @Test(arguments: TestBackend.available, [nil, #"userName pr"#, #"title eq "Crew""#])
    func pagesInCreationOrderWithTheTotal(backend: TestBackend, filter: String?) async throws {
        try await backend.withDirectory { directory in
            let (org, users) = try await makeUsers(directory)
            let filter = try filter.map { try Filter(parsing: $0) }
            var seen: [String] = []
            for start in stride(from: 1, through: 7, by: 3) {
                let page = try await directory.queryResources(.user, in: org, ResourceQuery(filter: filter, startIndex: start, count: 3))
                #expect(page.totalResults == 7)
                seen += ids(page)
            }
            #expect(seen == users.map(\.id))
            let beyond = try await directory.queryResources(.user, in: org, ResourceQuery(filter: filter, startIndex: 8, count: 3))
            #expect(beyond.totalResults == 7)
            #expect(beyond.resources.isEmpty)
            let onlyTotal = try await directory.queryResources(.user, in: org, ResourceQuery(filter: filter, count: 0))
            #expect(onlyTotal.totalResults == 7)
            #expect(onlyTotal.resources.isEmpty)
            // Out-of-range paging is read as the RFC says: startIndex < 1 is 1, count < 0 is 0.
            let clamped = try await directory.queryResources(.user, in: org, ResourceQuery(filter: filter, startIndex: -4, count: 2))
            #expect(ids(clamped) == users.prefix(2).map(\.id))
            #expect(try await directory.queryResources(.user, in: org, ResourceQuery(filter: filter, count: -1)).resources.isEmpty)
        }
    }

    @Test(arguments: TestBackend.available)
    func aPageWithNoMatchesHasTotalZero(backend: TestBackend) async throws {
        try await backend.withDirectory { directory in
            let (org, _) = try await makeUsers(directory)
            for start in [1, 5] {
                let page = try await directory.queryResources(
                    .user, in: org, ResourceQuery(filter: try Filter(parsing: #"userName eq "nobody""#), startIndex: start))
                #expect(page.totalResults == 0)
                #expect(page.resources.isEmpty)
            }
        }
    }

    @Test(arguments: TestBackend.available)
    func sortsByIndexedAttributes(backend: TestBackend) async throws {
        try await backend.withDirectory { directory in
            let (org, users) = try await makeUsers(directory)
            func sorted(_ path: String, descending: Bool = false, filter: String? = nil) async throws -> [String] {
                let query = ResourceQuery(
                    filter: try filter.map { try Filter(parsing: $0) }, sortBy: try AttributePath(parsing: path), descending: descending)
                return try await directory.queryResources(.user, in: org, query).resources.compactMap { $0.object["userName"]?.stringValue }
            }
            #expect(try await sorted("userName") == ["Alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "Golf"])
            #expect(try await sorted("USERNAME", descending: true) == ["Golf", "foxtrot", "echo", "delta", "charlie", "bravo", "Alpha"])
            // Users without the attribute come last either way; ties follow creation order, reversed when descending.
            #expect(try await sorted("externalId") == ["foxtrot", "Golf", "echo", "delta", "Alpha", "bravo", "charlie"])
            #expect(try await sorted("externalId", descending: true) == ["delta", "echo", "Golf", "foxtrot", "charlie", "bravo", "Alpha"])
            #expect(try await sorted("meta.created") == users.compactMap { $0.object["userName"]?.stringValue })
            #expect(try await sorted("meta.lastModified", descending: true) == users.reversed().compactMap { $0.object["userName"]?.stringValue })
            // The same order when the evaluator decides the filter.
            #expect(try await sorted("userName", filter: #"title eq "Crew""#) == ["Alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "Golf"])
        }
    }

    /// Attributes SQL has no column for sort in memory, as RFC 7644 §3.4.2.3 says: a multi-valued attribute by its
    /// primary value, else its first; the same rules for missing values and ties as SQL; paging over the whole order.
    @Test(arguments: TestBackend.available)
    func sortsByAnyAttributeInMemory(backend: TestBackend) async throws {
        try await backend.withDirectory { directory in
            let org = try await directory.createOrganisation(slug: "acme", name: "Acme").id
            let enterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
            let people: [(String, JSONObject)] = [
                ("a", ["name": ["familyName": "Smith"], "emails": [["value": "z@x"], ["value": "b@x", "primary": true]], enterprise: ["department": "Ops"]]),
                ("b", ["name": ["familyName": "adams"], "emails": [["value": "c@x"]], enterprise: ["department": "HR"]]),
                ("c", [:]),
                ("d", ["name": ["familyName": "Smith"], "emails": [["value": "a@x"]]]),
                ("e", ["name": ["familyName": "Brown"], enterprise: ["department": "ops"]]),
            ]
            for (userName, attributes) in people { _ = try await directory.createUser(userName, in: org, attributes) }
            func sorted(_ path: String, descending: Bool = false, startIndex: Int = 1, count: Int = 50) async throws -> [String] {
                let query = ResourceQuery(
                    sortBy: try AttributePath(parsing: path, in: SchemaRegistry.standard.resourceSchema(for: "User")), descending: descending,
                    startIndex: startIndex, count: count)
                let page = try await directory.queryResources(.user, in: org, query)
                #expect(page.totalResults == 5)
                return page.resources.compactMap { $0.object["userName"]?.stringValue }
            }
            #expect(try await sorted("name.familyName") == ["b", "e", "a", "d", "c"], "case-insensitive; ties in creation order; none last")
            #expect(try await sorted("name.familyName", descending: true) == ["d", "a", "e", "b", "c"])
            #expect(try await sorted("emails.value") == ["d", "a", "b", "c", "e"], "a's primary email, not its first")
            #expect(try await sorted("emails") == ["d", "a", "b", "c", "e"])
            #expect(try await sorted("\(enterprise):department") == ["b", "a", "e", "c", "d"])
            #expect(try await sorted("name.familyName", startIndex: 2, count: 2) == ["e", "a"])
            #expect(try await sorted("name.familyName", startIndex: 5, count: 2) == ["c"])
            #expect(try await sorted("name.familyName", descending: true, startIndex: 1, count: 1) == ["d"])
            for unknown in ["name", "nope", "name.nope"] {
                await expectSCIMError(.badRequest, .invalidValue) {
                    _ = try await directory.queryResources(.user, in: org, ResourceQuery(sortBy: try AttributePath(parsing: unknown)))
                }
            }
            // A page beyond the in-memory window is refused, not gathered (nor an overflow); its last page is served.
            let last = try await directory.queryResources(
                .user, in: org, ResourceQuery(sortBy: try AttributePath(parsing: "name.familyName"), startIndex: 9_981, count: 20))
            #expect(last.totalResults == 5)
            #expect(last.resources.isEmpty)
            for startIndex in [Int.max, 9_982] {
                await expectSCIMError(.badRequest, .invalidValue) {
                    _ = try await directory.queryResources(
                        .user, in: org, ResourceQuery(sortBy: try AttributePath(parsing: "name.familyName"), startIndex: startIndex, count: 20))
                }
            }
            // Groups sort by their members' values whether or not the members are returned.
            let alice = try await directory.createUser("alice", in: org)
            let bob = try await directory.createUser("bob", in: org)
            let late = try await directory.createGroup("Late", in: org)
            _ = try await directory.updateMembers(
                ofGroup: late.id, in: org, ifMatch: nil, MembershipPatch(add: [["value": .string(alice.id), "display": "z-last"]])
            ) { ResourceWrite(object: $0.object) }
            let early = try await directory.createGroup("Early", in: org)
            _ = try await directory.updateMembers(
                ofGroup: early.id, in: org, ifMatch: nil, MembershipPatch(add: [["value": .string(bob.id), "display": "a-first"]])
            ) { ResourceWrite(object: $0.object) }
            let empty = try await directory.createGroup("Empty", in: org)
            for includeMembers in [true, false] {
                let page = try await directory.queryResources(
                    .group, in: org,
                    ResourceQuery(sortBy: try AttributePath(parsing: "members.display"), descending: true, includeMembers: includeMembers))
                #expect(page.resources.map(\.id) == [late.id, early.id, empty.id], "members returned: \(includeMembers)")
                #expect(page.resources.allSatisfy { ($0.object["members"] != nil) == (includeMembers && $0.id != empty.id) })
            }
        }
    }

    @Test(arguments: TestBackend.available)
    func groupsAreListedWithOrWithoutMembers(backend: TestBackend) async throws {
        try await backend.withDirectory { directory in
            let org = try await directory.createOrganisation(slug: "acme", name: "Acme").id
            let alice = try await directory.createUser("alice", in: org)
            let admins = try await directory.createGroup("Admins", in: org, members: [alice.id])
            let staff = try await directory.createGroup("Staff", in: org)
            let users = try await directory.queryResources(.user, in: org, ResourceQuery())
            #expect(users.resources.map(\.id) == [alice.id])
            #expect(users.resources.first?.object["groups"] == [["value": .string(admins.id), "display": "Admins"]])

            let withMembers = try await directory.queryResources(.group, in: org, ResourceQuery())
            #expect(withMembers.resources.map(\.id) == [admins.id, staff.id])
            #expect(withMembers.resources.first?.object["members"]?.arrayValue?.count == 1)

            let withoutMembers = try await directory.queryResources(.group, in: org, ResourceQuery(includeMembers: false))
            #expect(withoutMembers.resources.allSatisfy { $0.object["members"] == nil })
            // A filter on members still sees them when they are not returned.
            let filtered = try await directory.queryResources(
                .group, in: org,
                ResourceQuery(filter: try Filter(parsing: #"members.display pr or members.value eq "\#(alice.id)""#), includeMembers: false))
            #expect(filtered.resources.map(\.id) == [admins.id])
            #expect(filtered.resources.first?.object["members"] == nil)
        }
    }
}
