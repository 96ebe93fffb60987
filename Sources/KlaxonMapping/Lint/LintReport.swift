import SCIM

/// The outcome of linting: the files read, every diagnostic, paths that could not be read, the exit code
/// and the report rendered as text, JSON or SARIF 2.1.0.
///
/// ```swift
/// let report = MappingLinter.lint(paths: ["Mappings/entra-id.yaml"], format: .sarif)
/// try report.output.write(toFile: "lint.sarif", atomically: true, encoding: .utf8)
/// ```
public struct LintReport: Sendable {
    /// The files linted, in order.
    public var files: [String] = []
    public var diagnostics: [Diagnostic] = []
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
        if diagnostics.isEmpty {
            lines.append(unreadable.isEmpty ? "\(fileCount) linted: no problems" : "\(fileCount) linted")
        } else {
            let infoCount = diagnostics.count - errorCount - warningCount
            var counts = ["\(errorCount) error\(errorCount == 1 ? "" : "s")", "\(warningCount) warning\(warningCount == 1 ? "" : "s")"]
            if infoCount > 0 { counts.append("\(infoCount) note\(infoCount == 1 ? "" : "s")") }
            lines.append("\(fileCount) linted: " + counts.joined(separator: ", "))
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
        let items: [JSONValue] = diagnostics.map { diagnostic in
            [
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
        }
        return [
            "files": .array(files.map(JSONValue.string)),
            "errors": .integer(errorCount),
            "warnings": .integer(warningCount),
            "unreadable": .array(unreadable.map(JSONValue.string)),
            "diagnostics": .array(items),
        ]
    }

    // MARK: SARIF

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
        let results: [JSONValue] = diagnostics.map { diagnostic in
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
}
