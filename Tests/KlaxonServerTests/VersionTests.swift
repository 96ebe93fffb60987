import Foundation
import HTTPTypes
import KlaxonTestSupport
import SCIM
import Testing

/// ETags and `meta.lastModified` follow real changes only: a PATCH that changes nothing keeps them, a user's change
/// when its groups do, and `If-Match` accepts any tag it lists (RFC 7232 §3.1).
@Suite struct VersionTests {
    static let patchOp = #""schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"]"#

    @Test(arguments: TestBackend.available)
    func aPatchThatChangesNothingKeepsTheETag(backend: TestBackend) async throws {
        try await TestServer.run(backend) { server in
            let id = try await server.createUser("babs@example.com", extra: #","nickName":"Babs""#)
            let before = try await server.scim(.get, "/Users/\(id)")
            let same = #"{\#(Self.patchOp),"Operations":[{"op":"add","path":"nickName","value":"Babs"},{"op":"remove","path":"title"}]}"#
            let patched = try await server.scim(.patch, "/Users/\(id)", same)
            #expect(patched.status == 200)
            #expect(patched.headers[.eTag] == before.headers[.eTag])
            #expect(patched["meta"]?["lastModified"] == before["meta"]?["lastModified"])

            let group = try await server.scim(
                .post, "/Groups", #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Ops","members":[{"value":"\#(id)"}]}"#)
            let groupID = try #require(group["id"]?.stringValue)
            let again = try await server.scim(
                .patch, "/Groups/\(groupID)", #"{\#(Self.patchOp),"Operations":[{"op":"add","path":"members","value":[{"value":"\#(id)"}]}]}"#)
            #expect(again.status == 204)
            #expect(again.headers[.eTag] == group.headers[.eTag], "a member added again changes nothing")
        }
    }

    @Test(arguments: TestBackend.available)
    func aUsersETagChangesWhenItsGroupsDo(backend: TestBackend) async throws {
        try await TestServer.run(backend) { server in
            let id = try await server.createUser("dee@example.com")
            let before = try #require(try await server.scim(.get, "/Users/\(id)").headers[.eTag])
            let group = try await server.scim(.post, "/Groups", #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Ops"}"#)
            let groupID = try #require(group["id"]?.stringValue)
            let added = try await server.scim(
                .patch, "/Groups/\(groupID)", #"{\#(Self.patchOp),"Operations":[{"op":"add","path":"members","value":[{"value":"\#(id)"}]}]}"#)
            #expect(added.status == 204)
            let joined = try await server.scim(.get, "/Users/\(id)", headers: [.ifNoneMatch: before])
            #expect(joined.status == 200, "the cached copy lacks the group")
            #expect(joined["groups"]?.arrayValue?.first?["display"] == "Ops")
            let renamed = try await server.scim(
                .patch, "/Groups/\(groupID)", #"{\#(Self.patchOp),"Operations":[{"op":"replace","path":"displayName","value":"Night ops"}]}"#)
            #expect(renamed.status == 204)
            let afterRename = try await server.scim(.get, "/Users/\(id)", headers: [.ifNoneMatch: try #require(joined.headers[.eTag])])
            #expect(afterRename.status == 200)
            #expect(afterRename["groups"]?.arrayValue?.first?["display"] == "Night ops")
            #expect(try await server.scim(.delete, "/Groups/\(groupID)").status == 204)
            let afterDelete = try await server.scim(.get, "/Users/\(id)", headers: [.ifNoneMatch: try #require(afterRename.headers[.eTag])])
            #expect(afterDelete.status == 200)
            #expect(afterDelete["groups"] == nil)
        }
    }

    @Test(arguments: TestBackend.available)
    func ifMatchAcceptsAnyTagItLists(backend: TestBackend) async throws {
        try await TestServer.run(backend) { server in
            let id = try await server.createUser("etags@example.com")
            let patch = #"{\#(Self.patchOp),"Operations":[{"op":"replace","path":"nickName","value":"d"}]}"#
            let patched = try await server.scim(.patch, "/Users/\(id)", patch, headers: [.ifMatch: #"W/"7", W/"1""#])
            #expect(patched.status == 200, "\(patched.text)")
            try await server.scim(.delete, "/Users/\(id)", headers: [.ifMatch: #"W/"9", W/"1""#]).expectError(412)
            #expect(try await server.scim(.get, "/Users/\(id)").status == 200, "a refused DELETE deletes nothing")
            #expect(try await server.scim(.delete, "/Users/\(id)", headers: [.ifMatch: #"W/"9", W/"2""#]).status == 204)
        }
    }

    /// RFC 7232 §3.1–3.2: a GET whose If-Match names no current version, and a write whose If-None-Match names the
    /// current one (or is `*`), fail with 412 and change nothing.
    @Test(arguments: TestBackend.available)
    func conditionsHoldOnEveryMethod(backend: TestBackend) async throws {
        try await TestServer.run(backend) { server in
            let id = try await server.createUser("cond@example.com")
            try await server.scim(.get, "/Users/\(id)", headers: [.ifMatch: #"W/"9""#]).expectError(412)
            #expect(try await server.scim(.get, "/Users/\(id)", headers: [.ifMatch: #"W/"9", W/"1""#]).status == 200)
            let patch = #"{\#(Self.patchOp),"Operations":[{"op":"replace","path":"nickName","value":"c"}]}"#
            try await server.scim(.patch, "/Users/\(id)", patch, headers: [.ifNoneMatch: #"W/"1""#]).expectError(412)
            let put = #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"cond@example.com","nickName":"p"}"#
            try await server.scim(.put, "/Users/\(id)", put, headers: [.ifNoneMatch: "*"]).expectError(412)
            try await server.scim(.delete, "/Users/\(id)", headers: [.ifNoneMatch: #"W/"1""#]).expectError(412)
            let unchanged = try await server.scim(.get, "/Users/\(id)")
            #expect(unchanged.headers[.eTag] == #"W/"1""#)
            #expect(unchanged["nickName"] == nil)
            #expect(try await server.scim(.patch, "/Users/\(id)", patch, headers: [.ifNoneMatch: #"W/"7""#]).status == 200)
            #expect(try await server.scim(.delete, "/Users/\(id)", headers: [.ifNoneMatch: #"W/"1""#]).status == 204)
        }
    }

    @Test(arguments: TestBackend.available)
    func twoPrimaryValuesAreRefused(backend: TestBackend) async throws {
        try await TestServer.run(backend) { server in
            let body = #"""
                {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"carol@example.com",
                 "emails":[{"value":"c1@example.com","primary":true},{"value":"c2@example.com","primary":"True"}]}
                """#
            try await server.scim(.post, "/Users", body).expectError(400, "invalidValue")
            let found = try await server.scim(.get, "/Users?filter=userName%20eq%20%22carol@example.com%22")
            #expect(found["totalResults"] == 0)
            let id = try await server.createUser("carol@example.com")
            try await server.scim(.put, "/Users/\(id)", body).expectError(400, "invalidValue")
        }
    }

    @Test func meIsNotImplemented() async throws {
        try await TestServer.run(.sqlite) { server in
            try await server.scim(.get, "/Me").expectError(501)
            try await server.scim(.patch, "/Me", "{}").expectError(501)
        }
    }
}
