/// A place in a mapping file: 1-based line and column, the column counted in Unicode scalars as Yams marks
/// count it, and how many columns the offending text covers (at least 1), for `^~~~` underlines.
public struct FileLocation: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var line: Int
    public var column: Int
    public var length: Int

    public init(line: Int, column: Int, length: Int = 1) {
        self.line = line
        self.column = column
        self.length = max(1, length)
    }

    /// The start of a file.
    public static let start = FileLocation(line: 1, column: 1)

    /// The column just past the offending text.
    public var endColumn: Int { column + length }

    public static func < (lhs: FileLocation, rhs: FileLocation) -> Bool {
        (lhs.line, lhs.column) < (rhs.line, rhs.column)
    }

    public var description: String { "\(line):\(column)" }
}

/// One problem found in a mapping file.
///
/// ```swift
/// let report = MappingLinter.lint(paths: ["Mappings"])
/// for diagnostic in report.diagnostics where diagnostic.severity == .error {
///     print(diagnostic.file, diagnostic.location, diagnostic.rule.id, diagnostic.message)
/// }
/// ```
public struct Diagnostic: Sendable, Hashable {
    /// How serious a problem is: errors fail the lint; warnings fail it only when strict; notes never.
    public enum Severity: String, Sendable, Hashable, Comparable, CaseIterable {
        case info, warning, error

        private var rank: Int {
            switch self {
            case .info: return 0
            case .warning: return 1
            case .error: return 2
            }
        }

        public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }
    }

    /// The file as it was named to the linter.
    public var file: String
    public var location: FileLocation
    public var severity: Severity
    public var rule: LintRule
    public var message: String
    /// Where in the document the problem is, e.g. `objectMappings[0].mappings[7].source`; empty for the whole file.
    public var path: String
    /// The intended spelling, for "did you mean" problems.
    public var suggestion: String?
    /// The offending line of the file, for a caret display.
    public var sourceLine: String?
    /// The `# klaxon-lint` directive that suppresses this problem; nil while it counts.
    public var suppression: Suppression?

    /// A `# klaxon-lint disable…` comment that covers a diagnostic: where it is, and the reason given
    /// after `--`, if any.
    public struct Suppression: Sendable, Hashable {
        public var location: FileLocation
        public var justification: String?

        public init(location: FileLocation, justification: String? = nil) {
            self.location = location
            self.justification = justification
        }
    }

    public init(
        file: String, location: FileLocation, rule: LintRule, message: String, path: String = "",
        suggestion: String? = nil, sourceLine: String? = nil, severity: Severity? = nil
    ) {
        self.file = file
        self.location = location
        self.severity = severity ?? rule.severity
        self.rule = rule
        self.message = message
        self.path = path
        self.suggestion = suggestion
        self.sourceLine = sourceLine
    }
}
