import Foundation
import KlaxonTestSupport
import PostgresNIO
import Testing
@testable import KlaxonDirectory
import SCIM

@Suite struct DirectoryAdministrationTests {
    @Test(arguments: TestBackend.available)
    func administratorsSignInCodesAndFailures(backend: TestBackend) async throws {
        try await backend.withDirectory { directory in
            let acme = try await directory.createOrganisation(slug: "acme", name: "Acme").id
            let globex = try await directory.createOrganisation(slug: "globex", name: "Globex").id
            let admin = try await directory.createAdministrator(login: " Ops@Acme.example ", passwordHash: nil, in: acme)
            #expect(admin.login == "Ops@Acme.example")
            #expect(!admin.hasPassword)
            await expectSCIMError(.conflict, .uniqueness) { _ = try await directory.createAdministrator(login: "ops@acme.EXAMPLE", passwordHash: "h", in: globex) }
            await expectSCIMError(.badRequest, .invalidValue) { _ = try await directory.createAdministrator(login: "two words", passwordHash: "h", in: acme) }
            await expectSCIMError(.badRequest, .invalidValue) { _ = try await directory.createAdministrator(login: "  ", passwordHash: "h", in: acme) }
            await expectSCIMError(.notFound, nil) { _ = try await directory.createAdministrator(login: "x", passwordHash: "h", in: 99) }
            #expect(try await directory.administratorCredentials(login: "OPS@acme.example")?.organisation.slug == "acme")
            #expect(try await directory.administrators(in: globex).isEmpty)

            let now = Date()
            let code = try await directory.issueSignInCode(forAdministrator: admin.id, in: acme, expires: now.addingTimeInterval(60))
            #expect(code.hasPrefix("klxc_"))
            #expect(try await directory.signInCode(code, at: now)?.administrator.id == admin.id)
            #expect(try await directory.signInCode(code, at: now.addingTimeInterval(61)) == nil, "expired")
            #expect(try await directory.redeemSignInCode(code + "x", passwordHash: "h1", at: now) == nil)
            #expect(try await directory.redeemSignInCode(code, passwordHash: "h1", at: now)?.passwordHash == "h1")
            #expect(try await directory.redeemSignInCode(code, passwordHash: "h2", at: now) == nil, "a code works once")
            #expect(try await directory.administratorCredentials(login: "ops@acme.example")?.passwordHash == "h1")
            await expectSCIMError(.notFound, nil) { _ = try await directory.issueSignInCode(forAdministrator: admin.id, in: globex, expires: now) }

            #expect(try await directory.signInFailures(login: "nobody", client: "192.0.2.1") == nil)
            var seen: [SignInFailures?] = []
            #expect(try await directory.claimSignInAttempt(login: "Nobody", client: "192.0.2.1", at: now) { seen.append($0); return nil } == nil)
            #expect(
                try await directory.claimSignInAttempt(login: "nobody ", client: "192.0.2.1", at: now.addingTimeInterval(1)) {
                    seen.append($0)
                    return nil
                } == nil)
            #expect(seen.map { $0?.count } == [nil, 1], "each claim sees the tally before it")
            #expect(abs((seen.last??.last ?? .distantPast).timeIntervalSince(now)) < 0.001)
            let tally = try #require(try await directory.signInFailures(login: "NOBODY", client: "192.0.2.1"))
            #expect(tally.count == 2 && abs(tally.last.timeIntervalSince(now) - 1) < 0.001)
            // A claim that must wait is not counted again.
            #expect(try await directory.claimSignInAttempt(login: "nobody", client: "192.0.2.1", at: now.addingTimeInterval(2)) { _ in 7 } == 7)
            #expect(try await directory.signInFailures(login: "NOBODY", client: "192.0.2.1")?.count == 2)

            // Another address has a tally of its own.
            seen = []
            _ = try await directory.claimSignInAttempt(login: "nobody", client: "2001:db8::/64", at: now) { seen.append($0); return nil }
            #expect(seen.map { $0?.count } == [nil])
            #expect(try await directory.signInFailures(login: "nobody", client: "2001:db8::/64")?.count == 1)

            // A sign-in clears its name's tally from its address only.
            try await directory.clearSignInFailures(login: "nobody", client: "192.0.2.1")
            #expect(try await directory.signInFailures(login: "nobody", client: "192.0.2.1") == nil)
            #expect(try await directory.signInFailures(login: "nobody", client: "2001:db8::/64")?.count == 1)
            // A new password clears the name's tallies from every address.
            _ = try await directory.claimSignInAttempt(login: "somebody", client: "192.0.2.1", at: now) { _ in nil }
            try await directory.clearSignInFailures(login: "NOBODY", client: nil)
            #expect(try await directory.signInFailures(login: "nobody", client: "2001:db8::/64") == nil)
            #expect(try await directory.signInFailures(login: "somebody", client: "192.0.2.1")?.count == 1)
        }
    }

    @Test(arguments: TestBackend.available)
    func talliesWhoseLastFailureIsOldAreForgotten(backend: TestBackend) async throws {
        try await backend.withDirectory { directory in
            let now = Date()
            for (login, hoursAgo) in [("old", 30.0), ("recent", 2.0)] {
                for client in ["192.0.2.1", "192.0.2.2"] {
                    _ = try await directory.claimSignInAttempt(login: login, client: client, at: now.addingTimeInterval(-hoursAgo * 3600)) { _ in nil }
                }
            }
            // A failure an hour ago keeps a tally whose first failure is older.
            _ = try await directory.claimSignInAttempt(login: "old", client: "192.0.2.2", at: now.addingTimeInterval(-3600)) { _ in nil }

            #expect(try await directory.pruneSignInFailures(before: now.addingTimeInterval(-86_400)) == 1)
            #expect(try await directory.signInFailures(login: "old", client: "192.0.2.1") == nil)
            #expect(try await directory.signInFailures(login: "old", client: "192.0.2.2")?.count == 2)
            #expect(try await directory.signInFailures(login: "recent", client: "192.0.2.1")?.count == 1)
            #expect(try await directory.signInFailures(login: "recent", client: "192.0.2.2")?.count == 1)
            #expect(try await directory.pruneSignInFailures(before: now.addingTimeInterval(-86_400)) == 0)
        }
    }

    /// A failure that lands while pruning waits for its tally keeps the tally: on PostgreSQL the DELETE that waited
    /// for the row lock deleted a tally the failure had just made recent (a review found it).
    @Test(.enabled(if: TestBackend.postgresURL != nil, "needs \(TestBackend.postgresURLVariable)"))
    func aTallyMadeRecentWhilePruningWaitsForItIsKept() async throws {
        try await TestBackend.postgres.withScratchDatabase { database in
            let directory = try await database.open()
            try await directory.closing {
                let now = Date()
                _ = try await directory.claimSignInAttempt(login: "race", client: "192.0.2.9", at: now.addingTimeInterval(-2 * 86_400)) { _ in nil }
                // Another instance's failure, its transaction still open.
                let other = try await ScratchDatabase.connect(database.location)
                try await other.query("BEGIN", logger: ScratchDatabase.logger)
                try await other.query(
                    "UPDATE sign_in_failures SET failures = failures + 1, last_failure = \(now.timeIntervalSince1970) WHERE login_lc = 'race'",
                    logger: ScratchDatabase.logger)
                let pruning = Task { try await directory.pruneSignInFailures(before: now.addingTimeInterval(-86_400)) }
                // The DELETE has found the old row and waits for its lock.
                var waiting = false
                for _ in 0..<200 where !waiting {
                    try await Task.sleep(for: .milliseconds(10))
                    let rows = try await other.query(
                        "SELECT count(*)::int AS n FROM pg_locks WHERE NOT granted AND locktype = 'transactionid'", logger: ScratchDatabase.logger)
                    for try await n in rows.decode(Int.self) { waiting = n > 0 }
                }
                #expect(waiting)
                try await other.query("COMMIT", logger: ScratchDatabase.logger)
                try await other.close()
                #expect(try await pruning.value == 0)
                #expect(try await directory.signInFailures(login: "race", client: "192.0.2.9")?.count == 2)
            }
        }
    }

    /// More tallies than one batch removes: the batches go on until none is left.
    @Test(arguments: TestBackend.available)
    func pruningTalliesGoesOnPastOneBatch(backend: TestBackend) async throws {
        try await backend.withDirectory { directory in
            let then = Date().addingTimeInterval(-2 * 86_400)
            for index in 0..<7 {
                _ = try await directory.claimSignInAttempt(login: "name-\(index)", client: "192.0.2.1", at: then) { _ in nil }
            }
            _ = try await directory.claimSignInAttempt(login: "kept", client: "192.0.2.1", at: Date()) { _ in nil }
            #expect(try await directory.pruneSignInFailures(before: then.addingTimeInterval(1), batchSize: 2) == 7)
            for index in 0..<7 {
                #expect(try await directory.signInFailures(login: "name-\(index)", client: "192.0.2.1") == nil)
            }
            #expect(try await directory.signInFailures(login: "kept", client: "192.0.2.1")?.count == 1)
        }
    }

    @Test(arguments: TestBackend.available)
    func sessionsOpenTheirOrganisationUntilTheyExpireOrEnd(backend: TestBackend) async throws {
        try await backend.withDirectory { directory in
            let acme = try await directory.createOrganisation(slug: "acme", name: "Acme").id
            let admin = try await directory.createAdministrator(login: "ops", passwordHash: "h", in: acme)
            let now = Date()
            // A sign-in that checked a password since replaced gets no session.
            #expect(try await directory.createAdminSession(for: admin.id, in: acme, passwordHash: "old", expires: now.addingTimeInterval(3600)) == nil)
            let issued = try #require(try await directory.createAdminSession(for: admin.id, in: acme, passwordHash: "h", expires: now.addingTimeInterval(3600)))
            #expect(issued.secret.hasPrefix("klxs_"))
            let found = try #require(try await directory.adminSession(secret: issued.secret, at: now))
            #expect(found.organisation.slug == "acme")
            #expect(found.csrfToken == issued.session.csrfToken)
            #expect(found.administrator.lastSignIn != nil)
            #expect(try await directory.adminSession(secret: issued.secret, at: now.addingTimeInterval(3601)) == nil)
            #expect(try await directory.adminSession(secret: "klxs_guess", at: now) == nil)
            #expect(try await directory.authenticate(secret: issued.secret) == nil, "a session secret is no bearer token")
            try await directory.endAdminSession(secret: issued.secret)
            #expect(try await directory.adminSession(secret: issued.secret, at: now) == nil)
        }
    }

    @Test(arguments: TestBackend.available)
    func profilesLocationChoicesAndUnmatchedLocations(backend: TestBackend) async throws {
        try await backend.withDirectory { directory in
            let org = try await directory.createOrganisation(slug: "acme", name: "Acme").id
            let york = try await directory.addLocation(named: "York", in: org)
            func user(_ name: String, synced: String?) async throws -> StoredResource {
                try await directory.createUser(name, in: org, profile: KlaxonProfile(syncedLocation: synced, locationID: 1))
            }
            let a = try await user("a", synced: "Leeds")
            _ = try await user("b", synced: " LEEDS")
            _ = try await user("c", synced: "Zu\u{308}rich")
            _ = try await user("d", synced: nil)
            _ = try await user("e", synced: "york")
            let unmatched = try await directory.unmatchedLocations(in: org, sample: 1)
            #expect(unmatched.map(\.name) == ["Leeds", "Zu\u{308}rich"])
            #expect(unmatched.map(\.userCount) == [2, 1])
            #expect(unmatched.first?.sample.map(\.id) == [a.id])

            // A choice made by hand is stored with the profile, leaves the version alone, and hides the user here.
            let choice = LocationChoice(locationID: york.id, source: .administrator, syncedLocation: "Leeds", at: Date(timeIntervalSince1970: 1000))
            let changed = try await directory.updateProfiles(in: org, of: .user(id: a.id)) { user, locations in
                #expect(locations.map(\.name) == ["Default", "York"])
                var profile = user.profile ?? KlaxonProfile()
                profile.locationChoice = choice
                profile.locationID = york.id
                return profile
            }
            #expect(changed == 1)
            let stored = try await directory.resource(.user, id: a.id, in: org, includeMembers: false)
            #expect(stored?.profile?.locationChoice == choice)
            #expect(stored?.version == a.version)
            #expect(try await directory.unmatchedLocations(in: org, sample: 5).first?.userCount == 1)
            await expectSCIMError(.notFound, nil) { _ = try await directory.updateProfiles(in: org, of: .user(id: "nope")) { _, _ in KlaxonProfile() } }
            await expectSCIMError(.badRequest, .invalidValue) {
                _ = try await directory.updateProfiles(in: org, of: .user(id: a.id)) { _, _ in KlaxonProfile(locationID: 42) }
            }

            // Selecting by synced name (any case, NFC) or by the location in force.
            let selected = try await directory.updateProfiles(in: org, of: .locations(named: ["zürich", "LEEDS"], ids: [york.id])) { user, _ in
                var profile = user.profile ?? KlaxonProfile()
                profile.phoneProblem = "seen"
                return profile
            }
            #expect(selected == 3, "a (Leeds, at York), b (Leeds) and c (Zürich); e sends york but is at the Default")
            #expect(try await directory.updateProfiles(in: org, of: .locations(named: [], ids: [])) { _, _ in KlaxonProfile() } == 0)

            // Removing the chosen location forgets the choice.
            try await directory.removeLocation(york.id, in: org)
            let after = try await directory.resource(.user, id: a.id, in: org, includeMembers: false)?.profile
            #expect(after?.locationChoice == nil)
            #expect(after?.locationID == 1)
        }
    }
}
