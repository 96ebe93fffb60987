import Foundation
import SCIM
import Testing
@testable import KlaxonMapping

@Suite struct LintReportTests {
    /// A directory of mapping files, removed when the test ends.
    private final class Folder {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("klaxon-lint-\(UUID().uuidString)").path

        init(_ files: [String: String]) throws {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            for (name, text) in files { try text.write(toFile: "\(path)/\(name)", atomically: true, encoding: .utf8) }
        }

        deinit { try? FileManager.default.removeItem(atPath: path) }
    }

    private static let oneError = LintFixture.users("- { target: nickName, type: direct, source: moble }")

    @Test func textShowsTheLineAndACaretUnderTheProblem() throws {
        let folder = try Folder(["bad.yaml": Self.oneError])
        let report = MappingLinter.lint(paths: ["\(folder.path)/bad.yaml"])
        let file = "\(folder.path)/bad.yaml"
        #expect(report.output == """
            \(file):11:51: error: \(report.diagnostics[0].message) [KSL020 unknown-source-attribute]
                      - { target: nickName, type: direct, source: moble }
                                                                  ^~~~~
            1 file linted: 1 error, 0 warnings

            """)
        #expect(report.exitCode == 1)
    }

    @Test func caretsKeepTabsAndStayOnTheLine() {
        #expect(LintReport.caret(under: "\tkey: value", at: FileLocation(line: 1, column: 7, length: 5)) == "\t     ^~~~~")
        #expect(LintReport.caret(under: "ab", at: FileLocation(line: 1, column: 2, length: 9)) == " ^")
        #expect(LintReport.caret(under: "Zoë: x", at: FileLocation(line: 1, column: 6, length: 1)) == "     ^")
    }

    @Test func aCleanRunSaysSoAndExitsZero() throws {
        let folder = try Folder(["a.yaml": LintFixture.clean, "b.yml": LintFixture.clean, "notes.txt": "not a mapping"])
        let report = MappingLinter.lint(paths: [folder.path])
        #expect(report.files.map { ($0 as NSString).lastPathComponent } == ["a.yaml", "b.yml"])
        #expect(report.output == "2 files linted: no problems\n")
        #expect(report.exitCode == 0)
    }

    @Test func warningsFailOnlyWhenStrict() throws {
        let folder = try Folder(["w.yaml": LintFixture.users("- { target: 'addresses[type eq \"work\"].country', type: constant, value: NO }")])
        #expect(MappingLinter.lint(paths: [folder.path]).exitCode == 0)
        #expect(MappingLinter.lint(paths: [folder.path], options: LintOptions(strict: true)).exitCode == 1)
    }

    @Test func unreadableInputExitsTwo() throws {
        let missing = MappingLinter.lint(paths: ["/nonexistent/mappings.yaml"])
        #expect(missing.exitCode == 2)
        #expect(missing.output == "error: /nonexistent/mappings.yaml: no such file or directory\n0 files linted\n")
        #expect(MappingLinter.lint(paths: []).exitCode == 2)
        let empty = try Folder([:])
        #expect(MappingLinter.lint(paths: [empty.path]).unreadable == ["\(empty.path): no .yaml or .yml files"])
    }

    @Test func jsonHasEveryFieldOfEveryDiagnostic() throws {
        let folder = try Folder(["bad.yaml": Self.oneError])
        let report = MappingLinter.lint(paths: [folder.path], format: .json)
        let json = try JSONParser.parse(report.output)
        #expect(json["errors"] == 1)
        #expect(json["warnings"] == 0)
        #expect(json["files"] == [.string("\(folder.path)/bad.yaml")])
        let diagnostic = try #require(json["diagnostics"]?.arrayValue?.first)
        #expect(diagnostic["line"] == 11)
        #expect(diagnostic["column"] == 51)
        #expect(diagnostic["endColumn"] == 56)
        #expect(diagnostic["severity"] == "error")
        #expect(diagnostic["rule"] == "KSL020")
        #expect(diagnostic["name"] == "unknown-source-attribute")
        #expect(diagnostic["path"] == "objectMappings[0].mappings[1].source")
        #expect(diagnostic["suggestion"] == .string("mobile"))
    }

    @Test func sarifIsVersion2_1_0WithRulesAndRegions() throws {
        let folder = try Folder(["bad.yaml": Self.oneError])
        let report = MappingLinter.lint(paths: [folder.path], format: .sarif)
        let sarif = try JSONParser.parse(report.output)
        #expect(sarif["version"] == "2.1.0")
        let run = try #require(sarif["runs"]?.arrayValue?.first)
        #expect(run["columnKind"] == "unicodeCodePoints")
        let rules = try #require(run["tool"]?["driver"]?["rules"]?.arrayValue)
        #expect(rules.count == LintRule.allCases.count)
        #expect(rules.first?["id"] == "KSL001")
        #expect(rules.first?["defaultConfiguration"]?["level"] == "error")
        let result = try #require(run["results"]?.arrayValue?.first)
        #expect(result["ruleId"] == "KSL020")
        #expect(rules[result["ruleIndex"]?.intValue ?? -1]["id"] == "KSL020")
        #expect(result["level"] == "error")
        let location = try #require(result["locations"]?.arrayValue?.first?["physicalLocation"])
        #expect(location["artifactLocation"]?["uri"] == .string("\(folder.path)/bad.yaml"))
        #expect(location["region"] == ["startLine": 11, "startColumn": 51, "endColumn": 56])
        #expect(run["invocations"]?.arrayValue?.first?["executionSuccessful"] == true)
    }

    @Test func ruleIdsAreUniqueAndNamed() {
        #expect(Set(LintRule.allCases.map(\.name)).count == LintRule.allCases.count)
        #expect(LintRule(id: "ksl034") == .volatileOnUpdate)
        #expect(LintRule(id: "KSL999") == nil)
        #expect(LintRule.defaultCreateOnly.severity == .info)
    }

    // MARK: A live server's schemas

    /// A server's /Schemas response: Klaxon's standard schemas plus an extension it declares.
    private static var serverSchemas: JSONValue {
        var registry = SchemaRegistry.standard
        try? registry.declareExtension(
            Schema(
                id: "urn:ietf:params:scim:schemas:extension:site:2.0:User", name: "Site", description: "",
                attributes: [SchemaAttribute(name: "badge", type: .string), SchemaAttribute(name: "floor", type: .integer, mutability: .readOnly)]),
            on: "User")
        return ListResponse.schemas(of: registry).json
    }

    @Test func targetsCanBeCheckedAgainstAServersSchemas() throws {
        let text = LintFixture.users("- { target: 'urn:ietf:params:scim:schemas:extension:site:2.0:User:badge', type: direct, source: employeeId }")
            .replacingOccurrences(of: "klaxon:2.0:User]", with: "klaxon:2.0:User, urn:ietf:params:scim:schemas:extension:site:2.0:User]")
        #expect(MappingLinter.lint(text: text, file: "site.yaml").map(\.rule) == [.extensionURN, .extensionURN])

        var options = LintOptions()
        try options.useServerSchemas(Self.serverSchemas)
        #expect(MappingLinter.lint(text: text, file: "site.yaml", options: options).isEmpty)

        let readOnly = text.replacingOccurrences(of: "User:badge", with: "User:floor")
        #expect(MappingLinter.lint(text: readOnly, file: "site.yaml", options: options).map(\.rule) == [.readOnlyTarget])
    }

    @Test(arguments: [
        (["schemas": [.string(SchemaURN.error)], "status": "401"] as JSONValue, "the /Schemas response is not a ListResponse: it has no Resources"),
        (["Resources": [["name": "x"]]] as JSONValue, "Resources[0] has no schema URN in \"id\""),
        (["Resources": [["id": .string(SchemaURN.user), "attributes": [["name": "a", "type": "color"]]]]] as JSONValue,
            "Resources[0].attributes[0].type \"color\" is not one of string, boolean, decimal, integer, dateTime, binary, reference, complex"),
        (["Resources": [["id": "urn:ietf:params:scim:schemas:extension:x:2.0:User"]]] as JSONValue,
            "the /Schemas response has neither the core User nor the core Group schema"),
    ] as [(JSONValue, String)])
    func aResponseThatIsNotSchemasIsABadRequest(_ body: JSONValue, _ detail: String) {
        var options = LintOptions()
        #expect {
            try options.useServerSchemas(body)
        } throws: { error in
            guard let error = error as? SCIMError else { return false }
            return error.status == .badRequest && error.scimType == .invalidValue && error.detail == detail
        }
    }
}
