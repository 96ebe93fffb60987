import Testing
@testable import SCIM

private let users = SchemaRegistry.standard.resourceSchema(for: "User")!
private let groups = SchemaRegistry.standard.resourceSchema(for: "Group")!

/// Users shaped like the RFC's examples, each chosen to match some of its filters and miss others.
private let directory: [String: JSONObject] = [
    "bjensen": [
        "schemas": [.string(SchemaURN.user), .string(SchemaURN.enterpriseUser)],
        "id": "2819c223-7f76-453a-919d-413861904646",
        "externalId": "BJ-701984",
        "userName": "bjensen",
        "name": ["familyName": "Jensen", "givenName": "Barbara"],
        "title": "Tour Guide",
        "userType": "Employee",
        "active": true,
        "emails": [
            ["value": "bjensen@example.com", "type": "work", "primary": true],
            ["value": "babs@jensen.org", "type": "home"],
        ],
        "ims": [["value": "babs-aim", "type": "aim"]],
        "meta": ["resourceType": "User", "lastModified": "2011-05-13T04:42:34Z"],
        SchemaURN.enterpriseUser: ["employeeNumber": "701984", "manager": ["value": "m-1"]],
    ],
    "jomalley": [
        "schemas": [.string(SchemaURN.user), .string(SchemaURN.klaxonUser)],
        "userName": "JOMalley",
        "name": ["familyName": "O'Malley", "givenName": "Jo"],
        "userType": "Intern",
        "active": "False",
        "emails": [["value": "jo@example.org", "type": "work"]],
        "ims": [["value": "jo@foo.com", "type": "xmpp"]],
        "meta": ["resourceType": "User", "lastModified": "2011-05-14T09:00:00+02:00"],
        SchemaURN.klaxonUser: ["location": "Leeds"],
    ],
    "jsmith": [
        "schemas": [.string(SchemaURN.user)],
        "userName": "jsmith",
        "name": ["familyName": "Smith"],
        "title": "",
        "userType": "Contractor",
        "active": false,
        "emails": [["value": "js@contractors.net", "type": "home"]],
        "meta": ["resourceType": "User", "lastModified": "2011-05-13T06:42:34+02:00"],
    ],
    "earlybird": [
        "schemas": [.string(SchemaURN.user), .string(SchemaURN.enterpriseUser)],
        "userName": "earlybird",
        "name": ["familyName": "Bird"],
        "title": "Night Manager",
        "userType": "Employee",
        "emails": [["value": "eb@example.net", "type": "work"], ["value": "eb@example.com", "type": "home"]],
        "ims": [["value": "eb@bar.com", "type": "xmpp"]],
        "meta": ["resourceType": "User", "lastModified": "2011-05-13T04:42:33.999Z"],
    ],
    "lowry": [
        "schemas": [.string(SchemaURN.user)],
        "userName": "lowry",
        "name": ["familyName": "Lowry"],
        "userType": "Employee",
        "emails": [["value": "lowry@example.net", "type": "work"]],
        "ims": [["value": "lowry@foo.com", "type": "xmpp"]],
        "meta": ["resourceType": "User", "lastModified": "2011-05-12T23:59:59-05:00"],
    ],
    "guest": [
        "schemas": [.string(SchemaURN.user)],
        "userName": "guest",
        "emails": [],
        "title": nil,
    ],
]

/// The names of the users a filter selects, sorted.
private func selected(by text: String, in resourceSchema: ResourceSchema = users) throws -> [String] {
    let evaluator = try FilterEvaluator(Filter(parsing: text, in: resourceSchema), for: resourceSchema)
    return directory.filter { evaluator.matches($0.value) }.keys.sorted()
}

private func matches(_ text: String, _ resource: JSONObject, in resourceSchema: ResourceSchema = users) throws -> Bool {
    try FilterEvaluator(Filter(parsing: text, in: resourceSchema), for: resourceSchema).matches(resource)
}

private func evaluatorError(_ text: String, in resourceSchema: ResourceSchema = users) -> SCIMError? {
    do {
        _ = try FilterEvaluator(Filter(parsing: text, in: resourceSchema), for: resourceSchema)
        return nil
    } catch {
        return error
    }
}

private func expectInvalidFilter(sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void) {
    let error = #expect(throws: SCIMError.self, sourceLocation: sourceLocation) { try body() }
    #expect(error?.status == .badRequest, sourceLocation: sourceLocation)
    #expect(error?.scimType == .invalidFilter, sourceLocation: sourceLocation)
}

@Suite struct FilterEvaluatorTests {
    // MARK: RFC 7644 §3.4.2.2 examples

    @Test(arguments: [
        (#"userName eq "bjensen""#, ["bjensen"]),
        (#"userName eq "BJENSEN""#, ["bjensen"]),
        (#"name.familyName co "O'Malley""#, ["jomalley"]),
        (#"userName sw "J""#, ["jomalley", "jsmith"]),
        (#"urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J""#, ["jomalley", "jsmith"]),
        ("title pr", ["bjensen", "earlybird"]),
        (#"meta.lastModified gt "2011-05-13T04:42:34Z""#, ["jomalley", "lowry"]),
        (#"meta.lastModified ge "2011-05-13T04:42:34Z""#, ["bjensen", "jomalley", "jsmith", "lowry"]),
        (#"meta.lastModified lt "2011-05-13T04:42:34Z""#, ["earlybird"]),
        (#"meta.lastModified le "2011-05-13T04:42:34Z""#, ["bjensen", "earlybird", "jsmith"]),
        (#"title pr and userType eq "Employee""#, ["bjensen", "earlybird"]),
        (#"title pr or userType eq "Intern""#, ["bjensen", "earlybird", "jomalley"]),
        (#"schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User""#, ["bjensen", "earlybird"]),
        (#"userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")"#, ["bjensen", "earlybird"]),
        (#"userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")"#, ["guest", "jsmith"]),
        (#"userType eq "Employee" and (emails.type eq "work")"#, ["bjensen", "earlybird", "lowry"]),
        // The value filter holds both conditions to one email; earlybird's work email is not @example.com.
        (#"userType eq "Employee" and emails[type eq "work" and value co "@example.com"]"#, ["bjensen"]),
        (#"userType eq "Employee" and emails.type eq "work" and emails.value co "@example.com""#, ["bjensen", "earlybird"]),
        (#"emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]"#,
         ["bjensen", "jomalley", "lowry"]),
    ])
    func evaluatesRFCExample(text: String, expected: [String]) throws {
        #expect(try selected(by: text) == expected)
    }

    // MARK: What Entra ID and Okta send

    @Test(arguments: [
        (#"userName eq "5b8c3a7e-1f2d-4e6a-9c0b-8d7e6f5a4b3c""#, [String]()),
        (#"externalId eq "BJ-701984""#, ["bjensen"]),
        (#"externalId eq "bj-701984""#, []),
        (#"emails[type eq "work"].value eq "BJensen@Example.com""#, ["bjensen"]),
        (#"emails[type eq "home"].value eq "bjensen@example.com""#, []),
        (#"userName eq "jsmith" And active EQ False"#, ["jsmith"]),
        (#"urn:ietf:params:scim:schemas:extension:klaxon:2.0:User:location eq "leeds""#, ["jomalley"]),
        (#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "m-1""#, ["bjensen"]),
        (#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber pr"#, ["bjensen"]),
        (#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager pr"#, ["bjensen"]),
        // An unqualified extension attribute name is not looked for in the extensions.
        (#"employeeNumber eq "701984""#, []),
        ("externalId eq jyoung", []),
    ])
    func evaluatesIdentityPlatformFilter(text: String, expected: [String]) throws {
        #expect(try selected(by: text) == expected)
    }

    @Test func matchesOktaTestUserAndEntraGroupName() throws {
        #expect(try matches(#"userName eq "test.user@okta.local""#, ["userName": "Test.User@okta.local"]))
        let group: JSONObject = ["displayName": "Group Name", "members": [["value": "2819c223"], ["value": "902c246b"]]]
        #expect(try matches(#"displayName eq "group name""#, group, in: groups))
        #expect(try matches(#"members[value eq "902c246b"]"#, group, in: groups))
        #expect(try matches(#"members eq "2819c223""#, group, in: groups))
        // Member ids are caseExact.
        #expect(try !matches(#"members[value eq "902C246B"]"#, group, in: groups))
        #expect(try !matches(#"displayName eq "Group""#, group, in: groups))
    }

    // MARK: Strings

    @Test(arguments: [
        // userName is not caseExact; id and externalId are.
        (#"userName eq "ZOË""#, true),
        (#"userName ne "zoë""#, false),
        (#"userName co "OË""#, true),
        (#"userName sw "ZO""#, true),
        (#"userName ew "Ë""#, true),
        (#"userName gt "ZOA""#, true),
        (#"userName lt "ZOA""#, false),
        (#"userName ge "Zoë""#, true),
        (#"userName le "zoë""#, true),
        (#"userName co """#, true),
        (#"id eq "ABC-1""#, true),
        (#"id eq "abc-1""#, false),
        (#"id ne "abc-1""#, true),
        (#"id co "c-1""#, false),
        (#"id sw "AB""#, true),
        (#"externalId eq "ext-9""#, false),
        (#"externalId eq "Ext-9""#, true),
        (#"externalId ew "-9""#, true),
        // An attribute no schema defines compares as a string, case-insensitively.
        (#"nonStandard eq "VALUE""#, true),
    ])
    func comparesStringsByCaseExactness(text: String, expected: Bool) throws {
        let user: JSONObject = ["id": "ABC-1", "externalId": "Ext-9", "userName": "Zoë", "nonStandard": "value"]
        #expect(try matches(text, user) == expected)
    }

    // MARK: Booleans and numbers

    @Test(arguments: [
        ("active eq false", JSONValue.bool(false), true),
        ("active eq false", .bool(true), false),
        ("active eq true", .bool(true), true),
        ("active eq false", "False", true),
        ("active eq true", "True", true),
        ("active eq true", "False", false),
        ("active ne true", "False", true),
        ("active ne false", nil, true),
        ("active eq false", nil, false),
        (#"active eq "false""#, .bool(false), true),
        (#"active eq "False""#, "false", true),
        ("active eq true", "yes", false),
    ])
    func comparesBooleans(text: String, stored: JSONValue?, expected: Bool) throws {
        var user: JSONObject = ["userName": "x"]
        user["active"] = stored
        #expect(try matches(text, user) == expected)
    }

    @Test func comparesNumbersNumerically() throws {
        var registry = SchemaRegistry.standard
        try registry.declareExtension(
            Schema(
                id: "urn:ietf:params:scim:schemas:extension:acme:2.0:User", name: "AcmeUser", description: "",
                attributes: [
                    SchemaAttribute(name: "level", type: .integer),
                    SchemaAttribute(name: "score", type: .decimal),
                    SchemaAttribute(name: "badge", type: .string, caseExact: true),
                    SchemaAttribute(name: "photo", type: .binary),
                    SchemaAttribute(name: "tags", type: .string, multiValued: true),
                ]),
            on: "User")
        let acmeUsers = try #require(registry.resourceSchema(for: "User"))
        let acme = "urn:ietf:params:scim:schemas:extension:acme:2.0:User"
        let user: JSONObject = [
            acme: ["level": 10, "score": 2.5, "badge": "B-7", "photo": "AAEC", "tags": ["Red", "blue"]]
        ]
        let cases: [(String, Bool)] = [
            ("level eq 10", true), ("level eq 10.0", true), ("level gt 9", true), ("level gt 10", false),
            ("level ge 10", true), ("level lt 10.5", true), ("level le 9", false), ("level ne 10", false),
            (#"level eq "10""#, true), ("level eq 1e1", true),
            ("score eq 2.5", true), ("score gt 2", true), ("score lt 2.4999", false), ("score ge 2.50", true),
            (#"badge eq "B-7""#, true), (#"badge eq "b-7""#, false), (#"badge co "-7""#, true),
            (#"photo eq "AAEC""#, true), (#"photo ne "AAEC""#, false),
            (#"tags eq "red""#, true), (#"tags[value eq "BLUE"]"#, true), (#"tags sw "g""#, false), ("tags pr", true),
        ]
        for (text, expected) in cases {
            let filter = try Filter(parsing: "\(acme):\(text)", in: acmeUsers)
            let evaluator = try FilterEvaluator(filter, for: acmeUsers)
            #expect(evaluator.matches(user) == expected, "\(text)")
        }
        for text in ["level co 1", #"level sw "1""#, #"level eq "ten""#, #"photo gt "A""#, "score ew 5"] {
            let filter = try Filter(parsing: "\(acme):\(text)", in: acmeUsers)
            expectInvalidFilter { _ = try FilterEvaluator(filter, for: acmeUsers) }
        }
    }

    // MARK: Date-times

    @Test(arguments: [
        ("2011-05-13T04:42:34Z", "eq", true),
        ("2011-05-13T06:42:34+02:00", "eq", true),
        ("2011-05-12T23:42:34-05:00", "eq", true),
        ("2011-05-13T04:42:34.000Z", "eq", true),
        ("2011-05-13T04:42:34.001Z", "gt", false),
        ("2011-05-13T04:42:34.001Z", "lt", true),
        ("2011-05-13T04:42:33.9999Z", "gt", true),
        ("2011-05-13T05:00:00+01:00", "gt", true),
        ("2011-05-13T05:00:00+00:30", "lt", false),
        ("2011-05-13T04:42:34Z", "ge", true),
        ("2011-05-13T04:42:34Z", "le", true),
        ("2011-05-13T04:42:34Z", "ne", false),
        ("2011-05-13T04:42:35Z", "ne", true),
    ])
    func comparesDateTimesChronologically(operand: String, op: String, expected: Bool) throws {
        let user: JSONObject = ["meta": ["lastModified": "2011-05-13T04:42:34Z"]]
        #expect(try matches(#"meta.lastModified \#(op) "\#(operand)""#, user) == expected)
    }

    @Test func treatsUnparseableStoredDateTimesAsNoMatch() throws {
        let user: JSONObject = ["meta": ["lastModified": "yesterday"]]
        #expect(try !matches(#"meta.lastModified gt "2000-01-01T00:00:00Z""#, user))
        #expect(try !matches(#"meta.lastModified lt "2000-01-01T00:00:00Z""#, user))
        #expect(try matches(#"meta.lastModified co "yester""#, user))
        #expect(try matches("meta.lastModified pr", user))
    }

    // MARK: Presence and null

    @Test(arguments: [
        ("title pr", JSONValue.string("Boss"), true),
        ("title pr", "", false),
        ("title pr", nil, false),
        ("title pr", .null, false),
        ("title eq null", .null, true),
        ("title eq null", "", true),
        ("title eq null", nil, true),
        ("title eq null", "Boss", false),
        ("title ne null", "Boss", true),
        ("title ne null", nil, false),
        (#"title ne "Boss""#, nil, true),
        (#"title ne "Boss""#, "Boss", false),
        (#"title ne "Boss""#, "Chief", true),
        (#"title eq "Boss""#, nil, false),
        ("not (title pr)", nil, true),
    ])
    func handlesPresenceAndNull(text: String, title: JSONValue?, expected: Bool) throws {
        var user: JSONObject = ["userName": "x"]
        user["title"] = title
        #expect(try matches(text, user) == expected)
    }

    @Test(arguments: [
        (JSONValue.array([]), false),
        (.null, false),
        (.array([["value": ""]]), false),
        (.array([["type": "work"]]), true),
        (.array([["value": "a@b.c"]]), true),
        (.array([.null, ["value": nil]]), false),
    ])
    func presenceOfMultiValuedAttribute(emails: JSONValue, expected: Bool) throws {
        #expect(try matches("emails pr", ["emails": emails]) == expected)
    }

    @Test func presenceOfComplexAttributeAndExtension() throws {
        #expect(try matches("name pr", ["name": ["givenName": "B"]]))
        #expect(try !matches("name pr", ["name": ["givenName": ""]]))
        #expect(try !matches("name pr", ["name": [:]]))
        #expect(try matches("name.givenName pr", ["name": ["givenName": "B"]]))
        #expect(try !matches("name.familyName pr", ["name": ["givenName": "B"]]))
        #expect(try !matches("urn:ietf:params:scim:schemas:extension:klaxon:2.0:User:location pr", ["userName": "x"]))
    }

    // MARK: Multi-valued attributes

    @Test func matchesAnyValueOfMultiValuedAttributes() throws {
        let user: JSONObject = [
            "emails": [["value": "a@work.example", "type": "work"], ["value": "a@home.example", "type": "home", "primary": true]],
            "phoneNumbers": [["value": "+44 113 496 0000", "type": "mobile"]],
        ]
        #expect(try matches(#"emails eq "A@HOME.example""#, user))            // implied .value
        #expect(try matches(#"emails.value ew "@work.example""#, user))
        #expect(try matches(#"emails.type eq "home""#, user))
        #expect(try matches(#"emails.primary eq true"#, user))
        #expect(try matches(#"emails[primary eq true and type eq "home"]"#, user))
        #expect(try !matches(#"emails[primary eq true and type eq "work"]"#, user))
        #expect(try matches(#"emails[type eq "work"].value sw "a@""#, user))
        #expect(try matches(#"emails[not (type eq "work")]"#, user))
        #expect(try matches(#"phoneNumbers[type eq "mobile"].value eq "+44 113 496 0000""#, user))
        #expect(try matches(#"emails[type eq "work"].primary ne true"#, user))
        // "ne" on a multi-valued attribute: no value equals the operand.
        #expect(try !matches(#"emails.type ne "work""#, user))
        #expect(try matches(#"emails.type ne "other""#, user))
        #expect(try matches(#"phoneNumbers[type eq "mobile"]"#, user))
        #expect(try !matches(#"phoneNumbers[type eq "work"]"#, user))
        #expect(try !matches(#"ims[type eq "xmpp"]"#, user))
    }

    @Test func toleratesOddStoredShapes() throws {
        // A single object where an array is expected, a scalar where an object is expected, nulls in arrays.
        #expect(try matches(#"emails.value eq "a@b.c""#, ["emails": ["value": "a@b.c"]]))
        #expect(try !matches(#"emails.value eq "a@b.c""#, ["emails": "a@b.c"]))
        #expect(try !matches(#"name.givenName eq "B""#, ["name": "B"]))
        #expect(try matches(#"emails eq "a@b.c""#, ["emails": [.null, 3, ["value": "a@b.c"]]]))
        #expect(try !matches(#"userName eq "3""#, ["userName": 3]))
        #expect(try !matches(#"userName eq "x""#, [:]))
    }

    // MARK: Value filters for PATCH

    @Test func matchesSingleValuesWithAValueFilter() throws {
        let emails = try #require(users.attribute(schema: nil, name: "emails"))
        let evaluator = try FilterEvaluator(valueFilter: try Filter(parsing: #"type eq "WORK" and primary eq true"#), of: emails)
        #expect(evaluator.matchesValue(["type": "work", "primary": true, "value": "a@b.c"]))
        #expect(!evaluator.matchesValue(["type": "work", "value": "a@b.c"]))
        #expect(!evaluator.matchesValue("a@b.c"))

        let members = try #require(groups.attribute(schema: nil, name: "members"))
        let byID = try FilterEvaluator(valueFilter: try Filter(parsing: #"value eq "2819c223""#), of: members)
        #expect(byID.matchesValue(["value": "2819c223", "$ref": nil]))
        #expect(!byID.matchesValue(["value": "2819C223"]))

        let tags = SchemaAttribute(name: "tags", type: .string, multiValued: true)
        let tag = try FilterEvaluator(valueFilter: try Filter(parsing: #"value sw "re""#), of: tags)
        #expect(tag.matchesValue("Red"))
        #expect(!tag.matchesValue("blue"))
        expectInvalidFilter { _ = try FilterEvaluator(valueFilter: try Filter(parsing: #"colour eq "red""#), of: tags) }
        expectInvalidFilter { _ = try FilterEvaluator(valueFilter: try Filter(parsing: "primary gt true"), of: emails) }
    }

    // MARK: Comparisons the RFC forbids

    @Test(arguments: [
        ("active gt true", "'active' is a boolean: only eq and ne compare it"),
        ("active co true", "'active' is a boolean: only eq and ne compare it"),
        ("active eq 1", "'active' is a boolean: compare it with true or false, not 1"),
        (#"active eq "yes""#, #"'active' is a boolean: compare it with true or false, not "yes""#),
        (#"meta.lastModified gt "yesterday""#, #"'yesterday' is not a valid dateTime (e.g. "2011-05-13T04:42:34Z")"#),
        (#"meta.lastModified gt "2011-02-30T00:00:00Z""#, #"'2011-02-30T00:00:00Z' is not a valid dateTime (e.g. "2011-05-13T04:42:34Z")"#),
        ("meta.lastModified gt 2011", "'meta.lastModified' is a dateTime: compare it with a quoted date"),
        ("meta.lastModified eq true", "'meta.lastModified' is a dateTime: compare it with a quoted date"),
        (#"name eq "Barbara Jensen""#, "'name' is complex: compare one of its sub-attributes, e.g. 'name.formatted'"),
        (#"meta eq "x""#, "'meta' is complex: compare one of its sub-attributes, e.g. 'meta.resourceType'"),
        (#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager eq "m-1""#,
         "'manager' is complex: compare one of its sub-attributes, e.g. 'manager.value'"),
        (#"userName.first eq "x""#, "'userName' is not complex and has no sub-attribute 'first'"),
        ("userName gt null", "'gt null' is not a valid comparison on 'userName'"),
        ("userName co 5", "co, sw and ew compare strings, not numbers"),
        ("userName gt true", "only eq and ne compare booleans"),
        ("emails.primary lt false", "'emails.primary' is a boolean: only eq and ne compare it"),
        (#"emails[primary gt false]"#, "'primary' is a boolean: only eq and ne compare it"),
        (#"emails[type eq "work"].primary ge true"#, "'primary' is a boolean: only eq and ne compare it"),
    ])
    func rejectsComparisonTheSchemaForbids(text: String, detail: String) {
        let error = evaluatorError(text)
        #expect(error?.status == .badRequest)
        #expect(error?.scimType == .invalidFilter)
        #expect(error?.detail == detail)
    }

    @Test func evaluatesFiltersAtTheParserLimits() throws {
        let wide = (0..<99).map { #"userName eq "u\#($0)""# }.joined(separator: " or ") + #" or userName eq "bjensen""#
        #expect(try selected(by: wide) == ["bjensen"])
        let deep = String(repeating: "not (", count: 7) + #"userName eq "bjensen""# + String(repeating: ")", count: 7)
        #expect(try selected(by: deep) == ["earlybird", "guest", "jomalley", "jsmith", "lowry"])
    }

    @Test func keepsTheFilterForTranslation() throws {
        let filter = try Filter(parsing: #"userName eq "bjensen""#, in: users)
        #expect(try FilterEvaluator(filter, for: users).filter == filter)
    }
}
