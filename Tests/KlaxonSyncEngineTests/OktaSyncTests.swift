import Foundation
import KlaxonSyncEngine
import SCIM
import Testing

/// Okta's Users and Groups API records, as the API returns them, synchronised into the real server through
/// Mappings/okta.yaml.
@Suite struct OktaSyncTests {
    static let amy = #"""
        {"id":"00u1amy","status":"ACTIVE","created":"2024-01-01T00:00:00.000Z","type":{"id":"oty1"},
         "profile":{"login":"amy@example.com","email":"amy@example.com","firstName":"Amy","lastName":"Ng",
                    "mobilePhone":"+44 7911 123456","city":"Leeds"},"_links":{}}
        """#

    @Test func usersAndGroupsAsTheAPIReturnsThem() async throws {
        try await SyncTarget.run { target in
            // Groups first and in one array with the user: Okta's group `type` says which is which.
            let export = "[" + [
                #"{"id":"00g1site","type":"OKTA_GROUP","profile":{"name":"Leeds Site","description":"On site"},"members":[\#(Self.amy)]}"#,
                #"{"id":"00g1all","type":"BUILT_IN","profile":{"name":"Everyone"},"members":[\#(Self.amy)]}"#,
                Self.amy,
            ].joined(separator: ",\n") + "]"
            let report = try await target.sync(
                mapping: shippedMapping("okta.yaml"), source: try target.file("okta.json", export), format: .json)
            #expect((report.created, report.skipped, report.failed) == (2, 1, 0), "\(report.failures)")
            let amy = try await target.user("amy@example.com")
            #expect(amy["externalId"] == "00u1amy")
            #expect(amy["active"] == true)
            #expect(amy["displayName"] == "Amy Ng")
            #expect(amy["emails"] == [["type": "work", "value": "amy@example.com"]])
            #expect(amy[SchemaURN.klaxonUser]?["location"] == "Leeds")
            let site = try await target.group("Leeds Site")
            #expect(site["externalId"] == "00g1site")
            #expect(site["members"]?.arrayValue?.compactMap { $0["value"]?.stringValue } == [try #require(amy["id"]?.stringValue)])
            #expect(try await target.all("/Groups").count == 1, "Everyone stays out of scope")
        }
    }

    /// A user the mapping gives no userName fails without being sent, and a dry run says so too rather than
    /// counting it as created.
    @Test func aUserWithoutUserNameIsNotSent() async throws {
        try await SyncTarget.run { target in
            let source = try target.file("okta.json", #"[{"id":"00u2kim","status":"ACTIVE","profile":{"email":"kim@example.com"}}]"#)
            for dryRun in [true, false] {
                let report = try await target.sync(
                    mapping: shippedMapping("okta.yaml"), source: source, format: .json, dryRun: dryRun, withState: false)
                #expect(report.created == 0)
                #expect(report.failures.map(\.reason) == ["'userName' is required and must not be empty"])
                #expect(report.planned.isEmpty)
            }
            #expect(try await target.all("/Users").isEmpty)
        }
    }
}
