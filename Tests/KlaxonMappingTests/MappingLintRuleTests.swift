import Testing
@testable import KlaxonMapping

/// One lint rule's failing file, the line and column it must be reported at, and the same file corrected,
/// which must lint clean.
struct RuleCase: CustomTestStringConvertible, Sendable {
    let rule: LintRule
    let bad: String
    let line: Int
    let column: Int
    let good: String
    let label: String

    var testDescription: String { "\(rule.id) \(label)" }
}

/// Builds small mapping files: the `users` object mapping of an Entra ID file with one matching mapping
/// (lines 1–10) and whatever lines a case adds from line 11 on.
enum LintFixture {
    static let header = """
        apiVersion: klaxon.sync/v1
        kind: MappingSet
        source: { system: entra-id }
        target: { schemas: [urn:ietf:params:scim:schemas:core:2.0:User, urn:ietf:params:scim:schemas:extension:klaxon:2.0:User] }
        objectMappings:
          - name: users
            source: { object: user }
            target: { resource: User }
            mappings:
              - { target: userName, type: direct, source: userPrincipalName, match: { precedence: 1 } }
        """

    /// The header followed by mapping lines (each written as it appears, indented by six spaces).
    static func users(_ lines: String...) -> String {
        ([header] + lines.map { "      " + $0 }).joined(separator: "\n") + "\n"
    }

    /// The header with scoping lines between the target and the mappings: scope lines start at line 9 and
    /// the mappings move down accordingly.
    static func scoped(_ clause: String) -> String {
        """
        apiVersion: klaxon.sync/v1
        kind: MappingSet
        source: { system: entra-id }
        target: { schemas: [urn:ietf:params:scim:schemas:core:2.0:User] }
        objectMappings:
          - name: users
            source: { object: user }
            target: { resource: User }
            scope: { filters: [ { clauses: [ \(clause) ] } ] }
            mappings:
              - { target: userName, type: direct, source: userPrincipalName, match: { precedence: 1 } }

        """
    }

    static let clean = users()
}

@Suite struct MappingLintRuleTests {
    static let cases: [RuleCase] = [
        // KSL001 yaml-syntax
        RuleCase(
            rule: .yamlSyntax, bad: LintFixture.users("- { target: displayName, type: direct, source: displayName"),
            line: 12, column: 1, good: LintFixture.users("- { target: displayName, type: direct, source: displayName }"),
            label: "unclosed flow mapping"),
        RuleCase(
            rule: .yamlSyntax, bad: LintFixture.clean + "---\napiVersion: klaxon.sync/v1\n", line: 11, column: 1,
            good: LintFixture.clean, label: "two documents"),
        RuleCase(rule: .invalidValue, bad: "- just\n- a list\n", line: 1, column: 1, good: LintFixture.clean, label: "root is a list"),
        // KSL002 duplicate-key
        RuleCase(
            rule: .duplicateKey, bad: LintFixture.users("- target: displayName", "  type: direct", "  source: displayName", "  type: direct"),
            line: 14, column: 9, good: LintFixture.users("- target: displayName", "  type: direct", "  source: displayName"),
            label: "a key repeated in a block mapping"),
        RuleCase(
            rule: .duplicateKey, bad: LintFixture.users("- { target: displayName, type: direct, source: displayName, source: mail }"),
            line: 11, column: 46, good: LintFixture.users("- { target: displayName, type: direct, source: displayName }"),
            label: "a key repeated in a flow mapping"),
        // KSL003 no-anchors-or-aliases
        RuleCase(
            rule: .noAnchorsOrAliases, bad: LintFixture.users("- { target: displayName, type: direct, source: &name displayName }"),
            line: 11, column: 54, good: LintFixture.users("- { target: displayName, type: direct, source: displayName }"),
            label: "an anchor"),
        RuleCase(
            rule: .noAnchorsOrAliases,
            bad: LintFixture.users("- target: displayName", "  type: direct", "  <<: { source: displayName }"),
            line: 13, column: 9, good: LintFixture.users("- target: displayName", "  type: direct", "  source: displayName"),
            label: "a merge key"),
        // KSL004 input-limits
        RuleCase(
            rule: .inputLimits,
            bad: LintFixture.users("- { target: displayName, type: direct, source: displayName, transform: [\(String(repeating: "[", count: 40))" + String(repeating: "]", count: 40) + "] }"),
            line: 11, column: 105, good: LintFixture.clean, label: "nesting deeper than 32"),
        // KSL005 ambiguous-scalar
        RuleCase(
            rule: .ambiguousScalar, bad: LintFixture.users("- { target: 'addresses[type eq \"work\"].country', type: constant, value: NO }"),
            line: 11, column: 79, good: LintFixture.users("- { target: 'addresses[type eq \"work\"].country', type: constant, value: 'NO' }"),
            label: "Norway read as false"),
        RuleCase(
            rule: .ambiguousScalar, bad: LintFixture.users("- { target: title, type: constant, value: 1.10 }"),
            line: 11, column: 49, good: LintFixture.users("- { target: title, type: constant, value: '1.10' }"),
            label: "a version read as the number 1.1"),
        RuleCase(
            rule: .ambiguousScalar, bad: LintFixture.users("- { target: title, type: constant, value: 1e3 }"),
            line: 11, column: 49, good: LintFixture.users("- { target: title, type: constant, value: '1e3' }"),
            label: "an exponent read as 1000.0"),
        RuleCase(
            rule: .ambiguousScalar, bad: LintFixture.users("- { target: title, type: constant, value: 00123 }"),
            line: 11, column: 49, good: LintFixture.users("- { target: title, type: constant, value: 123 }"),
            label: "a leading zero read as octal"),
        // KSL010 unknown-key
        RuleCase(
            rule: .unknownKey, bad: LintFixture.users("- { target: displayName, tpye: direct, type: direct, source: displayName }"),
            line: 11, column: 32, good: LintFixture.users("- { target: displayName, type: direct, source: displayName }"),
            label: "tpye for type"),
        RuleCase(
            rule: .unknownKey, bad: LintFixture.users("- { target: displayName, type: direct, source: displayName, value: x }"),
            line: 11, column: 67, good: LintFixture.users("- { target: displayName, type: direct, source: displayName }"),
            label: "value on a direct mapping"),
        // KSL011 missing-required-key
        RuleCase(
            rule: .missingRequiredKey, bad: LintFixture.users("- { type: direct, source: displayName }"),
            line: 11, column: 9, good: LintFixture.users("- { target: displayName, type: direct, source: displayName }"),
            label: "no target"),
        RuleCase(
            rule: .missingRequiredKey, bad: LintFixture.users("- { target: displayName, type: direct }"),
            line: 11, column: 9, good: LintFixture.users("- { target: displayName, type: direct, source: displayName }"),
            label: "direct without source"),
        // KSL012 invalid-enum-value
        RuleCase(
            rule: .invalidEnumValue, bad: LintFixture.users("- { target: displayName, type: drect, source: displayName }"),
            line: 11, column: 38, good: LintFixture.users("- { target: displayName, type: direct, source: displayName }"),
            label: "drect for direct"),
        RuleCase(
            rule: .invalidEnumValue, bad: LintFixture.scoped("{ attribute: accountEnabled, operator: IS_TRU }"),
            line: 9, column: 77, good: LintFixture.scoped("{ attribute: accountEnabled, operator: IS_TRUE }"),
            label: "a scoping operator"),
        // KSL013 invalid-value
        RuleCase(
            rule: .invalidValue, bad: LintFixture.users("- { target: displayName, type: direct, source: displayName, redact: sometimes }"),
            line: 11, column: 75, good: LintFixture.users("- { target: displayName, type: direct, source: displayName, redact: true }"),
            label: "redact not a boolean"),
        // KSL020 unknown-source-attribute
        RuleCase(
            rule: .unknownSourceAttribute, bad: LintFixture.users("- { target: nickName, type: direct, source: moble }"),
            line: 11, column: 51, good: LintFixture.users("- { target: nickName, type: direct, source: mobile }"),
            label: "moble for mobile"),
        RuleCase(
            rule: .unknownSourceAttribute, bad: LintFixture.users("- { target: nickName, type: direct, source: Mobile }"),
            line: 11, column: 51, good: LintFixture.users("- { target: nickName, type: direct, source: mobile }"),
            label: "Entra names are case-sensitive"),
        // KSL021 unknown-target-attribute
        RuleCase(
            rule: .unknownTargetAttribute, bad: LintFixture.users("- { target: displayNme, type: direct, source: displayName }"),
            line: 11, column: 19, good: LintFixture.users("- { target: displayName, type: direct, source: displayName }"),
            label: "displayNme"),
        RuleCase(
            rule: .unknownTargetAttribute, bad: LintFixture.users("- { target: 'emails[type ne \"work\"].value', type: direct, source: mail }"),
            line: 11, column: 19, good: LintFixture.users("- { target: 'emails[type eq \"work\"].value', type: direct, source: mail }"),
            label: "a target filter that is not eq"),
        // KSL022 extension-urn
        RuleCase(
            rule: .extensionURN,
            bad: LintFixture.users("- { target: 'urn:ietf:params:scim:schemas:extension:klaxn:2.0:User:location', type: direct, source: city }"),
            line: 11, column: 19,
            good: LintFixture.users("- { target: 'urn:ietf:params:scim:schemas:extension:klaxon:2.0:User:location', type: direct, source: city }"),
            label: "a misspelt extension"),
        RuleCase(
            rule: .extensionURN,
            bad: LintFixture.users("- { target: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department', type: direct, source: department }"),
            line: 11, column: 19,
            good: LintFixture.users("- { target: 'urn:ietf:params:scim:schemas:extension:klaxon:2.0:User:location', type: direct, source: department }"),
            label: "an extension not in target.schemas"),
        // KSL023 duplicate-target
        RuleCase(
            rule: .duplicateTarget,
            bad: LintFixture.users("- { target: displayName, type: direct, source: displayName }", "- { target: displayname, type: direct, source: mail }"),
            line: 12, column: 19,
            good: LintFixture.users("- { target: displayName, type: direct, source: displayName }", "- { target: nickName, type: direct, source: mail }"),
            label: "displayName twice"),
        // KSL024 read-only-target
        RuleCase(
            rule: .readOnlyTarget, bad: LintFixture.users("- { target: id, type: direct, source: objectId }"),
            line: 11, column: 19, good: LintFixture.users("- { target: externalId, type: direct, source: objectId }"),
            label: "id"),
        RuleCase(
            rule: .readOnlyTarget, bad: LintFixture.users("- { target: meta.created, type: direct, source: createdDateTime }"),
            line: 11, column: 19, good: LintFixture.users("- { target: externalId, type: direct, source: createdDateTime }"),
            label: "meta.created"),
        // KSL025 matching
        RuleCase(
            rule: .matching,
            bad: LintFixture.users("- { target: externalId, type: direct, source: objectId, match: { precedence: 1 } }"),
            line: 11, column: 84,
            good: LintFixture.users("- { target: externalId, type: direct, source: objectId, match: { precedence: 2 } }"),
            label: "a repeated precedence"),
        RuleCase(
            rule: .matching,
            bad: LintFixture.users("- { target: externalId, type: direct, source: objectId, apply: on-create, match: { precedence: 2 } }"),
            line: 11, column: 70,
            good: LintFixture.users("- { target: externalId, type: direct, source: objectId, match: { precedence: 2 } }"),
            label: "matching on create only"),
        // KSL026 type-mismatch
        RuleCase(
            rule: .typeMismatch, bad: LintFixture.users("- { target: active, type: constant, value: maybe }"),
            line: 11, column: 50, good: LintFixture.users("- { target: active, type: constant, value: true }"),
            label: "maybe for a boolean"),
        RuleCase(
            rule: .typeMismatch, bad: LintFixture.users("- { target: nickName, type: direct, source: proxyAddresses }"),
            line: 11, column: 51, good: LintFixture.users("- { target: nickName, type: direct, source: mailNickname }"),
            label: "a multi-valued source into a single-valued target"),
        // KSL035 invalid-regex
        RuleCase(
            rule: .invalidRegex, bad: LintFixture.scoped("{ attribute: mail, operator: REGEX_MATCH, value: '[a-z' }"),
            line: 9, column: 87, good: LintFixture.scoped("{ attribute: mail, operator: REGEX_MATCH, value: '[a-z]' }"),
            label: "an unclosed class in a scoping clause"),
        // KSL040 unknown-transformer
        RuleCase(
            rule: .unknownTransformer, bad: LintFixture.users("- { target: displayName, type: direct, source: displayName, transform: [text.trimm] }"),
            line: 11, column: 79, good: LintFixture.users("- { target: displayName, type: direct, source: displayName, transform: [text.trim] }"),
            label: "text.trimm"),
        // KSL041 transformer-arguments
        RuleCase(
            rule: .transformerArguments,
            bad: LintFixture.users("- { target: nickName, type: direct, source: mobile, transform: [{ use: phone.e164, with: { defaultRegon: GB } }] }"),
            line: 11, column: 98,
            good: LintFixture.users("- { target: nickName, type: direct, source: mobile, transform: [{ use: phone.e164, with: { defaultRegion: GB } }] }"),
            label: "a misspelt parameter"),
        RuleCase(
            rule: .transformerArguments,
            bad: LintFixture.users("- { target: nickName, type: direct, source: mobile, transform: [{ use: phone.e164, with: { defaultRegion: XX } }] }"),
            line: 11, column: 113,
            good: LintFixture.users("- { target: nickName, type: direct, source: mobile, transform: [{ use: phone.e164, with: { defaultRegion: US } }] }"),
            label: "a region with no numbering plan"),
        RuleCase(
            rule: .transformerArguments,
            bad: LintFixture.users("- { target: nickName, type: direct, source: mobile, transform: [{ use: text.case, with: { to: shouting } }] }"),
            line: 11, column: 101,
            good: LintFixture.users("- { target: nickName, type: direct, source: mobile, transform: [{ use: text.case, with: { to: upper } }] }"),
            label: "a value outside the parameter's choices"),
        RuleCase(
            rule: .transformerArguments,
            bad: LintFixture.users("- { target: nickName, type: direct, source: mobile, transform: [lookup] }"),
            line: 11, column: 71,
            good: LintFixture.users("- { target: nickName, type: direct, source: mobile, transform: [{ use: lookup, with: { table: { a: b } } }] }"),
            label: "a missing required argument"),
        // KSL050 scope-clause
        RuleCase(
            rule: .scopeClause, bad: LintFixture.scoped("{ attribute: accountEnabled, operator: IS_TRUE, value: 'yes' }"),
            line: 9, column: 93, good: LintFixture.scoped("{ attribute: accountEnabled, operator: IS_TRUE }"),
            label: "IS_TRUE with a value"),
        RuleCase(
            rule: .scopeClause, bad: LintFixture.scoped("{ attribute: employeeId, operator: GREATER_THAN, value: ten }"),
            line: 9, column: 94, good: LintFixture.scoped("{ attribute: employeeId, operator: GREATER_THAN, value: '10' }"),
            label: "GREATER_THAN a word"),
        RuleCase(
            rule: .scopeClause, bad: LintFixture.scoped("{ attribute: proxyAddresses, operator: IS_NOT_NULL }"),
            line: 9, column: 51, good: LintFixture.scoped("{ attribute: mail, operator: IS_NOT_NULL }"),
            label: "a multi-valued attribute"),
        // KSL060 default-create-only
        RuleCase(
            rule: .defaultCreateOnly, bad: LintFixture.users("- { target: preferredLanguage, type: direct, source: preferredLanguage, default: en-GB }"),
            line: 11, column: 88,
            good: LintFixture.users("- { target: preferredLanguage, type: direct, source: preferredLanguage, default: { value: en-GB, apply: always } }"),
            label: "a short-form default applied always"),
        // KSL070 failing-example
        RuleCase(
            rule: .failingExample,
            bad: LintFixture.clean + "examples:\n  - { name: one, source: { userPrincipalName: a@b.c }, expect: { userName: x@y.z } }\n",
            line: 12, column: 64,
            good: LintFixture.clean + "examples:\n  - { name: one, source: { userPrincipalName: a@b.c }, expect: { userName: a@b.c } }\n",
            label: "an example expecting another value"),
        // KSL080 invalid-suppression
        RuleCase(
            rule: .invalidSuppression,
            bad: LintFixture.users("# klaxon-lint disable-next-line KSL12", "- { target: title, type: direct, source: jobTitle }"),
            line: 11, column: 39, good: LintFixture.users("- { target: title, type: direct, source: jobTitle }"),
            label: "an unknown rule id"),
        // KSL081 unused-suppression
        RuleCase(
            rule: .unusedSuppression,
            bad: LintFixture.users("# klaxon-lint disable-next-line KSL012", "- { target: title, type: direct, source: jobTitle }"),
            line: 11, column: 39, good: LintFixture.users("- { target: title, type: direct, source: jobTitle }"),
            label: "a directive that suppresses nothing"),
    ]

    @Test(arguments: cases)
    func reportsTheRuleWhereTheProblemIs(_ testCase: RuleCase) {
        let diagnostics = MappingLinter.lint(text: testCase.bad, file: "case.yaml")
        let matching = diagnostics.filter { $0.rule == testCase.rule }
        #expect(
            matching.contains { $0.location.line == testCase.line && $0.location.column == testCase.column },
            "expected \(testCase.rule.id) at \(testCase.line):\(testCase.column), got \(diagnostics.map { "\($0.rule.id)@\($0.location): \($0.message)" })")
        #expect(matching.allSatisfy { $0.severity == testCase.rule.severity && $0.file == "case.yaml" })
    }

    @Test(arguments: cases)
    func theCorrectedFileLintsClean(_ testCase: RuleCase) {
        let diagnostics = MappingLinter.lint(text: testCase.good, file: "case.yaml")
        #expect(diagnostics.isEmpty, "\(diagnostics.map { "\($0.rule.id)@\($0.location): \($0.message)" })")
    }

    @Test func everyRuleIsCovered() {
        let covered = Set(Self.cases.map(\.rule) + MappingExpressionLintTests.cases.map(\.rule) + [.inputLimits])
        #expect(Set(LintRule.allCases).subtracting(covered).isEmpty)
    }

    @Test(arguments: ["123", "-7", "2.5", "1.0", "0", "true"])
    func plainScalarsThatPrintAsWrittenAreNotAmbiguous(_ text: String) {
        let diagnostics = MappingLinter.lint(text: LintFixture.users("- { target: title, type: constant, value: \(text) }"), file: "case.yaml")
        #expect(diagnostics.isEmpty, "\(diagnostics.map(\.message))")
    }

    @Test func anAmbiguousNumberIsShownAsYAMLReadsIt() {
        let diagnostics = MappingLinter.lint(text: LintFixture.users("- { target: title, type: constant, value: 1.10 }"), file: "case.yaml")
        #expect(diagnostics.map(\.message) == ["plain 1.10 is read by YAML as a number (1.1); quote it (\"1.10\") if text is meant"])
    }

    @Test func suggestionsNameTheIntendedSpelling() {
        let diagnostics = MappingLinter.lint(
            text: LintFixture.users(
                "- { target: nickName, tpye: direct, type: direct, source: moble, transform: [text.trimm] }",
                "- { target: displayNme, type: drect, source: displayName }"),
            file: "case.yaml")
        #expect(diagnostics.map(\.suggestion) == ["type", "mobile", "text.trim", "displayName", "direct"])
        #expect(diagnostics[0].message == "unknown key \"tpye\" (did you mean \"type\"?) in objectMappings[0].mappings[1]")
        #expect(diagnostics[1].message == "unknown source attribute \"moble\" (did you mean \"mobile\"?)")
        #expect(diagnostics[3].message == "unknown target attribute \"displayNme\" of User (did you mean \"displayName\"?)")
    }

    @Test func reportsEveryProblemNotJustTheFirst() {
        let text = LintFixture.users(
            "- { target: displayNme, type: direct, source: displayName }",
            "- { target: nickName, type: direct, source: moble }",
            "- { target: title, type: drect, source: jobTitle }")
        let diagnostics = MappingLinter.lint(text: text, file: "case.yaml")
        #expect(diagnostics.map(\.rule) == [.unknownTargetAttribute, .unknownSourceAttribute, .invalidEnumValue])
        #expect(diagnostics.map(\.location.line) == [11, 12, 13])
    }

    @Test func theMappingCountIsLimited() {
        var options = LintOptions()
        options.limits.maxAttributeMappings = 2
        let diagnostics = MappingLinter.lint(
            text: LintFixture.users("- { target: displayName, type: direct, source: displayName }", "- { target: title, type: direct, source: jobTitle }"),
            file: "case.yaml", options: options)
        #expect(diagnostics.map(\.rule) == [.inputLimits])
        #expect(diagnostics.first?.location == FileLocation(line: 12, column: 9))
    }

    @Test func theFileSizeIsLimited() {
        var options = LintOptions()
        options.limits.maxBytes = 100
        let diagnostics = MappingLinter.lint(text: LintFixture.clean, file: "case.yaml", options: options)
        #expect(diagnostics.map(\.rule) == [.inputLimits])
        #expect(diagnostics.first?.location == FileLocation(line: 1, column: 1))
    }
}
