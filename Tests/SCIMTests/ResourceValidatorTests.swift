import Testing
@testable import SCIM

@Suite struct ResourceValidatorTests {
    static let acme = "urn:ietf:params:scim:schemas:extension:acme:2.0:User"

    /// The standard registry plus a custom extension with an immutable, a dateTime, a multi-valued and an integer attribute.
    static func registry(acmeRequired: Bool = false) throws -> SchemaRegistry {
        var registry = SchemaRegistry.standard
        try registry.declareExtension(
            Schema(
                id: acme, name: "AcmeUser", description: "Acme",
                attributes: [
                    SchemaAttribute(name: "employeeId", type: .string, mutability: .immutable),
                    SchemaAttribute(name: "hireDate", type: .dateTime),
                    SchemaAttribute(name: "badges", type: .string, multiValued: true),
                    SchemaAttribute(name: "clearance", type: .integer),
                    SchemaAttribute(name: "costCode", type: .string, required: true),
                ]),
            on: "User", required: acmeRequired)
        return registry
    }

    func validator(_ type: String, registry: SchemaRegistry = .standard, limits: ResourceValidator.Limits = .default) throws -> ResourceValidator {
        ResourceValidator(try #require(registry.resourceSchema(for: type)), limits: limits)
    }

    func create(_ json: String, _ type: String = "User", registry: SchemaRegistry = .standard) throws -> JSONObject {
        try validator(type, registry: registry).validate(JSONParser.parse(json), mode: .create)
    }

    /// The error a create of `json` throws.
    func createError(_ json: String, _ type: String = "User", registry: SchemaRegistry = .standard, limits: ResourceValidator.Limits = .default) throws -> SCIMError? {
        let body = try JSONParser.parse(json)
        let validator = try validator(type, registry: registry, limits: limits)
        return #expect(throws: SCIMError.self) { try validator.validate(body, mode: .create) }
    }

    // MARK: What Entra ID and Okta send

    @Test func entraCreateUserVerbatim() throws {
        let user = try create(#"""
            {
                "schemas": [
                    "urn:ietf:params:scim:schemas:core:2.0:User",
                    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
                "externalId": "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
                "userName": "Test_User_00aa00aa-bb11-cc22-dd33-44ee44ee44ee",
                "active": true,
                "emails": [{
                    "primary": true,
                    "type": "work",
                    "value": "Test_User_11bb11bb-cc22-dd33-ee44-55ff55ff55ff@testuser.com"
                }],
                "meta": {
                    "resourceType": "User"
                },
                "name": {
                    "formatted": "givenName familyName",
                    "familyName": "familyName",
                    "givenName": "givenName"
                },
                "roles": []
            }
            """#)
        // `meta` is the server's, `roles: []` is unassigned, and the enterprise extension sent no data.
        #expect(user.keys == ["schemas", "externalId", "userName", "active", "emails", "name"])
        #expect(user["schemas"] == [.string(SchemaURN.user)])
        #expect(user["emails"] == [["primary": true, "type": "work", "value": "Test_User_11bb11bb-cc22-dd33-ee44-55ff55ff55ff@testuser.com"]])
    }

    @Test func entraCustomExtensionWithoutItsURNInSchemas() throws {
        let user = try create(#"""
            {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
             "userName":"ada@contoso.com","addresses":null,
             "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"42"},
             "urn:ietf:params:scim:schemas:extension:klaxon:2.0:User":{"location":"Leeds","notificationPhoneNumber":"07700 900123"}}
            """#)
        #expect(user["schemas"] == [.string(SchemaURN.user), .string(SchemaURN.enterpriseUser), .string(SchemaURN.klaxonUser)])
        #expect(user["addresses"] == nil)
        // Values are stored exactly as sent: the phone number is not reformatted.
        #expect(user[SchemaURN.klaxonUser] == ["location": "Leeds", "notificationPhoneNumber": "07700 900123"])
    }

    @Test func entraCreateGroupWithTheADSCIMSchemaVerbatim() throws {
        let group = try create(#"""
            {
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group", "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"],
                "externalId": "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159",
                "displayName": "displayName",
                "meta": {
                    "resourceType": "Group"
                }
            }
            """#, "Group")
        #expect(group == ["schemas": [.string(SchemaURN.group)], "externalId": "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159", "displayName": "displayName"])
    }

    @Test func entraGroupMembersWithNullRef() throws {
        let group = try create(#"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Ops","members":[{"$ref":null,"value":"u1"},{"value":"u2","display":"Bo"}]}"#, "Group")
        #expect(group["members"] == [["value": "u1"], ["value": "u2", "display": "Bo"]])
    }

    @Test func oktaCreateUserVerbatim() throws {
        let user = try create(#"""
            {
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                "userName": "test.user@okta.local",
                "name": {
                    "givenName": "Test",
                    "familyName": "User"
                },
                "emails": [{
                    "primary": true,
                    "value": "test.user@okta.local",
                    "type": "work"
                }],
                "displayName": "Test User",
                "locale": "en-US",
                "externalId": "00ujl29u0le5T6Aj10h7",
                "groups": [],
                "password": "1mz050nq",
                "active": true
            }
            """#)
        #expect(user.keys == ["schemas", "userName", "name", "emails", "displayName", "locale", "externalId", "active"])
        #expect(user["password"] == nil)
    }

    /// Okta's PUT sends the whole object it read back, with `id`, `emails[].display`, `groups` and `meta`; the
    /// brief adds the placeholder `password` Okta sends with every profile write.
    @Test func oktaPutUserVerbatim() throws {
        let existing: JSONObject = [
            "schemas": [.string(SchemaURN.user)], "id": "23a35c27-23d3-4c03-b4c5-6443c09e7173", "userName": "test.user@okta.local",
            "name": ["givenName": "Another", "middleName": "", "familyName": "User"], "active": true,
        ]
        let body = try JSONParser.parse(#"""
            {
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                "id": "23a35c27-23d3-4c03-b4c5-6443c09e7173",
                "userName": "test.user@okta.local",
                "name": {
                    "givenName": "Another",
                    "middleName": "Excited",
                    "familyName": "User"
                },
                "emails": [{
                    "primary": true,
                    "value": "test.user@okta.local",
                    "type": "work",
                    "display": "test.user@okta.local"
                }],
                "active": true,
                "groups": [],
                "password": "1mz050nq",
                "meta": {
                    "resourceType": "User"
                }
            }
            """#)
        let user = try validator("User").validate(body, mode: .replace(existing: existing))
        #expect(user.keys == ["schemas", "userName", "name", "emails", "active"])
        #expect(user["emails"] == [["primary": true, "value": "test.user@okta.local", "type": "work", "display": "test.user@okta.local"]])
        #expect(user["name"]?["middleName"] == "Excited")
    }

    @Test func oktaGroupPushCreate() throws {
        let group = try create(#"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Test SCIMv2","members":[]}"#, "Group")
        #expect(group == ["schemas": [.string(SchemaURN.group)], "displayName": "Test SCIMv2"])
    }

    @Test(arguments: [("True", true), ("False", false), ("true", true), ("FALSE", false)])
    func booleanStringsAreCoerced(text: String, value: Bool) throws {
        let user = try create(#"{"userName":"a","active":"\#(text)","emails":[{"value":"a@x","primary":"\#(text)"}]}"#)
        #expect(user["active"] == .bool(value))
        #expect(user["emails"] == [["value": "a@x", "primary": .bool(value)]])
    }

    // MARK: schemas

    @Test func missingSchemasAreInferredFirst() throws {
        let user = try create(#"{"userName":"a","urn:ietf:params:scim:schemas:extension:klaxon:2.0:User":{"location":"HQ"}}"#)
        #expect(user.keys.first == "schemas")
        #expect(user["schemas"] == [.string(SchemaURN.user), .string(SchemaURN.klaxonUser)])
    }

    @Test func schemasKeepTheirPositionNotTheirSpelling() throws {
        let user = try create(#"{"userName":"a","Schemas":["urn:ietf:params:scim:schemas:core:2.0:user"]}"#)
        #expect(user.keys == ["userName", "schemas"])
        #expect(user["schemas"] == [.string(SchemaURN.user)])
    }

    @Test(arguments: [
        (#"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"userName":"a"}"#, "must include urn:ietf:params:scim:schemas:core:2.0:User"),
        (#"{"schemas":"urn:ietf:params:scim:schemas:core:2.0:User","userName":"a"}"#, "must be an array"),
        (#"{"schemas":[1],"userName":"a"}"#, "as strings"),
        (#"["userName"]"#, "must be a JSON object"),
    ])
    func malformedBodiesAreInvalidSyntax(json: String, message: String) throws {
        let error = try createError(json)
        #expect(error?.status == .badRequest)
        #expect(error?.scimType == .invalidSyntax)
        #expect(error?.detail.contains(message) == true, "\(String(describing: error))")
    }

    // MARK: Required attributes and types

    @Test(arguments: [
        (#"{"name":{"givenName":"A"}}"#, "User", "'userName' is required"),
        (#"{"userName":""}"#, "User", "'userName' is required"),
        (#"{"userName":"   "}"#, "User", "'userName' is required"),
        (#"{"userName":null}"#, "User", "'userName' is required"),
        (#"{"externalId":"x"}"#, "Group", "'displayName' is required"),
    ])
    func missingRequiredAttributes(json: String, type: String, message: String) throws {
        let error = try createError(json, type)
        #expect(error?.status == .badRequest)
        #expect(error?.scimType == .invalidValue)
        #expect(error?.detail.contains(message) == true, "\(String(describing: error))")
    }

    @Test(arguments: [
        (#"{"userName":5}"#, "'userName' must be a string, not a number"),
        (#"{"userName":"a","active":"yes"}"#, #"'active' must be a boolean, not a string"#),
        (#"{"userName":"a","active":1}"#, "'active' must be a boolean"),
        (#"{"userName":"a","emails":"a@x"}"#, "'emails' is multi-valued: send an array"),
        (#"{"userName":"a","name":"Ada"}"#, "'name' must be an object with the sub-attributes formatted, familyName"),
        (#"{"userName":"a","emails":[{"value":"a@x"},{"value":5}]}"#, "'emails.value' (value 2) must be a string"),
        (#"{"userName":"a","emails":[["a@x"]]}"#, "'emails' (value 1) must be an object"),
        (#"{"userName":"a","urn:ietf:params:scim:schemas:extension:klaxon:2.0:User":"Leeds"}"#, "must be an object holding the extension's attributes"),
        (#"{"userName":"a","urn:ietf:params:scim:schemas:extension:klaxon:2.0:User":{"location":["Leeds"]}}"#, "'urn:ietf:params:scim:schemas:extension:klaxon:2.0:User:location' must be a string, not an array"),
    ])
    func wrongTypesAreInvalidValue(json: String, message: String) throws {
        let error = try createError(json)
        #expect(error?.status == .badRequest)
        #expect(error?.scimType == .invalidValue)
        #expect(error?.detail.contains(message) == true, "\(String(describing: error))")
    }

    @Test func aSingleObjectForAMultiValuedAttributeIsWrapped() throws {
        let user = try create(#"{"userName":"a","phoneNumbers":{"value":"+44 113 496 0000","type":"mobile"}}"#)
        #expect(user["phoneNumbers"] == [["value": "+44 113 496 0000", "type": "mobile"]])
    }

    @Test func extensionTypesAndDateTimes() throws {
        let registry = try Self.registry()
        let user = try create(#"""
            {"userName":"a","urn:ietf:params:scim:schemas:extension:acme:2.0:User":
              {"costCode":"C1","hireDate":"2024-05-13T04:42:34Z","badges":["red","blue"],"clearance":3}}
            """#, registry: registry)
        #expect(user[Self.acme]?["badges"] == ["red", "blue"])
        for (json, message) in [
            (#"{"costCode":"C1","hireDate":"last Tuesday"}"#, "'\(Self.acme):hireDate' is not a valid dateTime"),
            (#"{"costCode":"C1","hireDate":20240513}"#, "'\(Self.acme):hireDate' must be a dateTime"),
            (#"{"costCode":"C1","clearance":2.5}"#, "'\(Self.acme):clearance' must be an integer, not a number"),
            (#"{"costCode":"C1","badges":"red"}"#, "'\(Self.acme):badges' is multi-valued"),
            (#"{"hireDate":"2024-05-13T04:42:34Z"}"#, "'\(Self.acme):costCode' is required"),
        ] {
            let error = try createError(#"{"userName":"a","\#(Self.acme)":\#(json)}"#, registry: registry)
            #expect(error?.status == .badRequest)
            #expect(error?.scimType == .invalidValue)
            #expect(error?.detail.contains(message) == true, "\(String(describing: error))")
        }
    }

    @Test func aRequiredExtensionMustBePresent() throws {
        let error = try createError(#"{"userName":"a"}"#, registry: try Self.registry(acmeRequired: true))
        #expect(error?.status == .badRequest)
        #expect(error?.scimType == .invalidValue)
        #expect(error?.detail.contains("the extension \(Self.acme) is required") == true)
    }

    // MARK: Unknown attributes and extensions

    @Test(arguments: [
        (#"{"userName":"a","userNme":"b"}"#, "unknown attribute 'userNme' for a User; did you mean 'userName'?"),
        (#"{"userName":"a","phoneNumber":[]}"#, "did you mean 'phoneNumbers'?"),
        (#"{"userName":"a","favouriteColour":"red"}"#, "unknown attribute 'favouriteColour' for a User"),
        (#"{"userName":"a","location":"Leeds"}"#, #"'location' is an attribute of the extension urn:ietf:params:scim:schemas:extension:klaxon:2.0:User: send it as {"urn:ietf:params:scim:schemas:extension:klaxon:2.0:User": {"location": …}}"#),
        (#"{"userName":"a","givenName":"Ada"}"#, "did you mean 'name.givenName'"),
        (#"{"userName":"a","name":{"givenNme":"Ada"}}"#, "unknown attribute 'name.givenNme'; did you mean 'givenName'?"),
        (#"{"userName":"a","emails":[{"value":"a@x","kind":"work"}]}"#, "unknown attribute 'emails.kind'"),
        (#"{"userName":"a","urn:ietf:params:scim:schemas:extension:klaxon:2.0:User":{"city":"Leeds"}}"#, "unknown attribute 'urn:ietf:params:scim:schemas:extension:klaxon:2.0:User:city'"),
        (#"{"userName":"a","urn:ietf:params:scim:schemas:extension:acme:2.0:User":{"badge":"7"}}"#, "'urn:ietf:params:scim:schemas:extension:acme:2.0:User' is not an extension declared for User; declare the extension"),
        (#"{"userName":"a","urn:ietf:params:scim:schemas:extension:klaxon:2.0:Users":{"location":"Leeds"}}"#, "did you mean 'urn:ietf:params:scim:schemas:extension:klaxon:2.0:User'?"),
        (#"{"userName":"a","urn:ietf:params:scim:schemas:extension:klaxon:2.0:User:location":"Leeds"}"#, #"must be sent nested, as {"urn:ietf:params:scim:schemas:extension:klaxon:2.0:User": {"location": …}}"#),
        (#"{"userName":"a","urn:ietf:params:scim:schemas:core:2.0:User":{"userName":"b"}}"#, "names the core schema"),
    ])
    func unknownNamesAreInvalidSyntax(json: String, message: String) throws {
        let error = try createError(json)
        #expect(error?.status == .badRequest)
        #expect(error?.scimType == .invalidSyntax)
        #expect(error?.detail.contains(message) == true, "\(String(describing: error))")
    }

    /// Names are case-insensitive (RFC 7643 §2.1) and stored as the schema spells them, so clients read back the
    /// names they bind to.
    @Test func namesMatchWhateverTheirCaseAndTakeTheSchemasSpelling() throws {
        let user = try create(#"""
            {"USERNAME":"a","Emails":[{"VALUE":"a@x","Primary":"True"}],
             "URN:IETF:PARAMS:SCIM:SCHEMAS:EXTENSION:KLAXON:2.0:USER":{"LOCATION":"HQ"}}
            """#)
        #expect(user.keys == ["schemas", "userName", "emails", SchemaURN.klaxonUser])
        #expect(user["emails"]?.arrayValue?.first?.objectValue?.keys == ["value", "primary"])
        #expect(user[SchemaURN.klaxonUser]?.objectValue?.keys == ["location"])
        #expect(user["emails"] == [["value": "a@x", "primary": true]])
        #expect(user["schemas"] == [.string(SchemaURN.user), .string(SchemaURN.klaxonUser)])
    }

    @Test func nullsAndReadOnlyValuesAreDropped() throws {
        let user = try create(#"""
            {"id":"client-chosen","userName":"a","nickName":null,"name":{"givenName":"Ada","middleName":null},
             "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"manager":{"value":"m1","displayName":"Boss"}},
             "urn:ietf:params:scim:schemas:extension:klaxon:2.0:User":{"location":null}}
            """#)
        #expect(user == [
            "schemas": [.string(SchemaURN.user), .string(SchemaURN.enterpriseUser)], "userName": "a", "name": ["givenName": "Ada"],
            SchemaURN.enterpriseUser: ["manager": ["value": "m1"]],
        ])
    }

    // MARK: PUT and immutable attributes

    @Test func replaceRejectsChangedOrRemovedImmutableValues() throws {
        let validator = try validator("User", registry: try Self.registry())
        let existing: JSONObject = ["userName": "a", Self.acme: ["employeeId": "E1", "costCode": "C1"]]

        let same = try validator.validate(JSONParser.parse(#"{"userName":"b","\#(Self.acme)":{"employeeId":"e1","costCode":"C2"}}"#), mode: .replace(existing: existing))
        #expect(same[Self.acme] == ["employeeId": "e1", "costCode": "C2"])

        for (json, message) in [
            (#"{"userName":"b","\#(Self.acme)":{"employeeId":"E2","costCode":"C1"}}"#, #"'\#(Self.acme):employeeId' is immutable: it is "E1" and cannot be changed to "E2""#),
            (#"{"userName":"b","\#(Self.acme)":{"costCode":"C1"}}"#, #"'\#(Self.acme):employeeId' is immutable: it is "E1" and cannot be removed"#),
            (#"{"userName":"b"}"#, "cannot be removed"),
        ] {
            let body = try JSONParser.parse(json)
            let error = #expect(throws: SCIMError.self) { try validator.validate(body, mode: .replace(existing: existing)) }
            #expect(error?.status == .badRequest)
            #expect(error?.scimType == .mutability)
            #expect(error?.detail.contains(message) == true, "\(String(describing: error))")
        }
    }

    @Test func createIgnoresImmutability() throws {
        let user = try create(#"{"userName":"a","\#(Self.acme)":{"employeeId":"E9","costCode":"C"}}"#, registry: try Self.registry())
        #expect(user[Self.acme]?["employeeId"] == "E9")
    }

    // MARK: Limits

    @Test func stringLengthLimit() throws {
        let atLimit = String(repeating: "é", count: 32 * 1024)  // 64 KiB of UTF-8
        #expect(try create(#"{"userName":"\#(atLimit)"}"#)["userName"] == .string(atLimit))
        let error = try createError(#"{"userName":"a","displayName":"\#(atLimit)x"}"#)
        #expect(error?.status == .badRequest)
        #expect(error?.scimType == .invalidValue)
        #expect(error?.detail == "'displayName' is 65537 bytes long; at most 65536 are accepted")
    }

    @Test func arrayLengthLimits() throws {
        let emails = Array(repeating: #"{"value":"a@x"}"#, count: 10_001).joined(separator: ",")
        let error = try createError(#"{"userName":"a","emails":[\#(emails)]}"#)
        #expect(error?.status == .badRequest)
        #expect(error?.scimType == .invalidValue)
        #expect(error?.detail == "'emails' has 10001 values; at most 10000 are accepted")

        // Group members have their own, larger limit.
        let members = (0..<20_000).map { #"{"value":"u\#($0)"}"# }.joined(separator: ",")
        let group = try create(#"{"displayName":"All","members":[\#(members)]}"#, "Group")
        #expect(group["members"]?.arrayValue?.count == 20_000)

        let small = ResourceValidator.Limits(maxMembers: 3)
        let tooMany = try createError(#"{"displayName":"All","members":[{"value":"1"},{"value":"2"},{"value":"3"},{"value":"4"}]}"#, "Group", limits: small)
        #expect(tooMany?.status == .badRequest)
        #expect(tooMany?.scimType == .invalidValue)
        #expect(tooMany?.detail == "'members' has 4 values; at most 3 are accepted")
    }

    // MARK: After PATCH

    @Test func validatePatchedKeepsServerAttributesAndRechecks() throws {
        let validator = try validator("User")
        let patched: JSONObject = [
            "schemas": [.string(SchemaURN.user)], "id": "u1", "userName": "a", "active": "False", "password": "secret",
            "meta": ["resourceType": "User", "created": "2024-05-13T04:42:34Z", "version": "W/\"2\""],
            "groups": [["value": "g1", "display": "Ops"]],
            SchemaURN.klaxonUser: ["location": "Leeds"],
        ]
        let checked = try validator.validatePatched(patched)
        #expect(checked.keys == ["schemas", "id", "userName", "active", "meta", "groups", SchemaURN.klaxonUser])
        #expect(checked["schemas"] == [.string(SchemaURN.user), .string(SchemaURN.klaxonUser)])
        #expect(checked["active"] == false)

        var cleared = patched
        cleared["userName"] = ""
        let required = #expect(throws: SCIMError.self) { try validator.validatePatched(cleared) }
        #expect(required?.status == .badRequest)
        #expect(required?.scimType == .invalidValue)

        var badDate = patched
        badDate["meta"] = ["created": "yesterday"]
        let date = #expect(throws: SCIMError.self) { try validator.validatePatched(badDate) }
        #expect(date?.scimType == .invalidValue)
        #expect(date?.detail.contains("'meta.created' is not a valid dateTime") == true)

        var unknown = patched
        unknown["name.givenName"] = "Ada"
        let syntax = #expect(throws: SCIMError.self) { try validator.validatePatched(unknown) }
        #expect(syntax?.status == .badRequest)
        #expect(syntax?.scimType == .invalidSyntax)
    }
}
