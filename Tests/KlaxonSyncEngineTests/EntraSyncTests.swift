import Foundation
import KlaxonSyncEngine
import SCIM
import Testing

/// An Entra ID export synchronised into the real server through Mappings/entra-id.yaml, then changed and
/// synchronised again.
@Suite struct EntraSyncTests {
    struct ExportUser {
        var id: String
        var upn: String
        var given: String
        var surname: String
        var city: String
        var mobile: String?
        var enabled = true

        var json: String {
            let mobileMember = mobile.map { #","mobile":"\#($0)""# } ?? ""
            return #"""
                {"@odata.type":"#microsoft.graph.user","id":"\#(id)","userPrincipalName":"\#(upn)","accountEnabled":\#(enabled),
                 "displayName":"\#(given) \#(surname)","givenName":"\#(given)","surname":"\#(surname)","mail":"\#(upn)",
                 "mailNickname":"\#(upn.split(separator: "@").first ?? "")","jobTitle":"Engineer","city":"\#(city)","department":"Operations"\#(mobileMember)}
                """#
        }
    }

    struct ExportGroup {
        var id: String
        var name: String
        var members: [String]

        var json: String {
            let list = members.map { ##"{"@odata.type":"#microsoft.graph.user","id":"\##($0)"}"## }.joined(separator: ",")
            return ##"{"@odata.type":"#microsoft.graph.group","id":"\##(id)","displayName":"\##(name)","securityEnabled":true,"members":[\##(list)]}"##
        }
    }

    /// Two users in different cities, for the tests that need a small group.
    static let twoUsers = [
        ExportUser(id: "u-1", upn: "zoe.hart@contoso.com", given: "Zoë", surname: "Hart", city: "Leeds"),
        ExportUser(id: "u-2", upn: "sam.lee@contoso.com", given: "Sam", surname: "Lee", city: "York"),
    ]

    static func export(_ users: [ExportUser], _ groups: [ExportGroup]) -> String {
        #"{"value":["# + (users.map(\.json) + groups.map(\.json)).joined(separator: ",\n") + "]}"
    }

    @Test func exportThenChanges() async throws {
        try await SyncTarget.run { target in
            var users = [
                ExportUser(id: "u-1", upn: "zoe.hart@contoso.com", given: "Zoë", surname: "Hart", city: " Leeds ", mobile: "07911 123456"),
                ExportUser(id: "u-2", upn: "sam.lee@contoso.com", given: "Sam", surname: "Lee", city: "York"),
                ExportUser(id: "u-3", upn: "ann.bell@contoso.com", given: "Ann", surname: "Bell", city: "Hull", mobile: "07700 900123"),
            ]
            var groups = [
                ExportGroup(id: "g-1", name: "Leeds duty managers", members: ["u-1", "u-2"]),
                ExportGroup(id: "g-2", name: "Everyone", members: ["u-1", "u-2", "u-3"]),
            ]
            let mapping = shippedMapping("entra-id.yaml")
            let first = try await target.sync(mapping: mapping, source: try target.file("export.json", Self.export(users, groups)), format: .json)
            #expect(first.failures == [])
            #expect((first.created, first.updated, first.disabled, first.skipped) == (5, 0, 0, 0))

            let zoe = try await target.user("zoe.hart@contoso.com")
            #expect(zoe["active"] == true)
            #expect(zoe["displayName"] == "Zoë Hart")
            #expect(zoe["name"]?["givenName"] == "Zoë")
            #expect(zoe["name"]?["familyName"] == "Hart")
            #expect(zoe["name"]?["formatted"] == "Zoë Hart")
            #expect(zoe["title"] == "Engineer")
            #expect(zoe["externalId"] == "zoe.hart")
            #expect(zoe["emails"] == [["type": "work", "value": "zoe.hart@contoso.com"]])
            #expect(zoe["addresses"] == [["type": "work", "locality": " Leeds "]])
            #expect(zoe["phoneNumbers"] == [["type": "mobile", "value": "07911 123456"]])
            #expect(zoe[SchemaURN.klaxonUser]?["location"] == "Leeds")
            #expect(zoe[SchemaURN.klaxonUser]?["notificationPhoneNumber"] == "07911 123456")
            #expect(zoe["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]?["department"] == "Operations")
            let zoeID = try #require(zoe["id"]?.stringValue)
            let samID = try #require(try await target.user("sam.lee@contoso.com")["id"]?.stringValue)
            let annID = try #require(try await target.user("ann.bell@contoso.com")["id"]?.stringValue)
            let leeds = try await target.group("Leeds duty managers")
            #expect(Set(leeds["members"]?.arrayValue?.compactMap { $0["value"]?.stringValue } ?? []) == [zoeID, samID])
            #expect(leeds["externalId"] == "g-1")

            // The same export again sends nothing.
            let again = try await target.sync(mapping: mapping, source: try target.file("export.json", Self.export(users, groups)), format: .json)
            #expect(again.failures == [])
            #expect((again.created, again.updated, again.disabled, again.skipped) == (0, 0, 0, 5))

            // Sam is renamed, Zoë gets a new mobile, Ann moves to York, then Ann is disabled; Sam leaves the
            // Leeds group, which is renamed.
            users[1].surname = "Leigh"
            users[0].mobile = "07911 654321"
            users[2].city = "York"
            users[2].enabled = false
            groups[0].members = ["u-1"]
            groups[0].name = "Leeds duty managers (days)"
            let changed = try await target.sync(mapping: mapping, source: try target.file("export.json", Self.export(users, groups)), format: .json)
            #expect(changed.failures == [])
            #expect((changed.created, changed.updated, changed.disabled, changed.skipped) == (0, 3, 1, 1))

            let sam = try await target.user("sam.lee@contoso.com")
            #expect(sam["displayName"] == "Sam Leigh")
            #expect(sam["name"]?["familyName"] == "Leigh")
            #expect(sam["name"]?["formatted"] == "Sam Leigh")
            #expect(sam["active"] == true)
            let zoeAfter = try await target.user("zoe.hart@contoso.com")
            #expect(zoeAfter["phoneNumbers"] == [["type": "mobile", "value": "07911 654321"]])
            #expect(zoeAfter[SchemaURN.klaxonUser]?["notificationPhoneNumber"] == "07911 654321")
            #expect(zoeAfter[SchemaURN.klaxonUser]?["location"] == "Leeds")
            let ann = try await target.user("ann.bell@contoso.com")
            #expect(ann["active"] == false)
            #expect(ann["addresses"] == [["type": "work", "locality": "York"]])
            #expect(ann[SchemaURN.klaxonUser]?["location"] == "York")
            #expect(ann["id"]?.stringValue == annID)
            let renamed = try await target.group("Leeds duty managers (days)")
            #expect(renamed["id"] == leeds["id"])
            #expect(renamed["members"]?.arrayValue?.compactMap { $0["value"]?.stringValue } == [zoeID])
            let everyone = try await target.group("Everyone")
            #expect(Set(everyone["members"]?.arrayValue?.compactMap { $0["value"]?.stringValue } ?? []) == [zoeID, samID, annID])
            #expect(try await target.all("/Users").count == 3)
            #expect(try await target.all("/Groups").count == 2)

            // Sam leaves: gone from the export, so deactivated (the users mapping says disable, not delete),
            // and out of the group that still listed him.
            users.remove(at: 1)
            let left = try await target.sync(mapping: mapping, source: try target.file("export.json", Self.export(users, groups)), format: .json)
            #expect(left.failures == [])
            #expect((left.created, left.updated, left.disabled, left.deleted, left.skipped) == (0, 1, 1, 0, 3))
            #expect(try await target.user("sam.lee@contoso.com")["active"] == false)
            let everyoneAfter = try await target.group("Everyone")
            #expect(Set(everyoneAfter["members"]?.arrayValue?.compactMap { $0["value"]?.stringValue } ?? []) == [zoeID, annID])
        }
    }

    @Test func dryRunSendsNothing() async throws {
        try await SyncTarget.run { target in
            let users = [ExportUser(id: "u-1", upn: "zoe.hart@contoso.com", given: "Zoë", surname: "Hart", city: "Leeds", mobile: "07911 123456")]
            let report = try await target.sync(
                mapping: shippedMapping("entra-id.yaml"), source: try target.file("export.json", Self.export(users, [])), format: .json,
                dryRun: true)
            #expect(report.created == 1)
            #expect(report.planned.count == 1)
            #expect(report.planned.first?.hasPrefix("POST /Users {") == true)
            #expect(report.planned.first?.contains(#""notificationPhoneNumber":"[redacted]""#) == true, "redact: true in the mapping")
            #expect(try await target.all("/Users").isEmpty)
        }
    }
}

extension EntraSyncTests {
    /// A later export made without members (no `$expand=members`) leaves the memberships alone.
    @Test func exportWithoutMembersKeepsMemberships() async throws {
        try await SyncTarget.run { target in
            let users = [ExportUser(id: "u-1", upn: "zoe.hart@contoso.com", given: "Zoë", surname: "Hart", city: "Leeds")]
            let mapping = shippedMapping("entra-id.yaml")
            let first = try await target.sync(
                mapping: mapping, source: try target.file("export.json", Self.export(users, [ExportGroup(id: "g-1", name: "Ops", members: ["u-1"])])),
                format: .json)
            #expect(first.created == 2)
            let bare = Self.export(users, []).replacingOccurrences(
                of: "]}", with: ##",{"@odata.type":"#microsoft.graph.group","id":"g-1","displayName":"Ops","description":"renamed"}]}"##)
            let second = try await target.sync(mapping: mapping, source: try target.file("export.json", bare), format: .json)
            #expect(second.failures == [])
            #expect(try await target.group("Ops")["members"]?.arrayValue?.count == 1)
        }
    }
}

extension EntraSyncTests {
    /// Without a state file a renamed group is found by its externalId (Entra's objectId, the mapping's first
    /// matching attribute) and renamed, not created a second time beside the old one.
    @Test func renamedGroupWithoutAStateFile() async throws {
        try await SyncTarget.run { target in
            let users = Self.twoUsers
            var groups = [ExportGroup(id: "g-1", name: "Leeds duty managers", members: ["u-1", "u-2"])]
            let mapping = shippedMapping("entra-id.yaml")
            let first = try await target.sync(
                mapping: mapping, source: try target.file("export.json", Self.export(users, groups)), format: .json, withState: false)
            #expect(first.failures == [])
            #expect(first.created == 3)
            let before = try await target.group("Leeds duty managers")
            let members = Set(before["members"]?.arrayValue?.compactMap { $0["value"]?.stringValue } ?? [])
            #expect(members.count == 2)

            groups[0].name = "Leeds duty managers (days)"
            let second = try await target.sync(
                mapping: mapping, source: try target.file("export.json", Self.export(users, groups)), format: .json, withState: false)
            #expect(second.failures == [])
            #expect((second.created, second.updated, second.skipped) == (0, 1, 2))
            #expect(try await target.all("/Groups").count == 1)
            let after = try await target.group("Leeds duty managers (days)")
            #expect(after["id"] == before["id"])
            #expect(after["externalId"] == "g-1")
            #expect(Set(after["members"]?.arrayValue?.compactMap { $0["value"]?.stringValue } ?? []) == members)
            #expect(!FileManager.default.fileExists(atPath: target.statePath))
        }
    }

    /// An export that breaks off halfway is reported with its line; the users it did not get to are neither
    /// deactivated nor forgotten, and the group it never reached is not deleted.
    @Test func aSourceThatBreaksOffDeactivatesNobody() async throws {
        try await SyncTarget.run { target in
            let users = (1...3).map { ExportUser(id: "u-\($0)", upn: "user\($0)@contoso.com", given: "User", surname: "\($0)", city: "Leeds") }
            let mapping = shippedMapping("entra-id.yaml")
            let first = try await target.sync(
                mapping: mapping, source: try target.file("export.json", Self.export(users, [ExportGroup(id: "g-1", name: "All", members: ["u-1", "u-2", "u-3"])])),
                format: .json)
            #expect(first.created == 4)

            // No comma between the second and third user: the export cannot be read past line 7.
            let broken = #"{"value":["# + users[0].json + ",\n" + users[1].json + "\n" + users[2].json + "]}"
            let second = try await target.sync(mapping: mapping, source: try target.file("export.json", broken), format: .json)
            #expect(second.failures.count == 1)
            #expect(second.failures.first?.object == "source")
            #expect(second.failures.first?.line == 7)
            #expect(second.failures.first?.reason.hasSuffix("export.json, line 7: expected ',' or ']' after record 2") == true)
            #expect((second.created, second.updated, second.disabled, second.deleted, second.skipped) == (0, 0, 0, 0, 2))
            #expect(try await target.user("user3@contoso.com")["active"] == true)
            #expect(try await target.group("All")["members"]?.arrayValue?.count == 3)
            let state = try SyncState.load(path: target.statePath)
            #expect(Set(state.entries.keys) == ["user:u-1", "user:u-2", "user:u-3", "group:g-1"])
        }
    }

    /// A user that fails in a later run stays in its groups: found by the id the state file recorded, or, without
    /// a state file, because its groups lose no members in a run where one of theirs failed.
    @Test(arguments: [true, false]) func aUserThatFailsStaysInItsGroups(withState: Bool) async throws {
        try await SyncTarget.run { target in
            var users = Self.twoUsers
            let groups = [ExportGroup(id: "g-1", name: "Duty managers", members: ["u-1", "u-2"])]
            let mapping = shippedMapping("entra-id.yaml")
            let first = try await target.sync(
                mapping: mapping, source: try target.file("export.json", Self.export(users, groups)), format: .json, withState: withState)
            #expect(first.failures == [])
            #expect(try await target.group("Duty managers")["members"]?.arrayValue?.count == 2)

            // This user fails the next run: with a state file it is found by id and its new userName is taken (409);
            // without one, an empty userName is refused.
            users[1].upn = withState ? users[0].upn : ""
            let second = try await target.sync(
                mapping: mapping, source: try target.file("export.json", Self.export(users, groups)), format: .json, withState: withState)
            #expect(second.failures.map(\.object) == ["user:u-2"])
            #expect(try await target.group("Duty managers")["members"]?.arrayValue?.count == 2)

            // What failed is tried again: the state did not record the failed change as sent.
            let third = try await target.sync(
                mapping: mapping, source: try target.file("export.json", Self.export(users, groups)), format: .json, withState: withState)
            #expect(third.failures.map(\.object) == ["user:u-2"])
        }
    }

    /// A user record the export cannot give (broken JSON inside it) is reported and skipped; that user is not
    /// deactivated for being absent, its groups keep it, and the state still knows it.
    @Test func anUnreadableRecordDeactivatesNobodyAndEmptiesNoGroup() async throws {
        try await SyncTarget.run { target in
            let users = Self.twoUsers
            let groups = [ExportGroup(id: "g-1", name: "Duty managers", members: ["u-1", "u-2"])]
            let mapping = shippedMapping("entra-id.yaml")
            let first = try await target.sync(mapping: mapping, source: try target.file("export.json", Self.export(users, groups)), format: .json)
            #expect(first.failures == [])

            let broken = #"{"value":["# + users[0].json + ",\n" + #"{"id":"u-2","userPrincipalName":,}"# + ",\n" + groups[0].json + "]}"
            let second = try await target.sync(mapping: mapping, source: try target.file("export.json", broken), format: .json)
            #expect(second.failures.map(\.line) == [4])  // the first user takes lines 1–3
            #expect((second.disabled, second.deleted) == (0, 0))
            #expect(try await target.user("sam.lee@contoso.com")["active"] == true)
            #expect(try await target.group("Duty managers")["members"]?.arrayValue?.count == 2)
            #expect(try SyncState.load(path: target.statePath).entries["user:u-2"] != nil)
        }
    }
}
