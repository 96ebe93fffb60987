import Foundation
import HTTPTypes
import KlaxonDirectory
import KlaxonTestSupport
import SCIM
import Testing

/// Every error status the server answers, each with an RFC 7644 body; bad input never crashes or half-writes.
@Suite struct ErrorTests {
    @Test(arguments: TestBackend.available)
    func unauthorised(backend: TestBackend) async throws {
        try await TestServer.run(backend) { server in
            for header in [nil, "Bearer nope", "Basic dXNlcjpwYXNz", "Bearer", ""] as [String?] {
                var headers: HTTPFields = [:]
                if let header { headers[.authorization] = header }
                if header == nil { headers[.authorization] = nil }
                let reply = try await server.raw(.get, "/scim/v2/acme/Users", headers: headers)
                reply.expectError(401)
                #expect(reply.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
            }
            // The "Bearer Bearer <token>" that admins paste into Entra is accepted.
            let doubled = try await server.raw(.get, "/scim/v2/acme/Users", headers: [.authorization: "Bearer Bearer \(server.acmeToken)"])
            #expect(doubled.status == 200)
            for accepted in ["bearer \(server.acmeToken)", "BEARER  \(server.acmeToken)", "bEaReR beaRER \(server.acmeToken)", "Bearer Bearer \(server.acmeToken)  "] {
                let reply = try await server.raw(.get, "/scim/v2/acme/Users", headers: [.authorization: accepted])
                #expect(reply.status == 200, "\(accepted)")
            }
            for refused in ["Bearer \(server.acmeToken) extra", "Bearerx \(server.acmeToken)", "Bearer Bearer Bearer \(server.acmeToken)", "Beare \(server.acmeToken)"] {
                let reply = try await server.raw(.get, "/scim/v2/acme/Users", headers: [.authorization: refused])
                reply.expectError(401)
            }
        }
    }

    @Test(arguments: TestBackend.available)
    func notFoundAndMethodNotAllowed(backend: TestBackend) async throws {
        try await TestServer.run(backend) { server in
            try await server.scim(.get, "/Users/00000000-0000-0000-0000-000000000000").expectError(404)
            try await server.scim(.get, "/Groups/unknown").expectError(404)
            try await server.scim(.get, "/Nope").expectError(404)
            try await server.raw(.get, "/nowhere").expectError(404)
            try await server.scim(.patch, "/Users/unknown", #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"active","value":false}]}"#).expectError(404)
            try await server.scim(.put, "/Schemas", "{}").expectError(405)
            try await server.scim(.delete, "/ServiceProviderConfig").expectError(405)
            try await server.scim(.delete, "/Users").expectError(405)
        }
    }

    /// RFC 7644 §4: a filter on a discovery endpoint is refused, lest a client take the whole list for the matches;
    /// other query parameters are ignored.
    @Test func aFilterOnADiscoveryEndpointIsForbidden() async throws {
        try await TestServer.run(.sqlite) { server in
            for path in ["/ServiceProviderConfig", "/ResourceTypes", "/ResourceTypes/User", "/Schemas", "/Schemas/urn:ietf:params:scim:schemas:core:2.0:User"] {
                try await server.scim(.get, path + "?filter=id%20eq%20%22Group%22").expectError(403)
                try await server.scim(.get, path + "?FILTER=").expectError(403)
                let ignored = try await server.scim(.get, path + "?startIndex=2&count=1&sortBy=id")
                #expect(ignored.status == 200, "\(path)")
            }
            let types = try await server.scim(.get, "/ResourceTypes?count=1")
            #expect(types["totalResults"] == 2)
        }
    }

    @Test(arguments: TestBackend.available)
    func staleIfMatchIsRefused(backend: TestBackend) async throws {
        try await TestServer.run(backend) { server in
            let id = try await server.createUser("etag@example.com")
            let patch = #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"displayName","value":"x"}]}"#
            let first = try await server.scim(.patch, "/Users/\(id)", patch, headers: [.ifMatch: #"W/"1""#])
            #expect(first.status == 200)
            try await server.scim(.patch, "/Users/\(id)", patch, headers: [.ifMatch: #"W/"1""#]).expectError(412)
            try await server.scim(.delete, "/Users/\(id)", headers: [.ifMatch: #"W/"1""#]).expectError(412)
            let notModified = try await server.scim(.get, "/Users/\(id)", headers: [.ifNoneMatch: #"W/"2""#])
            #expect(notModified.status == 304)
            #expect(try await server.scim(.delete, "/Users/\(id)", headers: [.ifMatch: #"W/"2""#]).status == 204)
        }
    }

    @Test(arguments: TestBackend.available)
    func badBodies(backend: TestBackend) async throws {
        try await TestServer.run(backend) { server in
            try await server.scim(.post, "/Users", #"{"userName": "x",}"#).expectError(400, "invalidSyntax")
            try await server.scim(.post, "/Users", "").expectError(400, "invalidSyntax")
            try await server.scim(.post, "/Users", "[]").expectError(400, "invalidSyntax")
            try await server.scim(.post, "/Users", #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"displayName":"no userName"}"#).expectError(400, "invalidValue")
            try await server.scim(.post, "/Users", #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":42}"#).expectError(400, "invalidValue")
            try await server.scim(.post, "/Users", #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"x","active":"maybe"}"#).expectError(400, "invalidValue")
            try await server.scim(.post, "/Users", #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"x","favouriteColour":"red"}"#).expectError(400, "invalidSyntax")
            let deep = String(repeating: #"{"a":"#, count: 5000) + "1" + String(repeating: "}", count: 5000)
            try await server.scim(.post, "/Users", deep).expectError(400, "invalidSyntax")
            let huge = #"{"userName":""# + String(repeating: "x", count: 2 << 20) + #""}"#
            try await server.scim(.post, "/Users", huge).expectError(413)
            try await server.scim(.patch, "/Users/x", #"{"Operations":[]}"#).expectError(400)
            let absurd = String(repeating: "(", count: 5000) + #"userName eq "x""# + String(repeating: ")", count: 5000)
            try await server.scim(.get, "/Users?filter=\(percentEncoded(absurd))").expectError(400, "invalidFilter")
            try await server.scim(.get, "/Users?count=abc").expectError(400, "invalidValue")
            // Nothing above was stored.
            let list = try await server.scim(.get, "/Users")
            #expect(list["totalResults"] == .integer(0))
        }
    }

    /// U+0000 is valid JSON but no SCIM value: PostgreSQL cannot store it (it answered 500) and SQLite cut the text
    /// at it. Bodies and filters holding one get a 400, and a detail that quotes one is still logged as activity.
    @Test(arguments: TestBackend.available)
    func nulCharactersAreRefusedEverywhere(backend: TestBackend) async throws {
        try await TestServer.run(backend) { server in
            let id = try await server.createUser("nul@example.com")
            let user = #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"a\u0000b"}"#
            try await server.scim(.post, "/Users", user).expectError(400, "invalidSyntax")
            try await server.scim(.put, "/Users/\(id)", user).expectError(400, "invalidSyntax")
            try await server.scim(.post, "/Groups", #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"\u0000"}"#)
                .expectError(400, "invalidSyntax")
            try await server.scim(
                .patch, "/Users/\(id)",
                #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"externalId","value":"x\u0000"}]}"#
            ).expectError(400, "invalidSyntax")
            try await server.scim(.post, "/Users", #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"x","a\u0000":1}"#)
                .expectError(400, "invalidSyntax")
            for filter in [#"userName eq "\u0000""#, #"emails[type eq "work"].value sw "\u0000""#, #"externalId ne "a\u0000""#, "id co \u{0}{}"] {
                try await server.scim(.get, "/Users?filter=\(percentEncoded(filter))").expectError(400, "invalidFilter")
            }
            let search = #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],"filter":"displayName eq \"\\u0000\""}"#
            try await server.scim(.post, "/Groups/.search", search).expectError(400, "invalidFilter")
            // A decoded %00 in a query parameter reaches the error detail, and the activity log keeps the entry.
            try await server.scim(.get, "/Users?attributes=%00").expectError(400, "invalidPath")
            var logged: [ActivityEntry] = []
            for _ in 0..<100 where logged.count < 12 {
                logged = try await server.directory.recentActivity(in: server.acme.id, limit: 20)
                try await Task.sleep(for: .milliseconds(20))
            }
            let attributes = try #require(logged.first { $0.method == "GET" && $0.detail?.contains("attributes") == true })
            #expect(attributes.status == 400 && attributes.detail?.contains("\u{FFFD}") == true, "\(attributes)")
            #expect(logged.count == 12, "every refused request is logged: \(logged.map(\.detail))")
            let stored = try await server.scim(.get, "/Users/\(id)")
            #expect(stored["userName"] == "nul@example.com" && stored["externalId"] == nil)
            #expect(try await server.scim(.get, "/Users")["totalResults"] == .integer(1))
        }
    }

    /// Indexed attributes are capped at 1,024 bytes on both backends: PostgreSQL refused a longer random value
    /// with a 500 (an index entry over 2,704 bytes) where SQLite stored it.
    @Test(arguments: TestBackend.available)
    func longIndexedValuesAreRefusedAlikeOnBothBackends(backend: TestBackend) async throws {
        try await TestServer.run(backend) { server in
            let long = (0..<40).map { _ in UUID().uuidString }.joined()  // 1,440 bytes, over the 1,024-byte cap
            let fits = String(long.prefix(1024))
            let user = #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"#
            try await server.scim(.post, "/Users", user + #""\#(long)"}"#).expectError(400, "invalidValue")
            try await server.scim(.post, "/Users", user + #""x","externalId":"\#(long)"}"#).expectError(400, "invalidValue")
            try await server.scim(.post, "/Users", user + #""x","emails":[{"value":"\#(long)"}]}"#).expectError(400, "invalidValue")
            try await server.scim(
                .post, "/Users", user + #""x","urn:ietf:params:scim:schemas:extension:klaxon:2.0:User":{"location":"\#(long)"}}"#
            ).expectError(400, "invalidValue")
            try await server.scim(.post, "/Groups", #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"\#(long)"}"#)
                .expectError(400, "invalidValue")
            let id = try await server.createUser(fits)
            try await server.scim(
                .patch, "/Users/\(id)",
                #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"displayName","value":"\#(long)"}]}"#
            ).expectError(400, "invalidValue")
            let stored = try await server.scim(.get, "/Users?filter=\(percentEncoded(#"userName eq "\#(fits)""#))")
            #expect(stored["totalResults"] == .integer(1))
            #expect(try await server.scim(.get, "/Users")["totalResults"] == .integer(1))
        }
    }

    @Test(arguments: TestBackend.available)
    func sqlMetacharactersAreData(backend: TestBackend) async throws {
        try await TestServer.run(backend) { server in
            let nasty = #"o'brien\"; DROP TABLE resources; --%_\\"#
            let id = try await server.createUser("o'brien%_@example.com", extra: #","displayName":"\#(nasty)""#)
            // Wildcards and quotes match only themselves: `%` and `_` are literal characters in a SCIM filter.
            let cases: [(String, [String])] = [
                (#"userName eq "' OR 1=1 --""#, []), (#"userName sw "%""#, []), (#"userName co "%_@""#, [id]),
                (#"userName co "_%""#, []), (#"displayName eq "\#(nasty)""#, [id]), (#"externalId eq "x' OR '1'='1""#, []),
                (#"userName ew "\\""#, []), (#"displayName ew "--%_\\""#, [id]),
            ]
            for (filter, expected) in cases {
                let reply = try await server.scim(.get, "/Users?filter=\(percentEncoded(filter))")
                #expect(reply.status == 200, "\(filter): \(reply.text)")
                let ids = (reply["Resources"]?.arrayValue ?? []).compactMap { $0["id"]?.stringValue }
                #expect(ids == expected, "\(filter)")
            }
            let exact = try await server.scim(.get, "/Users?filter=\(percentEncoded(#"userName eq "o'brien%_@example.com""#))")
            #expect(exact["totalResults"] == .integer(1))
            try await server.scim(.get, "/Users/\(percentEncoded("' OR 1=1 --"))").expectError(404)
            let sorted = try await server.scim(.get, "/Users?sortBy=\(percentEncoded("userName; DROP TABLE x"))")
            #expect(sorted.status == 400)
            #expect(try await server.scim(.get, "/Users")["totalResults"] == .integer(1))
        }
    }
}
