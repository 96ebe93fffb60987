import Foundation
import SCIM
import Testing
@testable import KlaxonMapping

/// `# klaxon-lint` suppression directives, and how reports show what they suppress.
@Suite struct LintSuppressionTests {
    /// A mapping file in a folder of its own, removed when the test ends.
    private final class File {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("klaxon-lint-\(UUID().uuidString)").path
        let path: String

        init(_ text: String, name: String = "case.yaml") throws {
            path = "\(folder)/\(name)"
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        }

        deinit { try? FileManager.default.removeItem(atPath: folder) }
    }

    /// A KSL012 (invalid-enum-value) problem, writing `target`.
    private static func badType(_ target: String = "title") -> String { "- { target: \(target), type: drect, source: jobTitle }" }
    /// A KSL020 (unknown-source-attribute) problem, writing `target`.
    private static func badSource(_ target: String = "nickName") -> String { "- { target: \(target), type: direct, source: moble }" }

    private static func lint(_ text: String) -> [Diagnostic] { MappingLinter.lint(text: text, file: "case.yaml") }

    /// Each diagnostic as `rule@line`, with `(s)` when suppressed.
    private static func summary(_ diagnostics: [Diagnostic]) -> [String] {
        diagnostics.map { "\($0.rule.id)@\($0.location.line)" + ($0.suppression == nil ? "" : "(s)") }
    }

    // MARK: disable-next-line

    @Test(arguments: [
        "# klaxon-lint disable-next-line KSL012",
        "# klaxon-lint disable-next-line ksl012",
        "# klaxon-lint disable-next-line",
        "# klaxon-lint disable-next-line KSL020, KSL012",
        "#klaxon-lint   disable-next-line   KSL012,KSL020 -- Okta sends it so",
    ])
    func disableNextLineSuppressesTheNextLine(_ directive: String) {
        let diagnostics = Self.lint(LintFixture.users(directive, Self.badType(), Self.badType("userType")))
        let problems = diagnostics.filter { $0.rule == .invalidEnumValue }
        #expect(Self.summary(problems) == ["KSL012@12(s)", "KSL012@13"])
        #expect(problems[0].suppression?.location == FileLocation(line: 11, column: 7))
        // A named rule with nothing to suppress on that line is unused, reported where it is written.
        let unused = diagnostics.filter { $0.rule == .unusedSuppression }
        #expect(unused.count == (directive.contains("KSL020") ? 1 : 0))
        if let first = unused.first {
            #expect(first.message == "unused suppression: there is no KSL020 (unknown-source-attribute) problem on line 12 to suppress")
            #expect(first.severity == .warning)
        }
    }

    @Test func theNextLineSkipsBlankLinesAndComments() {
        let text = LintFixture.users("# klaxon-lint disable-next-line KSL012", "# why: Okta", "", Self.badType())
        #expect(Self.summary(Self.lint(text)) == ["KSL012@14(s)"])
    }

    /// The same file with Windows line ends: lines are found on bytes, so CRLF counts as one line end.
    @Test func crlfFilesHaveTheSameLines() {
        let text = LintFixture.users("# klaxon-lint disable-next-line KSL012", "# why: Okta", "", Self.badType(), Self.badType("userType"))
        let crlf = text.replacingOccurrences(of: "\n", with: "\r\n")
        #expect(Self.summary(Self.lint(crlf)).filter { $0.hasPrefix("KSL012") } == ["KSL012@14(s)", "KSL012@15"])
        #expect(Self.lint(crlf).allSatisfy { $0.rule != .unusedSuppression })
    }

    @Test func onlyTheNamedRuleIsSuppressed() {
        let text = LintFixture.users("# klaxon-lint disable-next-line KSL020", Self.badType())
        #expect(Self.summary(Self.lint(text)) == ["KSL081@11", "KSL012@12"])
    }

    @Test func aDirectiveAfterContentOnItsLineCountsToo() {
        let text = LintFixture.users(Self.badSource() + "  # klaxon-lint disable-next-line KSL012", Self.badType())
        #expect(Self.summary(Self.lint(text)) == ["KSL020@11", "KSL012@12(s)"])
    }

    @Test func aHashInsideAQuotedOrBlockValueIsNotADirective() {
        let quoted = LintFixture.users(
            "- { target: nickName, type: constant, value: \"x # klaxon-lint disable-file\" }", Self.badType())
        #expect(Self.summary(Self.lint(quoted)) == ["KSL012@12"])
        let block = LintFixture.users(
            "- target: nickName", "  type: constant", "  value: |", "    # klaxon-lint disable-file", Self.badType())
        #expect(Self.summary(Self.lint(block)) == ["KSL012@15"])
    }

    // MARK: Regions and files

    @Test func disableAndEnableSuppressARegion() {
        let text = LintFixture.users(
            "# klaxon-lint disable KSL020", Self.badSource(), Self.badType(), Self.badSource("displayName"), "# klaxon-lint enable KSL020",
            Self.badSource("profileUrl"))
        #expect(Self.summary(Self.lint(text)) == ["KSL020@12(s)", "KSL012@13", "KSL020@14(s)", "KSL020@16"])
    }

    @Test func aBareEnableEndsEveryRegionAndAnOpenRegionRunsToTheEnd() {
        let closed = LintFixture.users("# klaxon-lint disable", Self.badSource(), Self.badType(), "# klaxon-lint enable", Self.badType("userType"))
        #expect(Self.summary(Self.lint(closed)) == ["KSL020@12(s)", "KSL012@13(s)", "KSL012@15"])
        let open = LintFixture.users("# klaxon-lint disable KSL012", Self.badSource(), Self.badType(), Self.badType("userType"))
        #expect(Self.summary(Self.lint(open)) == ["KSL020@12", "KSL012@13(s)", "KSL012@14(s)"])
    }

    @Test func anUnusedRegionSaysWhichLines() {
        let text = LintFixture.users("# klaxon-lint disable KSL012", Self.badSource(), "# klaxon-lint enable KSL012")
        let diagnostics = Self.lint(text)
        #expect(Self.summary(diagnostics) == ["KSL081@11", "KSL020@12"])
        #expect(diagnostics[0].message == "unused suppression: there is no KSL012 (invalid-enum-value) problem on lines 11–12 to suppress")
        #expect(diagnostics[0].location == FileLocation(line: 11, column: 29, length: 6))
    }

    @Test func enableWithoutDisableAndDisablingTwiceAreReported() {
        let text = LintFixture.users(
            "# klaxon-lint enable KSL012", "# klaxon-lint disable KSL020", "# klaxon-lint disable KSL020", Self.badSource(),
            "# klaxon-lint enable KSL020")
        let diagnostics = Self.lint(text)
        #expect(Self.summary(diagnostics) == ["KSL080@11", "KSL080@13", "KSL020@14(s)"])
        #expect(diagnostics[0].message == "KSL012 (invalid-enum-value) is not disabled here, so there is nothing to enable")
        #expect(diagnostics[1].message == "KSL020 (unknown-source-attribute) is already disabled since line 12")
    }

    @Test func disableFileWorksFromAnywhere() {
        let text = LintFixture.users(Self.badSource(), Self.badType(), Self.badSource("displayName")) + "# klaxon-lint disable-file KSL020\n"
        #expect(Self.summary(Self.lint(text)) == ["KSL020@11(s)", "KSL012@12", "KSL020@13(s)"])
        let unused = LintFixture.clean + "# klaxon-lint disable-file\n"
        let diagnostics = Self.lint(unused)
        #expect(Self.summary(diagnostics) == ["KSL081@11"])
        #expect(diagnostics[0].message == "unused suppression: there is no problem in this file to suppress")
    }

    // MARK: Bad directives

    @Test(arguments: [
        ("# klaxon-lint disable-next-line KSL12", "unknown rule id \"KSL12\" (did you mean \"KSL012\"?)", "KSL012", 39),
        ("# klaxon-lint disable-next-line invalid-enum-value", "unknown rule id \"invalid-enum-value\" (did you mean \"KSL012\"?)", "KSL012", 39),
        ("# klaxon-lint disabel-next-line KSL012", "unknown klaxon-lint action \"disabel-next-line\" (did you mean \"disable-next-line\"?)", "disable-next-line", 21),
        ("# klaxon-lint", "a klaxon-lint comment needs an action: disable-next-line, disable, enable, disable-file", nil, 7),
        ("# klaxon-lint disable-next-line KSL999", "unknown rule id \"KSL999\"", nil, 39),
    ] as [(String, String, String?, Int)])
    func aBadDirectiveIsAWarningAndSuppressesNothing(_ directive: String, _ message: String, _ suggestion: String?, _ column: Int) {
        let diagnostics = Self.lint(LintFixture.users(directive, Self.badType()))
        #expect(Self.summary(diagnostics) == ["KSL080@11", "KSL012@12"])
        #expect(diagnostics[0].message == message)
        #expect(diagnostics[0].suggestion == suggestion)
        #expect(diagnostics[0].severity == .warning)
        #expect(diagnostics[0].location.column == column)
    }

    @Test func aSyntaxErrorCannotBeSuppressed() throws {
        let text = "# klaxon-lint disable-file\n# klaxon-lint disable-file KSL001\napiVersion: klaxon.sync/v1\nkind: [MappingSet\n"
        let diagnostics = Self.lint(text)
        #expect(Self.summary(diagnostics).contains("KSL080@2"))
        #expect(diagnostics.first(where: { $0.rule == .invalidSuppression })?.message
            == "KSL001 (yaml-syntax) cannot be suppressed: a file with that problem cannot be used, or the problem is with a directive")
        let syntax = try #require(diagnostics.first { $0.rule == .yamlSyntax })
        #expect(syntax.suppression == nil)
        // The file could not be read, so the bare disable-file is not called unused.
        #expect(!diagnostics.contains { $0.rule == .unusedSuppression })
        let file = try File(text)
        #expect(MappingLinter.lint(paths: [file.path]).exitCode == 1)
    }

    // MARK: Reports

    @Test func onlySuppressedErrorsExitZeroAndAreCountedNotShown() throws {
        let file = try File(LintFixture.users("# klaxon-lint disable-next-line KSL012 -- legacy value", Self.badType()))
        let report = MappingLinter.lint(paths: [file.path])
        #expect(report.diagnostics.isEmpty)
        #expect(report.suppressed.map(\.rule) == [.invalidEnumValue])
        #expect(report.exitCode == 0)
        #expect(report.output == "1 file linted: no problems (1 suppressed)\n")
        #expect(MappingLinter.lint(paths: [file.path], options: LintOptions(strict: true)).exitCode == 0)
    }

    @Test func anUnusedSuppressionFailsOnlyWhenStrict() throws {
        let file = try File(LintFixture.users("# klaxon-lint disable-next-line KSL012", "- { target: title, type: direct, source: jobTitle }"))
        #expect(MappingLinter.lint(paths: [file.path]).exitCode == 0)
        #expect(MappingLinter.lint(paths: [file.path], options: LintOptions(strict: true)).exitCode == 1)
    }

    @Test func jsonCountsAndListsSuppressedDiagnostics() throws {
        let file = try File(LintFixture.users("# klaxon-lint disable-next-line KSL012 -- legacy value", Self.badType(), Self.badSource()))
        let json = try JSONParser.parse(MappingLinter.lint(paths: [file.path], format: .json).output)
        #expect(json["errors"] == 1)
        #expect(json["suppressed"] == 1)
        #expect(json["diagnostics"]?.arrayValue?.compactMap { $0["rule"]?.stringValue } == ["KSL020"])
        let suppressed = try #require(json["suppressedDiagnostics"]?.arrayValue?.first)
        #expect(suppressed["rule"] == "KSL012")
        #expect(suppressed["line"] == 12)
        #expect(suppressed["suppression"] == ["line": 11, "column": 7, "justification": "legacy value"])
    }

    @Test func sarifKeepsSuppressedResultsMarkedInSource() throws {
        let file = try File(LintFixture.users("# klaxon-lint disable-next-line KSL012 -- legacy value", Self.badType(), Self.badSource()))
        let sarif = try JSONParser.parse(MappingLinter.lint(paths: [file.path], format: .sarif).output)
        let results = try #require(sarif["runs"]?.arrayValue?.first?["results"]?.arrayValue)
        #expect(results.compactMap { $0["ruleId"]?.stringValue } == ["KSL012", "KSL020"])
        let suppressions = try #require(results[0]["suppressions"]?.arrayValue)
        #expect(suppressions.count == 1)
        #expect(suppressions[0]["kind"] == "inSource")
        #expect(suppressions[0]["justification"] == "legacy value")
        #expect(suppressions[0]["location"]?["physicalLocation"]?["region"] == ["startLine": 11, "startColumn": 7])
        #expect(suppressions[0]["location"]?["physicalLocation"]?["artifactLocation"]?["uri"] == .string(file.path))
        // An unsuppressed result says suppressions were looked for and none applies.
        #expect(results[1]["suppressions"] == [])
    }

    // MARK: GitHub Actions

    @Test func githubWritesOneWorkflowCommandPerProblem() throws {
        let file = try File(
            LintFixture.users(Self.badSource(), "- { target: 'addresses[type eq \"work\"].country', type: constant, value: NO }",
                "- { target: preferredLanguage, type: direct, source: preferredLanguage, default: en-GB }",
                "# klaxon-lint disable-next-line", Self.badType()),
            name: "a,b:c.yaml")
        let report = MappingLinter.lint(paths: [file.path], format: .github)
        let escapedPath = file.path.replacingOccurrences(of: ",", with: "%2C").replacingOccurrences(of: ":", with: "%3A")
        let lines = report.output.split(separator: "\n").map(String.init)
        #expect(lines.count == 3)
        #expect(lines[0] == "::error file=\(escapedPath),line=11,col=51,endColumn=56,title=KSL020::\(report.diagnostics[0].message)")
        #expect(lines[1].hasPrefix("::warning file=\(escapedPath),line=12,"))
        #expect(lines[1].hasSuffix(",title=KSL005::" + LintReport.escapeForGitHub(report.diagnostics[1].message)))
        #expect(lines[2].hasPrefix("::notice file=\(escapedPath),line=13,"))
        #expect(report.exitCode == 1)
    }

    @Test func githubReportsUnreadablePathsWithoutAFile() {
        #expect(MappingLinter.lint(paths: ["/nonexistent/x.yaml"], format: .github).output
            == "::error::/nonexistent/x.yaml%3A no such file or directory\n".replacingOccurrences(of: "%3A", with: ":"))
    }

    @Test(arguments: [
        ("100% done", false, "100%25 done"),
        ("one\r\ntwo\nthree", false, "one%0D%0Atwo%0Athree"),
        ("a: b, c", false, "a: b, c"),
        ("a: b, c", true, "a%3A b%2C c"),
        ("C:\\50%,\n", true, "C%3A\\50%25%2C%0A"),
    ] as [(String, Bool, String)])
    func githubEscapesMessagesAndProperties(_ text: String, _ property: Bool, _ escaped: String) {
        #expect(LintReport.escapeForGitHub(text, property: property) == escaped)
    }
}
