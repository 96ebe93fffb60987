import Foundation
import KlaxonTestSupport
import Testing
@testable import KlaxonDirectory
import SCIM

@Suite struct DirectoryMembershipTests {
    private let unchanged: @Sendable (StoredResource) -> ResourceWrite = { ResourceWrite(object: $0.object) }

    private func members(_ ids: String...) -> [JSONObject] {
        ids.map { ["value": .string($0)] }
    }

    /// A page of groups is built whole in memory, so the members it may hold are bounded: past the budget the list
    /// is refused with 400 `tooMany` (a review took 3.8 GB with one list of forty 100,000-member groups).
    @Test(arguments: TestBackend.available)
    func aPageOfGroupsHoldsAtMostItsMemberBudget(backend: TestBackend) async throws {
        try await backend.withDirectory { directory in
            let org = try await directory.createOrganisation(slug: "acme", name: "Acme").id
            var users: [String] = []
            for index in 0..<3 { users.append(try await directory.createUser("user\(index)", in: org).id) }
            for name in ["A", "B", "C"] { try await directory.createGroup(name, in: org, members: users) }
            var query = ResourceQuery()
            query.memberBudget = 8
            await expectSCIMError(.badRequest, .tooMany) { _ = try await directory.queryResources(.group, in: org, query) }
            query.count = 2
            #expect(try await directory.queryResources(.group, in: org, query).resources.map { $0.object["members"]?.arrayValue?.count } == [3, 3])
            query.count = 100
            query.includeMembers = false
            #expect(try await directory.queryResources(.group, in: org, query).resources.count == 3, "without members, any page")
            query.includeMembers = true
            query.memberBudget = 9
            #expect(try await directory.queryResources(.group, in: org, query).totalResults == 3)
        }
    }

    @Test(arguments: TestBackend.available)
    func addsRemovesReplacesAndClearsMembersByID(backend: TestBackend) async throws {
        try await backend.withDirectory { directory in
            let org = try await directory.createOrganisation(slug: "acme", name: "Acme").id
            let users = try await (0..<4).asyncMap { try await directory.createUser("user\($0)", in: org).id }
            let nested = try await directory.createGroup("Nested", in: org)
            let group = try await directory.createGroup("Admins", in: org, members: [users[0], users[0]])
            #expect(group.object["members"]?.arrayValue?.count == 1)

            let added = try await directory.updateMembers(
                ofGroup: group.id, in: org, ifMatch: 1, MembershipPatch(add: members(users[0], users[1], users[2], users[1], nested.id)), unchanged)
            #expect(added.version == 2)
            #expect(added.object["members"] == nil)
            #expect(try await directory.memberIDs(of: group.id, in: org) == [users[0], users[1], users[2], nested.id])
            let read = try #require(try await directory.resource(.group, id: group.id, in: org, includeMembers: true))
            let nestedMember = read.object["members"]?.arrayValue?.first { $0["value"] == .string(nested.id) }
            #expect(nestedMember?["type"] == "Group")

            _ = try await directory.updateMembers(
                ofGroup: group.id, in: org, ifMatch: 2, MembershipPatch(remove: [users[0], users[2], "not-a-member"]), unchanged)
            #expect(try await directory.memberIDs(of: group.id, in: org) == [users[1], nested.id])

            // Replace, then remove and add in the same change: the order is replace, remove, add.
            let replaced = try await directory.updateMembers(
                ofGroup: group.id, in: org, ifMatch: nil,
                MembershipPatch(add: members(users[3], users[2]), remove: [users[3]], replaceAll: members(users[3], users[0])), unchanged)
            #expect(replaced.version == 4)
            #expect(try await directory.memberIDs(of: group.id, in: org) == [users[0], users[2], users[3]])

            _ = try await directory.updateMembers(ofGroup: group.id, in: org, ifMatch: nil, MembershipPatch(clearAll: true), unchanged)
            #expect(try await directory.memberIDs(of: group.id, in: org).isEmpty)
            let empty = try #require(try await directory.resource(.group, id: group.id, in: org, includeMembers: true))
            #expect(empty.object["members"] == nil)
        }
    }

    @Test(arguments: TestBackend.available)
    func unknownMembersAreRejectedByIDAndChangeNothing(backend: TestBackend) async throws {
        try await backend.withDirectory { directory in
            let org = try await directory.createOrganisation(slug: "acme", name: "Acme").id
            let alice = try await directory.createUser("alice", in: org).id
            let bob = try await directory.createUser("bob", in: org).id
            let group = try await directory.createGroup("Admins", in: org, members: [alice])

            do {
                _ = try await directory.updateMembers(
                    ofGroup: group.id, in: org, ifMatch: nil, MembershipPatch(add: members(bob, "ghost-1"), remove: [alice]), unchanged)
                Issue.record("expected 400")
            } catch let error as SCIMError {
                #expect(error.status == .badRequest)
                #expect(error.scimType == .invalidValue)
                #expect(error.detail.contains("'ghost-1'"))
                #expect(!error.detail.contains(bob))
            }
            #expect(try await directory.memberIDs(of: group.id, in: org) == [alice])
            #expect(try await directory.resource(.group, id: group.id, in: org, includeMembers: false)?.version == 1)

            await expectSCIMError(.badRequest, .invalidValue) { try await directory.createGroup("Ghosts", in: org, members: ["ghost-2"]) }
            await expectSCIMError(.badRequest, .invalidValue) {
                _ = try await directory.updateMembers(ofGroup: group.id, in: org, ifMatch: nil, MembershipPatch(add: members(group.id)), self.unchanged)
            }
            await expectSCIMError(.badRequest, .invalidValue) {
                _ = try await directory.updateMembers(ofGroup: group.id, in: org, ifMatch: nil, MembershipPatch(add: [["display": "no id"]]), self.unchanged)
            }
            await expectSCIMError(.notFound, nil) {
                _ = try await directory.updateMembers(ofGroup: alice, in: org, ifMatch: nil, MembershipPatch(add: members(bob)), self.unchanged)
            }
        }
    }

    @Test(arguments: TestBackend.available)
    func theChangeSeesTheGroupWithoutMembersAndCanRenameIt(backend: TestBackend) async throws {
        try await backend.withDirectory { directory in
            let org = try await directory.createOrganisation(slug: "acme", name: "Acme").id
            let alice = try await directory.createUser("alice", in: org).id
            try await directory.createGroup("Taken", in: org)
            let group = try await directory.createGroup("Admins", in: org, members: [alice])

            let renamed = try await directory.updateMembers(ofGroup: group.id, in: org, ifMatch: nil, MembershipPatch(remove: [alice])) { current in
                #expect(current.object["members"] == nil)
                #expect(current.version == 1)
                var object = current.object
                object["displayName"] = "Administrators"
                object["members"] = [["value": "ignored"]]
                return ResourceWrite(object: object)
            }
            #expect(renamed.object["displayName"] == "Administrators")
            #expect(try await directory.memberIDs(of: group.id, in: org).isEmpty)

            // A rename onto a taken name rolls back the member change with it.
            await expectSCIMError(.conflict, .uniqueness) {
                _ = try await directory.updateMembers(ofGroup: group.id, in: org, ifMatch: nil, MembershipPatch(add: self.members(alice))) {
                    var object = $0.object
                    object["displayName"] = "taken"
                    return ResourceWrite(object: object)
                }
            }
            #expect(try await directory.memberIDs(of: group.id, in: org).isEmpty)
        }
    }

    @Test(arguments: TestBackend.available)
    func usersReadTheirGroupsAndDeletionsCleanUp(backend: TestBackend) async throws {
        try await backend.withDirectory { directory in
            let org = try await directory.createOrganisation(slug: "acme", name: "Acme").id
            let alice = try await directory.createUser("alice", in: org)
            let bob = try await directory.createUser("bob", in: org)
            let admins = try await directory.createGroup("Admins", in: org, members: [alice.id, bob.id])
            let staff = try await directory.createGroup("Staff", in: org, members: [alice.id])

            let read = try #require(try await directory.resource(.user, id: alice.id, in: org, includeMembers: false))
            let expected: Set<JSONValue> = [
                ["value": .string(admins.id), "display": "Admins"], ["value": .string(staff.id), "display": "Staff"],
            ]
            #expect(Set(read.object["groups"]?.arrayValue ?? []) == expected)
            #expect(read.version == 3, "created, then joined two groups: its groups changed twice")

            _ = try await directory.updateResource(.group, id: staff.id, in: org, ifMatch: nil, includeMembers: false) { _ in
                ResourceWrite(object: ["displayName": "Everyone"])
            }
            let afterRename = try await directory.resource(.user, id: alice.id, in: org, includeMembers: true)
            #expect(afterRename?.object["groups"]?.arrayValue?.contains(["value": .string(staff.id), "display": "Everyone"]) == true)
            #expect(afterRename?.version == 4, "a group it is in was renamed")
            #expect(try await directory.resource(.user, id: bob.id, in: org, includeMembers: false)?.version == 2, "bob is not in Staff")

            try await directory.deleteResource(.user, id: alice.id, in: org)
            #expect(try await directory.memberIDs(of: admins.id, in: org) == [bob.id])
            #expect(try await directory.resource(.group, id: admins.id, in: org, includeMembers: false)?.version == 2)
            #expect(try await directory.memberIDs(of: staff.id, in: org).isEmpty)

            try await directory.deleteResource(.group, id: admins.id, in: org)
            let bobAfter = try await directory.resource(.user, id: bob.id, in: org, includeMembers: true)
            #expect(bobAfter?.object["groups"] == nil)
            #expect(bobAfter?.version == 3, "the group it was in is gone")
            let byGroup = try await directory.queryResources(
                .user, in: org, ResourceQuery(filter: try Filter(parsing: "groups.value eq \"\(admins.id)\"")))
            #expect(byGroup.totalResults == 0)
        }
    }

    @Test(arguments: TestBackend.available)
    func manyMembersAreAddedAndRemovedInBatches(backend: TestBackend) async throws {
        try await backend.withDirectory { directory in
            let org = try await directory.createOrganisation(slug: "acme", name: "Acme").id
            let users = try await (0..<450).asyncMap { try await directory.createUser("user\($0)", in: org).id }
            let group = try await directory.createGroup("Everyone", in: org)
            _ = try await directory.updateMembers(
                ofGroup: group.id, in: org, ifMatch: nil, MembershipPatch(add: users.map { ["value": .string($0)] }), unchanged)
            #expect(try await directory.memberIDs(of: group.id, in: org) == Set(users))
            _ = try await directory.updateMembers(ofGroup: group.id, in: org, ifMatch: nil, MembershipPatch(remove: Set(users.prefix(420))), unchanged)
            #expect(try await directory.memberIDs(of: group.id, in: org) == Set(users.suffix(30)))
        }
    }
}

extension Sequence {
    /// Maps one element at a time, in order.
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self {
            results.append(try await transform(element))
        }
        return results
    }
}
