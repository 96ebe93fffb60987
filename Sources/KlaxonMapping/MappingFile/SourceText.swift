/// The text of a mapping file split into lines, for the source line under a diagnostic.
struct SourceText: Sendable {
    let file: String
    let lines: [Substring]

    init(file: String, text: String) {
        self.file = file
        // Split on bytes: as Characters, "\r\n" is one grapheme and never equals "\n", so a CRLF file would be one line.
        self.lines = text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map { bytes in
            let line = Substring(bytes)
            return line.utf8.last == UInt8(ascii: "\r") ? line.dropLast() : line
        }
    }

    /// Lines longer than this are not shown under diagnostics: a hostile one-line file would otherwise be
    /// copied into every diagnostic.
    static let maxShownLineLength = 1_000

    /// The line with this 1-based number, if the file has it and it is short enough to show.
    func line(_ number: Int) -> String? {
        guard number >= 1, number <= lines.count, lines[number - 1].utf8.count <= Self.maxShownLineLength else { return nil }
        return String(lines[number - 1])
    }
}

/// Collects the diagnostics of one file, each with its source line, up to a cap so that a hostile file
/// cannot make the report itself enormous.
struct DiagnosticCollector: Sendable {
    static let cap = 500

    let source: SourceText
    private(set) var diagnostics: [Diagnostic] = []
    private(set) var omitted = 0

    init(source: SourceText) {
        self.source = source
    }

    var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }

    mutating func report(
        _ rule: LintRule, _ message: String, at location: FileLocation, path: String = "", suggestion: String? = nil,
        severity: Diagnostic.Severity? = nil
    ) {
        guard diagnostics.count < Self.cap else {
            omitted += 1
            return
        }
        diagnostics.append(
            Diagnostic(
                file: source.file, location: location, rule: rule, message: message, path: path,
                suggestion: suggestion, sourceLine: source.line(location.line), severity: severity))
    }

    /// The diagnostics in file order, with a last note when some were left out.
    func finished() -> [Diagnostic] {
        var sorted = diagnostics.enumerated().sorted { lhs, rhs in
            lhs.element.location == rhs.element.location ? lhs.offset < rhs.offset : lhs.element.location < rhs.element.location
        }.map(\.element)
        if omitted > 0, let last = sorted.last {
            sorted.append(
                Diagnostic(
                    file: source.file, location: last.location, rule: last.rule,
                    message: "\(omitted) more problems were not reported", severity: .info))
        }
        return sorted
    }
}
