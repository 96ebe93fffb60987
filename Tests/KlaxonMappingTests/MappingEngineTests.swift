import Foundation
import SCIM
import Testing
@testable import KlaxonMapping

@Suite struct MappingEngineTests {
    /// An engine for the fixture's `users` mapping plus these mapping lines.
    private func engine(_ lines: String..., scope: String? = nil) throws -> MappingEngine {
        var text = LintFixture.header
            .replacingOccurrences(of: "urn:ietf:params:scim:schemas:extension:klaxon:2.0:User]", with: "urn:ietf:params:scim:schemas:extension:klaxon:2.0:User, urn:ietf:params:scim:schemas:extension:enterprise:2.0:User]")
        if let scope {
            text = text.replacingOccurrences(of: "    mappings:", with: "    scope: { filters: [\(scope)] }\n    mappings:")
        }
        text += "\n" + lines.map { "      " + $0 }.joined(separator: "\n") + "\n"
        let contents = MappingFileReader.read(text: text, file: "engine.yaml")
        #expect(contents.diagnostics.isEmpty, "\(contents.diagnostics.map(\.message))")
        return try MappingEngine(mappingSet: try #require(contents.mappingSet))
    }

    @Test func buildsNestedAttributesElementsAndExtensions() throws {
        let users = try engine(
            "- { target: name.givenName, type: direct, source: givenName }",
            "- { target: 'emails[type eq \"work\"].value', type: direct, source: mail }",
            "- { target: 'emails[type eq \"work\"].primary', type: constant, value: true }",
            "- { target: 'phoneNumbers[type eq \"mobile\"].value', type: direct, source: mobile }",
            "- { target: 'phoneNumbers[type eq \"work\"].value', type: direct, source: telephoneNumber }",
            "- { target: 'urn:ietf:params:scim:schemas:extension:klaxon:2.0:User:location', type: direct, source: city }",
            "- { target: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value', type: direct, source: manager }")
        let mapped = try users.map(record: [
            "userPrincipalName": "zoe@contoso.com", "givenName": "Zoë", "mail": "zoe@contoso.com", "mobile": "07911 123456",
            "city": "Leeds", "manager": "m-1",
        ])
        let expected: JSONObject = [
            "schemas": [
                .string(SchemaURN.user), .string(SchemaURN.klaxonUser), .string(SchemaURN.enterpriseUser),
            ],
            "userName": "zoe@contoso.com",
            "name": ["givenName": "Zoë"],
            "emails": [["type": "work", "value": "zoe@contoso.com", "primary": true]],
            "phoneNumbers": [["type": "mobile", "value": "07911 123456"]],
            .init(SchemaURN.klaxonUser): ["location": "Leeds"],
            .init(SchemaURN.enterpriseUser): ["manager": ["value": "m-1"]],
        ]
        #expect(mapped.resource == expected)
        #expect(mapped.resource.keys == ["schemas", "userName", "name", "emails", "phoneNumbers", SchemaURN.klaxonUser, SchemaURN.enterpriseUser])
        #expect(mapped.isInScope)
    }

    @Test func sourceNamesIgnoreCaseAndTheFirstSpellingWins() throws {
        let users = try engine("- { target: displayName, type: direct, source: displayName }")
        let mapped = try users.map(record: ["USERPRINCIPALNAME": "a@b.c", "displayname": "First", "DisplayName": "Second"])
        #expect(mapped.resource["userName"] == "a@b.c")
        #expect(mapped.resource["displayName"] == "First")
    }

    /// A dotted name reads nested objects (ignoring case, as top-level names), unless the record has a member
    /// of that very name; in direct mappings, expressions and scoping clauses alike.
    @Test func dottedNamesReadNestedObjects() throws {
        let text = """
            apiVersion: klaxon.sync/v1
            kind: MappingSet
            source: { system: custom }
            target: { schemas: [urn:ietf:params:scim:schemas:core:2.0:User] }
            objectMappings:
              - name: people
                source: { object: person, attributes: [id, profile.login, profile.name.given, Cost.Centre, profile.kind] }
                target: { resource: User }
                scope: { filters: [ { clauses: [ { attribute: profile.kind, operator: NOT_EQUALS, value: robot } ] } ] }
                mappings:
                  - { target: userName, type: direct, source: profile.login, match: { precedence: 1 } }
                  - { target: displayName, type: expression, expression: 'Join(" ", [profile.name.given], [id])' }
                  - { target: title, type: direct, source: Cost.Centre }
            """
        let people = try MappingEngine(mappingSet: try #require(MappingFileReader.read(text: text, file: "nested.yaml").mappingSet))
        let mapped = try people.map(record: [
            "id": "7", "PROFILE": ["Login": "amy@example.com", "name": ["given": "Amy"], "kind": "person"],
            "Cost": ["Centre": "nested"], "cost.centre": "CC-1",
        ])
        #expect(mapped.resource == ["schemas": [.string(SchemaURN.user)], "userName": "amy@example.com", "displayName": "Amy 7", "title": "CC-1"])
        #expect(!people.isInScope(["profile": ["kind": "robot"]]))
        let notAnObject = try people.map(record: ["profile": ["kind": "person", "name": "Amy"], "Cost": ["Centre": "nested"]])
        #expect(notAnObject.resource == ["schemas": [.string(SchemaURN.user)], "title": "nested"])
    }

    @Test func onCreateMappingsAndShortDefaultsApplyOnlyOnCreate() throws {
        let users = try engine(
            "- { target: title, type: direct, source: jobTitle, apply: on-create }",
            "- { target: preferredLanguage, type: direct, source: preferredLanguage, apply: on-create, default: en-GB }",
            "- { target: locale, type: direct, source: usageLocation, default: { value: en-GB, apply: always } }")
        let record: JSONObject = ["userPrincipalName": "a@b.c", "jobTitle": "Engineer"]
        let created = try users.map(record: record, mode: .create)
        #expect(created.resource["title"] == "Engineer")
        #expect(created.resource["preferredLanguage"] == "en-GB")
        #expect(created.resource["locale"] == "en-GB")
        let updated = try users.map(record: record, mode: .update)
        #expect(updated.resource["title"] == nil)
        #expect(updated.resource["preferredLanguage"] == nil)
        #expect(updated.resource["locale"] == "en-GB")
    }

    @Test func nullsAreLeftOutOrClearedOnUpdate() throws {
        let users = try engine(
            "- { target: title, type: direct, source: jobTitle, onNull: clear }",
            "- { target: nickName, type: direct, source: mailNickname }")
        let updated = try users.map(record: ["userPrincipalName": "a@b.c", "jobTitle": "", "mailNickname": nil], mode: .update)
        #expect(updated.resource.keys == ["schemas", "userName"])
        #expect(updated.clearedAttributes == ["title"])
        #expect(try users.map(record: ["userPrincipalName": "a@b.c"], mode: .create).clearedAttributes.isEmpty)
    }

    @Test func valuesAreCoercedToTheTargetsType() throws {
        let users = try engine(
            "- { target: active, type: direct, source: accountEnabled }",
            "- { target: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber', type: direct, source: employeeId }")
        let mapped = try users.map(record: ["userPrincipalName": "a@b.c", "accountEnabled": "True", "employeeId": 10042])
        #expect(mapped.resource["active"] == true)
        #expect(mapped.resource[SchemaURN.enterpriseUser]?["employeeNumber"] == "10042")
    }

    /// A constant keeps the text of a plain scalar YAML reads as a number for a text target, as a default
    /// does; a boolean or number still goes to a boolean or integer target as one.
    @Test func constantsKeepTheirTextAsDefaultsDo() throws {
        let text = """
            apiVersion: klaxon.sync/v1
            kind: MappingSet
            source: { system: custom }
            target: { schemas: [urn:ietf:params:scim:schemas:core:2.0:User, urn:ietf:params:scim:schemas:extension:acme:2.0:User] }
            objectMappings:
              - name: people
                source: { object: person, attributes: [login, a] }
                target:
                  resource: User
                  attributes:
                    - { name: 'urn:ietf:params:scim:schemas:extension:acme:2.0:User:level', type: integer }
                mappings:
                  - { target: userName, type: direct, source: login, match: { precedence: 1 } }
                  - { target: nickName, type: constant, value: 00123 }
                  - { target: title, type: constant, value: 1.10 }
                  - { target: locale, type: constant, value: 1e3 }
                  - { target: timezone, type: constant, value: 00123, transform: [text.trim] }
                  - { target: profileUrl, type: direct, source: a, default: 007 }
                  - { target: active, type: constant, value: true }
                  - { target: 'urn:ietf:params:scim:schemas:extension:acme:2.0:User:level', type: constant, value: 0x1F }
            """
        let contents = MappingFileReader.read(text: text, file: "constants.yaml")
        #expect(!contents.diagnostics.contains { $0.severity == .error }, "\(contents.diagnostics.map(\.message))")
        let people = try MappingEngine(mappingSet: try #require(contents.mappingSet))
        let mapped = try people.map(record: ["login": "kim"])
        #expect(mapped.resource["nickName"] == "00123")
        #expect(mapped.resource["title"] == "1.10")
        #expect(mapped.resource["locale"] == "1e3")
        #expect(mapped.resource["timezone"] == "00123")
        #expect(mapped.resource["profileUrl"] == "007")
        #expect(mapped.resource["active"] == true)
        #expect(mapped.resource["urn:ietf:params:scim:schemas:extension:acme:2.0:User"] == ["level": 31])
    }

    @Test func aValueThatDoesNotFitIsABadRequestNamingItsTarget() throws {
        let users = try engine("- { target: active, type: direct, source: accountEnabled }")
        #expect {
            try users.map(record: ["userPrincipalName": "a@b.c", "accountEnabled": "maybe"])
        } throws: { error in
            guard let error = error as? MappingError else { return false }
            return error.kind == .invalidRecord && error.target == "active"
                && error.scimError.status == .badRequest && error.scimError.scimType == .invalidValue
                && error.message == "\"maybe\" is not a boolean (true or false)"
        }
        #expect {
            try users.map(record: ["userPrincipalName": ["a@b.c", "d@e.f"]])
        } throws: { error in
            (error as? MappingError)?.message == "2 values for a single-valued attribute"
        }
    }

    @Test func aFailingTransformerFailsTheRecord() throws {
        let users = try engine(
            "- { target: nickName, type: direct, source: mobile, transform: [{ use: phone.e164, with: { defaultRegion: GB, onInvalid: error } }] }")
        #expect {
            try users.map(record: ["userPrincipalName": "a@b.c", "mobile": "not a number"])
        } throws: { error in
            guard let error = error as? MappingError else { return false }
            return error.target == "nickName" && error.message.hasPrefix("phone.e164: ")
                && error.scimError.status == .badRequest && error.scimError.scimType == .invalidValue
        }
    }

    @Test func skipAttributeLeavesTheTargetOutEvenWithADefault() throws {
        let users = try engine(
            "- { target: nickName, type: direct, source: mobile, default: x, transform: [{ use: phone.e164, with: { defaultRegion: GB } }] }")
        let mapped = try users.map(record: ["userPrincipalName": "a@b.c", "mobile": "12"])
        #expect(mapped.resource["nickName"] == nil)
    }

    @Test func groupMembersBecomeValueObjects() throws {
        let text = """
            apiVersion: klaxon.sync/v1
            kind: MappingSet
            source: { system: entra-id }
            target: { schemas: [urn:ietf:params:scim:schemas:core:2.0:Group] }
            objectMappings:
              - name: groups
                source: { object: group }
                target: { resource: Group }
                mappings:
                  - { target: displayName, type: direct, source: displayName, match: { precedence: 1 } }
                  - { target: members, type: direct, source: members }
            """
        let groups = try MappingEngine(mappingSet: try #require(MappingFileReader.read(text: text, file: "g.yaml").mappingSet))
        let mapped = try groups.map(record: ["displayName": "Ops", "members": ["u-1", ["value": "u-2", "display": "Kim"]]])
        #expect(mapped.resource["members"] == [["value": "u-1"], ["value": "u-2", "display": "Kim"]])
        #expect(mapped.resource["schemas"] == [.string(SchemaURN.group)])
    }

    @Test func matchingValuesComeInPrecedenceOrder() throws {
        let users = try engine("- { target: 'emails[type eq \"work\"].value', type: direct, source: mail, match: { precedence: 3 } }",
            "- { target: externalId, type: direct, source: objectId, match: { precedence: 2 } }")
        #expect(users.matchingAttributes.map(\.target) == ["userName", "externalId", "emails[type eq \"work\"].value"])
        #expect(users.matchingAttributes.map(\.precedence) == [1, 2, 3])
        let mapped = try users.map(record: ["userPrincipalName": "a@b.c", "mail": "a@b.c"])
        #expect(mapped.matchingValues == ["a@b.c", nil, "a@b.c"])
        #expect(users.matchingAttributes[2].path.valueFilter != nil)
    }

    @Test func aRecordOutOfScopeKeepsOnlyItsMatchingAttributes() throws {
        let users = try engine(
            "- { target: displayName, type: direct, source: displayName }",
            scope: "{ clauses: [ { attribute: userType, operator: EQUALS, value: Member } ] }")
        let guest: JSONObject = ["userPrincipalName": "g@b.c", "displayName": "Guest", "userType": "Guest"]
        let mapped = try users.map(record: guest)
        #expect(!mapped.isInScope)
        #expect(!users.isInScope(guest))
        #expect(mapped.resource == ["schemas": [.string(SchemaURN.user)], "userName": "g@b.c"])
    }

    @Test(arguments: [
        ("EQUALS", "'Sales'", JSONValue("Sales"), true),
        ("EQUALS", "'Sales'", JSONValue("sales"), false),
        ("NOT_EQUALS", "'Sales'", JSONValue("Ops"), true),
        ("NOT_EQUALS", "'Sales'", JSONValue.null, false),
        ("IS_TRUE", nil, JSONValue(true), true),
        ("IS_TRUE", nil, JSONValue("True"), true),
        ("IS_FALSE", nil, JSONValue(true), false),
        ("IS_NULL", nil, JSONValue(""), true),
        ("IS_NULL", nil, JSONValue.null, true),
        ("IS_NOT_NULL", nil, JSONValue.null, false),
        ("IS NOT NULL", nil, JSONValue("x"), true),
        ("REGEX_MATCH", "'^[^@]+@contoso\\.com$'", JSONValue("a@contoso.com"), true),
        ("REGEX_MATCH", "'([1-9][0-9])'", JSONValue("id 42"), true),
        ("NOT_REGEX_MATCH", "'@contoso'", JSONValue("a@fabrikam.com"), true),
        ("NOT_REGEX_MATCH", "'@contoso'", JSONValue.null, false),
        ("GREATER_THAN", "'1000000'", JSONValue(1_500_000), true),
        ("GREATER_THAN", "'1000000'", JSONValue("1000000"), false),
        ("GREATER_THAN_OR_EQUALS", "'1000000'", JSONValue("1000000"), true),
        ("Greater_Than", "'10'", JSONValue("ten"), false),
        ("ENDS_WITH", "'.com'", JSONValue("a@b.com"), true),
        ("INCLUDES", "'@b'", JSONValue("a@b.com"), true),
        ("EXISTS_IN", "'Sales,Ops'", JSONValue("Ops"), true),
        ("NOT_EXISTS_IN", "'Sales,Ops'", JSONValue("Ops"), false),
        ("'&'", "'Sales,Ops'", JSONValue("Sales"), true),
        ("'!&'", "'Sales,Ops'", JSONValue("HR"), true),
    ] as [(String, String?, JSONValue, Bool)])
    func scopingOperatorsBehaveAsEntraDocumentsThem(_ op: String, _ value: String?, _ attribute: JSONValue, _ inScope: Bool) throws {
        let clause = "{ attribute: department, operator: \(op)\(value.map { ", value: \($0)" } ?? "") }"
        let users = try engine(scope: "{ clauses: [ \(clause) ] }")
        #expect(users.isInScope(["userPrincipalName": "a@b.c", "department": attribute]) == inScope)
    }

    @Test func filtersAreOredAndClausesAnded() throws {
        let users = try engine(
            scope: """
                { clauses: [ { attribute: department, operator: EQUALS, value: Sales }, { attribute: accountEnabled, operator: IS_TRUE } ] },
                { clauses: [ { attribute: jobTitle, operator: EQUALS, value: CEO } ] }
                """)
        #expect(users.isInScope(["department": "Sales", "accountEnabled": true]))
        #expect(!users.isInScope(["department": "Sales", "accountEnabled": false]))
        #expect(users.isInScope(["jobTitle": "CEO", "accountEnabled": false]))
    }

    @Test func declaredCustomAttributesAreWrittenUnderTheirSchema() throws {
        let text = """
            apiVersion: klaxon.sync/v1
            kind: MappingSet
            source: { system: custom }
            target: { schemas: [urn:ietf:params:scim:schemas:core:2.0:User, urn:ietf:params:scim:schemas:extension:acme:2.0:User] }
            objectMappings:
              - name: people
                source: { object: person, attributes: [Login, Badge, Shifts] }
                target:
                  resource: User
                  attributes:
                    - { name: 'urn:ietf:params:scim:schemas:extension:acme:2.0:User:badge', type: integer, required: true }
                    - { name: 'urn:ietf:params:scim:schemas:extension:acme:2.0:User:shifts', type: string, multiValued: true }
                mappings:
                  - { target: userName, type: direct, source: Login, match: { precedence: 1 } }
                  - { target: 'urn:ietf:params:scim:schemas:extension:acme:2.0:User:badge', type: direct, source: Badge }
                  - { target: 'urn:ietf:params:scim:schemas:extension:acme:2.0:User:shifts', type: direct, source: Shifts }
            """
        let contents = MappingFileReader.read(text: text, file: "acme.yaml")
        let people = try MappingEngine(mappingSet: try #require(contents.mappingSet))
        let mapped = try people.map(record: ["Login": "kim", "Badge": "0042", "Shifts": "early"])
        #expect(mapped.resource["urn:ietf:params:scim:schemas:extension:acme:2.0:User"] == ["badge": 42, "shifts": ["early"]])
        #expect(people.resourceSchema.extensionSchema("urn:ietf:params:scim:schemas:extension:acme:2.0:User")?.attribute(named: "badge")?.required == true)
    }

    @Test func storedSCIMResourcesAreReadByAttributePath() throws {
        let text = """
            apiVersion: klaxon.sync/v1
            kind: MappingSet
            source: { system: scim }
            target: { schemas: [urn:ietf:params:scim:schemas:core:2.0:User] }
            objectMappings:
              - name: copy
                source: { object: User }
                target: { resource: User }
                actions: []
                mappings:
                  - { target: nickName, type: direct, source: 'emails[type eq "work"].value' }
                  - { target: displayName, type: direct, source: name.givenName }
                  - { target: title, type: direct, source: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department' }
            """
        let copy = try MappingEngine(mappingSet: try #require(MappingFileReader.read(text: text, file: "copy.yaml").mappingSet))
        let mapped = try copy.map(record: [
            "emails": [["type": "home", "value": "h@x.y"], ["type": "work", "value": "w@x.y"]],
            "name": ["givenName": "Kim"],
            .init(SchemaURN.enterpriseUser): ["department": "Ops"],
        ])
        #expect(mapped.resource == ["schemas": [.string(SchemaURN.user)], "nickName": "w@x.y", "displayName": "Kim", "title": "Ops"])
    }

    @Test func loadingReportsUnreadableAndInvalidFilesAndUnknownObjects() throws {
        #expect {
            try MappingEngine.load(contentsOf: "/nonexistent/mapping.yaml")
        } throws: { error in
            guard let error = error as? MappingError else { return false }
            return error.kind == .unreadable && error.scimError.status == .internalServerError
        }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("klaxon-bad-\(UUID().uuidString).yaml").path
        try LintFixture.users("- { target: displayNme, type: direct, source: displayName }").write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect {
            try MappingEngine.load(contentsOf: path)
        } throws: { error in
            guard let error = error as? MappingError else { return false }
            return error.kind == .invalidFile && error.diagnostics.map(\.rule) == [.unknownTargetAttribute]
        }
        let mappingSet = try #require(MappingFileReader.read(text: LintFixture.clean, file: "clean.yaml").mappingSet)
        #expect {
            try MappingEngine(mappingSet: mappingSet, object: "groups")
        } throws: { error in
            (error as? MappingError)?.kind == .invalidRequest
        }
    }

    @Test func redactedTargetsAreListed() throws {
        let users = try engine("- { target: nickName, type: direct, source: mobile, redact: true }")
        #expect(users.redactedTargets == ["nickName"])
    }
}
