import Foundation
import KlaxonSyncEngine
import NIOHTTP1
import SCIM
import Testing

/// What a run must not do to the target: disable a user renamed in a source without ids, let two records with
/// one key overwrite each other run after run, disable users or empty groups because an export left them out,
/// remove members an export gave only in part; and clearing an attribute converges.
@Suite struct SyncSafetyTests {
    /// Users from a CSV without an id column: keyed by their first matching value, the login.
    static func csvMapping(actions: String, onNull: String = "skip") -> String {
        """
        apiVersion: klaxon.sync/v1
        kind: MappingSet
        metadata: { name: staff }
        source: { system: custom }
        target: { schemas: [urn:ietf:params:scim:schemas:core:2.0:User] }
        objectMappings:
          - name: users
            source: { object: row, attributes: [login, number, title, mail, status] }
            target: { resource: User }
            actions: [\(actions)]
            mappings:
              - { target: userName, type: direct, source: login, match: { precedence: 1 } }
              - { target: externalId, type: direct, source: number, match: { precedence: 2 } }
              - { target: title, type: direct, source: title, onNull: \(onNull) }
              - { target: 'emails[type eq "work"].value', type: direct, source: mail, onNull: \(onNull) }
              - target: active
                type: expression
                expression: 'Switch([status], "True", "Left", "False")'
        """
    }

    @Test(arguments: ["create, update, disable", "create, update, delete"])
    func aRenameInASourceWithoutIDsIsAnUpdate(actions: String) async throws {
        try await SyncTarget.run { target in
            let mapping = try target.file("staff.yaml", Self.csvMapping(actions: actions))
            let before = "login,number,title,mail,status\namy@example.com,E1,Nurse,amy@example.com,Active\nbo@example.com,E2,Porter,,Active\n"
            #expect(try await target.sync(mapping: mapping, source: try target.file("a.csv", before), format: .csv).created == 2)
            let id = try await target.user("amy@example.com")["id"]
            let renamed = before.replacingOccurrences(of: "amy@example.com,E1", with: "amy.lee@example.com,E1")
            let second = try await target.sync(mapping: mapping, source: try target.file("b.csv", renamed), format: .csv)
            #expect((second.updated, second.disabled, second.deleted, second.failed) == (1, 0, 0, 0), "\(second.summary)")
            let amy = try await target.user("amy.lee@example.com")
            #expect(amy["id"] == id)
            #expect(amy["active"] == true)
            let third = try await target.sync(mapping: mapping, source: try target.file("b.csv", renamed), format: .csv)
            #expect((third.updated, third.disabled, third.deleted, third.skipped) == (0, 0, 0, 2), "\(third.summary)")
            #expect(try await target.user("amy.lee@example.com")["active"] == true)
        }
    }

    /// A rename whose record then fails keeps the user: if the lookup failed (the record may be the renamed user),
    /// no user is retired; if the user was found and its update failed, the old key stays in the state, so that the
    /// user is still deactivated once it leaves the source.
    @Test func aRenamedRecordThatFailsLosesNoUser() async throws {
        try await SyncTarget.run { target in
            let mapping = try target.file("staff.yaml", Self.csvMapping(actions: "create, update, disable"))
            let header = "login,number,title,mail,status\n"
            let both = header + "amy@example.com,E1,Nurse,,Active\nbo@example.com,E2,Porter,,Active\n"
            #expect(try await target.sync(mapping: mapping, source: try target.file("a.csv", both), format: .csv).created == 2)
            // Amy's new login makes a filter longer than the target accepts: her lookup fails.
            let unreadable = both.replacingOccurrences(of: "amy@example.com,E1", with: String(repeating: "a", count: 5000) + "@example.com,E1")
            let first = try await target.sync(mapping: mapping, source: try target.file("b.csv", unreadable), format: .csv)
            #expect((first.failed, first.disabled) == (1, 0), "\(first.summary)")
            #expect(first.notes.contains { $0.hasPrefix("a user failed before its target was found") })
            #expect(try await target.user("amy@example.com")["active"] == true)
            // Bo's new login is found by his number, but the update is refused (the name is too long to store).
            let refused = both.replacingOccurrences(of: "bo@example.com,E2", with: String(repeating: "b", count: 1100) + "@example.com,E2")
            let second = try await target.sync(mapping: mapping, source: try target.file("c.csv", refused), format: .csv)
            #expect((second.failed, second.disabled) == (1, 0), "\(second.summary)")
            #expect(try await target.user("bo@example.com")["active"] == true)
            // Bo leaves the source: the state still knew him, so he is deactivated.
            let left = try await target.sync(mapping: mapping, source: try target.file("d.csv", header + "amy@example.com,E1,Nurse,,Active\n"), format: .csv)
            #expect(left.disabled == 1, "\(left.summary)")
            #expect(try await target.user("bo@example.com")["active"] == false)
        }
    }

    /// A record keyed by a matching value that fails in mapping cannot say which object it is: nothing of its kind
    /// is retired (the row is still there; it may be a renamed one).
    @Test func aRecordThatFailsToMapRetiresNobody() async throws {
        try await SyncTarget.run { target in
            let mapping = try target.file("dated.yaml", """
                apiVersion: klaxon.sync/v1
                kind: MappingSet
                metadata: { name: dated }
                source: { system: custom }
                target: { schemas: [urn:ietf:params:scim:schemas:core:2.0:User] }
                objectMappings:
                  - name: users
                    source: { object: row, attributes: [login, started] }
                    target: { resource: User }
                    actions: [create, update, disable]
                    mappings:
                      - { target: userName, type: direct, source: login, match: { precedence: 1 } }
                      - target: title
                        type: direct
                        source: started
                        transform: [{ use: date.format, with: { from: d/M/yyyy, to: iso8601, onInvalid: error } }]
                """)
            let good = "login,started\nkim@example.com,1/1/2020\nlee@example.com,2/2/2021\n"
            #expect(try await target.sync(mapping: mapping, source: try target.file("a.csv", good), format: .csv).created == 2)
            let broken = good.replacingOccurrences(of: "1/1/2020", with: "not-a-date")
            let report = try await target.sync(mapping: mapping, source: try target.file("b.csv", broken), format: .csv)
            #expect((report.failed, report.disabled) == (1, 0), "\(report.summary)")
            #expect(try await target.user("kim@example.com")["active"] != false, "not deactivated")
            let fixed = try await target.sync(mapping: mapping, source: try target.file("a.csv", good), format: .csv)
            #expect((fixed.failed, fixed.disabled, fixed.created) == (0, 0, 0), "\(fixed.summary)")
        }
    }

    /// The same for groups, decided once every group has run: a renamed group whose lookup failed is not deleted.
    @Test func aGroupWhoseLookupFailedDeletesNoGroup() async throws {
        try await SyncTarget.run { target in
            let mapping = try target.file("teams.yaml", """
                apiVersion: klaxon.sync/v1
                kind: MappingSet
                metadata: { name: teams }
                source: { system: custom }
                target: { schemas: [urn:ietf:params:scim:schemas:core:2.0:Group] }
                objectMappings:
                  - name: groups
                    source: { object: team, attributes: [displayName, code] }
                    target: { resource: Group }
                    actions: [create, update, delete]
                    mappings:
                      - { target: displayName, type: direct, source: displayName, match: { precedence: 1 } }
                      - { target: externalId, type: direct, source: code, match: { precedence: 2 } }
                """)
            let first = #"{"groups": [{"displayName": "Ops", "code": "g1", "groupTypes": []}]}"#
            #expect(try await target.sync(mapping: mapping, source: try target.file("a.json", first), format: .json).created == 1)
            // A second target group with the same externalId makes the renamed group's lookup ambiguous.
            let manual: JSONValue = ["schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "Manual", "externalId": "g1"]
            #expect(try await target.client.send(.POST, "/Groups", body: manual).status == 201)
            let renamed = #"{"groups": [{"displayName": "Ops2", "code": "g1", "groupTypes": []}]}"#
            let report = try await target.sync(mapping: mapping, source: try target.file("b.json", renamed), format: .json)
            #expect((report.failed, report.deleted) == (1, 0), "\(report.summary)")
            #expect(report.notes.contains { $0.hasPrefix("a group failed before its target was found") })
            #expect(try await target.group("Ops")["displayName"] == "Ops")
        }
    }

    @Test func twoRecordsWithOneKeyAreReportedAndTheFirstWins() async throws {
        try await SyncTarget.run { target in
            let mapping = try target.file("staff.yaml", Self.csvMapping(actions: "create, update, disable"))
            let csv = "login,number,title,mail,status\nbo@example.com,E1042,Porter,,Left\nbo@example.com,E2042,Nurse,,Active\n"
            for run in 1...3 {
                let report = try await target.sync(mapping: mapping, source: try target.file("dup.csv", csv), format: .csv)
                #expect(
                    report.failures == [.init(object: "user:bo@example.com", line: 3, reason: "line 2 has the same user; only that one is synchronised")],
                    "run \(run)")
                let bo = try await target.user("bo@example.com")
                #expect(bo["active"] == false, "run \(run)")
                #expect(bo["externalId"] == "E1042", "run \(run)")
            }
        }
    }

    static let graphExport = """
        {"users": [
          {"id": "u-1", "userPrincipalName": "zoe@contoso.com", "accountEnabled": true, "displayName": "Zoë"},
          {"id": "u-2", "userPrincipalName": "sam@contoso.com", "accountEnabled": true, "displayName": "Sam"}
        ],
        "groups": [{"id": "g-1", "displayName": "Leeds", "members": [{"id": "u-1"}, {"id": "u-2"}]}]}
        """

    /// The userNames of a group's members.
    func memberNames(_ target: SyncTarget, _ group: String) async throws -> Set<String> {
        let members = try await target.group(group)["members"]?.arrayValue ?? []
        let ids = Set(members.compactMap { $0["value"]?.stringValue })
        return Set(try await target.all("/Users").filter { ids.contains($0["id"]?.stringValue ?? "") }.compactMap { $0["userName"]?.stringValue })
    }

    @Test func anExportWithoutUsersDisablesNoneAndEmptiesNoGroup() async throws {
        try await SyncTarget.run { target in
            let mapping = shippedMapping("entra-id.yaml")
            let first = try await target.sync(mapping: mapping, source: try target.file("all.json", Self.graphExport), format: .json)
            #expect(first.created == 3)
            let groupsOnly = #"{"groups": [{"id": "g-1", "displayName": "Leeds", "members": [{"id": "u-1"}, {"id": "u-2"}]}]}"#
            let second = try await target.sync(mapping: mapping, source: try target.file("groups.json", groupsOnly), format: .json)
            #expect((second.disabled, second.updated, second.failed) == (0, 0, 0), "\(second.summary)")
            #expect(second.notes.contains { $0.hasPrefix("the source has no users: the 2 the last run synchronised are left as they are") })
            #expect(try await target.user("zoe@contoso.com")["active"] == true)
            #expect(try await memberNames(target, "Leeds") == ["zoe@contoso.com", "sam@contoso.com"])
            // The state still knows the users: the full export again changes nothing.
            let third = try await target.sync(mapping: mapping, source: try target.file("all.json", Self.graphExport), format: .json)
            #expect((third.created, third.updated, third.disabled, third.skipped) == (0, 0, 0, 3), "\(third.summary)")
        }
    }

    @Test func aMappingWithoutUsersRemovesNoMemberItCannotTranslate() async throws {
        try await SyncTarget.run { target in
            let full = try await target.sync(
                mapping: shippedMapping("entra-id.yaml"), source: try target.file("all.json", Self.graphExport), format: .json, withState: false)
            #expect(full.created == 3)
            let groupsOnly = try String(contentsOfFile: shippedMapping("entra-id.yaml"), encoding: .utf8)
                .replacingOccurrences(of: "  - name: users\n    enabled: true", with: "  - name: users\n    enabled: false")
            let report = try await target.sync(
                mapping: try target.file("groups.yaml", groupsOnly), source: try target.file("all.json", Self.graphExport), format: .json,
                withState: false)
            #expect(report.failed == 0, "\(report.summary)")
            #expect(report.notes == ["group:g-1: 2 of its members are users no run has synchronised, so none is removed"])
            #expect(try await memberNames(target, "Leeds") == ["zoe@contoso.com", "sam@contoso.com"])
        }
    }

    /// A run that held back removals (its export named members no run knows) leaves the group to be compared again,
    /// so the next full run removes what it must even though the group's record is the same as in that run.
    @Test func membersHeldBackAreRemovedByTheNextFullRun() async throws {
        try await SyncTarget.run { target in
            let mapping = shippedMapping("entra-id.yaml")
            #expect(try await target.sync(mapping: mapping, source: try target.file("all.json", Self.graphExport), format: .json).created == 3)
            let groupsOnly = #"{"groups": [{"id": "g-1", "displayName": "Leeds", "members": [{"id": "u-1"}, {"id": "u-9"}]}]}"#
            let held = try await target.sync(mapping: mapping, source: try target.file("groups.json", groupsOnly), format: .json)
            #expect(held.notes.contains { $0.hasPrefix("group:g-1: 1 of its members are users no run has synchronised") }, "\(held.summary)")
            #expect(try await memberNames(target, "Leeds") == ["zoe@contoso.com", "sam@contoso.com"])
            let samLeft = Self.graphExport.replacingOccurrences(of: #""members": [{"id": "u-1"}, {"id": "u-2"}]"#, with: #""members": [{"id": "u-1"}]"#)
            let full = try await target.sync(mapping: mapping, source: try target.file("all.json", samLeft), format: .json)
            #expect(full.updated == 1, "\(full.summary)")
            #expect(try await memberNames(target, "Leeds") == ["zoe@contoso.com"])
        }
    }

    @Test func membersGivenInPartAreNotRemoved() async throws {
        try await SyncTarget.run { target in
            let mapping = shippedMapping("entra-id.yaml")
            #expect(try await target.sync(mapping: mapping, source: try target.file("all.json", Self.graphExport), format: .json).created == 3)
            let paged = Self.graphExport.replacingOccurrences(
                of: #""members": [{"id": "u-1"}, {"id": "u-2"}]"#,
                with: #""members": [{"id": "u-1"}], "members@odata.nextLink": "https://graph.microsoft.com/v1.0/groups/g-1/members?$skiptoken=X""#)
            let report = try await target.sync(mapping: mapping, source: try target.file("paged.json", paged), format: .json)
            #expect(report.notes.contains { $0.hasPrefix("group:g-1: the export gives only the first page of its members") })
            #expect(try await memberNames(target, "Leeds") == ["zoe@contoso.com", "sam@contoso.com"])
        }
    }

    /// Entra's None: "the target attribute is left unmodified. However, if the target attribute is ever empty,
    /// it's populated with the Default value".
    @Test func aNoneMappingFillsOnlyWhatIsEmpty() async throws {
        try await SyncTarget.run { target in
            let mapping = try target.file("none.yaml", """
                apiVersion: klaxon.sync/v1
                kind: MappingSet
                metadata: { name: none }
                source: { system: custom }
                target: { schemas: [urn:ietf:params:scim:schemas:core:2.0:User] }
                objectMappings:
                  - name: users
                    source: { object: row, attributes: [login] }
                    target: { resource: User }
                    actions: [create, update]
                    mappings:
                      - { target: userName, type: direct, source: login, match: { precedence: 1 } }
                      - { target: title, type: none, default: { value: Staff, apply: always } }
                      - { target: nickName, type: none, default: Newbie }
                """)
            let csv = try target.file("a.csv", "login\nboss@example.com\n")
            #expect(try await target.sync(mapping: mapping, source: csv, format: .csv, withState: false).created == 1)
            let created = try await target.user("boss@example.com")
            #expect((created["title"], created["nickName"]) == ("Staff", "Newbie"))
            // An admin gives the user a title and clears the nickname at the target.
            let id = try #require(created["id"]?.stringValue)
            let edit: JSONValue = [
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations": [["op": "replace", "path": "title", "value": "Chief Executive"], ["op": "remove", "path": "nickName"]],
            ]
            #expect(try await target.client.send(.PATCH, "/Users/\(id)", body: edit).status == 200)
            let report = try await target.sync(mapping: mapping, source: csv, format: .csv, withState: false)
            #expect(report.updated == 1, "\(report.summary)")
            let after = try await target.user("boss@example.com")
            #expect(after["title"] == "Chief Executive", "a value the target has is left alone")
            #expect(after["nickName"] == "Newbie", "an empty one gets the default")
            let again = try await target.sync(mapping: mapping, source: csv, format: .csv, withState: false)
            #expect((again.updated, again.skipped) == (0, 1), "\(again.summary)")
        }
    }

    @Test func clearingConvergesAndRemovesTheWholeEmail() async throws {
        try await SyncTarget.run { target in
            let mapping = try target.file("staff.yaml", Self.csvMapping(actions: "create, update, disable", onNull: "clear"))
            let full = "login,number,title,mail,status\namy@example.com,E1,Nurse,amy@example.com,Active\n"
            #expect(try await target.sync(mapping: mapping, source: try target.file("a.csv", full), format: .csv, withState: false).created == 1)
            let cleared = "login,number,title,mail,status\namy@example.com,E1,,,Active\n"
            let second = try await target.sync(mapping: mapping, source: try target.file("b.csv", cleared), format: .csv, withState: false)
            #expect(second.updated == 1)
            let amy = try await target.user("amy@example.com")
            #expect(amy["title"] == nil)
            #expect(amy["emails"] == nil, "no email left without its address")
            let version = amy["meta"]?["version"]
            // Without a state file every run compares with the target: nothing is left to clear.
            let third = try await target.sync(mapping: mapping, source: try target.file("b.csv", cleared), format: .csv, withState: false)
            #expect((third.updated, third.skipped) == (0, 1), "\(third.summary)")
            #expect(try await target.user("amy@example.com")["meta"]?["version"] == version)
        }
    }
}
