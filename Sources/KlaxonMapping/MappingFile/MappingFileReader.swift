import Foundation
import SCIM
import Yams

/// Bounds that keep a hostile or accidental mapping file cheap to reject.
public struct MappingFileLimits: Sendable, Hashable {
    /// The largest file read, in bytes; a larger one is rejected without being read.
    public var maxBytes: Int
    /// The deepest nesting of lists and mappings.
    public var maxDepth: Int
    /// The most attribute mappings in one file.
    public var maxAttributeMappings: Int

    public init(maxBytes: Int = 1 << 20, maxDepth: Int = 32, maxAttributeMappings: Int = 2_000) {
        self.maxBytes = maxBytes
        self.maxDepth = maxDepth
        self.maxAttributeMappings = maxAttributeMappings
    }

    public static let `default` = MappingFileLimits()
}

/// A mapping file as read: the model, when the file's structure allowed building one, and every structural
/// problem found on the way.
public struct MappingFileContents: Sendable {
    /// Nil when the file is not YAML that can be read safely (syntax errors, anchors, limits).
    public var mappingSet: MappingSet?
    public var diagnostics: [Diagnostic]
    /// The text read, for the linter's source lines.
    let source: SourceText
    /// The comments outside scalars, for the linter's `# klaxon-lint` directives.
    var comments: [YAMLPrescan.Comment] = []
}

/// Reads mapping files: checks size, UTF-8, anchors and nesting before Yams composes the text, then walks
/// the node tree itself (rather than decoding with Codable, which ignores unknown keys and stops at the
/// first problem) to build a ``MappingSet`` whose every field knows its line and column.
///
/// ```swift
/// let contents = try MappingFileReader.read(contentsOf: "Mappings/entra-id.yaml")
/// contents.diagnostics      // unknown keys, missing keys, bad enum values, …
/// contents.mappingSet?.objectMappings.map(\.name.value)   // ["users", "groups"]
/// ```
public enum MappingFileReader {
    /// The version of the file format this reader understands.
    public static let apiVersion = "klaxon.sync/v1"

    /// Reads a file. Throws ``MappingError/Kind/unreadable`` when it cannot be opened; everything wrong with
    /// its contents is a diagnostic. Reads at most `limits.maxBytes + 1` bytes.
    public static func read(contentsOf path: String, limits: MappingFileLimits = .default) throws(MappingError)
        -> MappingFileContents
    {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
            let handle = FileHandle(forReadingAtPath: path)
        else {
            throw MappingError(.unreadable, "\(path): cannot read the file (missing, a directory, or not permitted)")
        }
        defer { try? handle.close() }
        let data: Data?
        do {
            data = try handle.read(upToCount: limits.maxBytes + 1)
        } catch {
            throw MappingError(.unreadable, "\(path): cannot read the file: \(error.localizedDescription)")
        }
        return read(bytes: Array(data ?? Data()), file: path, limits: limits)
    }

    /// Reads a file's bytes; `file` names it in diagnostics.
    public static func read(bytes: [UInt8], file: String, limits: MappingFileLimits = .default) -> MappingFileContents {
        guard bytes.count <= limits.maxBytes else {
            var collector = DiagnosticCollector(source: SourceText(file: file, text: ""))
            collector.report(
                .inputLimits, "the file is larger than \(limits.maxBytes) bytes, the limit for a mapping file",
                at: .start)
            return MappingFileContents(mappingSet: nil, diagnostics: collector.finished(), source: collector.source)
        }
        if let offset = firstInvalidUTF8(in: bytes) {
            let valid = String(decoding: bytes[..<offset], as: UTF8.self)
            var collector = DiagnosticCollector(source: SourceText(file: file, text: valid))
            let lines = SourceText(file: file, text: valid).lines
            let location = FileLocation(line: lines.count, column: (lines.last?.unicodeScalars.count ?? 0) + 1)
            collector.report(
                .yamlSyntax,
                "the file is not valid UTF-8 (byte 0x\(String(bytes[offset], radix: 16, uppercase: true)) at offset \(offset))",
                at: location)
            return MappingFileContents(mappingSet: nil, diagnostics: collector.finished(), source: collector.source)
        }
        let text = String(decoding: bytes, as: UTF8.self)
        var reader = NodeReader(source: SourceText(file: file, text: text), limits: limits)
        let mappingSet = reader.read(bytes: bytes, text: text)
        return MappingFileContents(
            mappingSet: mappingSet, diagnostics: reader.collector.finished(), source: reader.collector.source, comments: reader.comments)
    }

    /// Reads mapping-file text; `file` names it in diagnostics.
    public static func read(text: String, file: String, limits: MappingFileLimits = .default) -> MappingFileContents {
        read(bytes: Array(text.utf8), file: file, limits: limits)
    }

    /// The offset of the first byte that is not part of well-formed UTF-8, if any.
    static func firstInvalidUTF8(in bytes: [UInt8]) -> Int? {
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte < 0x80 {
                index += 1
                continue
            }
            let length: Int
            var minimum: UInt32
            switch byte {
            case 0xC2...0xDF: length = 2; minimum = 0x80
            case 0xE0...0xEF: length = 3; minimum = 0x800
            case 0xF0...0xF4: length = 4; minimum = 0x10000
            default: return index
            }
            guard index + length <= bytes.count else { return index }
            var scalar = UInt32(byte) & (0xFF >> (length + 1))
            for position in index + 1..<index + length {
                guard bytes[position] & 0xC0 == 0x80 else { return index }
                scalar = scalar << 6 | UInt32(bytes[position] & 0x3F)
            }
            guard scalar >= minimum, scalar <= 0x10FFFF, !(0xD800...0xDFFF).contains(scalar) else { return index }
            index += length
            minimum = 0
        }
        return nil
    }
}

// MARK: - Walking the node tree

/// The keys each part of the file may have.
private enum Keys {
    static let root = ["apiVersion", "kind", "metadata", "source", "target", "objectMappings", "examples"]
    static let metadata = ["name", "description"]
    static let source = ["system"]
    static let target = ["schemas"]
    static let objectMapping = ["name", "enabled", "source", "target", "actions", "scope", "mappings"]
    static let objectSource = ["object", "attributes"]
    static let objectTarget = ["resource", "attributes"]
    static let declaration = ["name", "type", "required", "multiValued", "caseExact", "mutability", "description"]
    static let scope = ["filters"]
    static let filter = ["title", "clauses"]
    static let clause = ["attribute", "operator", "value"]
    static let mapping = [
        "target", "type", "source", "value", "expression", "default", "apply", "match", "onNull", "redact", "transform",
    ]
    static let longDefault = ["value", "apply"]
    static let match = ["precedence"]
    static let transform = ["use", "with"]
    static let example = ["name", "object", "mode", "context", "source", "expect", "inScope"]
    static let context = ["locations", "defaultLocation", "values"]
}

/// The entries of one YAML mapping, by key.
private struct Fields {
    let node: Node
    let path: String
    var entries: [String: (key: Node, value: Node)] = [:]

    subscript(key: String) -> Node? { entries[key]?.value }

    func keyNode(_ key: String) -> Node? { entries[key]?.key }

    func path(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }
}

private struct NodeReader {
    var collector: DiagnosticCollector
    let lines: [Substring]
    /// The comments the prescan passed.
    private(set) var comments: [YAMLPrescan.Comment] = []
    let limits: MappingFileLimits
    private var attributeMappingCount = 0

    init(source: SourceText, limits: MappingFileLimits) {
        self.collector = DiagnosticCollector(source: source)
        self.lines = source.lines
        self.limits = limits
    }

    // MARK: Composing

    mutating func read(bytes: [UInt8], text: String) -> MappingSet? {
        let prescan = YAMLPrescan(bytes: bytes, maxDepth: limits.maxDepth)
        comments = prescan.comments
        for finding in prescan.anchorsAndAliases {
            let what = finding.isAlias ? "alias *\(finding.name)" : "anchor &\(finding.name)"
            collector.report(
                .noAnchorsOrAliases,
                "\(what): anchors and aliases are not allowed in mapping files (quote the value if it is text)",
                at: finding.location)
        }
        if let location = prescan.tooDeep {
            collector.report(
                .inputLimits, "lists and mappings are nested more than \(limits.maxDepth) deep", at: location)
        }
        guard prescan.anchorsAndAliases.isEmpty, prescan.tooDeep == nil else { return nil }

        let root: Node
        do {
            let parser = try Parser(yaml: text, resolver: .default, constructor: .default, encoding: .utf8)
            guard let node = try parser.singleRoot() else {
                collector.report(.yamlSyntax, "the file is empty; expected a mapping with apiVersion, kind, …", at: .start)
                return nil
            }
            root = node
        } catch let error as YamlError {
            report(error, text: text, duplicates: prescan.duplicateKeys)
            return nil
        } catch {
            collector.report(.yamlSyntax, "the YAML could not be read: \(error)", at: .start)
            return nil
        }
        return readMappingSet(root)
    }

    private mutating func report(_ error: YamlError, text: String, duplicates: [YAMLPrescan.DuplicateKey]) {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            var message = problem
            if let context, context.text != problem { message += " (\(context.text) at line \(context.mark.line))" }
            collector.report(.yamlSyntax, message, at: FileLocation(line: mark.line, column: mark.column))
        case .reader(let problem, let offset, _, _):
            collector.report(.yamlSyntax, problem, at: location(ofCharacterOffset: offset ?? 0, in: text))
        case .duplicatedKeysInMapping(let keys, let context):
            if duplicates.isEmpty {
                let names = keys.map { "\"\($0)\"" }.joined(separator: ", ")
                collector.report(
                    .duplicateKey, "duplicate key \(names) in this mapping",
                    at: FileLocation(line: context.mark.line, column: context.mark.column))
            }
            for duplicate in duplicates {
                collector.report(
                    .duplicateKey,
                    "duplicate key \"\(duplicate.key)\" (first at line \(duplicate.first.line), column \(duplicate.first.column))",
                    at: duplicate.location)
            }
        default:
            collector.report(.yamlSyntax, "\(error)", at: .start)
        }
    }

    private func location(ofCharacterOffset offset: Int, in text: String) -> FileLocation {
        var line = 1
        var column = 1
        for character in text.prefix(offset) {
            if character == "\n" {
                line += 1
                column = 1
            } else {
                column += character.unicodeScalars.count
            }
        }
        return FileLocation(line: line, column: column)
    }

    // MARK: The document

    private mutating func readMappingSet(_ root: Node) -> MappingSet? {
        guard
            let fields = fields(
                root, path: "", allowed: Keys.root,
                required: ["apiVersion", "kind", "source", "target", "objectMappings"])
        else { return nil }
        let apiVersion = fields["apiVersion"].flatMap { string($0, path: "apiVersion") }
        if let apiVersion, apiVersion.value != MappingFileReader.apiVersion {
            collector.report(
                .invalidEnumValue,
                "unsupported apiVersion \"\(apiVersion.value)\"; this reader understands \(MappingFileReader.apiVersion)",
                at: apiVersion.location, path: apiVersion.path, suggestion: MappingFileReader.apiVersion)
        }
        if let kind = fields["kind"].flatMap({ string($0, path: "kind") }), kind.value != "MappingSet" {
            collector.report(
                .invalidEnumValue, "kind must be MappingSet, not \"\(kind.value)\"", at: kind.location, path: kind.path,
                suggestion: "MappingSet")
        }
        var name: String?
        var summary: String?
        if let node = fields["metadata"], let metadata = self.fields(node, path: "metadata", allowed: Keys.metadata) {
            name = metadata["name"].flatMap { string($0, path: "metadata.name")?.value }
            summary = metadata["description"].flatMap { string($0, path: "metadata.description")?.value }
        }
        var system: Located<String>?
        if let node = fields["source"], let source = self.fields(node, path: "source", allowed: Keys.source, required: ["system"]) {
            system = source["system"].flatMap { string($0, path: "source.system") }
        }
        var schemas: [Located<String>] = []
        if let node = fields["target"],
            let target = self.fields(node, path: "target", allowed: Keys.target, required: ["schemas"]),
            let list = target["schemas"].flatMap({ items($0, path: "target.schemas") })
        {
            schemas = list.compactMap { string($0.node, path: $0.path) }
        }
        var objectMappings: [ObjectMapping] = []
        if let list = fields["objectMappings"].flatMap({ items($0, path: "objectMappings", nonEmpty: true) }) {
            objectMappings = list.compactMap { objectMapping($0.node, path: $0.path) }
        }
        var examples: [MappingExample] = []
        if let list = fields["examples"].flatMap({ items($0, path: "examples") }) {
            examples = list.compactMap { example($0.node, path: $0.path) }
        }
        guard let apiVersion, let system else { return nil }
        return MappingSet(
            file: collector.source.file, apiVersion: apiVersion, name: name, summary: summary, sourceSystem: system,
            targetSchemas: schemas, objectMappings: objectMappings, examples: examples)
    }

    private mutating func objectMapping(_ node: Node, path: String) -> ObjectMapping? {
        guard
            let fields = fields(
                node, path: path, allowed: Keys.objectMapping, required: ["name", "source", "target", "mappings"])
        else { return nil }
        let name = fields["name"].flatMap { string($0, path: fields.path("name")) }
        let enabled = fields["enabled"].flatMap { bool($0, path: fields.path("enabled")) } ?? true

        var sourceObject: Located<String>?
        var sourceAttributes: [Located<String>] = []
        if let node = fields["source"],
            let source = self.fields(node, path: fields.path("source"), allowed: Keys.objectSource, required: ["object"])
        {
            sourceObject = source["object"].flatMap { string($0, path: source.path("object")) }
            if let list = source["attributes"].flatMap({ items($0, path: source.path("attributes")) }) {
                sourceAttributes = list.compactMap { string($0.node, path: $0.path) }
            }
        }
        var targetResource: Located<String>?
        var declarations: [TargetAttributeDeclaration] = []
        if let node = fields["target"],
            let target = self.fields(node, path: fields.path("target"), allowed: Keys.objectTarget, required: ["resource"])
        {
            targetResource = target["resource"].flatMap { string($0, path: target.path("resource")) }
            if let list = target["attributes"].flatMap({ items($0, path: target.path("attributes")) }) {
                declarations = list.compactMap { declaration($0.node, path: $0.path) }
            }
        }
        var actions: [ObjectMapping.Action] = [.create, .update, .delete]
        if let list = fields["actions"].flatMap({ items($0, path: fields.path("actions")) }) {
            actions = list.compactMap { enumeration($0.node, path: $0.path, ObjectMapping.Action.self, what: "action")?.value }
        }
        var scope: [ScopeFilter] = []
        if let node = fields["scope"],
            let scopeFields = self.fields(node, path: fields.path("scope"), allowed: Keys.scope, required: ["filters"]),
            let list = scopeFields["filters"].flatMap({ items($0, path: scopeFields.path("filters"), nonEmpty: true) })
        {
            scope = list.compactMap { filter($0.node, path: $0.path) }
        }
        var mappings: [AttributeMapping] = []
        if let list = fields["mappings"].flatMap({ items($0, path: fields.path("mappings")) }) {
            for item in list {
                attributeMappingCount += 1
                if attributeMappingCount > limits.maxAttributeMappings {
                    collector.report(
                        .inputLimits, "more than \(limits.maxAttributeMappings) attribute mappings in one file",
                        at: location(of: item.node), path: item.path)
                    break
                }
                if let mapping = attributeMapping(item.node, path: item.path) { mappings.append(mapping) }
            }
        }
        guard let name, let sourceObject, let targetResource else { return nil }
        return ObjectMapping(
            name: name, enabled: enabled, sourceObject: sourceObject, sourceAttributes: sourceAttributes,
            targetResource: targetResource, targetAttributes: declarations, actions: actions, scope: scope,
            mappings: mappings, location: location(of: node), path: path)
    }

    private mutating func declaration(_ node: Node, path: String) -> TargetAttributeDeclaration? {
        guard let fields = fields(node, path: path, allowed: Keys.declaration, required: ["name", "type"]) else { return nil }
        let name = fields["name"].flatMap { string($0, path: fields.path("name")) }
        let type = fields["type"].flatMap {
            enumeration($0, path: fields.path("type"), SchemaAttribute.DataType.self, what: "attribute type")
        }
        let mutability = fields["mutability"].flatMap {
            enumeration($0, path: fields.path("mutability"), SchemaAttribute.Mutability.self, what: "mutability")
        }
        guard let name, let type else { return nil }
        return TargetAttributeDeclaration(
            name: name, type: type.value,
            required: fields["required"].flatMap { bool($0, path: fields.path("required")) } ?? false,
            multiValued: fields["multiValued"].flatMap { bool($0, path: fields.path("multiValued")) } ?? false,
            caseExact: fields["caseExact"].flatMap { bool($0, path: fields.path("caseExact")) } ?? false,
            mutability: mutability?.value ?? .readWrite,
            description: fields["description"].flatMap { string($0, path: fields.path("description"))?.value } ?? "",
            path: path)
    }

    private mutating func filter(_ node: Node, path: String) -> ScopeFilter? {
        guard let fields = fields(node, path: path, allowed: Keys.filter, required: ["clauses"]) else { return nil }
        let title = fields["title"].flatMap { string($0, path: fields.path("title"))?.value }
        let clauses = fields["clauses"].flatMap { items($0, path: fields.path("clauses"), nonEmpty: true) } ?? []
        return ScopeFilter(
            title: title, clauses: clauses.compactMap { clause($0.node, path: $0.path) }, location: location(of: node),
            path: path)
    }

    private mutating func clause(_ node: Node, path: String) -> ScopeClause? {
        guard let fields = fields(node, path: path, allowed: Keys.clause, required: ["attribute", "operator"]) else {
            return nil
        }
        let attribute = fields["attribute"].flatMap { string($0, path: fields.path("attribute")) }
        var scopeOperator: Located<ScopeOperator>?
        if let spelling = fields["operator"].flatMap({ string($0, path: fields.path("operator")) }) {
            if let value = ScopeOperator(spelling: spelling.value) {
                scopeOperator = Located(value, at: spelling.location, path: spelling.path)
            } else {
                reportEnum(spelling, candidates: ScopeOperator.allCases.map(\.rawValue), what: "scoping operator")
            }
        }
        let value = fields["value"].flatMap { string($0, path: fields.path("value")) }
        guard let attribute, let scopeOperator else { return nil }
        return ScopeClause(
            attribute: attribute, operator: scopeOperator, value: value, location: location(of: node), path: path)
    }

    private mutating func attributeMapping(_ node: Node, path: String) -> AttributeMapping? {
        guard let fields = fields(node, path: path, allowed: Keys.mapping, required: ["target", "type"]) else {
            return nil
        }
        let target = fields["target"].flatMap { string($0, path: fields.path("target")) }
        let kind = fields["type"].flatMap {
            enumeration($0, path: fields.path("type"), AttributeMapping.Kind.self, what: "mapping type")
        }
        let source = fields["source"].flatMap { string($0, path: fields.path("source")) }
        let value = fields["value"].map { literal($0, path: fields.path("value")) }
        var expression: Located<String>?
        var positions: ScalarPositions?
        if let node = fields["expression"], let text = string(node, path: fields.path("expression")),
            case .scalar(let scalar) = node
        {
            expression = text
            // Mapping columns reads the scalar's line; a hostile one-line file is not read once per expression.
            if text.location.line <= lines.count, lines[text.location.line - 1].utf8.count <= SourceText.maxShownLineLength {
                positions = ScalarPositions(scalar: scalar, mark: text.location, lines: lines)
            }
        }
        if let kind {
            let needed: String? =
                switch kind.value {
                case .direct: "source"
                case .constant: "value"
                case .expression: "expression"
                case .none: nil
                }
            if let needed, fields.entries[needed] == nil {
                collector.report(
                    .missingRequiredKey, "a \(kind.value.rawValue) mapping needs \"\(needed)\"", at: location(of: node),
                    path: path)
            }
            for other in ["source", "value", "expression"] where other != needed {
                guard let key = fields.keyNode(other) else { continue }
                collector.report(
                    .unknownKey, "\"\(other)\" does not apply to a \(kind.value.rawValue) mapping", at: location(of: key),
                    path: fields.path(other))
            }
        }
        var defaultValue: AttributeMapping.Default?
        if let node = fields["default"] {
            defaultValue = self.defaultValue(node, path: fields.path("default"))
        }
        let apply =
            fields["apply"].flatMap { enumeration($0, path: fields.path("apply"), AttributeMapping.Apply.self, what: "apply mode") }
            ?? Located(.always, at: location(of: node), path: fields.path("apply"))
        var precedence: Located<Int>?
        if let node = fields["match"], let match = self.fields(node, path: fields.path("match"), allowed: Keys.match, required: ["precedence"]) {
            precedence = match["precedence"].flatMap { positiveInteger($0, path: match.path("precedence")) }
        }
        let onNull = fields["onNull"].flatMap {
            enumeration($0, path: fields.path("onNull"), AttributeMapping.NullHandling.self, what: "onNull value")?.value
        }
        let redact = fields["redact"].flatMap { bool($0, path: fields.path("redact")) } ?? false
        var transforms: [TransformStep] = []
        if let list = fields["transform"].flatMap({ items($0, path: fields.path("transform")) }) {
            transforms = list.compactMap { transformStep($0.node, path: $0.path) }
        }
        // With an invalid type (already reported), read the mapping as the keys it has suggest, so the rest of
        // it is still checked.
        let inferred: AttributeMapping.Kind? =
            source != nil ? .direct : value != nil ? .constant : expression != nil ? .expression : nil
        guard let target, let kind = kind ?? inferred.map({ Located($0, at: location(of: node), path: fields.path("type")) })
        else { return nil }
        return AttributeMapping(
            target: target, kind: kind, source: source, value: value, expression: expression,
            expressionPositions: positions, defaultValue: defaultValue, apply: apply, matchPrecedence: precedence,
            onNull: onNull ?? .skip, redact: redact, transforms: transforms, location: location(of: node), path: path)
    }

    private mutating func defaultValue(_ node: Node, path: String) -> AttributeMapping.Default? {
        guard case .mapping = node else {
            return AttributeMapping.Default(value: literal(node, path: path), appliesAlways: false, isLongForm: false)
        }
        guard let fields = fields(node, path: path, allowed: Keys.longDefault, required: ["value"]),
            let valueNode = fields["value"]
        else { return nil }
        let apply = fields["apply"].flatMap {
            enumeration($0, path: fields.path("apply"), AttributeMapping.Apply.self, what: "apply mode")
        }
        return AttributeMapping.Default(
            value: literal(valueNode, path: fields.path("value")), appliesAlways: apply?.value == .always,
            isLongForm: true)
    }

    private mutating func transformStep(_ node: Node, path: String) -> TransformStep? {
        if case .scalar = node {
            guard let id = string(node, path: path) else { return nil }
            return TransformStep(id: id, arguments: [], location: id.location, path: path)
        }
        guard let fields = fields(node, path: path, allowed: Keys.transform, required: ["use"]),
            let id = fields["use"].flatMap({ string($0, path: fields.path("use")) })
        else { return nil }
        var arguments: [TransformStep.Argument] = []
        if let withNode = fields["with"] {
            if case .mapping(let mapping) = withNode {
                for (key, value) in mapping {
                    guard let name = string(key, path: fields.path("with")) else { continue }
                    let argumentPath = "\(fields.path("with")).\(name.value)"
                    arguments.append(
                        TransformStep.Argument(
                            name: Located(name.value, at: name.location, path: argumentPath),
                            value: literal(value, path: argumentPath)))
                }
            } else {
                collector.report(
                    .invalidValue, "\"with\" must be a mapping of argument names to values", at: location(of: withNode),
                    path: fields.path("with"))
            }
        }
        return TransformStep(id: id, arguments: arguments, location: location(of: node), path: path)
    }

    private mutating func example(_ node: Node, path: String) -> MappingExample? {
        guard let fields = fields(node, path: path, allowed: Keys.example, required: ["name", "source"]) else { return nil }
        let name = fields["name"].flatMap { string($0, path: fields.path("name")) }
        let object = fields["object"].flatMap { string($0, path: fields.path("object")) }
        let mode = fields["mode"].flatMap { enumeration($0, path: fields.path("mode"), MappingMode.self, what: "mode") }
        var context = TransformContext()
        if let node = fields["context"], let contextFields = self.fields(node, path: fields.path("context"), allowed: Keys.context) {
            let names = contextFields["locations"].flatMap { items($0, path: contextFields.path("locations")) }?
                .compactMap { string($0.node, path: $0.path)?.value }
            let defaultName = contextFields["defaultLocation"].flatMap {
                string($0, path: contextFields.path("defaultLocation"))?.value
            }
            if names != nil || defaultName != nil {
                context.locations = KlaxonLocations(names: names ?? [], defaultName: defaultName ?? "Default")
            }
            if let node = contextFields["values"], case .object(let values) = json(node, path: contextFields.path("values")) {
                context.values = values
            }
        }
        let source = fields["source"].flatMap { objectLiteral($0, path: fields.path("source")) }
        let expect = fields["expect"].flatMap { node in
            objectLiteral(node, path: fields.path("expect")).map { Located($0, at: location(of: node), path: fields.path("expect")) }
        }
        let inScope = fields["inScope"].flatMap { bool($0, path: fields.path("inScope")) } ?? true
        if fields["expect"] == nil, inScope {
            collector.report(
                .missingRequiredKey, "an example needs \"expect\" (or \"inScope: false\")", at: location(of: node),
                path: path)
        }
        guard let name, let source else { return nil }
        return MappingExample(
            name: name, object: object, mode: mode?.value ?? .create, context: context, source: source, expect: expect,
            inScope: inScope, location: location(of: node), path: path)
    }

    // MARK: Node helpers

    func location(of node: Node) -> FileLocation {
        guard let mark = node.mark else { return .start }
        var length = 1
        if case .scalar(let scalar) = node, !scalar.string.contains("\n") {
            switch scalar.style {
            case .singleQuoted, .doubleQuoted: length = scalar.string.unicodeScalars.count + 2
            case .literal, .folded: length = 1
            default: length = scalar.string.unicodeScalars.count
            }
        }
        return FileLocation(line: mark.line, column: mark.column, length: length)
    }

    /// The entries of a mapping node, reporting a node that is not a mapping, unknown keys (with a suggestion
    /// among the allowed ones), merge keys and missing required keys.
    private mutating func fields(_ node: Node, path: String, allowed: [String], required: [String] = []) -> Fields? {
        guard case .mapping(let mapping) = node else {
            collector.report(
                .invalidValue, "expected a mapping (key: value pairs), found \(describe(node))", at: location(of: node),
                path: path)
            return nil
        }
        var fields = Fields(node: node, path: path)
        for (key, value) in mapping {
            guard case .scalar(let scalar) = key else {
                collector.report(.invalidValue, "keys must be plain text", at: location(of: key), path: path)
                continue
            }
            if scalar.string == "<<", scalar.style == .plain {
                collector.report(
                    .noAnchorsOrAliases, "merge keys (<<) are not allowed in mapping files", at: location(of: key),
                    path: path)
                continue
            }
            guard allowed.contains(scalar.string) else {
                let suggestion = NameSuggester.suggestion(for: scalar.string, among: allowed)
                var message = "unknown key \"\(scalar.string)\""
                if let suggestion { message += " (did you mean \"\(suggestion)\"?)" }
                message += path.isEmpty ? "" : " in \(path)"
                collector.report(
                    .unknownKey, message, at: location(of: key), path: fields.path(scalar.string), suggestion: suggestion)
                continue
            }
            fields.entries[scalar.string] = (key, value)
        }
        for key in required where fields.entries[key] == nil {
            collector.report(
                .missingRequiredKey, "missing required key \"\(key)\"\(path.isEmpty ? "" : " in \(path)")",
                at: location(of: node), path: path)
        }
        return fields
    }

    /// The items of a sequence node with their paths.
    private mutating func items(_ node: Node, path: String, nonEmpty: Bool = false) -> [(node: Node, path: String)]? {
        guard case .sequence(let sequence) = node else {
            collector.report(.invalidValue, "expected a list, found \(describe(node))", at: location(of: node), path: path)
            return nil
        }
        if nonEmpty, sequence.isEmpty {
            collector.report(.invalidValue, "the list is empty", at: location(of: node), path: path)
        }
        return sequence.enumerated().map { ($0.element, "\(path)[\($0.offset)]") }
    }

    /// A scalar as text, exactly as written. Plain scalars that YAML 1.1 would read as something else get a
    /// warning; an empty or null value is an error.
    private mutating func string(_ node: Node, path: String) -> Located<String>? {
        guard case .scalar(let scalar) = node else {
            collector.report(.invalidValue, "expected text, found \(describe(node))", at: location(of: node), path: path)
            return nil
        }
        let located = Located(scalar.string, at: location(of: node), path: path)
        if scalar.style == .plain {
            let tag = tagName(node)
            if tag == .null {
                collector.report(.invalidValue, "expected text, found an empty value", at: located.location, path: path)
                return nil
            }
            if Self.isAmbiguous(scalar.string, tag: tag) {
                warnAmbiguous(located, tag: tag)
            }
        }
        return located
    }

    private mutating func bool(_ node: Node, path: String) -> Bool? {
        guard case .scalar(let scalar) = node, tagName(node) == .bool, let value = node.bool else {
            collector.report(
                .invalidValue, "expected true or false, found \(describe(node))", at: location(of: node), path: path)
            return nil
        }
        if scalar.style == .plain, Self.isAmbiguous(scalar.string, tag: .bool) {
            warnAmbiguous(Located(scalar.string, at: location(of: node), path: path), tag: .bool)
        }
        return value
    }

    private mutating func positiveInteger(_ node: Node, path: String) -> Located<Int>? {
        guard case .scalar = node, tagName(node) == .int, let value = node.int, value >= 1 else {
            collector.report(
                .invalidValue, "expected a whole number of 1 or more, found \(describe(node))", at: location(of: node),
                path: path)
            return nil
        }
        return Located(value, at: location(of: node), path: path)
    }

    private mutating func enumeration<Value: RawRepresentable & CaseIterable & Sendable>(
        _ node: Node, path: String, _ type: Value.Type, what: String
    ) -> Located<Value>? where Value.RawValue == String {
        guard let text = string(node, path: path) else { return nil }
        guard let value = Value(rawValue: text.value) else {
            reportEnum(text, candidates: Value.allCases.map(\.rawValue), what: what)
            return nil
        }
        return Located(value, at: text.location, path: path)
    }

    private mutating func reportEnum(_ text: Located<String>, candidates: [String], what: String) {
        let suggestion = NameSuggester.suggestion(for: text.value, among: candidates)
        var message = "invalid \(what) \"\(text.value)\""
        if let suggestion {
            message += " (did you mean \"\(suggestion)\"?)"
        } else {
            message += "; expected one of \(candidates.joined(separator: ", "))"
        }
        collector.report(.invalidEnumValue, message, at: text.location, path: text.path, suggestion: suggestion)
    }

    /// A value of any shape, converted to JSON, with the scalar's text kept.
    private mutating func literal(_ node: Node, path: String) -> Located<LiteralValue> {
        let json = self.json(node, path: path)
        var text: String?
        if case .scalar(let scalar) = node { text = scalar.string }
        return Located(LiteralValue(json, scalarText: text), at: location(of: node), path: path)
    }

    private mutating func objectLiteral(_ node: Node, path: String) -> JSONObject? {
        guard case .mapping = node, case .object(let object) = json(node, path: path) else {
            collector.report(.invalidValue, "expected a mapping, found \(describe(node))", at: location(of: node), path: path)
            return nil
        }
        return object
    }

    /// YAML to JSON by YAML's own resolution (Yams follows YAML 1.1), warning where that differs from how
    /// the text looks.
    private mutating func json(_ node: Node, path: String) -> JSONValue {
        switch node {
        case .scalar(let scalar):
            let tag = tagName(node)
            if scalar.style == .plain, Self.isAmbiguous(scalar.string, tag: tag) {
                warnAmbiguous(Located(scalar.string, at: location(of: node), path: path), tag: tag)
            }
            switch tag {
            case .null: return .null
            case .bool: return node.bool.map(JSONValue.bool) ?? .string(scalar.string)
            case .int: return node.int.map(JSONValue.integer) ?? node.float.map(JSONValue.decimal) ?? .string(scalar.string)
            case .float: return node.float.map(JSONValue.decimal) ?? .string(scalar.string)
            default: return .string(scalar.string)
            }
        case .sequence(let sequence):
            return .array(sequence.enumerated().map { json($0.element, path: "\(path)[\($0.offset)]") })
        case .mapping(let mapping):
            var members: [JSONObject.Member] = []
            for (key, value) in mapping {
                guard case .scalar(let scalar) = key else {
                    collector.report(.invalidValue, "keys must be plain text", at: location(of: key), path: path)
                    continue
                }
                if scalar.string == "<<", scalar.style == .plain {
                    collector.report(
                        .noAnchorsOrAliases, "merge keys (<<) are not allowed in mapping files", at: location(of: key),
                        path: path)
                    continue
                }
                members.append(JSONObject.Member(key: scalar.string, value: json(value, path: "\(path).\(scalar.string)")))
            }
            return .object(JSONObject(members))
        case .alias:
            return .null
        }
    }

    /// True for plain scalars YAML 1.1 reads as something other than they look: `yes`/`on`/`n`, `~`, and
    /// numbers whose text would change if printed again (`010`, `0x1F`, `1_000`, `1:20`, `1.10`, `1e3`, `.inf`).
    static func isAmbiguous(_ text: String, tag: Tag.Name) -> Bool {
        switch tag {
        case .bool: return !["true", "false"].contains(text.lowercased())
        case .null: return text == "~"
        case .int, .float: return reprinted(text, tag: tag) != text
        default: return false
        }
    }

    /// The number YAML reads from a plain scalar, as it prints again (`1.10` → `1.1`, `0x1F` → `31`).
    private static func reprinted(_ text: String, tag: Tag.Name) -> String? {
        let node = Node(text)
        let number = tag == .int ? node.int.map(JSONValue.integer) ?? node.float.map(JSONValue.decimal) : node.float.map(JSONValue.decimal)
        return number?.scalarText
    }

    private mutating func warnAmbiguous(_ text: Located<String>, tag: Tag.Name) {
        let reading: String
        switch tag {
        case .bool: reading = "a boolean"
        case .null: reading = "null"
        default: reading = "a number (\(Self.reprinted(text.value, tag: tag) ?? "?"))"
        }
        collector.report(
            .ambiguousScalar, "plain \(text.value) is read by YAML as \(reading); quote it (\"\(text.value)\") if text is meant",
            at: text.location, path: text.path)
    }

    /// The node's resolved tag (`Tag.name` itself is internal to Yams).
    private func tagName(_ node: Node) -> Tag.Name {
        Tag.Name(rawValue: node.tag.rawValue)
    }

    private func describe(_ node: Node) -> String {
        switch node {
        case .scalar(let scalar):
            if scalar.style == .plain, tagName(node) == .null { return "an empty value" }
            return "\"\(scalar.string)\""
        case .sequence: return "a list"
        case .mapping: return "a mapping"
        case .alias: return "an alias"
        }
    }
}
