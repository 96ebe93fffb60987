import SCIM

/// Maps source records to SCIM resources through one object mapping of a mapping file.
///
/// Everything is resolved when the engine is created: source names to slots, target paths to a resource
/// layout, transformers to instances, expressions to parsed trees, scoping patterns to compiled regexes.
/// Mapping a record then reads it once and assembles the resource without name lookups.
///
/// ```swift
/// let users = try MappingEngine.load(contentsOf: "Mappings/entra-id.yaml", object: "users")
/// let mapped = try users.map(record: ["userPrincipalName": "zoe@contoso.com", "city": "Leeds"], mode: .create)
/// mapped.resource["userName"]            // "zoe@contoso.com"
/// mapped.matchingValues.first            // "zoe@contoso.com": look the target up by this first
/// ```
public struct MappingEngine: Sendable {
    /// The object mapping this engine runs.
    public let objectMapping: ObjectMapping
    /// The target resource type with the file's declared attributes.
    public let resourceSchema: ResourceSchema
    /// The matching attributes, in precedence order: the sync engine looks the target object up by the
    /// first that has a value.
    public let matchingAttributes: [MatchingAttribute]
    /// Targets whose values must not be logged (`redact: true`, or an expression that calls Redact).
    public let redactedTargets: [String]
    let compiled: CompiledObjectMapping

    /// Compiles one object mapping of a file already read (by name; the file's first when nil). Throws
    /// ``MappingError/Kind/invalidFile`` with every error if the file has any, and
    /// ``MappingError/Kind/invalidRequest`` for an object mapping it does not have.
    public init(
        mappingSet: MappingSet, object: String? = nil, transformers: TransformerRegistry = .standard,
        schemas: SchemaRegistry = .standard
    ) throws(MappingError) {
        var compiler = MappingCompiler(
            mappingSet: mappingSet, source: SourceText(file: mappingSet.file, text: ""), transformers: transformers,
            schemas: schemas)
        let compiledAll = compiler.compileAll()
        let errors = compiler.collector.finished().filter { $0.severity == .error }
        guard errors.isEmpty else {
            throw MappingError(.invalidFile, "\(mappingSet.file) has \(errors.count) error(s)", diagnostics: errors)
        }
        let wanted = object == nil ? mappingSet.objectMappings.first : object.flatMap(mappingSet.objectMapping(named:))
        guard let objectMapping = wanted, let compiled = compiledAll[objectMapping.name.value]
        else {
            let names = mappingSet.objectMappings.map(\.name.value).joined(separator: ", ")
            throw MappingError(
                .invalidRequest, "\(mappingSet.file) has no object mapping \"\(object ?? "")\" (it has \(names))")
        }
        self.objectMapping = objectMapping
        self.compiled = compiled
        self.resourceSchema = compiled.resourceSchema
        self.matchingAttributes = compiled.matching.map(\.attribute)
        self.redactedTargets = compiled.redactedTargets
    }

    /// An engine for an object mapping compiled already (by the linter, for a file's examples).
    init(objectMapping: ObjectMapping, compiled: CompiledObjectMapping) {
        self.objectMapping = objectMapping
        self.compiled = compiled
        self.resourceSchema = compiled.resourceSchema
        self.matchingAttributes = compiled.matching.map(\.attribute)
        self.redactedTargets = compiled.redactedTargets
    }

    /// Reads and compiles a mapping file. Throws ``MappingError/Kind/unreadable`` if it cannot be read and
    /// ``MappingError/Kind/invalidFile`` (with the diagnostics) if it has errors.
    public static func load(
        contentsOf path: String, object: String? = nil, transformers: TransformerRegistry = .standard,
        schemas: SchemaRegistry = .standard
    ) throws(MappingError) -> MappingEngine {
        let contents = try MappingFileReader.read(contentsOf: path)
        let errors = contents.diagnostics.filter { $0.severity == .error }
        guard errors.isEmpty, let mappingSet = contents.mappingSet else {
            throw MappingError(.invalidFile, "\(path) has \(errors.count) error(s)", diagnostics: errors)
        }
        return try MappingEngine(mappingSet: mappingSet, object: object, transformers: transformers, schemas: schemas)
    }

    /// True if the record passes the object mapping's scoping filters.
    public func isInScope(_ record: JSONObject) -> Bool {
        compiled.scope.matches(compiled.resolver.values(of: record))
    }

    /// Maps one record. `mode` decides whether `apply: on-create` mappings and create-only defaults apply;
    /// `context` gives transformers the organisation's locations. A record out of scope is mapped to its
    /// matching attributes only (so the sync engine can find and deactivate its target).
    ///
    /// Throws ``MappingError/Kind/invalidRecord`` naming the target when a value does not fit it, or a
    /// transformer or expression fails.
    public func map(
        record: JSONObject, mode: MappingMode = .create, context: TransformContext = TransformContext(),
        expressionContext: ExpressionContext = ExpressionContext()
    ) throws(MappingError) -> MappedResource {
        let sources = compiled.resolver.values(of: record)
        let inScope = compiled.scope.matches(sources)
        var outputs = [JSONValue?](repeating: nil, count: compiled.steps.count)
        var cleared: [String] = []
        var filledIfEmpty: [String] = []
        var expressionRecord: SourceRecord?
        for (index, step) in compiled.steps.enumerated() {
            if !inScope, !step.isMatching { continue }
            if step.onCreateOnly, mode == .update { continue }
            var value: JSONValue
            switch step.producer {
            case .source(let slot):
                value = sources[slot] ?? .null
            case .constant(let constant):
                value = constant
            case .expression(let expressionIndex):
                let input = expressionRecord ?? compiled.expressionRecord(sources)
                expressionRecord = input
                do {
                    guard case .value(let result) = try compiled.expressions[expressionIndex].evaluate(input, context: expressionContext)
                    else { continue }
                    value = result
                } catch {
                    throw MappingError(.invalidRecord, "the expression failed: \(error.message)", target: step.target)
                }
            case .none:
                value = .null
            }
            var skip = false
            for transform in step.transforms where !(value.isNull && !transform.transformsNull) {
                let outcome: TransformOutcome
                do {
                    outcome = try transform.transformer.transform(value, context: context)
                } catch {
                    throw MappingError(.invalidRecord, "\(transform.id): \(error.message)", target: step.target)
                }
                switch outcome {
                case .value(let transformed): value = transformed
                case .null: value = .null
                case .skipAttribute: skip = true
                }
                if skip { break }
            }
            if skip { continue }
            if step.fillsOnlyIfEmpty, let defaultValue = step.defaultValue {
                // Entra's None: "the target attribute is left unmodified. However, if the target attribute is ever
                // empty, it's populated with the Default value" -- whether `apply` says always or not.
                value = defaultValue
                if mode == .update { filledIfEmpty.append(step.target) }
            } else if value.isEmptyForMapping {
                guard let defaultValue = step.defaultValue, mode == .create || step.defaultAlways else {
                    if step.clearOnNull, mode == .update { cleared.append(step.target) }
                    continue
                }
                value = defaultValue
            }
            switch step.coercion.coerce(value) {
            case .success(let coerced): outputs[index] = coerced.isNull ? nil : coerced
            case .failure(let failure): throw MappingError(.invalidRecord, failure.message, target: step.target)
            }
        }
        return MappedResource(
            resource: compiled.layout.build(outputs), isInScope: inScope, clearedAttributes: cleared, filledIfEmpty: filledIfEmpty,
            matchingValues: compiled.matching.map { outputs[$0.step] })
    }
}

/// A source record mapped through a ``MappingEngine``.
public struct MappedResource: Sendable, Equatable {
    /// The SCIM resource: `schemas`, core attributes, and each extension's attributes under its URN.
    public var resource: JSONObject
    /// False if the record failed the scoping filters; ``resource`` then holds only the matching attributes.
    public var isInScope: Bool
    /// Targets to clear on the existing object: their value was null and the mapping says `onNull: clear`.
    public var clearedAttributes: [String]
    /// Targets of `none` mappings in ``resource`` (updates only): to be written only where the existing object has
    /// no value.
    public var filledIfEmpty: [String] = []
    /// The matching attributes' values, in precedence order: one for each of the engine's
    /// ``MappingEngine/matchingAttributes``, nil where the record gave none.
    public var matchingValues: [JSONValue?]
}

/// An attribute the sync engine matches source and target objects on ("Match objects using this
/// attribute"), with its precedence (1 is tried first).
public struct MatchingAttribute: Sendable, Hashable {
    /// The target path as written in the file, e.g. `userName` or `emails[type eq "work"].value`.
    public let target: String
    /// The parsed path, for building a `filter` on the target server.
    public let path: PatchPath
    public let precedence: Int
}

extension JSONValue {
    /// Null, "", [] and {}: values that make a mapping fall back to its default (Entra never sends them).
    var isEmptyForMapping: Bool {
        switch self {
        case .null: return true
        case .string(let text): return text.isEmpty
        case .array(let items): return items.isEmpty
        case .object(let object): return object.isEmpty
        default: return false
        }
    }
}

/// One compiled object mapping: what ``MappingEngine`` runs.
struct CompiledObjectMapping: Sendable {
    /// One attribute mapping, ready to run. A class, so that running a step retains one reference rather
    /// than copying each of its fields.
    final class Step: Sendable {
        enum Producer: Sendable {
            case source(Int)
            case constant(JSONValue)
            case expression(Int)
            case none
        }

        struct Transform: Sendable {
            let id: String
            let transformer: any Transformer
            let transformsNull: Bool
        }

        let target: String
        let producer: Producer
        let transforms: [Transform]
        let defaultValue: JSONValue?
        let defaultAlways: Bool
        let onCreateOnly: Bool
        let clearOnNull: Bool
        /// A `none` mapping: its default goes to a new object, and to an existing one only where it has no value.
        let fillsOnlyIfEmpty: Bool
        let isMatching: Bool
        let coercion: TargetCoercion

        init(
            target: String, producer: Producer, transforms: [Transform], defaultValue: JSONValue?, defaultAlways: Bool,
            onCreateOnly: Bool, clearOnNull: Bool, fillsOnlyIfEmpty: Bool, isMatching: Bool, coercion: TargetCoercion
        ) {
            self.target = target
            self.producer = producer
            self.transforms = transforms
            self.defaultValue = defaultValue
            self.defaultAlways = defaultAlways
            self.onCreateOnly = onCreateOnly
            self.clearOnNull = clearOnNull
            self.fillsOnlyIfEmpty = fillsOnlyIfEmpty
            self.isMatching = isMatching
            self.coercion = coercion
        }
    }

    let resourceSchema: ResourceSchema
    let resolver: SourceResolver
    let scope: CompiledScope
    let steps: [Step]
    let expressions: [MappingExpression]
    /// The source slots expressions read, with the names they read them by.
    let expressionInputs: [(name: String, slot: Int)]
    let layout: ResourceLayout
    let matching: [(attribute: MatchingAttribute, step: Int)]
    let redactedTargets: [String]

    /// The record expressions see: only the attributes they reference.
    func expressionRecord(_ sources: [JSONValue?]) -> SourceRecord {
        var members: [JSONObject.Member] = []
        members.reserveCapacity(expressionInputs.count)
        for (name, slot) in expressionInputs {
            if let value = sources[slot] { members.append(JSONObject.Member(key: name, value: value)) }
        }
        return SourceRecord(JSONObject(members))
    }
}
