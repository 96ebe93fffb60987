import Testing
@testable import SCIM

private let users = SchemaRegistry.standard.resourceSchema(for: "User")!
private let groups = SchemaRegistry.standard.resourceSchema(for: "Group")!
private let acmeURN = "urn:ietf:params:scim:schemas:extension:acme:2.0:User"

private func pathError(_ body: () throws(SCIMError) -> Void) -> SCIMError? {
    do {
        try body()
        return nil
    } catch {
        return error
    }
}

@Suite struct PathTests {
    // MARK: AttributePath

    @Test(arguments: [
        ("userName", AttributePath(name: "userName")),
        ("name.givenName", AttributePath(name: "name", subAttribute: "givenName")),
        ("members.$ref", AttributePath(name: "members", subAttribute: "$ref")),
        ("x_1-y", AttributePath(name: "x_1-y")),
        ("urn:ietf:params:scim:schemas:core:2.0:User:userName", AttributePath(schema: SchemaURN.user, name: "userName")),
        ("urn:ietf:params:scim:schemas:core:2.0:User:name.familyName",
         AttributePath(schema: SchemaURN.user, name: "name", subAttribute: "familyName")),
        ("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber",
         AttributePath(schema: SchemaURN.enterpriseUser, name: "employeeNumber")),
        ("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value",
         AttributePath(schema: SchemaURN.enterpriseUser, name: "manager", subAttribute: "value")),
        ("urn:ietf:params:scim:schemas:extension:klaxon:2.0:User:location",
         AttributePath(schema: SchemaURN.klaxonUser, name: "location")),
        ("urn:ietf:params:scim:schemas:extension:klaxon:2.0:User:notificationPhoneNumber",
         AttributePath(schema: SchemaURN.klaxonUser, name: "notificationPhoneNumber")),
        // An extension nobody declared is split at its last ':'.
        ("urn:ietf:params:scim:schemas:extension:acme:2.0:User:badge", AttributePath(schema: acmeURN, name: "badge")),
        ("urn:ietf:params:scim:schemas:extension:acme:2.0:User:badge.colour",
         AttributePath(schema: acmeURN, name: "badge", subAttribute: "colour")),
    ])
    func parsesAttributePath(text: String, expected: AttributePath) throws {
        let parsed = try AttributePath(parsing: text, in: users)
        #expect(parsed == expected)
        #expect(try AttributePath(parsing: text) == expected)
        #expect(parsed.description == text)
    }

    @Test func usesTheCanonicalSpellingOfKnownURNs() throws {
        let path = try AttributePath(parsing: "URN:ietf:params:scim:schemas:EXTENSION:klaxon:2.0:user:Location", in: users)
        #expect(path.schema == SchemaURN.klaxonUser)
        #expect(path.name == "Location")
        #expect(path.description == "urn:ietf:params:scim:schemas:extension:klaxon:2.0:User:Location")
    }

    @Test func splitsAtTheLongestKnownURN() throws {
        // A declared extension whose URN extends another known URN must win over the shorter one.
        var registry = SchemaRegistry.standard
        let longer = SchemaURN.user + ":klaxon"
        try registry.declareExtension(
            Schema(id: longer, name: "Nested", description: "", attributes: [SchemaAttribute(name: "flag", type: .boolean)]),
            on: "User")
        let schema = try #require(registry.resourceSchema(for: "User"))
        #expect(try AttributePath(parsing: longer + ":flag", in: schema) == AttributePath(schema: longer, name: "flag"))
        #expect(try AttributePath(parsing: SchemaURN.user + ":userName", in: schema) == AttributePath(schema: SchemaURN.user, name: "userName"))
        // A declared acme extension is found by its URN, not split at the last ':'.
        try registry.declareExtension(
            Schema(id: acmeURN, name: "Acme", description: "", attributes: [SchemaAttribute(name: "badge", type: .string)]),
            on: "User")
        let acme = try #require(registry.resourceSchema(for: "User"))
        #expect(try AttributePath(parsing: acmeURN + ":badge", in: acme) == AttributePath(schema: acmeURN, name: "badge"))
        #expect(acme.attribute(for: AttributePath(schema: acmeURN, name: "BADGE"))?.name == "badge")
    }

    @Test(arguments: [
        "", " userName", "userName ", "1name", "-name", "name.", ".name", "name..given", "name.given.family", "na me",
        "name[value]", "urn:", "urn:a:", "urn::b:c", "urn:ietf:params:scim:schemas:core:2.0:User:",
        "urn:ietf:params:scim:schemas:core:2.0:User:1x", "urn:a b:c:d", "userNäme", "$refx", "emails.$ref.x",
    ])
    func rejectsInvalidAttributePath(text: String) {
        let error = pathError { () throws(SCIMError) in _ = try AttributePath(parsing: text, in: users) }
        #expect(error?.status == .badRequest)
        #expect(error?.scimType == .invalidPath)
        #expect(error?.detail == "'\(text)' is not a valid attribute path")
    }

    // MARK: PatchPath

    @Test func parsesSimpleAndSubAttributePatchPaths() throws {
        #expect(try PatchPath(parsing: "userName", in: users) == PatchPath(attribute: AttributePath(name: "userName")))
        #expect(try PatchPath(parsing: " name.familyName ", in: users)
            == PatchPath(attribute: AttributePath(name: "name", subAttribute: "familyName")))
        #expect(try PatchPath(parsing: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber", in: users)
            == PatchPath(attribute: AttributePath(schema: SchemaURN.enterpriseUser, name: "employeeNumber")))
        #expect(try PatchPath(parsing: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager", in: users)
            == PatchPath(attribute: AttributePath(schema: SchemaURN.enterpriseUser, name: "manager")))
        #expect(try PatchPath(parsing: "urn:ietf:params:scim:schemas:extension:klaxon:2.0:User:location", in: users)
            == PatchPath(attribute: AttributePath(schema: SchemaURN.klaxonUser, name: "location")))
        #expect(try PatchPath(parsing: "\(acmeURN):badge", in: users) == PatchPath(attribute: AttributePath(schema: acmeURN, name: "badge")))
    }

    @Test(arguments: [
        (SchemaURN.enterpriseUser, SchemaURN.enterpriseUser),
        (SchemaURN.klaxonUser, SchemaURN.klaxonUser),
        (" " + SchemaURN.klaxonUser.uppercased(), SchemaURN.klaxonUser),
    ])
    func parsesABareExtensionURN(text: String, urn: String) throws {
        let path = try PatchPath(parsing: text, in: users)
        #expect(path.attribute == nil)
        #expect(path.extensionSchema == urn)
        #expect(path.valueFilter == nil)
        #expect(path.description == path.extensionSchema)
    }

    @Test func parsesValuePaths() throws {
        let member = try PatchPath(parsing: #"members[value eq "2819c223-7f76-453a-919d-413861904646"]"#, in: groups)
        #expect(member.attribute == AttributePath(name: "members"))
        #expect(member.valueFilter == .compare(AttributePath(name: "value"), .eq, "2819c223-7f76-453a-919d-413861904646"))
        #expect(member.subAttribute == nil)
        #expect(member.description == #"members[value eq "2819c223-7f76-453a-919d-413861904646"]"#)

        let email = try PatchPath(parsing: #"emails[type eq "work"].value"#, in: users)
        #expect(email.attribute == AttributePath(name: "emails"))
        #expect(email.valueFilter == .compare(AttributePath(name: "type"), .eq, "work"))
        #expect(email.subAttribute == "value")
        #expect(email.description == #"emails[type eq "work"].value"#)

        let phone = try PatchPath(parsing: #"phoneNumbers[type eq "mobile" and primary eq true].value"#, in: users)
        #expect(phone.valueFilter == .and(
            .compare(AttributePath(name: "type"), .eq, "mobile"), .compare(AttributePath(name: "primary"), .eq, true)))

        let bracketInString = try PatchPath(parsing: #"emails[value eq "a]b[c"].display"#, in: users)
        #expect(bracketInString.valueFilter == .compare(AttributePath(name: "value"), .eq, "a]b[c"))
        #expect(bracketInString.subAttribute == "display")

        let extensionValuePath = try PatchPath(parsing: #"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager[value eq "m-1"]"#, in: users)
        #expect(extensionValuePath.attribute == AttributePath(schema: SchemaURN.enterpriseUser, name: "manager"))
    }

    @Test(arguments: [
        ("", "the path is empty"),
        ("   ", "the path is empty"),
        ("name.given.family", "'name.given.family' is not a valid attribute path"),
        ("emails]", "'emails]' is not a valid attribute path"),
        (#"emails[type eq "work""#, #"'emails[type eq "work"' has '[' without a matching ']'"#),
        (#"emails]type eq "work"["#, #"'emails]type eq "work"[' has '[' without a matching ']'"#),
        (#"name.givenName[value eq "x"]"#, "'name.givenName' is not a valid attribute before '['"),
        (#"[value eq "x"]"#, "'' is not a valid attribute before '['"),
        (#"emails[type eq "work"]value"#, "'value' after ']' must be '.' and a sub-attribute name"),
        (#"emails[type eq "work"].value.x"#, "'.value.x' after ']' must be '.' and a sub-attribute name"),
        (#"emails[type eq "work"]."#, "'.' after ']' must be '.' and a sub-attribute name"),
        (SchemaURN.user, "'urn:ietf:params:scim:schemas:core:2.0:User' names a schema, not an attribute"),
        (SchemaURN.klaxonUser + ":", "'urn:ietf:params:scim:schemas:extension:klaxon:2.0:User:' is not a valid attribute path"),
        (String(repeating: "a", count: 4097), "the path is longer than 4096 bytes"),
    ])
    func rejectsInvalidPatchPath(text: String, detail: String) {
        let error = pathError { () throws(SCIMError) in _ = try PatchPath(parsing: text, in: users) }
        #expect(error?.status == .badRequest)
        #expect(error?.scimType == .invalidPath)
        #expect(error?.detail == detail)
    }

    @Test(arguments: [
        // Columns count from the start of the path as sent.
        (#"emails[type eq]"#, "expected a value after 'eq' at column 15"),
        (#"  emails[type xx "work"]"#, "unknown operator 'xx' (expected eq, ne, co, sw, ew, gt, ge, lt, le or pr) at column 15"),
        (#"emails[type eq "work" and x[y eq "z"]]"#, "value filters cannot be nested at column 28"),
        (#"emails[name.x eq "z"]"#, "inside '[…]' name a sub-attribute, not 'name.x' at column 8"),
        (#"emails[]"#, "expected an attribute, 'not' or '(' at column 8"),
        (#"emails[type eq "wörk" )]"#, "unexpected ')' after a complete filter at column 23"),
    ])
    func rejectsInvalidValueFilterInPatchPath(text: String, detail: String) {
        let error = pathError { () throws(SCIMError) in _ = try PatchPath(parsing: text, in: users) }
        #expect(error?.status == .badRequest)
        #expect(error?.scimType == .invalidFilter)
        #expect(error?.detail == detail)
    }
}

