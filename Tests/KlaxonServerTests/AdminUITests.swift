import Foundation
import HTTPTypes
import KlaxonDirectory
import KlaxonServer
import KlaxonTestSupport
import SCIM
import Testing

/// The admin pages, driven over HTTP as a browser would: sign-in, forms and their anti-forgery tokens, tokens,
/// locations, users, and the walls between organisations.
@Suite struct AdminUITests {
    static let password = "correct horse battery"

    @Test(arguments: TestBackend.available)
    func signInSignOutAndSessionCookie(backend: TestBackend) async throws {
        try await TestServer.run(backend) { server in
            try await server.createAdministrator("ops@acme.example", password: Self.password, in: server.acme.id)
            var browser = AdminBrowser(server)
            let away = try await browser.get("/admin/synchronisation")
            #expect(away.status == 303)
            #expect(away.headers[.location] == "/admin/sign-in")

            let signedIn = try await browser.signIn("OPS@acme.example", Self.password)
            #expect(signedIn.status == 303)
            #expect(signedIn.headers[.location] == "/admin/synchronisation")
            let cookie = try #require(signedIn.headers[values: .setCookie].first { $0.hasPrefix("klaxon_session=") })
            #expect(cookie.contains("HttpOnly"))
            #expect(cookie.contains("SameSite=Strict"))
            #expect(cookie.contains("Path=/admin"))

            let page = try await browser.get("/admin/synchronisation")
            #expect(page.status == 200)
            #expect(page.headers[.contentType] == "text/html; charset=utf-8")
            #expect(page.headers[.cacheControl] == "no-store")
            #expect(page.headers[.contentSecurityPolicy]?.contains("frame-ancestors 'none'") == true)
            #expect(page.text.firstMatch(of: /id="endpoint" type="text" readonly value="http:\/\/[^"]+\/scim\/v2\/acme"/) != nil)
            #expect(page.text.contains("urn:ietf:params:scim:schemas:extension:klaxon:2.0:User:location"))
            #expect(page.text.contains("urn:ietf:params:scim:schemas:extension:klaxon:2.0:User:notificationPhoneNumber"))

            let signedOut = try await browser.post("/admin/sign-out", [("csrf", try browser.csrf())])
            #expect(signedOut.headers[.location] == "/admin/sign-in")
            #expect(try await browser.get("/admin/synchronisation").status == 303)
        }
    }

    @Test(arguments: TestBackend.available)
    func wrongPasswordAndUnknownAccountSayTheSameAndRepeatedFailuresWait(backend: TestBackend) async throws {
        try await TestServer.run(backend) { server in
            try await server.createAdministrator("ops@acme.example", password: Self.password, in: server.acme.id)
            var browser = AdminBrowser(server)
            let wrong = try await browser.signIn("ops@acme.example", "not the password")
            let unknown = try await browser.signIn("nobody@acme.example", Self.password)
            // A %00 in the name is a wrong name like any other (PostgreSQL answered it with a 500).
            let nul = try await browser.signIn("ops\u{0}@acme.example", Self.password)
            for reply in [wrong, unknown, nul] {
                #expect(reply.status == 401)
                #expect(reply.text.contains("The sign-in name or password is wrong."))
                #expect(!reply.headers[values: .setCookie].contains { $0.hasPrefix("klaxon_session=") })
            }
            for _ in 0..<4 {
                #expect(try await browser.signIn("ops@acme.example", "guess").status == 401)
            }
            // Five failures in a row: now even the right password must wait.
            let slowed = try await browser.signIn("ops@acme.example", Self.password)
            #expect(slowed.status == 429)
            #expect(slowed.text.contains("Too many failed sign-ins"))
            #expect(Int(slowed.headers[.retryAfter] ?? "") ?? 0 >= 1)
            #expect(try await server.directory.signInFailures(login: "ops@acme.example", client: "127.0.0.1")?.count == 5)
        }
    }

    @Test(arguments: TestBackend.available)
    func formsWithoutTheRightTokenChangeNothing(backend: TestBackend) async throws {
        try await TestServer.run(backend) { server in
            try await server.createAdministrator("ops@acme.example", password: Self.password, in: server.acme.id)
            var browser = AdminBrowser(server)
            // Sign-in without the form cookie's value.
            let forged = try await browser.post("/admin/sign-in", [("csrf", "guess"), ("login", "ops@acme.example"), ("password", Self.password)])
            #expect(forged.status == 403)
            #expect(forged.text.contains("This form has expired"))

            try await browser.signIn("ops@acme.example", Self.password)
            let before = try await server.directory.tokens(in: server.acme.id).count
            for fields in [[("label", "x")], [("label", "x"), ("csrf", "")], [("label", "x"), ("csrf", "0123456789")]] {
                let reply = try await browser.post("/admin/synchronisation/tokens", fields)
                #expect(reply.status == 403)
            }
            #expect(try await browser.post("/admin/locations", [("name", "Leeds")]).status == 403)
            #expect(try await server.directory.tokens(in: server.acme.id).count == before)
            #expect(try await server.directory.locations(in: server.acme.id).map(\.name) == ["Default"])
            // The session's own token still works.
            #expect(try await browser.post("/admin/synchronisation/tokens", [("label", "x"), ("csrf", try browser.csrf())]).status == 201)
        }
    }

    @Test(arguments: TestBackend.available)
    func aNewTokenIsShownOnceAndWorks(backend: TestBackend) async throws {
        try await TestServer.run(backend) { server in
            try await server.createAdministrator("ops@acme.example", password: Self.password, in: server.acme.id)
            var browser = AdminBrowser(server)
            try await browser.signIn("ops@acme.example", Self.password)
            let created = try await browser.post("/admin/synchronisation/tokens", [("csrf", try browser.csrf()), ("label", "Entra <prod>")])
            #expect(created.status == 201)
            #expect(created.headers[.cacheControl] == "no-store")
            #expect(created.text.contains("Entra &lt;prod&gt;"))
            #expect(!created.text.contains("Entra <prod>"))
            let secret = try #require(created.text.firstRange(of: /klx_[A-Za-z0-9_-]{43}/).map { String(created.text[$0]) })
            #expect(try await server.scim(.get, "/Users", token: secret).status == 200)

            let later = try await browser.get("/admin/synchronisation")
            #expect(!later.text.contains(secret))
            #expect(later.text.contains(String(secret.prefix(10)) + "…"))
            #expect(later.text.contains("just now"), "the token's last use is listed")

            let id = try #require(try await server.directory.tokens(in: server.acme.id).first { $0.label == "Entra <prod>" }?.id)
            let revoked = try await browser.post("/admin/synchronisation/tokens/\(id)/revoke", [("csrf", try browser.csrf())])
            #expect(revoked.status == 303)
            #expect(try await server.scim(.get, "/Users", token: secret).status == 401)
        }
    }

    @Test func aTokenRevokedOnTheScreenIsRefusedAtOnceDespiteTheTokenCache() async throws {
        var configuration = TestServer.configuration
        configuration.tokenCacheTTL = .seconds(600)
        try await TestBackend.sqlite.withScratchDatabase { database in
            try await TestServer.run(on: database, configuration: configuration) { server in
                try await server.createAdministrator("ops@acme.example", password: Self.password, in: server.acme.id)
                var browser = AdminBrowser(server)
                try await browser.signIn("ops@acme.example", Self.password)
                let spare = try await server.directory.issueToken(in: server.acme.id, label: "spare")
                // Both tokens are now in the cache.
                #expect(try await server.scim(.get, "/Users").status == 200)
                #expect(try await server.scim(.get, "/Users", token: spare.secret).status == 200)
                let revoked = try await browser.post("/admin/synchronisation/tokens/\(spare.record.id)/revoke", [("csrf", try browser.csrf())])
                #expect(revoked.status == 303)
                #expect(try await server.scim(.get, "/Users", token: spare.secret).status == 401)
                #expect(try await server.scim(.get, "/Users").status == 200, "the organisation's other token still works")
            }
        }
    }

    @Test(arguments: TestBackend.available)
    func renamesATokenWithoutChangingItsSecret(backend: TestBackend) async throws {
        try await TestServer.run(backend) { server in
            try await server.createAdministrator("ops@acme.example", password: Self.password, in: server.acme.id)
            var browser = AdminBrowser(server)
            try await browser.signIn("ops@acme.example", Self.password)
            let token = try #require(try await server.directory.tokens(in: server.acme.id).first)
            let page = try await browser.get("/admin/synchronisation")
            #expect(page.text.contains(#"action="/admin/synchronisation/tokens/\#(token.id)/rename""#))
            #expect(page.text.contains(#"name="label" type="text" value="test""#))

            // Without the form's anti-forgery token nothing changes.
            let forged = try await browser.post("/admin/synchronisation/tokens/\(token.id)/rename", [("csrf", "guess"), ("label", "Forged")])
            #expect(forged.status == 403)
            #expect(try await server.directory.tokens(in: server.acme.id).first?.label == "test")

            let renamed = try await browser.post(
                "/admin/synchronisation/tokens/\(token.id)/rename", [("csrf", try browser.csrf()), ("label", "  Okta <prod>  ")])
            #expect(renamed.status == 303)
            #expect(renamed.headers[.location] == "/admin/synchronisation")
            #expect(try await server.directory.tokens(in: server.acme.id).first?.label == "Okta <prod>")
            let after = try await browser.get("/admin/synchronisation")
            #expect(after.text.contains("Token \(token.id) is now labelled Okta &lt;prod&gt;."))
            #expect(after.text.contains(#"value="Okta &lt;prod&gt;""#))
            #expect(try await server.scim(.get, "/Users").status == 200, "the token still works")

            // An empty label clears it; the page shows "(no label)" but the field stays empty.
            #expect(try await browser.post("/admin/synchronisation/tokens/\(token.id)/rename", [("csrf", try browser.csrf()), ("label", " ")]).status == 303)
            #expect(try await server.directory.tokens(in: server.acme.id).first?.label == "")
            let cleared = try await browser.get("/admin/synchronisation")
            #expect(cleared.text.contains("Token \(token.id) no longer has a label."))
            #expect(cleared.text.contains(#"name="label" type="text" value="" maxlength="100" placeholder="(no label)""#))

            // A label with a control character is refused on the page itself, as a creation is, and nothing changes.
            for path in ["/admin/synchronisation/tokens/\(token.id)/rename", "/admin/synchronisation/tokens"] {
                let refused = try await browser.post(path, [("csrf", try browser.csrf()), ("label", "Okta\u{1B}[31m")])
                #expect(refused.status == 400, "\(path)")
                #expect(refused.text.contains("a token label cannot contain control characters"), "\(path)")
            }
            #expect(try await server.directory.tokens(in: server.acme.id).map(\.label) == [""])

            let unknown = try await browser.post("/admin/synchronisation/tokens/999/rename", [("csrf", try browser.csrf()), ("label", "x")])
            #expect(unknown.status == 404)
            #expect(unknown.text.contains("Not found"))
        }
    }

    @Test(arguments: TestBackend.available)
    func addingAnUnmatchedLocationMovesItsUsersAndAHandSetLocationLastsUntilTheSyncChanges(backend: TestBackend) async throws {
        try await TestServer.run(backend) { server in
            try await server.createAdministrator("ops@acme.example", password: Self.password, in: server.acme.id)
            let klaxon = #","urn:ietf:params:scim:schemas:extension:klaxon:2.0:User":{"location":" leeds ","notificationPhoneNumber":"07911 123456"}"#
            let alice = try await server.createUser("alice@acme.example", extra: klaxon)
            let bob = try await server.createUser("bob@acme.example", extra: klaxon)
            var browser = AdminBrowser(server)
            try await browser.signIn("ops@acme.example", Self.password)

            let before = try await browser.get("/admin/locations")
            #expect(before.text.contains("Synced locations that match no location"))
            #expect(before.text.contains("2 users: <a href=\"/admin/users/\(alice)\">alice@acme.example</a>"))
            let added = try await browser.post("/admin/locations", [("csrf", try browser.csrf()), ("name", "Leeds")])
            #expect(added.status == 303)
            let after = try await browser.get("/admin/locations")
            #expect(after.text.contains("Added Leeds. 2 users moved to it."))
            #expect(!after.text.contains("Synced locations that match no location"))
            let leeds = try #require(try await server.directory.locations(in: server.acme.id).first { $0.name == "Leeds" })
            #expect(try await server.directory.resource(.user, id: bob, in: server.acme.id, includeMembers: false)?.profile?.locationID == leeds.id)

            // A duplicate is refused on the page, not with a SCIM error.
            let duplicate = try await browser.post("/admin/locations", [("csrf", try browser.csrf()), ("name", "LEEDS")])
            #expect(duplicate.status == 409)
            #expect(duplicate.text.contains("a location named &#39;LEEDS&#39; already exists"))

            // The admin sets Alice's location by hand; it survives a sync that sends the same location.
            let york = try await server.directory.addLocation(named: "York", in: server.acme.id)
            #expect(try await browser.post("/admin/users/\(alice)/location", [("csrf", try browser.csrf()), ("location", String(york.id))]).status == 303)
            let patch = #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"urn:ietf:params:scim:schemas:extension:klaxon:2.0:User:location","value":"%@"}]}"#
            #expect(try await server.scim(.patch, "/Users/\(alice)", patch.replacingOccurrences(of: "%@", with: "LEEDS")).status == 200)
            var profile = try await server.directory.resource(.user, id: alice, in: server.acme.id, includeMembers: false)?.profile
            #expect(profile?.locationID == york.id)
            #expect(profile?.locationChoice?.source == .administrator)
            let page = try await browser.get("/admin/users/\(alice)")
            #expect(page.text.contains("<strong>York</strong>"))
            #expect(page.text.contains("Set by an administrator"))
            #expect(page.text.contains("+447911123456"))

            // A different synced location ends the choice.
            #expect(try await server.scim(.patch, "/Users/\(alice)", patch.replacingOccurrences(of: "%@", with: "Paris")).status == 200)
            profile = try await server.directory.resource(.user, id: alice, in: server.acme.id, includeMembers: false)?.profile
            #expect(profile?.locationChoice == nil)
            let defaultLocation = try await server.directory.locations(in: server.acme.id).first(where: \.isDefault)
            #expect(profile?.locationID == defaultLocation?.id)
            #expect(try await browser.get("/admin/users/\(alice)").text.contains("matches no location, so the Default applies"))
        }
    }

    /// `klaxon-sync location add|rename|set-default` move users as the admin screen does (they moved none). The
    /// command line does not know the server's phone region, so only the location is worked out again.
    @Test(arguments: TestBackend.available)
    func relocatingUsersAfterALocationChangeKeepsTheirPhoneNumbers(backend: TestBackend) async throws {
        try await TestServer.run(backend) { server in
            let klaxon = #","urn:ietf:params:scim:schemas:extension:klaxon:2.0:User":{"location":"Hull","notificationPhoneNumber":"0113 496 0000"}"#
            let id = try await server.createUser("hull@acme.example", extra: klaxon)
            let profile = { try #require(try await server.directory.resource(.user, id: id, in: server.acme.id, includeMembers: false)?.profile) }
            let before = try await profile()
            #expect(before.phoneE164 == "+441134960000", "the server reads national numbers as GB")
            let hull = try await server.directory.addLocation(named: "hull", in: server.acme.id)
            let commandLine = try ProfileDeriver(defaultPhoneRegion: nil)
            #expect(try await server.directory.relocateUsers(in: server.acme.id, named: [hull.name], at: [], profiles: commandLine) == 1)
            let after = try await profile()
            #expect(after.locationID == hull.id)
            #expect(after.phoneE164 == before.phoneE164 && after.phoneProblem == nil)
            #expect(try await server.directory.relocateUsers(in: server.acme.id, named: [hull.name], at: [], profiles: commandLine) == 0)
        }
    }

    @Test(arguments: TestBackend.available)
    func usersAndGroupsCanBeSearchedAndPaged(backend: TestBackend) async throws {
        try await TestServer.run(backend) { server in
            try await server.createAdministrator("ops@acme.example", password: Self.password, in: server.acme.id)
            for index in 1...30 {
                _ = try await server.createUser(String(format: "user%02d@acme.example", index))
            }
            _ = try await server.scim(.post, "/Groups", #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Night shift"}"#)
            var browser = AdminBrowser(server)
            try await browser.signIn("ops@acme.example", Self.password)
            let first = try await browser.get("/admin/users")
            #expect(first.text.contains("30 users provisioned."))
            #expect(first.text.contains("Page 1 of 2"))
            #expect(first.text.contains("user25@acme.example") && !first.text.contains("user26@acme.example"))
            let second = try await browser.get("/admin/users?page=2")
            #expect(second.text.contains("user30@acme.example") && !second.text.contains("user01@acme.example"))
            let search = try await browser.get("/admin/users?q=USER07")
            #expect(search.text.contains("1 user match “USER07”."))
            #expect(try await browser.get("/admin/groups?q=night").text.contains("Night shift"))
            // A page past the last is empty, however absurd its number; it once overflowed and stopped the server.
            for page in ["31", "4611686018427387904", "\(Int.max)"] {
                for list in ["users", "groups"] {
                    let beyond = try await browser.get("/admin/\(list)?page=\(page)")
                    #expect(beyond.status == 200 && !beyond.text.contains("user01@acme.example"), "\(list) page \(page)")
                }
            }
            #expect(try await browser.get("/admin/users").status == 200)
        }
    }

    @Test(arguments: TestBackend.available)
    func noPageShowsAnotherOrganisationsData(backend: TestBackend) async throws {
        try await TestServer.run(backend) { server in
            try await server.createAdministrator("ops@acme.example", password: Self.password, in: server.acme.id)
            try await server.createAdministrator("ops@globex.example", password: Self.password, in: server.globex.id)
            let acmeUser = try await server.createUser("secret-person@acme.example")
            let acmeLocation = try await server.directory.addLocation(named: "Acme HQ", in: server.acme.id)
            let acmeToken = try #require(try await server.directory.tokens(in: server.acme.id).first)

            var globex = AdminBrowser(server)
            try await globex.signIn("ops@globex.example", Self.password)
            let csrf = try await globex.csrf()
            #expect(try await globex.get("/admin/users/\(acmeUser)").status == 404)
            #expect(try await globex.post("/admin/users/\(acmeUser)/location", [("csrf", csrf), ("location", "")]).status == 404)
            #expect(try await globex.post("/admin/synchronisation/tokens/\(acmeToken.id + 100)/revoke", [("csrf", csrf)]).status == 404)
            #expect(
                try await globex.post("/admin/synchronisation/tokens/\(acmeToken.id + 100)/rename", [("csrf", csrf), ("label", "Mine")]).status == 404)
            #expect(try await globex.post("/admin/locations/\(acmeLocation.id)/rename", [("csrf", csrf), ("name", "Mine")]).status == 404)
            #expect(try await globex.post("/admin/locations/\(acmeLocation.id)/remove", [("csrf", csrf)]).status == 404)
            for path in ["/admin/users", "/admin/users?q=secret", "/admin/locations", "/admin/synchronisation", "/admin/activity"] {
                let page = try await globex.get(path)
                #expect(page.status == 200, "\(path)")
                #expect(!page.text.contains("secret-person") && !page.text.contains("Acme HQ") && !page.text.contains("/scim/v2/acme"), "\(path)")
            }
            // Globex's own token 1 is not Acme's token 1.
            #expect(try await globex.post("/admin/synchronisation/tokens/\(acmeToken.id)/revoke", [("csrf", csrf)]).status == 303)
            #expect(try await server.directory.tokens(in: server.acme.id).first?.revoked == nil)
            #expect(try await server.directory.locations(in: server.acme.id).contains { $0.name == "Acme HQ" })
        }
    }

    @Test(arguments: TestBackend.available)
    func aOneTimeSignInSetsThePasswordOnce(backend: TestBackend) async throws {
        try await TestServer.run(backend) { server in
            let admin = try await server.directory.createAdministrator(login: "new@acme.example", passwordHash: nil, in: server.acme.id)
            let code = try await server.directory.issueSignInCode(forAdministrator: admin.id, in: server.acme.id, expires: Date().addingTimeInterval(60))
            var browser = AdminBrowser(server)
            let page = try await browser.get("/admin/welcome?code=\(code)")
            #expect(page.status == 200)
            #expect(page.text.contains("new@acme.example"))
            let csrf = try #require(AdminBrowser.field("csrf", in: page.text))
            let short = try await browser.post("/admin/welcome", [("csrf", csrf), ("code", code), ("password", "short"), ("confirm", "short")])
            #expect(short.status == 400)
            #expect(short.text.contains("at least 12 characters"))
            let set = try await browser.post("/admin/welcome", [("csrf", csrf), ("code", code), ("password", Self.password), ("confirm", Self.password)])
            #expect(set.status == 303)
            #expect(try await browser.get("/admin/synchronisation").status == 200)
            #expect(try await browser.get("/admin/welcome?code=\(code)").status == 410)
            var other = AdminBrowser(server)
            #expect(try await other.signIn("new@acme.example", Self.password).status == 303)
        }
    }

    @Test(arguments: TestBackend.available)
    func aPasswordResetEndsTheOldSessionsAndBcryptsLimitIsEnforced(backend: TestBackend) async throws {
        try await TestServer.run(backend) { server in
            try await server.createAdministrator("ops@acme.example", password: Self.password, in: server.acme.id)
            var old = AdminBrowser(server)
            #expect(try await old.signIn("ops@acme.example", Self.password).status == 303)
            #expect(try await old.get("/admin/synchronisation").status == 200)

            let admin = try #require(try await server.directory.administratorCredentials(login: "ops@acme.example")).administrator
            let code = try await server.directory.issueSignInCode(forAdministrator: admin.id, in: server.acme.id, expires: Date().addingTimeInterval(60))
            var reset = AdminBrowser(server)
            let csrf = try #require(AdminBrowser.field("csrf", in: try await reset.get("/admin/welcome?code=\(code)").text))
            // bcrypt reads only 72 bytes: a longer password would accept anything that starts the same way.
            let long = String(repeating: "x", count: 72) + "-secret-tail"
            let refused = try await reset.post("/admin/welcome", [("csrf", csrf), ("code", code), ("password", long), ("confirm", long)])
            #expect(refused.status == 400 && refused.text.contains("at most 72 bytes"))
            let newPassword = "a new password for ops"
            let set = try await reset.post("/admin/welcome", [("csrf", csrf), ("code", code), ("password", newPassword), ("confirm", newPassword)])
            #expect(set.status == 303)
            #expect(try await reset.get("/admin/synchronisation").status == 200, "the session the reset opened")
            #expect(try await old.get("/admin/synchronisation").status == 303, "a session of the old password is over")
        }
    }

    @Test(arguments: TestBackend.available)
    func anOversizedFormIsA413ForEveryone(backend: TestBackend) async throws {
        try await TestServer.run(backend) { server in
            try await server.createAdministrator("ops@acme.example", password: Self.password, in: server.acme.id)
            var browser = AdminBrowser(server)
            let padding = String(repeating: "x", count: 70 * 1024)
            let anonymous = try await browser.post("/admin/sign-in", [("login", "ops@acme.example"), ("password", padding)])
            #expect(anonymous.status == 413 && anonymous.text.contains("too large"))
            try await browser.signIn("ops@acme.example", Self.password)
            let signedIn = try await browser.post("/admin/locations", [("csrf", try await browser.csrf()), ("name", padding)])
            #expect(signedIn.status == 413 && signedIn.text.contains("Sign out"), "with the navigation of the signed-in page")
        }
    }

    @Test(arguments: TestBackend.available)
    func guessesFromOneAddressDoNotLockTheAdministratorOutFromAnother(backend: TestBackend) async throws {
        try await TestServer.run(backend) { server in
            try await server.createAdministrator("ops@acme.example", password: Self.password, in: server.acme.id)
            // Someone at 127.0.0.2 who knows the sign-in name guesses until made to wait.
            var statuses: [Int] = []
            for _ in 0..<7 { statuses.append(try await Self.signIn(port: server.port, from: "127.0.0.2", "ops@acme.example", "a guess")) }
            #expect(statuses == [401, 401, 401, 401, 401, 429, 429])
            #expect(try await Self.signIn(port: server.port, from: "127.0.0.2", "ops@acme.example", Self.password) == 429)
            // The administrator, elsewhere, signs in at once.
            var browser = AdminBrowser(server)
            #expect(try await browser.signIn("ops@acme.example", Self.password).status == 303)
            #expect(try await server.directory.signInFailures(login: "ops@acme.example", client: "127.0.0.2")?.count == 5)
        }
    }

    /// Signs in from the loopback address `source` over a connection of its own and returns the status; the POST
    /// carries `X-Forwarded-For: <forwardedFor>` when it is given.
    static func signIn(port: Int, from source: String, forwardedFor: String? = nil, _ login: String, _ password: String) async throws -> Int {
        let page = try await RawConnection.open(port: port, from: source)
        try await page.send("GET /admin/sign-in HTTP/1.1\r\nHost: localhost\r\n\r\n")
        #expect(await page.answers(1, within: .seconds(10)))
        let text = page.received
        try await page.close()
        let cookie = try #require(text.firstMatch(of: /(?i)set-cookie: (klaxon_form=[^;\r]*)/)?.1)
        let csrf = try #require(AdminBrowser.field("csrf", in: text))
        let form = [("csrf", csrf), ("login", login), ("password", password)]
            .map { "\($0)=\($1.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)" }.joined(separator: "&")
        let post = try await RawConnection.open(port: port, from: source)
        try await post.send(
            "POST /admin/sign-in HTTP/1.1\r\nHost: localhost\r\nCookie: \(cookie)\r\n"
                + (forwardedFor.map { "X-Forwarded-For: \($0)\r\n" } ?? "")
                + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: \(form.utf8.count)\r\n\r\n\(form)")
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline, post.received.firstMatch(of: /HTTP\/1.1 (\d{3})/) == nil {
            try await Task.sleep(for: .milliseconds(5))
        }
        try await post.close()
        return try #require(post.received.firstMatch(of: /HTTP\/1.1 (\d{3})/).flatMap { Int($0.1) })
    }

    @Test(arguments: TestBackend.available)
    func simultaneousWrongPasswordsAreThrottledLikeSuccessiveOnes(backend: TestBackend) async throws {
        try await TestServer.run(backend) { server in
            try await server.createAdministrator("ops@acme.example", password: Self.password, in: server.acme.id)
            // Every attempt used to pass the check before any failure was counted (bcrypt runs in between).
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<20 {
                    group.addTask {
                        try await server.onNewConnection { connection in
                            var browser = AdminBrowser(connection)
                            return try await browser.signIn("ops@acme.example", "a wrong guess").status
                        }
                    }
                }
                return try await group.reduce(into: [Int: Int]()) { $0[$1, default: 0] += 1 }
            }
            #expect(statuses == [401: 5, 429: 15])
            #expect(try await server.directory.signInFailures(login: "ops@acme.example", client: "127.0.0.1")?.count == 5)
        }
    }
}
