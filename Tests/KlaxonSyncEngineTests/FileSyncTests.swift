import Foundation
import KlaxonSyncEngine
import SCIM
import Testing

/// CSV and LDIF sources synchronised into the real server.
@Suite struct FileSyncTests {
    static let header = "EmployeeID,FirstName,PreferredName,LastName,WorkEmail,JobTitle,DepartmentCode,CostCenter,Office,WorkPhone,MobilePhone,Status,EmployeeType,HireDate"

    /// The standard schemas and hr-csv.yaml's declared extension.
    static func hrRegistry() throws -> SchemaRegistry {
        var registry = SchemaRegistry.standard
        try registry.declareExtension(
            Schema(
                id: "urn:ietf:params:scim:schemas:extension:hr:2.0:User", name: "HRUser", description: "",
                attributes: [SchemaAttribute(name: "hireDate", type: .dateTime)]),
            on: "User")
        return registry
    }

    @Test func hrCSV() async throws {
        try await SyncTarget.run(registry: try Self.hrRegistry()) { target in
            let csv = [
                Self.header,
                #"E1042,Margaret,Peggy,Olsen, Peggy.Olsen@Example.co.uk ,"Supervisor, Shifts",OPS,CC-310,Manchester,,07400 123456,Active,Employee,3/11/2025"#,
                "E0007,Don,,Draper,don.draper@example.co.uk,Creative Director,ENG,CC-100,London,,,Terminated,Employee,1/4/2011",
                "C0301,Temp,,Worker,temp@agency.example,Temp,OPS,,Leeds,,,Active,Contractor,1/1/2024",
                "E9999,Broken,Row",
                "E2000,Joan,,Holloway,joan@example.co.uk,\"Office \"\"Manager\"\"\",PPL,CC-200,\"New\nYork\",,,Active,Employee,2/2/2020",
            ].joined(separator: "\r\n") + "\r\n"
            let report = try await target.sync(mapping: shippedMapping("hr-csv.yaml"), source: try target.file("hr.csv", csv), format: .csv)
            #expect(report.created == 3)
            #expect(report.skipped == 1, "the contractor is out of scope and absent")
            #expect(report.failures == [SyncReport.Failure(object: "line", line: 5, reason: "3 fields where the header has 14")])

            let peggy = try await target.user("peggy.olsen@example.co.uk")
            #expect(peggy["title"] == "Supervisor, Shifts")
            #expect(peggy["active"] == true)
            #expect(peggy["externalId"] == "E1042")
            #expect(peggy[SchemaURN.klaxonUser]?["notificationPhoneNumber"] == "+447400123456")
            #expect(peggy["urn:ietf:params:scim:schemas:extension:hr:2.0:User"]?["hireDate"] == "2025-11-03T00:00:00Z")
            let don = try await target.user("don.draper@example.co.uk")
            #expect(don["active"] == false)
            #expect(don["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]?["department"] == "Engineering")
            let joan = try await target.user("joan@example.co.uk")
            #expect(joan["title"] == "Office \"Manager\"")
            #expect(joan[SchemaURN.klaxonUser]?["location"] == "New\nYork")

            // Peggy's hire date is create-only: a change is never sent; her office move is.
            let moved = csv.replacingOccurrences(of: "Manchester,,07400 123456,Active,Employee,3/11/2025", with: "Leeds,,07400 123456,Active,Employee,4/11/2025")
            let second = try await target.sync(mapping: shippedMapping("hr-csv.yaml"), source: try target.file("hr.csv", moved), format: .csv)
            #expect((second.created, second.updated, second.skipped, second.failed) == (0, 1, 3, 1))
            let peggyAfter = try await target.user("peggy.olsen@example.co.uk")
            #expect(peggyAfter[SchemaURN.klaxonUser]?["location"] == "Leeds")
            #expect(peggyAfter["urn:ietf:params:scim:schemas:extension:hr:2.0:User"]?["hireDate"] == "2025-11-03T00:00:00Z")
        }
    }

    static let ldifMapping = """
        apiVersion: klaxon.sync/v1
        kind: MappingSet
        metadata: { name: ldap }
        source: { system: custom }
        target:
          schemas:
            - urn:ietf:params:scim:schemas:core:2.0:User
            - urn:ietf:params:scim:schemas:extension:klaxon:2.0:User
            - urn:ietf:params:scim:schemas:core:2.0:Group
        objectMappings:
          - name: users
            source: { object: inetOrgPerson, attributes: [uid, cn, sn, givenName, mail, l, mobile, dn] }
            target: { resource: User }
            actions: [create, update, disable]
            mappings:
              - { target: userName, type: direct, source: uid, match: { precedence: 1 } }
              - { target: displayName, type: direct, source: cn }
              - { target: name.familyName, type: direct, source: sn }
              - { target: name.givenName, type: direct, source: givenName }
              - { target: 'emails[type eq "work"].value', type: direct, source: mail }
              - { target: 'urn:ietf:params:scim:schemas:extension:klaxon:2.0:User:location', type: direct, source: l }
          - name: groups
            source: { object: groupOfNames, attributes: [cn, members, dn] }
            target: { resource: Group }
            actions: [create, update, delete]
            mappings:
              - { target: displayName, type: direct, source: cn, match: { precedence: 1 } }
              - { target: members, type: direct, source: members }
        """

    @Test func ldif() async throws {
        try await SyncTarget.run { target in
            let ldif = """
                version: 1

                # Zoë's cn is base64 (it is not ASCII); her mail is folded over two lines; her objectGUID is binary.
                dn: uid=zoe,ou=people,dc=contoso,dc=com
                objectClass: inetOrgPerson
                uid: zoe
                objectGUID:: 1MOyoQAAAECAAAAAAAD/nw==
                cn:: Wm/DqyBIYXJ0
                sn: Hart
                givenName:: Wm/Dqw==
                mail: zoe.hart@con
                 toso.com
                l: Leeds

                dn: uid=sam,ou=people,dc=contoso,dc=com
                objectClass: inetOrgPerson
                uid: sam
                cn: Sam Lee
                sn: Lee
                l: York

                dn: uid=bad,ou=people,dc=contoso,dc=com
                cn:: not base64!!

                dn: cn=Duty managers,ou=groups,dc=contoso,dc=com
                objectClass: top
                objectClass: groupOfNames
                cn: Duty managers
                member: uid=zoe,ou=people,dc=contoso,dc=com
                member: uid=sam,ou=people,dc=contoso,dc=com

                """
            let report = try await target.sync(
                mapping: try target.file("ldap.yaml", Self.ldifMapping), source: try target.file("people.ldif", ldif), format: .ldif)
            #expect(report.created == 3)
            #expect(report.failures == [SyncReport.Failure(object: "line", line: 23, reason: "cn has a value that is not base64")])
            let zoe = try await target.user("zoe")
            #expect(zoe["displayName"] == "Zoë Hart")
            #expect(zoe["name"]?["givenName"] == "Zoë")
            #expect(zoe["emails"] == [["type": "work", "value": "zoe.hart@contoso.com"]])
            #expect(zoe[SchemaURN.klaxonUser]?["location"] == "Leeds")
            let sam = try await target.user("sam")
            let group = try await target.group("Duty managers")
            let members = Set(group["members"]?.arrayValue?.compactMap { $0["value"]?.stringValue } ?? [])
            #expect(members == Set([zoe["id"]?.stringValue, sam["id"]?.stringValue].compactMap { $0 }))
        }
    }
}
