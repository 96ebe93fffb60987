import SCIM

/// The outcome of linting: the files read, every diagnostic, paths that could not be read, the exit code
/// and the report rendered as text, JSON, SARIF 2.1.0 or GitHub Actions workflow commands.
///
/// ```swift
/// let report = MappingLinter.lint(paths: ["Mappings/entra-id.yaml"], format: .sarif)
/// try report.output.write(toFile: "lint.sarif", atomically: true, encoding: .utf8)
/// ```
public struct LintReport: Sendable {
    /// The files linted, in order.
    public var files: [String] = []
    /// The problems that count: shown, and deciding the exit code.
    public var diagnostics: [Diagnostic] = []
    /// The problems a `# klaxon-lint` directive suppresses: left out of the text and the exit code, kept in
    /// JSON and SARIF.
    public var suppressed: [Diagnostic] = []
    /// Paths that could not be read, and other usage problems.
    public var unreadable: [String] = []
    /// The format ``output`` renders.
    public var format: LintFormat
    /// Warnings count as failures.
    public var strict: Bool

    public init(format: LintFormat = .text, strict: Bool = false) {
        self.format = format
        self.strict = strict
    }

    public var errorCount: Int { diagnostics.count { $0.severity == .error } }
    public var warningCount: Int { diagnostics.count { $0.severity == .warning } }

    /// 0 when clean (or only warnings, unless strict), 1 when there are errors, 2 when input could not be read.
    public var exitCode: Int32 {
        if !unreadable.isEmpty { return 2 }
        if errorCount > 0 || (strict && warningCount > 0) { return 1 }
        return 0
    }

    /// The report in its ``format``.
    public var output: String { rendered(as: format) }

    /// The report in any format.
    public func rendered(as format: LintFormat) -> String {
        switch format {
        case .text: return text
        case .json: return JSONWriter.string(from: json) + "\n"
        case .sarif: return JSONWriter.string(from: sarif) + "\n"
        case .github: return github
        }
    }

    // MARK: Text

    private var text: String {
        var lines: [String] = unreadable.map { "error: \($0)" }
        for diagnostic in diagnostics {
            var line = "\(diagnostic.file):\(diagnostic.location.line):\(diagnostic.location.column): "
            line += "\(diagnostic.severity.rawValue): \(diagnostic.message) [\(diagnostic.rule.id) \(diagnostic.rule.name)]"
            lines.append(line)
            if let source = diagnostic.sourceLine {
                lines.append("    " + source)
                lines.append("    " + Self.caret(under: source, at: diagnostic.location))
            }
        }
        let fileCount = "\(files.count) file\(files.count == 1 ? "" : "s")"
        let suppressedCount = suppressed.isEmpty ? "" : " (\(suppressed.count) suppressed)"
        if diagnostics.isEmpty {
            lines.append((unreadable.isEmpty ? "\(fileCount) linted: no problems" : "\(fileCount) linted") + suppressedCount)
        } else {
            let infoCount = diagnostics.count - errorCount - warningCount
            var counts = ["\(errorCount) error\(errorCount == 1 ? "" : "s")", "\(warningCount) warning\(warningCount == 1 ? "" : "s")"]
            if infoCount > 0 { counts.append("\(infoCount) note\(infoCount == 1 ? "" : "s")") }
            lines.append("\(fileCount) linted: " + counts.joined(separator: ", ") + suppressedCount)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `^~~~` under the offending text, keeping the line's tabs so the caret lines up.
    static func caret(under line: String, at location: FileLocation) -> String {
        let scalars = Array(line.unicodeScalars)
        let start = min(max(location.column - 1, 0), scalars.count)
        var prefix = ""
        for scalar in scalars[..<start] { prefix.unicodeScalars.append(scalar == "\t" ? "\t" : " ") }
        let width = max(1, min(location.length, scalars.count - start))
        return prefix + "^" + String(repeating: "~", count: width - 1)
    }

    // MARK: JSON

    private var json: JSONValue {
        func entry(_ diagnostic: Diagnostic) -> JSONValue {
            var entry: JSONObject = [
                "file": .string(diagnostic.file),
                "line": .integer(diagnostic.location.line),
                "column": .integer(diagnostic.location.column),
                "endColumn": .integer(diagnostic.location.endColumn),
                "severity": .string(diagnostic.severity.rawValue),
                "rule": .string(diagnostic.rule.id),
                "name": .string(diagnostic.rule.name),
                "message": .string(diagnostic.message),
                "path": .string(diagnostic.path),
                "suggestion": diagnostic.suggestion.map(JSONValue.string) ?? .null,
            ]
            if let suppression = diagnostic.suppression {
                entry["suppression"] = [
                    "line": .integer(suppression.location.line),
                    "column": .integer(suppression.location.column),
                    "justification": suppression.justification.map(JSONValue.string) ?? .null,
                ]
            }
            return .object(entry)
        }
        return [
            "files": .array(files.map(JSONValue.string)),
            "errors": .integer(errorCount),
            "warnings": .integer(warningCount),
            "suppressed": .integer(suppressed.count),
            "unreadable": .array(unreadable.map(JSONValue.string)),
            "diagnostics": .array(diagnostics.map(entry)),
            "suppressedDiagnostics": .array(suppressed.map(entry)),
        ]
    }

    // MARK: SARIF

    /// Every diagnostic, suppressed or not, in the order the files were linted, then line and column.
    private var allInFileOrder: [Diagnostic] {
        func rank(_ diagnostic: Diagnostic) -> Int { files.firstIndex(of: diagnostic.file) ?? files.count }
        return (diagnostics + suppressed).enumerated().sorted { lhs, rhs in
            (rank(lhs.element), lhs.element.location.line, lhs.element.location.column, lhs.offset)
                < (rank(rhs.element), rhs.element.location.line, rhs.element.location.column, rhs.offset)
        }.map(\.element)
    }

    private static func level(_ severity: Diagnostic.Severity) -> JSONValue {
        switch severity {
        case .error: return "error"
        case .warning: return "warning"
        case .info: return "note"
        }
    }

    private var sarif: JSONValue {
        let rules: [JSONValue] = LintRule.allCases.map { rule in
            [
                "id": .string(rule.id),
                "name": .string(rule.name),
                "shortDescription": ["text": .string(rule.summary)],
                "defaultConfiguration": ["level": Self.level(rule.severity)],
            ]
        }
        // Suppressed problems stay results, marked `inSource`; the others carry an empty `suppressions`, which
        // SARIF reads as "checked for suppressions, none apply".
        let results: [JSONValue] = allInFileOrder.map { diagnostic in
            var result: JSONObject = [
                "ruleId": .string(diagnostic.rule.id),
                "ruleIndex": .integer(LintRule.allCases.firstIndex(of: diagnostic.rule) ?? 0),
                "level": Self.level(diagnostic.severity),
                "message": ["text": .string(diagnostic.message)],
                "locations": [
                    [
                        "physicalLocation": [
                            "artifactLocation": ["uri": .string(diagnostic.file)],
                            "region": [
                                "startLine": .integer(diagnostic.location.line),
                                "startColumn": .integer(diagnostic.location.column),
                                "endColumn": .integer(diagnostic.location.endColumn),
                            ],
                        ]
                    ]
                ],
            ]
            if !diagnostic.path.isEmpty {
                result["properties"] = ["path": .string(diagnostic.path)]
            }
            result["suppressions"] = .array(
                diagnostic.suppression.map { suppression -> [JSONValue] in
                    var object: JSONObject = [
                        "kind": "inSource",
                        "location": [
                            "physicalLocation": [
                                "artifactLocation": ["uri": .string(diagnostic.file)],
                                "region": [
                                    "startLine": .integer(suppression.location.line),
                                    "startColumn": .integer(suppression.location.column),
                                ],
                            ]
                        ],
                    ]
                    if let justification = suppression.justification { object["justification"] = .string(justification) }
                    return [.object(object)]
                } ?? [])
            return .object(result)
        }
        let notifications: [JSONValue] = unreadable.map { ["level": "error", "message": ["text": .string($0)]] }
        let run: JSONValue = [
            "tool": [
                "driver": [
                    "name": "klaxon-lint",
                    "rules": .array(rules),
                ]
            ],
            "columnKind": "unicodeCodePoints",
            "invocations": [
                ["executionSuccessful": .bool(unreadable.isEmpty), "toolExecutionNotifications": .array(notifications)]
            ],
            "results": .array(results),
        ]
        return [
            "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
            "version": "2.1.0",
            "runs": [run],
        ]
    }

    // MARK: GitHub Actions

    /// One workflow command a problem, `::error file=…,line=…,col=…,endColumn=…,title=KSL012::message`, with
    /// `warning` and `notice` for the lower severities; unreadable paths are errors without a file.
    private var github: String {
        var lines = unreadable.map { "::error::" + Self.escapeForGitHub($0) }
        for diagnostic in diagnostics {
            let command: String
            switch diagnostic.severity {
            case .error: command = "error"
            case .warning: command = "warning"
            case .info: command = "notice"
            }
            let properties = [
                ("file", diagnostic.file), ("line", "\(diagnostic.location.line)"), ("col", "\(diagnostic.location.column)"),
                ("endColumn", "\(diagnostic.location.endColumn)"), ("title", diagnostic.rule.id),
            ].map { "\($0.0)=\(Self.escapeForGitHub($0.1, property: true))" }
            lines.append("::\(command) \(properties.joined(separator: ","))::\(Self.escapeForGitHub(diagnostic.message))")
        }
        return lines.isEmpty ? "" : lines.joined(separator: "\n") + "\n"
    }

    /// A workflow command's message as GitHub reads it: `%`, CR and LF percent-encoded; in a property value
    /// (`property`) also `:` and `,`.
    static func escapeForGitHub(_ text: String, property: Bool = false) -> String {
        var escaped = ""
        for character in text.unicodeScalars {
            switch character {
            case "%": escaped += "%25"
            case "\r": escaped += "%0D"
            case "\n": escaped += "%0A"
            case ":" where property: escaped += "%3A"
            case "," where property: escaped += "%2C"
            default: escaped.unicodeScalars.append(character)
            }
        }
        return escaped
    }
}
