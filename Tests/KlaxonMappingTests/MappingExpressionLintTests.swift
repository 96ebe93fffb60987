import Testing
@testable import KlaxonMapping

/// The lint rules about expressions: problems are reported at their column inside the expression, mapped to
/// the file through quotes, escapes and block scalars.
@Suite struct MappingExpressionLintTests {
    static let cases: [RuleCase] = [
        RuleCase(
            rule: .expressionSyntax, bad: LintFixture.users("- { target: displayName, type: expression, expression: 'Join(\" \", [givenName]' }"),
            line: 11, column: 84,
            good: LintFixture.users("- { target: displayName, type: expression, expression: 'Join(\" \", [givenName])' }"),
            label: "a missing parenthesis"),
        RuleCase(
            rule: .expressionSyntax,
            bad: LintFixture.users("- target: displayName", "  type: expression", "  expression: |", "    Join(\" \",", "      [givenName] [surname])"),
            line: 15, column: 25,
            good: LintFixture.users("- target: displayName", "  type: expression", "  expression: |", "    Join(\" \",", "      [givenName], [surname])"),
            label: "inside a block scalar"),
        RuleCase(
            rule: .unknownFunction, bad: LintFixture.users("- { target: displayName, type: expression, expression: 'Tolowr([mail])' }"),
            line: 11, column: 63, good: LintFixture.users("- { target: displayName, type: expression, expression: 'ToLower([mail])' }"),
            label: "Tolowr"),
        RuleCase(
            rule: .unknownFunction, bad: LintFixture.users("- { target: displayName, type: expression, expression: \"tolower([mail])\" }"),
            line: 11, column: 63, good: LintFixture.users("- { target: displayName, type: expression, expression: \"ToLower([mail])\" }"),
            label: "a function in the wrong case"),
        RuleCase(
            rule: .functionArity, bad: LintFixture.users("- { target: displayName, type: expression, expression: 'Left([mail])' }"),
            line: 11, column: 63, good: LintFixture.users("- { target: displayName, type: expression, expression: 'Left([mail], 3)' }"),
            label: "Left with one argument"),
        RuleCase(
            rule: .unknownSourceAttribute,
            bad: LintFixture.users("- { target: displayName, type: expression, expression: \"Join(\\\" \\\", [givenName], [surnme])\" }"),
            line: 11, column: 88,
            good: LintFixture.users("- { target: displayName, type: expression, expression: \"Join(\\\" \\\", [givenName], [surname])\" }"),
            label: "an attribute inside an expression, past escapes"),
        RuleCase(
            rule: .entraCompatibility,
            bad: LintFixture.users("- { target: displayName, type: expression, expression: 'Switch(IsPresent([mail]), \"x\", \"True\", [mail])' }"),
            line: 11, column: 70,
            good: LintFixture.users("- { target: displayName, type: expression, expression: 'IIF(IsPresent([mail]), [mail], \"x\")' }"),
            label: "Switch on IsPresent"),
        RuleCase(
            rule: .volatileOnUpdate, bad: LintFixture.users("- { target: externalId, type: expression, expression: 'Guid()' }"),
            line: 11, column: 61,
            good: LintFixture.users("- { target: externalId, type: expression, expression: 'Guid()', apply: on-create }"),
            label: "Guid() applied always"),
        RuleCase(
            rule: .matching,
            bad: LintFixture.users("- { target: externalId, type: expression, expression: 'Guid()', apply: on-create, match: { precedence: 2 } }"),
            line: 11, column: 110,
            good: LintFixture.users("- { target: externalId, type: expression, expression: 'ToLower([mail])', match: { precedence: 2 } }"),
            label: "matching on a value that changes every sync"),
        RuleCase(
            rule: .invalidRegex,
            bad: LintFixture.users("- { target: displayName, type: expression, expression: 'Replace([mail], , \"[a-z\", , \"\", , )' }"),
            line: 11, column: 81,
            good: LintFixture.users("- { target: displayName, type: expression, expression: 'Replace([mail], , \"[a-z]\", , \"\", , )' }"),
            label: "an invalid pattern in Replace"),
    ]

    @Test(arguments: cases)
    func reportsTheRuleWhereTheProblemIs(_ testCase: RuleCase) {
        let diagnostics = MappingLinter.lint(text: testCase.bad, file: "case.yaml")
        let matching = diagnostics.filter { $0.rule == testCase.rule }
        #expect(
            matching.contains { $0.location.line == testCase.line && $0.location.column == testCase.column },
            "expected \(testCase.rule.id) at \(testCase.line):\(testCase.column), got \(diagnostics.map { "\($0.rule.id)@\($0.location): \($0.message)" })")
    }

    @Test(arguments: cases)
    func theCorrectedFileLintsClean(_ testCase: RuleCase) {
        let diagnostics = MappingLinter.lint(text: testCase.good, file: "case.yaml")
        #expect(diagnostics.isEmpty, "\(diagnostics.map { "\($0.rule.id)@\($0.location): \($0.message)" })")
    }

    @Test func aMisspeltFunctionGetsASuggestion() {
        let diagnostics = MappingLinter.lint(
            text: LintFixture.users("- { target: displayName, type: expression, expression: 'Tolowr([mail])' }"), file: "case.yaml")
        #expect(diagnostics.first?.suggestion == "ToLower")
    }
}
