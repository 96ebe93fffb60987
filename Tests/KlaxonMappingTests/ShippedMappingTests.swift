import SCIM
import Testing
@testable import KlaxonMapping

/// The mapping files in `Mappings/`: each lints clean (which runs its examples) and maps as documented.
@Suite struct ShippedMappingTests {
    static let directory: String = {
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)
        return parts.joined(separator: "/") + "/Mappings"
    }()

    static func path(_ name: String) -> String { "\(directory)/\(name)" }

    @Test(arguments: ["entra-id.yaml", "okta.yaml", "hr-csv.yaml", "klaxon-profile.yaml"])
    func lintsCleanWithItsExamplesPassing(_ name: String) throws {
        let report = MappingLinter.lint(paths: [Self.path(name)])
        #expect(report.exitCode == 0)
        #expect(report.diagnostics.isEmpty, "\(report.output)")
        let mappingSet = try #require(try MappingFileReader.read(contentsOf: Self.path(name)).mappingSet)
        #expect(!mappingSet.examples.isEmpty)
    }

    @Test func theDirectoryLintsClean() {
        let report = MappingLinter.lint(paths: [Self.directory], options: LintOptions(strict: true))
        #expect(report.files.count == 4)
        #expect(report.exitCode == 0, "\(report.output)")
    }

    @Test func entraIDSendsCityAndMobileToTheKlaxonProfile() throws {
        let users = try MappingEngine.load(contentsOf: Self.path("entra-id.yaml"), object: "users")
        let mapped = try users.map(record: ["userPrincipalName": "kim@contoso.com", "city": "Manchester ", "mobile": "+44 7911 123456"])
        #expect(mapped.resource[SchemaURN.klaxonUser] == ["location": "Manchester", "notificationPhoneNumber": "+44 7911 123456"])
        #expect(mapped.resource["addresses"] == [["type": "work", "locality": "Manchester "]])
        #expect(mapped.resource["phoneNumbers"] == [["type": "mobile", "value": "+44 7911 123456"]])
        #expect(users.matchingAttributes.map(\.target) == ["userName"])
        #expect(users.redactedTargets == ["urn:ietf:params:scim:schemas:extension:klaxon:2.0:User:notificationPhoneNumber"])
        #expect(users.objectMapping.actions == [.create, .update, .disable])
    }

    @Test func entraIDMapsUsersAsTheHandWrittenFunctionDoes() throws {
        let users = try MappingEngine.load(contentsOf: Self.path("entra-id.yaml"), object: "users")
        for number in [0, 1, 7, 10] {
            let record = MappingBenchmark.sampleUser(number)
            #expect(try users.map(record: record).resource == MappingBenchmark.handWrittenEntraUser(record))
        }
    }

    @Test func theBenchmarkRunsBothMappingsOnTheSameRecords() throws {
        let result = try MappingBenchmark.run(mappingFile: Self.path("entra-id.yaml"), seconds: 0.01, distinctRecords: 10)
        #expect(result.engineRecordsPerSecond > 0)
        #expect(result.handWrittenRecordsPerSecond > 0)
        #expect(result.distinctRecords == 10)
    }

    @Test func theBenchmarkRefusesAFileThatMapsDifferently() {
        #expect {
            try MappingBenchmark.run(mappingFile: Self.path("okta.yaml"), seconds: 0.01, distinctRecords: 1)
        } throws: { error in
            (error as? MappingError)?.kind == .invalidRequest
        }
    }

    @Test func theProfileResolvesLocationsAndNormalisesNumbers() throws {
        let profile = try MappingEngine.load(contentsOf: Self.path("klaxon-profile.yaml"))
        let context = TransformContext(
            locations: KlaxonLocations(names: ["Leeds", "London"], defaultName: "Default"), values: ["defaultRegion": "GB"])
        let stored: JSONObject = [
            "userName": "zoe@contoso.com",
            .init(SchemaURN.klaxonUser): ["location": "LONDON", "notificationPhoneNumber": "020 7946 0958"],
        ]
        let mapped = try profile.map(record: stored, mode: .update, context: context)
        #expect(mapped.resource == [
            "schemas": [.string(SchemaURN.user), .string(SchemaURN.klaxonUser)],
            .init(SchemaURN.klaxonUser): ["location": "London", "notificationPhoneNumber": "+442079460958"],
        ])
        #expect(profile.matchingAttributes.isEmpty)
        #expect(profile.objectMapping.actions.isEmpty)
    }

    @Test func hrContractorsAreOutOfScopeAndLeaversInactive() throws {
        let employees = try MappingEngine.load(contentsOf: Self.path("hr-csv.yaml"))
        #expect(!employees.isInScope(["EmployeeID": "C1", "EmployeeType": "Contractor"]))
        let leaver = try employees.map(
            record: ["EmployeeID": "E1", "WorkEmail": "A@B.C", "Status": "terminated", "EmployeeType": "Employee"], mode: .update)
        #expect(leaver.resource["active"] == false)
        #expect(leaver.resource["userName"] == "a@b.c")
        #expect(leaver.matchingValues == ["a@b.c", "E1"])
    }

    /// A user record as Okta's Users API returns it, profile and all, maps to a whole user.
    @Test func oktaMapsUsersAsTheAPIReturnsThem() throws {
        let users = try MappingEngine.load(contentsOf: Self.path("okta.yaml"), object: "users")
        let record = try #require(try JSONParser.parse(#"""
            {"id":"00u1abcd","status":"ACTIVE","created":"2024-01-01T00:00:00.000Z","type":{"id":"oty1"},
             "profile":{"login":"amy@example.com","email":"amy@example.com","firstName":"Amy","lastName":"Ng",
                        "mobilePhone":"+44 7911 123456","city":"Leeds"},
             "credentials":{"provider":{"type":"OKTA","name":"OKTA"}},"_links":{}}
            """#).objectValue)
        let mapped = try users.map(record: record)
        #expect(mapped.resource == [
            "schemas": [.string(SchemaURN.user), .string(SchemaURN.klaxonUser)],
            "userName": "amy@example.com",
            "externalId": "00u1abcd",
            "active": true,
            "name": ["givenName": "Amy", "familyName": "Ng"],
            "displayName": "Amy Ng",
            "emails": [["type": "work", "value": "amy@example.com"]],
            "phoneNumbers": [["type": "mobile", "value": "+44 7911 123456"]],
            "addresses": [["type": "work", "locality": "Leeds"]],
            .init(SchemaURN.klaxonUser): ["location": "Leeds", "notificationPhoneNumber": "+44 7911 123456"],
        ])
        #expect(mapped.matchingValues == ["amy@example.com", "00u1abcd"])
        let groups = try MappingEngine.load(contentsOf: Self.path("okta.yaml"), object: "groups")
        #expect(!groups.isInScope(["id": "00g1", "type": "BUILT_IN", "profile": ["name": "Everyone"]]))
        #expect(try groups.map(record: ["id": "00g2", "profile": ["name": "Ops"]]).resource["displayName"] == "Ops")
    }

    /// Okta's profile attributes are paths into its records: a bare name is unknown, with the path suggested.
    @Test func oktaProfileAttributesAreNamedByTheirPath() {
        let text = """
            apiVersion: klaxon.sync/v1
            kind: MappingSet
            source: { system: okta }
            target: { schemas: [urn:ietf:params:scim:schemas:core:2.0:User] }
            objectMappings:
              - name: users
                source: { object: user }
                target: { resource: User }
                mappings:
                  - { target: userName, type: direct, source: login, match: { precedence: 1 } }
                  - { target: displayName, type: expression, expression: 'Join(" ", [profile.firstName], [profile.lastNme])' }
                  - { target: externalId, type: direct, source: id }
            """
        let diagnostics = MappingLinter.lint(text: text, file: "okta.yaml")
        #expect(diagnostics.map(\.rule) == [.unknownSourceAttribute, .unknownSourceAttribute])
        #expect(diagnostics.map(\.suggestion) == ["profile.login", "profile.lastName"])
        #expect(diagnostics.map(\.location.line) == [10, 11])
    }
}
