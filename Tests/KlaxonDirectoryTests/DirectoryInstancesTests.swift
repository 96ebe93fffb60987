import Foundation
import KlaxonTestSupport
import Testing
@testable import KlaxonDirectory
import SCIM

/// Several server instances on one PostgreSQL database, each with its own connection pool, racing each other.
/// What holds for them holds for any number of instances: nothing here relies on memory they share.
@Suite(.enabled(if: TestBackend.postgresURL != nil, "needs \(TestBackend.postgresURLVariable)"))
struct DirectoryInstancesTests {
    private let unchanged: @Sendable (StoredResource) -> ResourceWrite = { ResourceWrite(object: $0.object) }

    /// Runs `body` with `count` directories opened at the same moment on one new database.
    private func withInstances<T>(_ count: Int, _ body: ([SQLDirectory]) async throws -> T) async throws -> T {
        try await TestBackend.postgres.withScratchDatabase { database in
            let instances = try await withThrowingTaskGroup(of: SQLDirectory.self) { group in
                for _ in 0..<count {
                    group.addTask { try await database.open(poolSize: 4) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            do {
                let result = try await body(instances)
                for instance in instances { try await instance.close() }
                return result
            } catch {
                for instance in instances { try? await instance.close() }
                throw error
            }
        }
    }

    /// A write that waited for another's lock returns the resource as it stored it, relations included: the locking
    /// read re-reads a row that changed meanwhile, but not the relations beside it, so the read is a statement of
    /// its own after the lock.
    @Test func aWriteThatWaitedReturnsWhatItStored() async throws {
        try await withInstances(1) { instances in
            let directory = instances[0]
            let org = try await directory.createOrganisation(slug: "acme", name: "Acme").id
            let user = try await directory.createUser("waiter", in: org)
            let group = try await directory.createGroup("Ops", in: org)
            let started = AsyncStream<Void>.makeStream()
            // Another transaction holds the user and makes it a member of Ops, and commits once the write waits.
            async let holder: Void = directory.database.transaction { db in
                try await db.execute(
                    SQLFragment("UPDATE resources SET version = version + 1 WHERE org_id = ? AND id = ?", [.integer(Int(org)), .text(user.id)]))
                try await db.execute(
                    SQLFragment(
                        "INSERT INTO memberships (org_id, group_id, member_id, member_type) VALUES (?, ?, ?, 'User')",
                        [.integer(Int(org)), .text(group.id), .text(user.id)]))
                started.continuation.yield()
                try await Task.sleep(for: .milliseconds(500))
            }
            for await _ in started.stream { break }
            let written = try await directory.updateResource(.user, id: user.id, in: org, ifMatch: nil, includeMembers: true) { current in
                var object = current.object
                object["nickName"] = "after the wait"
                return ResourceWrite(object: object, profile: current.profile)
            }
            try await holder
            let read = try #require(try await directory.resource(.user, id: user.id, in: org, includeMembers: true))
            #expect(written.version == 3)
            #expect(written.object["groups"] == read.object["groups"])
            #expect(read.object["groups"]?.arrayValue?.count == 1)
        }
    }

    @Test func migrationsRunOnceWhenInstancesStartTogether() async throws {
        try await withInstances(4) { instances in
            for instance in instances {
                #expect(try await instance.appliedMigrations() == instance.definedMigrations)
            }
            _ = try await instances[0].createOrganisation(slug: "acme", name: "Acme")
            #expect(try await instances[3].organisations().map(\.slug) == ["acme"])
        }
    }

    @Test func twoInstancesCreatingOneNameGiveOneWinner() async throws {
        try await withInstances(2) { instances in
            let org = try await instances[0].createOrganisation(slug: "acme", name: "Acme").id
            for round in 0..<15 {
                let outcomes = try await withThrowingTaskGroup(of: Result<String, SCIMError>.self) { group in
                    for (index, instance) in instances.enumerated() {
                        group.addTask {
                            do {
                                // Different spellings of one name: they are the same userName.
                                return .success(try await instance.createUser(index == 0 ? "race\(round)" : "RACE\(round)", in: org).id)
                            } catch let error as SCIMError {
                                return .failure(error)
                            }
                        }
                        group.addTask {
                            do {
                                return .success(try await instance.createGroup("Team \(round)", in: org).id)
                            } catch let error as SCIMError {
                                return .failure(error)
                            }
                        }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                let failures = outcomes.compactMap { outcome -> SCIMError? in
                    guard case .failure(let error) = outcome else { return nil }
                    return error
                }
                #expect(outcomes.count - failures.count == 2, "round \(round): one user and one group")
                #expect(failures.map(\.status) == [.conflict, .conflict])
                #expect(failures.map(\.scimType) == [.uniqueness, .uniqueness])
            }
            #expect(try await instances[1].queryResources(.user, in: org, ResourceQuery(count: 0)).totalResults == 15)
            #expect(try await instances[1].queryResources(.group, in: org, ResourceQuery(count: 0)).totalResults == 15)
        }
    }

    @Test func membershipChurnFromThreeInstancesLosesAndDuplicatesNothing() async throws {
        try await withInstances(3) { instances in
            let org = try await instances[0].createOrganisation(slug: "acme", name: "Acme").id
            let users = try await (0..<60).asyncMap { try await instances[0].createUser("user\($0)", in: org).id }
            let group = try await instances[0].createGroup("Everyone", in: org, members: Array(users.suffix(20)))
            // Each instance adds its own third of the first 40 one by one (some twice), and removes from the 20 that
            // were there; all of them at once.
            let changes = try await withThrowingTaskGroup(of: Int.self) { tasks in
                for (index, instance) in instances.enumerated() {
                    tasks.addTask {
                        var made = 0
                        for (step, user) in users.prefix(40).enumerated() where step % 3 == index {
                            let again = step % 5 == 0 ? [user] : []
                            _ = try await instance.updateMembers(
                                ofGroup: group.id, in: org, ifMatch: nil,
                                MembershipPatch(add: ([user] + again).map { ["value": .string($0)] }, remove: [users[40 + step % 20]]), self.unchanged)
                            made += 1
                        }
                        return made
                    }
                }
                return try await tasks.reduce(0, +)
            }
            #expect(changes == 40)
            let stored = try #require(try await instances[2].resource(.group, id: group.id, in: org, includeMembers: true))
            let members = (stored.object["members"]?.arrayValue ?? []).compactMap { $0["value"]?.stringValue }
            // Member by member: every added user once, every removed user gone, no one else.
            #expect(members.count == Set(members).count, "no duplicates")
            #expect(members.sorted() == users.prefix(40).sorted())
            #expect(stored.version == 1 + 40, "every change got its own version")
            for user in users.prefix(40) {
                let groups = try await instances[1].resource(.user, id: user, in: org, includeMembers: false)?.object["groups"]
                #expect(groups == [["value": .string(group.id), "display": "Everyone"]])
            }
        }
    }

    @Test func ifMatchDetectsAStaleVersionWrittenByAnotherInstance() async throws {
        try await withInstances(2) { instances in
            let org = try await instances[0].createOrganisation(slug: "acme", name: "Acme").id
            let user = try await instances[0].createUser("bjensen", in: org)
            let group = try await instances[0].createGroup("Admins", in: org)
            // Both instances saw version 1 and write with If-Match 1 at the same moment: exactly one wins.
            for (kind, id) in [(ResourceKind.user, user.id), (.group, group.id)] {
                let statuses = try await withThrowingTaskGroup(of: SCIMError.Status?.self) { tasks in
                    for (index, instance) in instances.enumerated() {
                        tasks.addTask {
                            do {
                                if kind == .group {
                                    _ = try await instance.updateMembers(
                                        ofGroup: id, in: org, ifMatch: 1, MembershipPatch(add: [["value": .string(user.id)]]), self.unchanged)
                                } else {
                                    _ = try await instance.updateResource(kind, id: id, in: org, ifMatch: 1, includeMembers: true) {
                                        var object = $0.object
                                        object["title"] = .string("written by \(index)")
                                        return ResourceWrite(object: object)
                                    }
                                }
                                return nil
                            } catch let error as SCIMError {
                                return error.status
                            }
                        }
                    }
                    return try await tasks.reduce(into: []) { $0.append($1) }
                }
                #expect(statuses.filter { $0 == nil }.count == 1, "\(kind): \(statuses)")
                #expect(statuses.compactMap { $0 } == [.preconditionFailed])
                #expect(try await instances[1].resource(kind, id: id, in: org, includeMembers: false)?.version == 2)
            }
        }
    }

    @Test func tokensLocationsAndActivityFromSeveralInstancesAllLand() async throws {
        try await withInstances(3) { instances in
            let org = try await instances[0].createOrganisation(slug: "acme", name: "Acme").id
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                for (index, instance) in instances.enumerated() {
                    tasks.addTask {
                        for step in 0..<8 {
                            _ = try await instance.issueToken(in: org, label: "instance \(index) token \(step)")
                            _ = try await instance.addLocation(named: "Office \(index)-\(step)", in: org)
                            try await instance.recordActivity([
                                ActivityEntry(organisation: org, at: Date(), method: "POST", path: "/\(index)/\(step)/a", status: 201),
                                ActivityEntry(organisation: org, at: Date(), method: "POST", path: "/\(index)/\(step)/b", status: 201),
                            ])
                        }
                    }
                }
                try await tasks.waitForAll()
            }
            #expect(try await instances[0].tokens(in: org).map(\.id) == (1...24).map(Int64.init))
            #expect(try await instances[1].locations(in: org).count == 25)
            #expect(Set(try await instances[2].recentActivity(in: org, limit: 100).map(\.path)).count == 48)
            // Every instance authenticates every instance's tokens.
            let secret = try await instances[2].issueToken(in: org, label: "late").secret
            #expect(try await instances[0].authenticate(secret: secret)?.0.slug == "acme")
        }
    }
}
