import Foundation
import HTTPTypes
import KlaxonDirectory
import KlaxonServer
import KlaxonTestSupport
import Testing

/// Unknown addresses: under `/admin` the admin UI's HTML 404 page, under `/scim/v2` the SCIM error body.
@Suite struct AdminNotFoundTests {
    static let password = "correct horse battery"

    /// Expects the admin UI's 404 page, in the layout of the other pages.
    static func expectAdminNotFound(_ reply: TestServer.Reply, signedIn: Bool, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(reply.status == 404, "\(reply.text)", sourceLocation: sourceLocation)
        #expect(reply.headers[.contentType] == "text/html; charset=utf-8", sourceLocation: sourceLocation)
        #expect(reply.headers[.cacheControl] == "no-store", sourceLocation: sourceLocation)
        #expect(reply.text.hasPrefix("<!doctype html>"), sourceLocation: sourceLocation)
        #expect(reply.text.contains("<title>Not found · Klaxon</title>"), sourceLocation: sourceLocation)
        #expect(reply.text.contains("There is nothing at this address in your organisation."), sourceLocation: sourceLocation)
        #expect(reply.text.contains(#"href="/admin/static/admin.css""#), sourceLocation: sourceLocation)
        #expect(reply.text.contains(#"action="/admin/sign-out""#) == signedIn, sourceLocation: sourceLocation)
        #expect(reply.json == nil, sourceLocation: sourceLocation)
    }

    @Test(arguments: TestBackend.available)
    func unknownAdminAddressesGetTheAdminNotFoundPage(backend: TestBackend) async throws {
        try await TestServer.run(backend) { server in
            try await server.createAdministrator("ops@acme.example", password: Self.password, in: server.acme.id)
            var browser = AdminBrowser(server)
            // Before sign-in: the page without the navigation.
            Self.expectAdminNotFound(try await browser.get("/admin/nope"), signedIn: false)

            try await browser.signIn("ops@acme.example", Self.password)
            // An unknown page, a path below a real one, a deeper static path, and a method a page does not take.
            Self.expectAdminNotFound(try await browser.get("/admin/nope"), signedIn: true)
            Self.expectAdminNotFound(try await browser.get("/admin/users/123/nope"), signedIn: true)
            Self.expectAdminNotFound(try await browser.get("/admin/static/a/b.css"), signedIn: true)
            Self.expectAdminNotFound(try await server.raw(.delete, "/admin/synchronisation"), signedIn: false)
            // Unknown ids on real pages were already the same page.
            Self.expectAdminNotFound(try await browser.get("/admin/users/not-a-user"), signedIn: true)

            // Addresses that only start like the admin UI are not part of it.
            try await server.raw(.get, "/administrators").expectError(404)
        }
    }

    @Test(arguments: TestBackend.available)
    func unknownSCIMAddressesKeepTheSCIMErrorBody(backend: TestBackend) async throws {
        try await TestServer.run(backend) { server in
            try await server.scim(.get, "/Nope").expectError(404)
            try await server.scim(.get, "/Users/x/y/z").expectError(404)
            try await server.scim(.post, "/Nope/deeper", "{}").expectError(404)
            try await server.raw(.get, "/scim/v2").expectError(404)
        }
    }
}
