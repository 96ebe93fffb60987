import Foundation
import HTTPTypes
import KlaxonDirectory
import KlaxonServer
import KlaxonTestSupport
import Testing

/// `serve --activity-retention-days`: the server prunes the activity log beside serving requests.
@Suite struct ActivityRetentionTests {
    /// A client that sends a 40 KB id and `User-Agent` with every failing request grew the log by 80 KB a request
    /// (a review measured 130 MB/s); each text is now kept to 512 bytes.
    @Test(arguments: TestBackend.available)
    func aFailingRequestsLogEntryIsBoundedWhateverItSends(backend: TestBackend) async throws {
        try await TestServer.run(backend) { server in
            let id = String(repeating: "x", count: 20_000)
            let reply = try await server.scim(.get, "/Users/\(id)", headers: [.userAgent: String(repeating: "u", count: 40_000)])
            #expect(reply.status == 404)
            var entries: [ActivityEntry] = []
            for _ in 0..<200 where entries.isEmpty {
                try await Task.sleep(for: .milliseconds(10))
                entries = try await server.directory.recentActivity(in: server.acme.id, limit: 10).filter { $0.status == 404 }
            }
            let entry = try #require(entries.first)
            for text in [entry.path, entry.client, entry.resourceID, entry.detail].compactMap({ $0 }) {
                #expect(text.utf8.count <= ActivityEntry.maxTextBytes && text.hasSuffix("…"), "\(text.prefix(40))")
            }
            #expect(entry.path.hasPrefix("/scim/v2/acme/Users/xx"))
        }
    }

    @Test(arguments: TestBackend.available)
    func theServerPrunesActivityOlderThanTheRetentionWhenItStarts(backend: TestBackend) async throws {
        try await backend.withScratchDatabase { database in
            let now = Date()
            func entry(_ org: Organisation, _ path: String, daysAgo: Double) -> ActivityEntry {
                ActivityEntry(organisation: org.id, at: now.addingTimeInterval(-daysAgo * 86_400), method: "POST", path: path, status: 201)
            }
            let setup = try await database.open()
            try await setup.closing {
                let acme = try await setup.createOrganisation(slug: "acme", name: "Acme")
                let globex = try await setup.createOrganisation(slug: "globex", name: "Globex")
                try await setup.recordActivity([
                    entry(acme, "/scim/v2/acme/Users/aged", daysAgo: 11), entry(acme, "/scim/v2/acme/Users/recent", daysAgo: 9),
                    entry(globex, "/scim/v2/globex/Users/aged", daysAgo: 400),
                ])
            }

            var configuration = TestServer.configuration
            configuration.activityRetentionDays = 10
            try await TestServer.run(on: database, configuration: configuration) { server in
                // The first run starts with the server; wait for it without assuming how long it takes.
                var acme: [String] = []
                var globex: [String] = []
                for _ in 0..<400 {
                    acme = try await server.directory.recentActivity(in: server.acme.id, limit: 10).map(\.path)
                    globex = try await server.directory.recentActivity(in: server.globex.id, limit: 10).map(\.path)
                    if acme.count == 1 && globex.isEmpty { break }
                    try await Task.sleep(for: .milliseconds(25))
                }
                #expect(acme == ["/scim/v2/acme/Users/recent"])
                #expect(globex.isEmpty)

                // The admin page shows what is left.
                try await server.createAdministrator("ops@acme.example", password: "correct horse battery", in: server.acme.id)
                var browser = AdminBrowser(server)
                try await browser.signIn("ops@acme.example", "correct horse battery")
                let page = try await browser.get("/admin/activity")
                #expect(page.status == 200)
                #expect(page.text.contains("/scim/v2/acme/Users/recent"))
                #expect(!page.text.contains("/scim/v2/acme/Users/aged"))
            }
        }
    }

    /// With the activity log kept whole (`--activity-retention-days 0`), failed sign-ins a day old are still forgotten.
    @Test(arguments: TestBackend.available)
    func theServerForgetsOldFailedSignInsWhateverTheRetention(backend: TestBackend) async throws {
        try await backend.withScratchDatabase { database in
            let now = Date()
            let setup = try await database.open()
            try await setup.closing {
                let acme = try await setup.createOrganisation(slug: "acme", name: "Acme")
                try await setup.recordActivity([
                    ActivityEntry(organisation: acme.id, at: now.addingTimeInterval(-400 * 86_400), method: "POST", path: "/aged", status: 201)
                ])
                _ = try await setup.claimSignInAttempt(login: "ghost", client: "192.0.2.1", at: now.addingTimeInterval(-2 * 86_400)) { _ in nil }
                _ = try await setup.claimSignInAttempt(login: "fresh", client: "192.0.2.1", at: now.addingTimeInterval(-3600)) { _ in nil }
            }

            var configuration = TestServer.configuration
            configuration.activityRetentionDays = 0
            try await TestServer.run(on: database, configuration: configuration) { server in
                var ghost: SignInFailures? = SignInFailures(count: 1, last: now)
                for _ in 0..<400 where ghost != nil {
                    try await Task.sleep(for: .milliseconds(25))
                    ghost = try await server.directory.signInFailures(login: "ghost", client: "192.0.2.1")
                }
                #expect(ghost == nil)
                #expect(try await server.directory.signInFailures(login: "fresh", client: "192.0.2.1")?.count == 1)
                #expect(try await server.directory.recentActivity(in: server.acme.id, limit: 10).map(\.path).contains("/aged"))
            }
        }
    }

    @Test func retentionIsNeverNegative() {
        #expect(ServerConfiguration(activityRetentionDays: -5).activityRetentionDays == 0)
        #expect(ServerConfiguration().activityRetentionDays == 30)
    }
}
