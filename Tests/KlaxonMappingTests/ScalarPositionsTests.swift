import Testing
@testable import KlaxonMapping

/// Problems inside block scalars are reported at their file line and column, in every block style, with
/// leading and inner blank lines, indentation indicators and folding.
@Suite struct ScalarPositionsTests {
    /// An expression mapping whose `expression:` (at line 13, key at column 9) is followed by `lines` from
    /// line 14, each indented by the fixture's six spaces; the problem must be reported at `line`:`column`.
    struct BlockCase: CustomTestStringConvertible, Sendable {
        let label: String
        let indicator: String
        let lines: [String]
        let rule: LintRule
        let line: Int
        let column: Int

        var testDescription: String { label }

        var text: String {
            let mapping = ["- target: displayName", "  type: expression", "  expression: \(indicator)"] + lines
            return ([LintFixture.header] + mapping.map { "      " + $0 }).joined(separator: "\n") + "\n"
        }
    }

    static let cases: [BlockCase] = [
        BlockCase(
            label: "literal", indicator: "|", lines: [#"    Join(" ","#, "      [givenName], [moble])"],
            rule: .unknownSourceAttribute, line: 15, column: 26),
        BlockCase(
            label: "literal, stripped", indicator: "|-", lines: [#"    Join(" ","#, "      [givenName], [moble])"],
            rule: .unknownSourceAttribute, line: 15, column: 26),
        BlockCase(
            label: "literal, kept", indicator: "|+", lines: [#"    Join(" ","#, "      [givenName], [moble])", ""],
            rule: .unknownSourceAttribute, line: 15, column: 26),
        BlockCase(
            label: "literal after a blank line", indicator: "|", lines: ["", #"    Join(" ","#, "      [givenName], [moble])"],
            rule: .unknownSourceAttribute, line: 16, column: 26),
        BlockCase(
            label: "literal after two blank lines, one of spaces only", indicator: "|",
            lines: ["", "  ", #"    Join(" ", [givenName], [moble])"#], rule: .unknownSourceAttribute, line: 16, column: 34),
        BlockCase(
            label: "literal with a blank line inside", indicator: "|",
            lines: [#"    Join(" ","#, "", "      [givenName], [moble])"], rule: .unknownSourceAttribute, line: 16, column: 26),
        BlockCase(
            label: "literal with an indentation indicator", indicator: "|2",
            lines: [#"      Join(" ","#, "    [givenName], [moble])"], rule: .unknownSourceAttribute, line: 15, column: 24),
        BlockCase(
            label: "literal with an indicator and a blank line of more spaces", indicator: "|2-",
            lines: ["            ", #"    Join(" ","#, "    [givenName], [moble])"], rule: .unknownSourceAttribute, line: 16, column: 24),
        BlockCase(
            label: "literal with text beyond the ASCII range", indicator: "|",
            lines: [#"    Join("Zoë—😀", [moble])"#], rule: .unknownSourceAttribute, line: 14, column: 25),
        BlockCase(
            label: "folded", indicator: ">", lines: [#"    Join(" ","#, "    [givenName], [moble])"],
            rule: .unknownSourceAttribute, line: 15, column: 24),
        BlockCase(
            label: "folded, stripped", indicator: ">-", lines: [#"    Join(" ","#, "    [givenName], [moble])"],
            rule: .unknownSourceAttribute, line: 15, column: 24),
        BlockCase(
            label: "folded over three lines", indicator: ">", lines: ["    Join(", #"    " ","#, "    [givenName], [moble])"],
            rule: .unknownSourceAttribute, line: 16, column: 24),
        BlockCase(
            label: "folded after a blank line", indicator: ">", lines: ["", #"    Join(" ","#, "    [givenName], [moble])"],
            rule: .unknownSourceAttribute, line: 16, column: 24),
        BlockCase(
            label: "folded with a blank line inside", indicator: ">",
            lines: [#"    Join(" ","#, "", "    [givenName], [moble])"], rule: .unknownSourceAttribute, line: 16, column: 24),
        BlockCase(
            label: "folded with two blank lines inside", indicator: ">",
            lines: [#"    Join(" ","#, "", "", "    [givenName], [moble])"], rule: .unknownSourceAttribute, line: 17, column: 24),
        BlockCase(
            label: "folded with a more-indented line", indicator: ">",
            lines: [#"    Join(" ","#, "      [givenName],", "    [moble])"], rule: .unknownSourceAttribute, line: 16, column: 11),
        BlockCase(
            label: "folded with an indentation indicator", indicator: ">2",
            lines: [#"    Join(" ","#, "    [givenName], [moble])"], rule: .unknownSourceAttribute, line: 15, column: 24),
        BlockCase(
            label: "a missing parenthesis at the end of a literal", indicator: "|", lines: [#"    Join(" ", [givenName]"#],
            rule: .expressionSyntax, line: 14, column: 32),
        BlockCase(
            label: "a missing parenthesis at the end of a folded scalar", indicator: ">", lines: ["    Join(", #"    " ", [givenName]"#],
            rule: .expressionSyntax, line: 15, column: 27),
    ]

    @Test(arguments: cases)
    func problemsAreReportedWhereTheyAreInTheFile(_ testCase: BlockCase) {
        let diagnostics = MappingLinter.lint(text: testCase.text, file: "case.yaml")
        let found = diagnostics.filter { $0.rule == testCase.rule }
        #expect(
            found.map { "\($0.location.line):\($0.location.column)" } == ["\(testCase.line):\(testCase.column)"],
            "\(diagnostics.map { "\($0.rule.id)@\($0.location): \($0.message)" })")
        if testCase.rule == .unknownSourceAttribute, let diagnostic = found.first {
            let lines = testCase.text.split(separator: "\n", omittingEmptySubsequences: false)
            let line = diagnostic.location.line <= lines.count ? lines[diagnostic.location.line - 1] : ""
            #expect(String(line.unicodeScalars.dropFirst(diagnostic.location.column - 1)).hasPrefix("[moble]"))
            #expect(diagnostic.location.length == 7)
        }
    }
}
