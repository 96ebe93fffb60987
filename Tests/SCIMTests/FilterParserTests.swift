import Testing
@testable import SCIM

private let users = SchemaRegistry.standard.resourceSchema(for: "User")!
private let groups = SchemaRegistry.standard.resourceSchema(for: "Group")!

private func attr(_ name: String, _ sub: String? = nil, schema: String? = nil) -> AttributePath {
    AttributePath(schema: schema, name: name, subAttribute: sub)
}

/// The error a filter is rejected with, or nil if it parses.
private func parseError(_ text: String, limits: FilterParser.Limits = .default) -> SCIMError? {
    do {
        _ = try Filter(parsing: text, in: users, limits: limits)
        return nil
    } catch {
        return error
    }
}

@Suite struct FilterParserTests {
    // MARK: RFC 7644 §3.4.2.2 examples

    static let rfcExamples: [(String, Filter)] = [
        (#"userName eq "bjensen""#, .compare(attr("userName"), .eq, "bjensen")),
        (#"name.familyName co "O'Malley""#, .compare(attr("name", "familyName"), .co, "O'Malley")),
        (#"userName sw "J""#, .compare(attr("userName"), .sw, "J")),
        (#"urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J""#,
         .compare(attr("userName", schema: SchemaURN.user), .sw, "J")),
        ("title pr", .present(attr("title"))),
        (#"meta.lastModified gt "2011-05-13T04:42:34Z""#, .compare(attr("meta", "lastModified"), .gt, "2011-05-13T04:42:34Z")),
        (#"meta.lastModified ge "2011-05-13T04:42:34Z""#, .compare(attr("meta", "lastModified"), .ge, "2011-05-13T04:42:34Z")),
        (#"meta.lastModified lt "2011-05-13T04:42:34Z""#, .compare(attr("meta", "lastModified"), .lt, "2011-05-13T04:42:34Z")),
        (#"meta.lastModified le "2011-05-13T04:42:34Z""#, .compare(attr("meta", "lastModified"), .le, "2011-05-13T04:42:34Z")),
        (#"title pr and userType eq "Employee""#,
         .and(.present(attr("title")), .compare(attr("userType"), .eq, "Employee"))),
        (#"title pr or userType eq "Intern""#,
         .or(.present(attr("title")), .compare(attr("userType"), .eq, "Intern"))),
        (#"schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User""#,
         .compare(attr("schemas"), .eq, .string(SchemaURN.enterpriseUser))),
        (#"userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")"#,
         .and(
            .compare(attr("userType"), .eq, "Employee"),
            .or(.compare(attr("emails"), .co, "example.com"), .compare(attr("emails", "value"), .co, "example.org")))),
        (#"userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")"#,
         .and(
            .compare(attr("userType"), .ne, "Employee"),
            .not(.or(.compare(attr("emails"), .co, "example.com"), .compare(attr("emails", "value"), .co, "example.org"))))),
        (#"userType eq "Employee" and (emails.type eq "work")"#,
         .and(.compare(attr("userType"), .eq, "Employee"), .compare(attr("emails", "type"), .eq, "work"))),
        (#"userType eq "Employee" and emails[type eq "work" and value co "@example.com"]"#,
         .and(
            .compare(attr("userType"), .eq, "Employee"),
            .valuePath(attr("emails"), .and(.compare(attr("type"), .eq, "work"), .compare(attr("value"), .co, "@example.com"))))),
        (#"emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]"#,
         .or(
            .valuePath(attr("emails"), .and(.compare(attr("type"), .eq, "work"), .compare(attr("value"), .co, "@example.com"))),
            .valuePath(attr("ims"), .and(.compare(attr("type"), .eq, "xmpp"), .compare(attr("value"), .co, "@foo.com"))))),
    ]

    @Test(arguments: rfcExamples)
    func parsesRFCExample(text: String, expected: Filter) throws {
        #expect(try Filter(parsing: text, in: users) == expected)
        // Without a schema the same paths come out: the core URN is split at its last ':'.
        #expect(try Filter(parsing: text) == expected)
    }

    @Test(arguments: rfcExamples)
    func descriptionParsesBackToTheSameFilter(text: String, expected: Filter) throws {
        #expect(try Filter(parsing: expected.description, in: users) == expected)
    }

    // MARK: Precedence

    @Test(arguments: [
        ("a pr or b pr and c pr", Filter.or(.present(attr("a")), .and(.present(attr("b")), .present(attr("c"))))),
        ("a pr and b pr or c pr", .or(.and(.present(attr("a")), .present(attr("b"))), .present(attr("c")))),
        ("(a pr or b pr) and c pr", .and(.or(.present(attr("a")), .present(attr("b"))), .present(attr("c")))),
        ("not (a pr) and b pr", .and(.not(.present(attr("a"))), .present(attr("b")))),
        ("not (a pr or b pr) or c pr", .or(.not(.or(.present(attr("a")), .present(attr("b")))), .present(attr("c")))),
        ("a pr and not (b pr) and c pr", .and(.and(.present(attr("a")), .not(.present(attr("b")))), .present(attr("c")))),
        ("a pr or b pr or c pr", .or(.or(.present(attr("a")), .present(attr("b"))), .present(attr("c")))),
        ("((a pr))", .present(attr("a"))),
        ("not not (a pr)", .not(.not(.present(attr("a"))))),
        ("not a pr", .not(.present(attr("a")))),
    ])
    func honoursPrecedence(text: String, expected: Filter) throws {
        #expect(try Filter(parsing: text) == expected)
    }

    @Test func printsParenthesesWherePrecedenceNeedsThem() throws {
        let filter = try Filter(parsing: "(a pr or b pr) and not (c pr)")
        #expect(filter.description == "(a pr or b pr) and not (c pr)")
        #expect(try Filter(parsing: filter.description) == filter)
    }

    // MARK: What Entra ID and Okta send

    @Test(arguments: [
        (#"userName eq "5b8c3a7e-1f2d-4e6a-9c0b-8d7e6f5a4b3c""#,
         Filter.compare(attr("userName"), .eq, "5b8c3a7e-1f2d-4e6a-9c0b-8d7e6f5a4b3c")),
        (#"externalId eq "x""#, .compare(attr("externalId"), .eq, "x")),
        (#"emails[type eq "work"].value eq "x""#,
         .valuePath(attr("emails"), .and(.compare(attr("type"), .eq, "work"), .compare(attr("value"), .eq, "x")))),
        (#"userName eq "test.user@okta.local""#, .compare(attr("userName"), .eq, "test.user@okta.local")),
        (#"userName EQ "x" And active Eq TRUE"#,
         .and(.compare(attr("userName"), .eq, "x"), .compare(attr("active"), .eq, true))),
        (#"NOT (title PR) OR userName SW "j""#, .or(.not(.present(attr("title"))), .compare(attr("userName"), .sw, "j"))),
        (#"urn:ietf:params:scim:schemas:extension:klaxon:2.0:User:location eq "Leeds""#,
         .compare(attr("location", schema: SchemaURN.klaxonUser), .eq, "Leeds")),
        (#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "x""#,
         .compare(attr("manager", "value", schema: SchemaURN.enterpriseUser), .eq, "x")),
        (#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "701984""#,
         .compare(attr("employeeNumber", schema: SchemaURN.enterpriseUser), .eq, "701984")),
        // Legacy Entra sample: an unquoted value.
        ("externalId eq jyoung", .compare(attr("externalId"), .eq, "jyoung")),
        ("active eq false", .compare(attr("active"), .eq, false)),
        ("x eq null", .compare(attr("x"), .eq, nil)),
        ("x gt 42", .compare(attr("x"), .gt, 42)),
        ("x le -1.5e2", .compare(attr("x"), .le, -150.0)),
        (#"x eq "say \"hi\"\n""#, .compare(attr("x"), .eq, "say \"hi\"\n")),
        ("\tuserName\neq  \"a\"\r\n", .compare(attr("userName"), .eq, "a")),
    ])
    func parsesIdentityPlatformForms(text: String, expected: Filter) throws {
        #expect(try Filter(parsing: text, in: users) == expected)
    }

    @Test func matchesURNsCaseInsensitivelyAndKeepsTheirCanonicalSpelling() throws {
        let filter = try Filter(parsing: #"URN:IETF:PARAMS:SCIM:SCHEMAS:EXTENSION:KLAXON:2.0:USER:location eq "Leeds""#, in: users)
        #expect(filter == .compare(attr("location", schema: SchemaURN.klaxonUser), .eq, "Leeds"))
        guard case .compare(let path, _, _) = filter else { return }
        #expect(path.schema == SchemaURN.klaxonUser)
    }

    @Test func parsesGroupFilters() throws {
        #expect(try Filter(parsing: #"displayName eq "Group Name""#, in: groups)
            == .compare(attr("displayName"), .eq, "Group Name"))
        #expect(try Filter(parsing: #"members[value eq "2819c223"]"#, in: groups)
            == .valuePath(attr("members"), .compare(attr("value"), .eq, "2819c223")))
        #expect(try Filter(parsing: #"urn:ietf:params:scim:schemas:core:2.0:Group:displayName eq "Ops""#, in: groups)
            == .compare(attr("displayName", schema: SchemaURN.group), .eq, "Ops"))
    }

    // MARK: Errors

    @Test(arguments: [
        // Okta's SPEC test: a bare value is not a filter.
        ("bjensen", "expected an operator (eq, ne, co, sw, ew, gt, ge, lt, le, pr) after 'bjensen' at column 8"),
        ("", "expected an attribute, 'not' or '(' at column 1"),
        ("   ", "expected an attribute, 'not' or '(' at column 4"),
        (#"userName eq "bjensen"#, "unterminated string starting at column 13"),
        (#"userName "bjensen""#, #"expected an operator after 'userName' but found string "bjensen" at column 10"#),
        (#"userName equals "bjensen""#, "unknown operator 'equals' (expected eq, ne, co, sw, ew, gt, ge, lt, le or pr) at column 10"),
        ("userName eq", "expected a value after 'eq' at column 12"),
        ("userName eq )", "expected a value (a quoted string, number, true, false or null) but found ')' at column 13"),
        (#"userName eq "a" and"#, "expected an attribute, 'not' or '(' at column 20"),
        (#"userName eq "a" and or b pr"#, "expected an attribute, 'not' or '(' but found 'or' at column 21"),
        (#"userName eq "a" or and"#, "expected an attribute, 'not' or '(' but found 'and' at column 20"),
        ("userName eq and", "expected a value but found 'and' at column 13"),
        ("userName eq 12abc", "'12abc' is not a valid number at column 13"),
        ("userName eq 1e999", "'1e999' is not a valid number at column 13"),
        (#"(userName eq "a""#, "missing ')' to close the one at column 1 at column 17"),
        (#"((userName eq "a")"#, "missing ')' to close the one at column 1 at column 19"),
        (#"userName eq "a")"#, "unexpected ')' after a complete filter at column 16"),
        (#"userName eq "a" userType eq "b""#, "unexpected 'userType' after a complete filter at column 17"),
        (#"(userName eq "a"]"#, "expected ')' but found ']' at column 17"),
        (#"emails[type eq "work""#, "missing ']' to close the one at column 7 at column 22"),
        (#"emails[type eq "work")"#, "expected ']' but found ')' at column 22"),
        (#"emails type eq "work"]"#, "unknown operator 'type' (expected eq, ne, co, sw, ew, gt, ge, lt, le or pr) at column 8"),
        (#"emails[type eq "work"]]"#, "unexpected ']' after a complete filter at column 23"),
        (#"emails[type eq "work" and x[y eq "z"]]"#, "value filters cannot be nested at column 28"),
        (#"emails[urn:a:b:value eq "z"]"#, "inside '[…]' name a sub-attribute, not 'urn:a:b:value' at column 8"),
        (#"emails[value.x eq "z"]"#, "inside '[…]' name a sub-attribute, not 'value.x' at column 8"),
        (#"name.givenName[value eq "z"]"#, "'[' must follow an attribute, not a sub-attribute at column 15"),
        (#"emails[type eq "work"]. eq "x""#, "'' is not a valid attribute path at column 23"),
        (#"1userName eq "a""#, "'1userName' is not a valid attribute path at column 1"),
        (#"name.given.x eq "a""#, "'name.given.x' is not a valid attribute path at column 1"),
        (#"a eq "x" and (b eq "y")) or c pr"#, "unexpected ')' after a complete filter at column 24"),
        (#"[type eq "work"]"#, "expected an attribute, 'not' or '(' but found '[' at column 1"),
        (#"userName eq "\x""#, #"invalid string at column 13: invalid escape '\x'"#),
        ("userName eq \u{0}", "U+0000 (NUL) at column 13 is not accepted in a filter"),
        ("displayName eq \"Zoë\" or id co \u{0}{}", "U+0000 (NUL) at column 31 is not accepted in a filter"),
        (#"userName eq "a\u0000""#, #"invalid string at column 13: \u0000 (NUL) is not accepted in a string"#),
        // Columns count characters, not UTF-8 bytes.
        (#"displayName eq "Zoë" nd x"#, "unexpected 'nd' after a complete filter at column 22"),
        (#"displayName eq "日本語" oops"#, "unexpected 'oops' after a complete filter at column 22"),
    ])
    func rejectsMalformedFilter(text: String, detail: String) {
        let error = parseError(text)
        #expect(error?.status == .badRequest)
        #expect(error?.scimType == .invalidFilter)
        #expect(error?.detail == detail)
    }

    @Test func rejectsOverLongFilter() {
        let text = #"userName eq ""# + String(repeating: "a", count: 5000) + #"""#
        let error = parseError(text)
        #expect(error?.status == .badRequest)
        #expect(error?.scimType == .invalidFilter)
        #expect(error?.detail == "the filter is longer than 4096 bytes")
        #expect(parseError(#"userName eq "abcdef""#, limits: .init(maxLength: 10))?.detail == "the filter is longer than 10 bytes")
    }

    @Test func rejectsDeepNestingWithoutRecursingIntoIt() {
        // 10,000 parentheses are caught by the length limit; with the limit lifted, by the depth limit.
        let open = String(repeating: "(", count: 10_000)
        let close = String(repeating: ")", count: 10_000)
        let filter = open + "a pr" + close
        #expect(parseError(filter)?.detail == "the filter is longer than 4096 bytes")
        let unlimitedLength = FilterParser.Limits(maxLength: 1 << 20)
        let error = parseError(filter, limits: unlimitedLength)
        #expect(error?.status == .badRequest)
        #expect(error?.scimType == .invalidFilter)
        #expect(error?.detail == "the filter is nested deeper than 16 levels at column 17")
        #expect(parseError(String(repeating: "not ", count: 5000) + "(a pr)", limits: unlimitedLength)?.detail
            == "the filter is nested deeper than 16 levels at column 65")
        #expect(parseError(String(repeating: "(", count: 15) + "a pr" + String(repeating: ")", count: 15)) == nil)
        #expect(parseError(#"emails["# + String(repeating: "(", count: 20) + #"type eq "x""#)?.detail
            == "the filter is nested deeper than 16 levels at column 23")
    }

    @Test func rejectsTooManyTerms() {
        let hundred = Array(repeating: "a pr", count: 100).joined(separator: " or ")
        #expect(parseError(hundred) == nil)
        let error = parseError(hundred + " or b pr")
        #expect(error?.status == .badRequest)
        #expect(error?.scimType == .invalidFilter)
        #expect(error?.detail == "the filter has more than 100 comparisons at column \(hundred.utf8.count + 7)")
        #expect(parseError("a pr and b pr and c pr", limits: .init(maxTerms: 2))?.detail
            == "the filter has more than 2 comparisons at column 21")
    }

    @Test func survivesHostileInput() {
        // Stray control, quote and Unicode characters never crash the parser.
        let inputs = [
            "\"", "\\", "]", "[", ")", "(", ".", "..", "\u{0}", "\"\u{301}", "a\u{301} pr", "é pr",
            "userName eq \"a\"\u{301}", "\u{FEFF}userName pr", String(repeating: "]", count: 3000),
            String(repeating: "[", count: 3000), String(repeating: "a pr and ", count: 400),
            String(repeating: "\"", count: 4001),
        ]
        for input in inputs {
            let error = parseError(input)
            #expect(error?.status == .badRequest, "\(input.prefix(20))")
            #expect(error?.scimType == .invalidFilter, "\(input.prefix(20))")
        }
    }
}
