import Foundation
import Testing
@testable import KlaxonMapping

/// Files built to hurt a YAML reader get a clear diagnostic, quickly, and never a hang or a crash.
@Suite struct HostileYAMLTests {
    /// The classic billion laughs: nine levels of nine aliases each.
    static let billionLaughs: String = {
        var lines = ["lol0: &lol0 \"lol\""]
        for level in 1...9 {
            let aliases = Array(repeating: "*lol\(level - 1)", count: 9).joined(separator: ", ")
            lines.append("lol\(level): &lol\(level) [\(aliases)]")
        }
        return lines.joined(separator: "\n") + "\n"
    }()

    @Test func billionLaughsIsRejectedBeforeAnythingExpandsIt() {
        let contents = MappingFileReader.read(text: Self.billionLaughs, file: "bomb.yaml")
        #expect(contents.mappingSet == nil)
        #expect(contents.diagnostics.allSatisfy { $0.rule == .noAnchorsOrAliases })
        // Every anchor and alias is reported at its own place: 10 anchors and 81 aliases.
        #expect(contents.diagnostics.count == 91)
        #expect(contents.diagnostics[0].location == FileLocation(line: 1, column: 7, length: 5))
        #expect(contents.diagnostics[2].message.hasPrefix("alias *lol0:"))
        #expect(contents.diagnostics[2].location == FileLocation(line: 2, column: 14, length: 5))
    }

    @Test func anAliasUsedAsAKeyIsRejectedBeforeYamsHashesIt() {
        let text = Self.billionLaughs + "? *lol9\n: boom\n"
        let diagnostics = MappingLinter.lint(text: text, file: "bomb.yaml")
        #expect(diagnostics.last?.location == FileLocation(line: 11, column: 3, length: 5))
        #expect(diagnostics.allSatisfy { $0.rule == .noAnchorsOrAliases })
    }

    @Test func aHundredMegabyteFileIsNotRead() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("klaxon-huge-\(UUID().uuidString).yaml").path
        #expect(FileManager.default.createFile(atPath: path, contents: Data("apiVersion: klaxon.sync/v1\n".utf8)))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.truncate(atOffset: 100 << 20)
        try handle.close()

        let report = MappingLinter.lint(paths: [path])
        #expect(report.exitCode == 1)
        #expect(report.diagnostics.map(\.rule) == [.inputLimits])
        #expect(report.diagnostics.first?.location == FileLocation(line: 1, column: 1))
        #expect(report.diagnostics.first?.message == "the file is larger than 1048576 bytes, the limit for a mapping file")
    }

    @Test(arguments: [
        ("flow sequences", String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000), 1, 33),
        ("flow mappings", String(repeating: "{a: ", count: 10_000) + "b" + String(repeating: "}", count: 10_000), 1, 129),
        ("block sequences", String(repeating: "- ", count: 10_000) + "x", 1, 65),
        ("block mappings", (0..<40).map { String(repeating: " ", count: $0) + "a:" }.joined(separator: "\n") + " b", 33, 33),
    ])
    func tenThousandDeepNestingStopsAtTheLimit(_ shape: String, _ text: String, _ line: Int, _ column: Int) {
        let diagnostics = MappingLinter.lint(text: text + "\n", file: "deep.yaml")
        #expect(diagnostics.map(\.rule) == [.inputLimits], "\(shape)")
        #expect(diagnostics.first?.location == FileLocation(line: line, column: column), "\(shape)")
        #expect(diagnostics.first?.message == "lists and mappings are nested more than 32 deep")
    }

    @Test func aMegabyteOnOneLineCostsLinearTime() {
        // 60,000 unknown keys on one line: columns are worked out incrementally, the line is not copied into
        // each diagnostic, and the report stops at its cap.
        let keys = (0..<60_000).map { "k\($0): 1" }.joined(separator: ", ")
        let diagnostics = MappingLinter.lint(text: "{\(keys)}\n", file: "wide.yaml")
        #expect(diagnostics.count == DiagnosticCollector.cap + 1)
        #expect(diagnostics.allSatisfy { $0.sourceLine == nil })
        #expect(diagnostics[1].location == FileLocation(line: 1, column: 9, length: 2))
        #expect(diagnostics.last?.message.hasSuffix("more problems were not reported") == true)
    }

    @Test func invalidUTF8IsReportedWhereItIs() {
        var bytes = Array("apiVersion: klaxon.sync/v1\nkind: Mapping".utf8)
        bytes += [0xC3, 0x28]  // a two-byte sequence whose second byte is not a continuation byte
        bytes += Array("Set\n".utf8)
        let contents = MappingFileReader.read(bytes: bytes, file: "broken.yaml")
        #expect(contents.mappingSet == nil)
        #expect(contents.diagnostics.map(\.rule) == [.yamlSyntax])
        #expect(contents.diagnostics.first?.location == FileLocation(line: 2, column: 14))
        #expect(contents.diagnostics.first?.message == "the file is not valid UTF-8 (byte 0xC3 at offset 40)")
    }

    @Test(arguments: [
        [0xED, 0xA0, 0x80],  // an encoded UTF-16 surrogate
        [0xC0, 0xAF],  // an overlong "/"
        [0xF4, 0x90, 0x80, 0x80],  // beyond U+10FFFF
        [0xE2, 0x82],  // truncated at the end of the file
        [0xFF],
    ] as [[UInt8]])
    func malformedSequencesAreFound(_ sequence: [UInt8]) {
        #expect(MappingFileReader.firstInvalidUTF8(in: Array("ok: ".utf8) + sequence) == 4)
    }

    @Test func wellFormedMultibyteTextIsAccepted() {
        #expect(MappingFileReader.firstInvalidUTF8(in: Array("name: Zoë Łódź 東京 🚨".utf8)) == nil)
    }

    @Test func controlCharactersAreASyntaxError() {
        let diagnostics = MappingLinter.lint(text: "apiVersion: klaxon\u{1}sync/v1\n", file: "control.yaml")
        #expect(diagnostics.map(\.rule) == [.yamlSyntax])
        #expect(diagnostics.first?.location.line == 1)
    }

    @Test func tabIndentationIsASyntaxError() {
        let diagnostics = MappingLinter.lint(text: "source:\n\tsystem: entra-id\n", file: "tabs.yaml")
        #expect(diagnostics.map(\.rule) == [.yamlSyntax])
        #expect(diagnostics.first?.location == FileLocation(line: 2, column: 1))
    }

    @Test func anEmptyFileSaysSo() {
        let diagnostics = MappingLinter.lint(text: "# nothing but a comment\n", file: "empty.yaml")
        #expect(diagnostics.map(\.message) == ["the file is empty; expected a mapping with apiVersion, kind, …"])
    }

    @Test func everyRepeatedKeyIsReportedAtItsRepetition() {
        let text = """
            apiVersion: klaxon.sync/v1
            kind: MappingSet
            kind: MappingSet
            source:
              system: entra-id
              system: okta
            """
        let diagnostics = MappingLinter.lint(text: text, file: "twice.yaml")
        #expect(diagnostics.map(\.rule) == [.duplicateKey, .duplicateKey])
        #expect(diagnostics.map(\.location) == [FileLocation(line: 3, column: 1, length: 4), FileLocation(line: 6, column: 3, length: 6)])
        #expect(diagnostics[0].message == "duplicate key \"kind\" (first at line 2, column 1)")
    }

    @Test func quotedTextWithAmpersandsAndAsterisksIsNotAnAlias() {
        let text = LintFixture.users(
            "- { target: title, type: constant, value: 'R&D *lead*' }",
            "- { target: nickName, type: constant, value: \"a &b *c\" }",
            "- { target: displayName, type: constant, value: plain &text *here }",
            "- target: profileUrl",
            "  type: constant",
            "  value: |",
            "    *not an alias*",
            "    &not an anchor")
        #expect(MappingLinter.lint(text: text, file: "text.yaml").isEmpty)
    }
}
