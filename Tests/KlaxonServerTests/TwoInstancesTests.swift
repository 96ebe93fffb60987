import HTTPTypes
import KlaxonTestSupport
import SCIM
import Testing

/// Two `klaxon-sync serve` instances on one PostgreSQL database, as behind a load balancer, driven at the same
/// time over several connections each. The servers keep no state of their own, so every answer must be the one a
/// single server would give.
@Suite(.enabled(if: TestBackend.postgresURL != nil, "needs \(TestBackend.postgresURLVariable)"))
struct TwoInstancesTests {
    /// Connections per instance sending at once.
    static let connections = 3

    @Test func createRacesAndMembershipChurnAgreeMemberByMember() async throws {
        try await TestBackend.postgres.withScratchDatabase { database in
            try await TestServer.run(on: database) { first in
                try await TestServer.run(on: database) { second in
                    try await createRaces(first, second)
                    try await membershipChurn(first, second)
                    try await staleVersions(first, second)
                }
            }
        }
    }

    /// Runs `body` on `connections` connections to each instance at once, passing each a number of its own.
    private func fromBoth(
        _ first: TestServer, _ second: TestServer, _ body: @escaping @Sendable (TestServer, Int) async throws -> Void
    ) async throws {
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            for (instance, server) in [first, second].enumerated() {
                for connection in 0..<Self.connections {
                    tasks.addTask {
                        try await server.onNewConnection { client in try await body(client, instance * Self.connections + connection) }
                    }
                }
            }
            try await tasks.waitForAll()
        }
    }

    /// The same userName (in different cases) and group name sent to both instances at once: one 201, one 409.
    private func createRaces(_ first: TestServer, _ second: TestServer) async throws {
        let replies = Replies()
        try await fromBoth(first, second) { server, worker in
            for round in 0..<10 {
                let name = worker % 2 == 0 ? "race\(round)@example.com" : "RACE\(round)@EXAMPLE.COM"
                let user = try await server.scim(.post, "/Users", #"{"schemas":["\#(SchemaURN.user)"],"userName":"\#(name)"}"#)
                let group = try await server.scim(.post, "/Groups", #"{"schemas":["\#(SchemaURN.group)"],"displayName":"Race \#(round)"}"#)
                await replies.add("user \(round)", user)
                await replies.add("group \(round)", group)
            }
        }
        for (key, answers) in await replies.byKey {
            let statuses = answers.map(\.status).sorted()
            #expect(statuses == [201] + Array(repeating: 409, count: 2 * Self.connections - 1), "\(key): \(answers.map(\.text))")
            for conflict in answers where conflict.status == 409 {
                conflict.expectError(409, "uniqueness")
            }
        }
        let users = try await second.scim(.get, "/Users?filter=userName%20sw%20%22race%22&count=0")
        #expect(users["totalResults"] == .integer(10))
    }

    /// Every connection of both instances adds its own users to one group one at a time, some twice, and removes
    /// some of the members it started with; the group ends with exactly the right members, read from either instance.
    private func membershipChurn(_ first: TestServer, _ second: TestServer) async throws {
        let workers = 2 * Self.connections
        var users: [String] = []
        for index in 0..<(workers * 8 + 12) {
            users.append(try await (index.isMultiple(of: 2) ? first : second).createUser("member\(index)@example.com"))
        }
        let kept = Array(users.prefix(workers * 8))
        let initial = Array(users.suffix(12))
        let created = try await second.scim(
            .post, "/Groups",
            #"{"schemas":["\#(SchemaURN.group)"],"displayName":"Churn","members":[\#(initial.map { #"{"value":"\#($0)"}"# }.joined(separator: ","))]}"#)
        #expect(created.status == 201, "\(created.text)")
        let group = try #require(created["id"]?.stringValue)
        let allKept = kept
        let allInitial = initial
        try await fromBoth(first, second) { server, worker in
            for step in 0..<8 {
                let user = allKept[worker * 8 + step]
                var operations = [#"{"op":"add","path":"members","value":[{"value":"\#(user)"}]}"#]
                if step.isMultiple(of: 3) { operations.append(operations[0]) }
                if step < 2 { operations.append(#"{"op":"remove","path":"members[value eq \"\#(allInitial[worker * 2 + step])\"]"}"#) }
                let reply = try await server.scim(
                    .patch, "/Groups/\(group)", #"{"schemas":["\#(SchemaURN.patchOp)"],"Operations":[\#(operations.joined(separator: ","))]}"#)
                #expect(reply.status == 204, "\(reply.text)")
                // A read from this instance sees the change at once, whichever instance made the ones before it.
                let found = try await server.scim(.get, "/Groups?filter=members%20eq%20%22\(user)%22&attributes=id")
                #expect(found["Resources"]?.arrayValue?.compactMap { $0["id"]?.stringValue } == [group], "\(found.text)")
            }
        }
        for server in [first, second] {
            let read = try await server.scim(.get, "/Groups/\(group)")
            let members = (read["members"]?.arrayValue ?? []).compactMap { $0["value"]?.stringValue }
            #expect(members.count == Set(members).count, "a member is listed twice")
            #expect(Set(members) == Set(kept), "missing: \(Set(kept).subtracting(members)), extra: \(Set(members).subtracting(kept))")
            #expect(read["meta"]?["version"] == .string(#"W/"\#(1 + workers * 8)""#), "every PATCH made its own version")
        }
        for (index, user) in kept.enumerated() {
            let groups = try await (index.isMultiple(of: 2) ? second : first).scim(.get, "/Users/\(user)")["groups"]?.arrayValue ?? []
            #expect(groups.compactMap { $0["value"]?.stringValue } == [group], "\(user)")
        }
    }

    /// A version one instance wrote is what the other checks If-Match against.
    private func staleVersions(_ first: TestServer, _ second: TestServer) async throws {
        let id = try await first.createUser("etag@example.com")
        let patch = #"{"schemas":["\#(SchemaURN.patchOp)"],"Operations":[{"op":"replace","path":"displayName","value":"B"}]}"#
        let fresh = try await second.scim(.patch, "/Users/\(id)", patch, headers: [.ifMatch: #"W/"1""#])
        #expect(fresh.status == 200, "\(fresh.text)")
        try await first.scim(.patch, "/Users/\(id)", patch, headers: [.ifMatch: #"W/"1""#]).expectError(412)
        try await first.scim(.delete, "/Users/\(id)", headers: [.ifMatch: #"W/"1""#]).expectError(412)
        #expect(try await first.scim(.get, "/Users/\(id)").headers[.eTag] == #"W/"2""#)
        // A token issued through one instance opens the other at once.
        #expect(try await first.scim(.get, "/Users", token: second.acmeToken).status == 200)
    }
}

/// Replies collected from concurrent tasks, grouped by what was asked.
private actor Replies {
    var byKey: [String: [TestServer.Reply]] = [:]

    func add(_ key: String, _ reply: TestServer.Reply) {
        byKey[key, default: []].append(reply)
    }
}
