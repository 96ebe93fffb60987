import Foundation
import SCIM

/// The output formats of a lint report.
public enum LintFormat: String, Sendable, Hashable, CaseIterable {
    /// `file:line:column: severity: message [rule-id name]`, the source line and a caret.
    case text
    /// One JSON document with a summary and every diagnostic.
    case json
    /// SARIF 2.1.0, for code-scanning tools; suppressed problems are results with `suppressions`.
    case sarif
    /// GitHub Actions workflow commands (`::error file=…,line=…,col=…,title=KSL012::message`), one a problem.
    case github
}

/// What the linter checks against and how strict it is.
public struct LintOptions: Sendable {
    /// Transformers `use:` may name; the built-ins unless an integrator adds their own.
    public var transformers: TransformerRegistry
    /// The target's schemas: Klaxon's own by default, or a live server's (``useServerSchemas(_:)``).
    public var schemas: SchemaRegistry
    public var limits: MappingFileLimits
    /// Warnings fail the lint too.
    public var strict: Bool

    public init(
        transformers: TransformerRegistry = .standard, schemas: SchemaRegistry = .standard,
        limits: MappingFileLimits = .default, strict: Bool = false
    ) {
        self.transformers = transformers
        self.schemas = schemas
        self.limits = limits
        self.strict = strict
    }

    /// Checks targets against a live server's schemas: the body of its `/Schemas` endpoint (a ListResponse),
    /// already fetched. Extension schemas attach to `User` or `Group` by their URN's last part. Throws
    /// 400 `invalidValue` for a body that is not a ListResponse of schemas.
    public mutating func useServerSchemas(_ listResponse: JSONValue) throws(SCIMError) {
        schemas = try ServerSchemas.registry(from: listResponse)
    }
}

/// Lints mapping files: every problem in every file, each with its line, column, rule and, where one is
/// close, a suggestion. It reads files and nothing else: it never connects anywhere.
///
/// ```swift
/// let report = MappingLinter.lint(paths: ["Mappings"], format: .text)
/// print(report.output)
/// exit(report.exitCode)      // 0 clean, 1 errors, 2 unreadable input
/// ```
public enum MappingLinter {
    /// Lints files and directories (their `.yaml` and `.yml` files, recursively, in name order).
    public static func lint(paths: [String], format: LintFormat = .text, options: LintOptions = LintOptions()) -> LintReport {
        var report = LintReport(format: format, strict: options.strict)
        if paths.isEmpty { report.unreadable.append("no mapping files given") }
        for path in paths {
            for file in expand(path, report: &report) {
                do {
                    let contents = try MappingFileReader.read(contentsOf: file, limits: options.limits)
                    report.files.append(file)
                    for diagnostic in lint(contents, options: options) {
                        if diagnostic.suppression == nil {
                            report.diagnostics.append(diagnostic)
                        } else {
                            report.suppressed.append(diagnostic)
                        }
                    }
                } catch {
                    report.unreadable.append(error.message)
                }
            }
        }
        return report
    }

    /// Lints mapping-file text; `file` names it in the diagnostics. Those a `# klaxon-lint` directive
    /// suppresses are included, with their ``Diagnostic/suppression`` set.
    public static func lint(text: String, file: String, options: LintOptions = LintOptions()) -> [Diagnostic] {
        lint(MappingFileReader.read(text: text, file: file, limits: options.limits), options: options)
    }

    static func lint(_ contents: MappingFileContents, options: LintOptions) -> [Diagnostic] {
        var suppressions = LintSuppressions(source: contents.source, comments: contents.comments)
        guard let mappingSet = contents.mappingSet else {
            // The file could not be read, so most checks did not run: no suppression can be called unused.
            return sorted(suppressions.apply(to: contents.diagnostics, checked: { _ in false }))
        }
        var compiler = MappingCompiler(
            mappingSet: mappingSet, source: contents.source, transformers: options.transformers, schemas: options.schemas)
        let compiled = compiler.compileAll()
        var collector = compiler.collector
        let examplesRan = !collector.hasErrors && !contents.diagnostics.contains(where: { $0.severity == .error })
        if examplesRan {
            ExampleRunner.run(mappingSet, compiled: compiled, into: &collector)
        }
        let found = contents.diagnostics + collector.finished()
        return sorted(suppressions.apply(to: found, checked: { examplesRan || $0 != .failingExample }))
    }

    private static func sorted(_ diagnostics: [Diagnostic]) -> [Diagnostic] {
        diagnostics.sorted { lhs, rhs in
            lhs.location == rhs.location ? lhs.rule.rawValue < rhs.rule.rawValue : lhs.location < rhs.location
        }
    }

    private static func expand(_ path: String, report: inout LintReport) -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            report.unreadable.append("\(path): no such file or directory")
            return []
        }
        guard isDirectory.boolValue else { return [path] }
        guard let enumerator = FileManager.default.enumerator(atPath: path) else {
            report.unreadable.append("\(path): cannot list the directory")
            return []
        }
        let files = enumerator.compactMap { $0 as? String }
            .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }
            .sorted()
            .map { path.hasSuffix("/") ? path + $0 : path + "/" + $0 }
        if files.isEmpty { report.unreadable.append("\(path): no .yaml or .yml files") }
        return files
    }
}

/// Runs a file's examples through the engine and reports those that do not produce what they expect.
enum ExampleRunner {
    static func run(_ mappingSet: MappingSet, compiled: [String: CompiledObjectMapping], into collector: inout DiagnosticCollector) {
        for example in mappingSet.examples {
            let objectMapping =
                example.object.map { mappingSet.objectMapping(named: $0.value) } ?? mappingSet.objectMappings.first
            guard let objectMapping, let program = compiled[objectMapping.name.value] else {
                let name = example.object?.value ?? ""
                collector.report(
                    .failingExample, "example \"\(example.name.value)\": there is no enabled object mapping \"\(name)\"",
                    at: example.object?.location ?? example.name.location, path: example.path)
                continue
            }
            let engine = MappingEngine(objectMapping: objectMapping, compiled: program)
            let mapped: MappedResource
            do {
                mapped = try engine.map(
                    record: example.source, mode: example.mode, context: example.context,
                    expressionContext: ExpressionContext())
            } catch {
                collector.report(
                    .failingExample, "example \"\(example.name.value)\" fails: \(error.description)",
                    at: example.name.location, path: example.path)
                continue
            }
            if mapped.isInScope != example.inScope {
                collector.report(
                    .failingExample,
                    "example \"\(example.name.value)\": the record is \(mapped.isInScope ? "in" : "out of") scope, but the example says \(example.inScope ? "in" : "out of") scope",
                    at: example.name.location, path: example.path)
                continue
            }
            guard let expect = example.expect else { continue }
            var actual = mapped.resource
            if expect.value["schemas"] == nil { actual.removeValue(forKey: "schemas") }
            if let difference = JSONDifference.first(expected: .object(expect.value), actual: .object(actual)) {
                collector.report(
                    .failingExample, "example \"\(example.name.value)\": \(difference)", at: expect.location,
                    path: expect.path)
            }
        }
    }
}

/// The first place two JSON values differ, described for a person.
enum JSONDifference {
    static func first(expected: JSONValue, actual: JSONValue, path: String = "") -> String? {
        switch (expected, actual) {
        case (.object(let wanted), .object(let got)):
            for member in wanted.members {
                let inner = path.isEmpty ? member.key : "\(path).\(member.key)"
                guard let value = got[member.key] else { return "expected \(inner) = \(member.value), but it is not set" }
                if let difference = first(expected: member.value, actual: value, path: inner) { return difference }
            }
            for member in got.members where wanted[member.key] == nil {
                let inner = path.isEmpty ? member.key : "\(path).\(member.key)"
                return "\(inner) = \(member.value) is set, but the example does not expect it"
            }
            return nil
        case (.array(let wanted), .array(let got)) where wanted.count == got.count:
            for (index, pair) in zip(wanted, got).enumerated() {
                if let difference = first(expected: pair.0, actual: pair.1, path: "\(path)[\(index)]") { return difference }
            }
            return nil
        default:
            return expected == actual ? nil : "expected \(path) = \(expected), got \(actual)"
        }
    }
}
