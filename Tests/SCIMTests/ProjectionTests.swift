import Testing
@testable import SCIM

private let users = SchemaRegistry.standard.resourceSchema(for: "User")!
private let groups = SchemaRegistry.standard.resourceSchema(for: "Group")!
private let acmeURN = "urn:ietf:params:scim:schemas:extension:acme:2.0:User"

private let meta: JSONValue = [
    "resourceType": "User",
    "created": "2010-01-23T04:56:22Z",
    "lastModified": "2011-05-13T04:42:34Z",
    "version": #"W/"3694e05e9dff591""#,
    "location": "https://example.com/scim/v2/Users/2819c223",
]

/// A user as the directory stores it: spelling as sent, password included, extensions keyed by URN.
private let stored: JSONObject = [
    "schemas": [.string(SchemaURN.user), .string(SchemaURN.enterpriseUser), .string(SchemaURN.klaxonUser)],
    "id": "2819c223",
    "externalId": "701984",
    "UserName": "bjensen",
    "name": ["formatted": "Ms. Barbara J Jensen III", "familyName": "Jensen", "givenName": "Barbara"],
    "displayName": "Babs Jensen",
    "password": "t1meMa$heen",
    "emails": [
        ["value": "bjensen@example.com", "type": "work", "primary": true],
        ["value": "babs@jensen.org", "type": "home"],
    ],
    "active": true,
    SchemaURN.enterpriseUser: ["employeeNumber": "701984", "manager": ["value": "m-1", "displayName": "John Smith"]],
    SchemaURN.klaxonUser: ["location": "Leeds", "notificationPhoneNumber": "+44 113 496 0000"],
    "meta": meta,
]

private func project(
    _ resource: JSONObject = stored, attributes: String? = nil, excluded: String? = nil, in schema: ResourceSchema = users
) throws -> String {
    let projection = try Projection(
        attributes: Projection.parseList(attributes), excludedAttributes: Projection.parseList(excluded), for: schema)
    return JSONWriter.string(from: .object(projection.apply(to: resource)))
}

private func json(_ object: JSONObject) -> String {
    JSONWriter.string(from: .object(object))
}

@Suite struct ProjectionTests {
    @Test func returnsDefaultAttributesWithoutPassword() throws {
        var expected = stored
        expected["password"] = nil
        #expect(try project() == json(expected))
        #expect(try project(attributes: "", excluded: " , ") == json(expected))
    }

    // MARK: attributes

    @Test func keepsOnlyNamedAttributesPlusThoseAlwaysReturned() throws {
        #expect(try project(attributes: "userName") == json([
            "schemas": [.string(SchemaURN.user)],
            "id": "2819c223",
            "UserName": "bjensen",
            "meta": ["resourceType": "User"],
        ]))
    }

    @Test func matchesNamesIgnoringCaseAndKeepsStoredSpellingAndOrder() throws {
        #expect(try project(attributes: "DISPLAYNAME, Name.GivenName,username,EMAILS") == json([
            "schemas": [.string(SchemaURN.user)],
            "id": "2819c223",
            "UserName": "bjensen",
            "name": ["givenName": "Barbara"],
            "displayName": "Babs Jensen",
            "emails": stored["emails"]!,
            "meta": ["resourceType": "User"],
        ]))
    }

    @Test func keepsOneSubAttributeInEachValue() throws {
        #expect(try project(attributes: "emails.value,emails.TYPE") == json([
            "schemas": [.string(SchemaURN.user)],
            "id": "2819c223",
            "emails": [["value": "bjensen@example.com", "type": "work"], ["value": "babs@jensen.org", "type": "home"]],
            "meta": ["resourceType": "User"],
        ]))
        #expect(try project(attributes: "emails.display") == json([
            "schemas": [.string(SchemaURN.user)], "id": "2819c223", "meta": ["resourceType": "User"],
        ]))
    }

    @Test func aWholeAttributeWinsOverItsSubAttributes() throws {
        let expected = json([
            "schemas": [.string(SchemaURN.user)], "id": "2819c223", "name": stored["name"]!, "meta": ["resourceType": "User"],
        ])
        #expect(try project(attributes: "name.givenName,name") == expected)
        #expect(try project(attributes: "name,name.givenName") == expected)
    }

    @Test func keepsMetaSubAttributesNamedBesideResourceType() throws {
        #expect(try project(attributes: "meta.lastModified,meta.created") == json([
            "schemas": [.string(SchemaURN.user)],
            "id": "2819c223",
            "meta": ["resourceType": "User", "created": "2010-01-23T04:56:22Z", "lastModified": "2011-05-13T04:42:34Z"],
        ]))
        #expect(try project(attributes: "meta") == json([
            "schemas": [.string(SchemaURN.user)], "id": "2819c223", "meta": meta,
        ]))
    }

    @Test func keepsAURNQualifiedExtensionAttribute() throws {
        #expect(try project(attributes: "urn:ietf:params:scim:schemas:extension:klaxon:2.0:User:location") == json([
            "schemas": [.string(SchemaURN.user), .string(SchemaURN.klaxonUser)],
            "id": "2819c223",
            SchemaURN.klaxonUser: ["location": "Leeds"],
            "meta": ["resourceType": "User"],
        ]))
        #expect(try project(attributes: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.displayName") == json([
            "schemas": [.string(SchemaURN.user), .string(SchemaURN.enterpriseUser)],
            "id": "2819c223",
            SchemaURN.enterpriseUser: ["manager": ["displayName": "John Smith"]],
            "meta": ["resourceType": "User"],
        ]))
        // The core URN qualifies core attributes.
        #expect(try project(attributes: "urn:ietf:params:scim:schemas:core:2.0:User:userName")
            == (try project(attributes: "userName")))
    }

    @Test func keepsAWholeExtensionNamedByItsURN() throws {
        #expect(try project(attributes: "URN:IETF:PARAMS:SCIM:SCHEMAS:EXTENSION:ENTERPRISE:2.0:USER,active") == json([
            "schemas": [.string(SchemaURN.user), .string(SchemaURN.enterpriseUser)],
            "id": "2819c223",
            "active": true,
            SchemaURN.enterpriseUser: stored[SchemaURN.enterpriseUser]!,
            "meta": ["resourceType": "User"],
        ]))
    }

    @Test func keepsAllCoreAttributesForTheCoreURN() throws {
        var expected = stored
        expected["password"] = nil
        expected[SchemaURN.enterpriseUser] = nil
        expected[SchemaURN.klaxonUser] = nil
        expected["schemas"] = [.string(SchemaURN.user)]
        #expect(try project(attributes: SchemaURN.user) == json(expected))
    }

    @Test func neverReturnsPasswordEvenWhenAskedFor() throws {
        #expect(try project(attributes: "password,userName") == (try project(attributes: "userName")))
    }

    @Test func attributesWinsWhenBothListsAreGiven() throws {
        #expect(try project(attributes: "userName", excluded: "userName,id") == (try project(attributes: "userName")))
    }

    // MARK: excludedAttributes

    @Test func dropsExcludedAttributesAndSubAttributes() throws {
        var expected = stored
        expected["password"] = nil
        expected["emails"] = nil
        expected["name"] = ["formatted": "Ms. Barbara J Jensen III", "givenName": "Barbara"]
        #expect(try project(excluded: "EMAILS,name.familyName") == json(expected))
    }

    @Test func dropsOneSubAttributeFromEachValue() throws {
        var expected = stored
        expected["password"] = nil
        expected["emails"] = [["type": "work", "primary": true], ["type": "home"]]
        #expect(try project(excluded: "emails.value") == json(expected))
        // Values left empty go, and the attribute with them.
        expected["emails"] = nil
        #expect(try project(excluded: "emails.value,emails.type,emails.primary") == json(expected))
    }

    @Test func cannotExcludeWhatIsAlwaysReturned() throws {
        var expected = stored
        expected["password"] = nil
        expected["meta"] = ["resourceType": "User"]
        #expect(try project(excluded: "id,schemas,meta") == json(expected))
        expected["meta"] = ["resourceType": "User", "created": "2010-01-23T04:56:22Z", "lastModified": "2011-05-13T04:42:34Z"]
        #expect(try project(excluded: "meta.resourceType,meta.version,meta.location") == json(expected))
    }

    @Test func dropsAWholeExtensionAndItsSchemaURN() throws {
        var expected = stored
        expected["password"] = nil
        expected[SchemaURN.klaxonUser] = nil
        expected["schemas"] = [.string(SchemaURN.user), .string(SchemaURN.enterpriseUser)]
        #expect(try project(excluded: SchemaURN.klaxonUser) == json(expected))
    }

    @Test func dropsAnExtensionLeftEmptyAndItsSchemaURN() throws {
        var expected = stored
        expected["password"] = nil
        expected[SchemaURN.enterpriseUser] = nil
        expected["schemas"] = [.string(SchemaURN.user), .string(SchemaURN.klaxonUser)]
        let enterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
        #expect(try project(excluded: "\(enterprise):employeeNumber,\(enterprise):manager") == json(expected))
        #expect(try project(excluded: "\(enterprise):employeeNumber,\(enterprise):manager.value,\(enterprise):manager.displayName")
            == json(expected))
        // An extension stored empty goes too.
        var empty = stored
        empty[SchemaURN.enterpriseUser] = [:]
        #expect(try project(empty) == json(expected))
    }

    @Test func dropsMembersForEntra() throws {
        let group: JSONObject = [
            "schemas": [.string(SchemaURN.group), .string(SchemaURN.entraGroup)],
            "id": "e9e30dba",
            "externalId": "8aa1a0c0",
            "displayName": "Group Name",
            "members": [["value": "2819c223", "display": "Babs Jensen"]],
            "meta": ["resourceType": "Group", "created": "2010-01-23T04:56:22Z"],
        ]
        var expected = group
        expected["members"] = nil
        #expect(try project(group, excluded: "members", in: groups) == json(expected))
        #expect(try project(group, attributes: "members.value", in: groups) == json([
            "schemas": [.string(SchemaURN.group), .string(SchemaURN.entraGroup)],
            "id": "e9e30dba",
            "members": [["value": "2819c223"]],
            "meta": ["resourceType": "Group"],
        ]))
    }

    // MARK: Unknown names, malformed paths

    @Test func ignoresNamesTheSchemaDoesNotDefine() throws {
        #expect(try project(attributes: "nosuch,userName,userName.first") == (try project(attributes: "userName")))
        var expected = stored
        expected["password"] = nil
        #expect(try project(excluded: "nosuch,name.nosuch,urn:ietf:params:scim:schemas:extension:klaxon:2.0:User:nosuch")
            == json(expected))
        // Stored members no schema defines are returned by default and can be named.
        var extra = stored
        extra["nickname2"] = "Babs"
        #expect(try project(extra).contains(#""nickname2":"Babs""#))
        #expect(try project(extra, attributes: "NICKNAME2").contains(#""nickname2":"Babs""#))
        #expect(try !project(extra, excluded: "nickname2").contains("nickname2"))
    }

    @Test func handlesAnExtensionTheSchemaDoesNotDeclare() throws {
        var resource: JSONObject = [
            "schemas": [.string(SchemaURN.user), .string(acmeURN)],
            "id": "1",
            acmeURN: ["badge": "B-7", "floor": 3],
        ]
        #expect(try project(resource) == json(resource))
        #expect(try project(resource, attributes: acmeURN) == json(resource))
        #expect(try project(resource, attributes: "\(acmeURN):badge") == json([
            "schemas": [.string(SchemaURN.user), .string(acmeURN)], "id": "1", acmeURN: ["badge": "B-7"],
        ]))
        let withoutAcme = json(["schemas": [.string(SchemaURN.user)], "id": "1"])
        #expect(try project(resource, attributes: "id") == withoutAcme)
        #expect(try project(resource, excluded: acmeURN) == withoutAcme)
        #expect(try project(resource, excluded: "\(acmeURN):badge,\(acmeURN):floor") == withoutAcme)
        resource["schemas"] = nil
        #expect(try project(resource, excluded: acmeURN) == json(["id": "1"]))
    }

    @Test func honoursReturnedOfDeclaredAttributes() throws {
        var registry = SchemaRegistry.standard
        try registry.declareExtension(
            Schema(
                id: acmeURN, name: "Acme", description: "",
                attributes: [
                    SchemaAttribute(name: "badge", type: .string, returned: .always),
                    SchemaAttribute(name: "pin", type: .string, returned: .never),
                    SchemaAttribute(name: "secretQuestion", type: .string, returned: .request),
                    SchemaAttribute(
                        name: "door", type: .complex,
                        subAttributes: [
                            SchemaAttribute(name: "name", type: .string),
                            SchemaAttribute(name: "code", type: .string, returned: .never),
                            SchemaAttribute(name: "log", type: .string, returned: .request),
                        ]),
                ]),
            on: "User")
        let schema = try #require(registry.resourceSchema(for: "User"))
        let resource: JSONObject = [
            "schemas": [.string(SchemaURN.user), .string(acmeURN)],
            "id": "1",
            "userName": "u",
            acmeURN: ["badge": "B-7", "pin": "1234", "secretQuestion": "Pet?", "door": ["name": "Front", "code": "99", "log": "x"]],
        ]
        let acme = { (object: JSONObject) in
            json(["schemas": [.string(SchemaURN.user), .string(acmeURN)], "id": "1", "userName": "u", acmeURN: .object(object)])
        }
        #expect(try project(resource, in: schema) == acme(["badge": "B-7", "door": ["name": "Front"]]))
        #expect(try project(resource, excluded: "\(acmeURN):badge,\(acmeURN):door", in: schema) == acme(["badge": "B-7"]))
        #expect(try project(resource, attributes: "userName,\(acmeURN):secretQuestion,\(acmeURN):pin", in: schema)
            == acme(["badge": "B-7", "secretQuestion": "Pet?"]))
        #expect(try project(resource, attributes: "userName,\(acmeURN):door", in: schema) == acme(["badge": "B-7", "door": ["name": "Front"]]))
        #expect(try project(resource, attributes: "userName,\(acmeURN):door.log,\(acmeURN):door.code", in: schema)
            == acme(["badge": "B-7", "door": ["log": "x"]]))
        #expect(try project(resource, attributes: "userName,\(acmeURN)", in: schema)
            == acme(["badge": "B-7", "door": ["name": "Front"]]))
    }

    @Test(arguments: [
        #"emails[type eq "work"]"#, "name.given.family", "1abc", "urn:", "user name",
        "urn:ietf:params:scim:schemas:core:2.0:User:", "urn:ietf:params:scim:schemas:extension:klaxon:2.0:User:",
    ])
    func rejectsMalformedPaths(path: String) {
        for (attributes, excluded, name) in [([path], nil, "attributes"), (nil, ["userName", path], "excludedAttributes")] {
            do {
                _ = try Projection(attributes: attributes, excludedAttributes: excluded, for: users)
                Issue.record("'\(path)' was accepted")
            } catch {
                #expect(error.status == .badRequest)
                #expect(error.scimType == .invalidPath)
                #expect(error.detail == "'\(path)' in \(name) is not a valid attribute path")
            }
        }
    }

    // MARK: parseList

    @Test(arguments: [
        ("a, b,c", ["a", "b", "c"] as [String]?),
        ("userName", ["userName"]),
        (" emails.value ,\tname.givenName ", ["emails.value", "name.givenName"]),
        ("a,,b,", ["a", "b"]),
        ("", nil),
        (" , ,", nil),
    ])
    func splitsCommaSeparatedList(text: String, expected: [String]?) {
        #expect(Projection.parseList(text) == expected)
    }

    @Test func splitsNothingFromNil() {
        #expect(Projection.parseList(nil) == nil)
    }
}
