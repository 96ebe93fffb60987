import Foundation
import KlaxonTestSupport
import Testing
@testable import KlaxonDirectory
import SCIM

@Suite struct DirectoryOrganisationTests {
    @Test(arguments: TestBackend.available)
    func createsOrganisationsWithADefaultLocation(backend: TestBackend) async throws {
        try await backend.withDirectory { directory in
            let acme = try await directory.createOrganisation(slug: "acme", name: "  Acme Ltd ")
            #expect(acme.slug == "acme")
            #expect(acme.name == "Acme Ltd")
            let globex = try await directory.createOrganisation(slug: "globex-2", name: "Globex")
            #expect(acme.id != globex.id)
            #expect(try await directory.organisations() == [acme, globex])
            #expect(try await directory.organisation(slug: "acme") == acme)
            #expect(try await directory.organisation(slug: "ACME") == nil)
            let locations = try await directory.locations(in: acme.id)
            #expect(locations.map(\.name) == ["Default"])
            #expect(locations.first?.isDefault == true)
            await expectSCIMError(.conflict, .uniqueness) { _ = try await directory.createOrganisation(slug: "acme", name: "Other") }
        }
    }

    @Test(arguments: TestBackend.available, ["", "Acme", "acme corp", "-acme", "acme/x", "ácme", String(repeating: "a", count: 64)])
    func rejectsSlugsThatAreNotURLSegments(backend: TestBackend, slug: String) async throws {
        try await backend.withDirectory { directory in
            await expectSCIMError(.badRequest, .invalidValue) { _ = try await directory.createOrganisation(slug: slug, name: "Acme") }
            await expectSCIMError(.badRequest, .invalidValue) { _ = try await directory.createOrganisation(slug: "ok", name: " \n") }
            let organisations = try await directory.organisations()
            #expect(organisations.isEmpty)
        }
    }

    /// Names and labels are text an admin reads: white space is collapsed to single spaces, other control
    /// characters are refused (U+0000 made PostgreSQL fail with a 500), and nothing refused is stored.
    @Test(arguments: TestBackend.available)
    func namesAndLabelsRefuseControlCharacters(backend: TestBackend) async throws {
        try await backend.withDirectory { directory in
            await expectSCIMError(.badRequest, .invalidValue) { _ = try await directory.createOrganisation(slug: "nul", name: "Ac\u{0}me") }
            let org = try await directory.createOrganisation(slug: "acme", name: "Acme").id
            for name in ["Lon\u{0}don", "Leeds\u{7}", "\u{1B}[31mRed", String(repeating: "é", count: 513)] {
                await expectSCIMError(.badRequest, .invalidValue) { _ = try await directory.addLocation(named: name, in: org) }
            }
            // Tabs and line breaks are white space; emoji, joiners and direction marks are text.
            #expect(try await directory.addLocation(named: "New\tYork\n", in: org).name == "New York")
            let family = "👩‍👩‍👧 Home \u{200F}"
            #expect(try await directory.addLocation(named: family, in: org).name == family.trimmingCharacters(in: .whitespaces))
            let location = try #require(try await directory.locations(in: org).first)
            await expectSCIMError(.badRequest, .invalidValue) { _ = try await directory.renameLocation(location.id, to: "x\u{0}", in: org) }
            await expectSCIMError(.badRequest, .invalidValue) { _ = try await directory.issueToken(in: org, label: "Entra\u{0}") }
            let token = try await directory.issueToken(in: org, label: "Entra\tID")
            #expect(token.record.label == "Entra ID")
            await expectSCIMError(.badRequest, .invalidValue) { _ = try await directory.renameToken(token.record.id, to: "\u{1B}[31m", in: org) }
            #expect(try await directory.organisations().map(\.slug) == ["acme"])
            #expect(Set(try await directory.locations(in: org).map(\.name)) == ["Default", "New York", family.trimmingCharacters(in: .whitespaces)])
            #expect(try await directory.tokens(in: org).map(\.label) == ["Entra ID"])
        }
    }

    @Test(arguments: TestBackend.available)
    func issuesAuthenticatesAndRevokesTokens(backend: TestBackend) async throws {
        try await backend.withDirectory { directory in
            let acme = try await directory.createOrganisation(slug: "acme", name: "Acme")
            let issued = try await directory.issueToken(in: acme.id, label: "Entra ID")
            #expect(issued.secret.hasPrefix("klx_"))
            #expect(issued.secret.count == 4 + 43)
            #expect(issued.record.hint == String(issued.secret.prefix(10)))
            #expect(issued.record.label == "Entra ID")
            #expect(issued.record.lastUsed == nil)
            let second = try await directory.issueToken(in: acme.id, label: "Okta")
            #expect(second.secret != issued.secret)
            #expect(try await directory.tokens(in: acme.id) == [issued.record, second.record])

            let (organisation, record) = try #require(try await directory.authenticate(secret: issued.secret))
            #expect(organisation == acme)
            #expect(record.id == issued.record.id)
            let lastUsed = try #require(record.lastUsed)
            #expect(try await directory.tokens(in: acme.id).first?.lastUsed == lastUsed)

            // A wrong secret, even one differing only in its last character, opens nothing.
            let wrong = String(issued.secret.dropLast()) + (issued.secret.hasSuffix("A") ? "B" : "A")
            #expect(try await directory.authenticate(secret: wrong) == nil)
            #expect(try await directory.authenticate(secret: "") == nil)
            #expect(try await directory.authenticate(secret: TokenHasher.hash(issued.secret)) == nil)

            #expect(try await directory.revokeToken(issued.record.id, in: acme.id))
            #expect(try await directory.revokeToken(issued.record.id, in: acme.id))
            #expect(try await directory.revokeToken(99, in: acme.id) == false)
            #expect(try await directory.authenticate(secret: issued.secret) == nil)
            #expect(try await directory.authenticate(secret: second.secret)?.1.id == second.record.id)
            let listed = try await directory.tokens(in: acme.id)
            #expect(listed.first?.revoked != nil)
            #expect(listed.last?.revoked == nil)
            await expectSCIMError(.notFound, nil) { _ = try await directory.issueToken(in: 999, label: "nobody's") }
        }
    }

    @Test(arguments: TestBackend.available)
    func recordsATokensLastUseAtMostOnceAMinute(backend: TestBackend) async throws {
        try await backend.withDirectory { directory in
            let acme = try await directory.createOrganisation(slug: "acme", name: "Acme")
            let issued = try await directory.issueToken(in: acme.id, label: "Entra ID")
            let first = try #require(try await directory.authenticate(secret: issued.secret)?.1.lastUsed)
            let again = try #require(try await directory.authenticate(secret: issued.secret)?.1.lastUsed)
            #expect(again == first)

            try await directory.execute("UPDATE tokens SET last_used = last_used - 61")
            let aged = try #require(try await directory.tokens(in: acme.id).first?.lastUsed)
            let later = try #require(try await directory.authenticate(secret: issued.secret)?.1.lastUsed)
            #expect(later > aged)
            #expect(try await directory.tokens(in: acme.id).first?.lastUsed == later)
        }
    }

    @Test func hashesWithSHA256AndComparesInConstantTime() {
        #expect(TokenHasher.hash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let hash = TokenHasher.hash("klx_secret")
        #expect(TokenHasher.constantTimeEquals(hash, hash))
        let flippedFirst = (hash.hasPrefix("0") ? "1" : "0") + String(hash.dropFirst())
        let flippedLast = String(hash.dropLast()) + (hash.hasSuffix("0") ? "1" : "0")
        #expect(!TokenHasher.constantTimeEquals(hash, flippedFirst))
        #expect(!TokenHasher.constantTimeEquals(hash, flippedLast))
        #expect(!TokenHasher.constantTimeEquals(hash, String(hash.dropLast())))
        #expect(!TokenHasher.constantTimeEquals(hash, ""))
    }

    @Test(arguments: TestBackend.available)
    func renamesTokensOfItsOwnOrganisationOnly(backend: TestBackend) async throws {
        try await backend.withDirectory { directory in
            let acme = try await directory.createOrganisation(slug: "acme", name: "Acme")
            let globex = try await directory.createOrganisation(slug: "globex", name: "Globex")
            let issued = try await directory.issueToken(in: acme.id, label: "Entra ID")
            let theirs = try await directory.issueToken(in: globex.id, label: "Okta")

            #expect(try await directory.renameToken(issued.record.id, to: "Entra ID production", in: acme.id))
            var expected = issued.record
            expected.label = "Entra ID production"
            #expect(try await directory.tokens(in: acme.id) == [expected])
            // The secret still works, and the label it authenticates with is the new one.
            #expect(try await directory.authenticate(secret: issued.secret)?.1.label == "Entra ID production")

            // Globex's token 1 has the same id as Acme's: renaming through Acme never reaches it.
            #expect(theirs.record.id == issued.record.id)
            #expect(try await directory.renameToken(99, to: "x", in: acme.id) == false)
            #expect(try await directory.renameToken(issued.record.id, to: "x", in: 999) == false)
            #expect(try await directory.tokens(in: globex.id).map(\.label) == ["Okta"])

            // Revoked tokens keep their label until renamed, and can be renamed.
            #expect(try await directory.revokeToken(issued.record.id, in: acme.id))
            #expect(try await directory.renameToken(issued.record.id, to: "", in: acme.id))
            #expect(try await directory.tokens(in: acme.id).map(\.label) == [""])
        }
    }

    @Test(arguments: TestBackend.available)
    func keepsRecentActivityNewestFirst(backend: TestBackend) async throws {
        try await backend.withDirectory { directory in
            let acme = try await directory.createOrganisation(slug: "acme", name: "Acme")
            let start = Date(timeIntervalSince1970: 1_700_000_000)
            let entries = (0..<5).map { (index: Int) -> ActivityEntry in
                let failed = index == 3
                return ActivityEntry(
                    organisation: acme.id, at: start.addingTimeInterval(Double(index)), method: "POST", path: "/scim/v2/acme/Users",
                    status: failed ? 409 : 201, resourceID: failed ? nil : "id-\(index)",
                    detail: failed ? "userName 'bjensen' is already taken" : nil, client: "Okta SCIM Client 1.0.0")
            }
            for entry in entries {
                try await directory.recordActivity([entry])
            }
            // Two entries in the same instant keep the order they were recorded in.
            let sameInstant = ActivityEntry(organisation: acme.id, at: entries[4].at, method: "DELETE", path: "/scim/v2/acme/Users/x", status: 204)
            try await directory.recordActivity([sameInstant])

            #expect(try await directory.recentActivity(in: acme.id, limit: 3) == [sameInstant, entries[4], entries[3]])
            #expect(try await directory.recentActivity(in: acme.id, limit: 100).count == 6)
            #expect(try await directory.recentActivity(in: acme.id, limit: 0).isEmpty)
            #expect(try await directory.recentActivity(in: acme.id, limit: -1).isEmpty)
        }
    }

    @Test(arguments: TestBackend.available)
    func prunesActivityBeforeTheCutoffInBatchesAndOnlyOfTheOrganisation(backend: TestBackend) async throws {
        try await backend.withDirectory { directory in
            let acme = try await directory.createOrganisation(slug: "acme", name: "Acme")
            let globex = try await directory.createOrganisation(slug: "globex", name: "Globex")
            let cutoff = Date(timeIntervalSince1970: 1_700_000_000)
            func entries(_ org: Organisation, _ count: Int, from start: Date) -> [ActivityEntry] {
                (0..<count).map { ActivityEntry(organisation: org.id, at: start.addingTimeInterval(Double($0)), method: "GET", path: "/\($0)", status: 200) }
            }
            let old = entries(acme, 7, from: cutoff.addingTimeInterval(-100))
            let kept = entries(acme, 3, from: cutoff)
            // Recorded out of time order, so batches picked by time are not simply the first rows by key.
            try await directory.recordActivity(kept + old)
            try await directory.recordActivity(entries(globex, 4, from: cutoff.addingTimeInterval(-100)))

            // Batches of 3 over 7 old entries: 3, 3, then a short batch of 1 ends it.
            #expect(try await directory.pruneActivity(in: acme.id, before: cutoff, batchSize: 3) == 7)
            // An entry exactly at the cutoff is kept.
            #expect(try await directory.recentActivity(in: acme.id, limit: 100) == kept.reversed())
            #expect(try await directory.recentActivity(in: globex.id, limit: 100).count == 4)

            // Nothing left to prune; and a batch that removes exactly a full batch still stops after one empty batch.
            #expect(try await directory.pruneActivity(in: acme.id, before: cutoff) == 0)
            #expect(try await directory.pruneActivity(in: globex.id, before: cutoff, batchSize: 2) == 4)
            #expect(try await directory.recentActivity(in: globex.id, limit: 100).isEmpty)
            // Unknown organisation: nothing to remove.
            #expect(try await directory.pruneActivity(in: 999, before: Date()) == 0)

            // Entries recorded after a prune still come newest first.
            let later = ActivityEntry(organisation: acme.id, at: cutoff.addingTimeInterval(2), method: "DELETE", path: "/later", status: 204)
            try await directory.recordActivity([later])
            #expect(try await directory.recentActivity(in: acme.id, limit: 1) == [later])
        }
    }
}
