import SCIM

/// Resolves a ``MappingSet`` into what ``MappingEngine`` runs, reporting every problem on the way as a
/// diagnostic: the engine refuses a file with errors, the linter prints them. Warnings and notes that do not
/// stop a file from running (volatile values, Entra quirks, create-only defaults) are reported here too, so
/// both see one judgement of the file.
struct MappingCompiler {
    private(set) var collector: DiagnosticCollector
    let mappingSet: MappingSet
    let transformers: TransformerRegistry
    private let baseSchemas: SchemaRegistry
    private let catalogue: SourceCatalogue?
    private var checkedSchemaList = false

    init(mappingSet: MappingSet, source: SourceText, transformers: TransformerRegistry, schemas: SchemaRegistry) {
        self.collector = DiagnosticCollector(source: source)
        self.mappingSet = mappingSet
        self.transformers = transformers
        self.baseSchemas = schemas
        self.catalogue = SourceCatalogue.named(mappingSet.sourceSystem.value)
        if catalogue == nil {
            let system = mappingSet.sourceSystem
            let names = SourceCatalogue.builtIn.map(\.system)
            let suggestion = NameSuggester.suggestion(for: system.value, among: names)
            collector.report(
                .invalidEnumValue,
                "unknown source system \"\(system.value)\"; expected \(names.joined(separator: ", "))"
                    + (suggestion.map { " (did you mean \"\($0)\"?)" } ?? ""),
                at: system.location, path: system.path, suggestion: suggestion)
        }
    }

    /// Compiles every enabled object mapping, by name. Disabled ones are checked too but not returned.
    mutating func compileAll() -> [String: CompiledObjectMapping] {
        var compiled: [String: CompiledObjectMapping] = [:]
        var seen: [String: FileLocation] = [:]
        for objectMapping in mappingSet.objectMappings {
            let key = objectMapping.name.value.lowercased()
            if let first = seen[key] {
                collector.report(
                    .duplicateTarget,
                    "object mapping \"\(objectMapping.name.value)\" is defined twice (first at line \(first.line))",
                    at: objectMapping.name.location, path: objectMapping.name.path)
            }
            seen[key] = objectMapping.name.location
            if let result = compile(objectMapping), objectMapping.enabled {
                compiled[objectMapping.name.value] = result
            }
        }
        checkSchemaList()
        return compiled
    }

    // MARK: Schemas

    /// The target.schemas entries must be well-formed URNs of schemas the target knows (or the file declares).
    private mutating func checkSchemaList() {
        guard !checkedSchemaList else { return }
        checkedSchemaList = true
        var known = Set(baseSchemas.schemas.map { $0.id.lowercased() })
        for objectMapping in mappingSet.objectMappings {
            for declaration in objectMapping.targetAttributes {
                if let (urn, _) = Self.splitDeclaredName(declaration.name.value) { known.insert(urn.lowercased()) }
            }
        }
        for urn in mappingSet.targetSchemas {
            if !Schema.isValidURN(urn.value) {
                collector.report(
                    .extensionURN, "\"\(urn.value)\" is not a schema URN (expected urn:ietf:params:scim:schemas:…)",
                    at: urn.location, path: urn.path)
            } else if !known.contains(urn.value.lowercased()) {
                let suggestion = NameSuggester.suggestion(for: urn.value, among: baseSchemas.schemas.map(\.id))
                collector.report(
                    .extensionURN,
                    "unknown schema \(urn.value); declare its attributes under target.attributes"
                        + (suggestion.map { " (did you mean \($0)?)" } ?? ""),
                    at: urn.location, path: urn.path, suggestion: suggestion)
            }
        }
    }

    private func isListed(_ urn: String) -> Bool {
        mappingSet.targetSchemas.contains { $0.value.equalsIgnoringASCIICase(urn) }
    }

    /// `urn:…:2.0:User:badge` → (`urn:…:2.0:User`, `badge`).
    static func splitDeclaredName(_ name: String) -> (urn: String, attribute: String)? {
        guard let colon = name.lastIndex(of: ":") else { return nil }
        return (String(name[..<colon]), String(name[name.index(after: colon)...]))
    }

    /// The registry with the file's declared attributes added to their extensions on the target resource.
    private mutating func registry(for objectMapping: ObjectMapping, resource: ResourceType) -> SchemaRegistry {
        var registry = baseSchemas
        var declared: [(urn: String, attributes: [SchemaAttribute])] = []
        for declaration in objectMapping.targetAttributes {
            let name = declaration.name
            guard let (urn, attribute) = Self.splitDeclaredName(name.value), isWellFormedExtension(urn, resource: resource.id),
                Self.isAttributeName(attribute)
            else {
                collector.report(
                    .extensionURN,
                    "\"\(name.value)\" is not a custom attribute name; expected urn:ietf:params:scim:schemas:extension:<Name>:2.0:\(resource.id):<attribute>",
                    at: name.location, path: name.path)
                continue
            }
            if !isListed(urn) {
                collector.report(
                    .extensionURN, "schema \(urn) is not listed in target.schemas", at: name.location, path: name.path)
            }
            if declaration.type == .complex {
                collector.report(
                    .invalidValue, "custom attributes cannot be complex (Entra cannot send them)", at: name.location,
                    path: name.path)
                continue
            }
            let definition = SchemaAttribute(
                name: attribute, type: declaration.type, multiValued: declaration.multiValued,
                description: declaration.description, required: declaration.required, caseExact: declaration.caseExact,
                mutability: declaration.mutability)
            if let index = declared.firstIndex(where: { $0.urn.equalsIgnoringASCIICase(urn) }) {
                declared[index].attributes.append(definition)
            } else {
                declared.append((urn, [definition]))
            }
        }
        for (urn, attributes) in declared {
            let existing = registry.schema(id: urn)
            let merged = (existing?.attributes ?? []).filter { old in
                !attributes.contains { $0.name.equalsIgnoringASCIICase(old.name) }
            } + attributes
            let schema = Schema(
                id: existing?.id ?? urn, name: existing?.name ?? urn.split(separator: ":").dropLast(2).last.map(String.init) ?? urn,
                description: existing?.description ?? "Declared in \(mappingSet.file)", attributes: merged)
            do {
                try registry.declareExtension(schema, on: resource.id)
            } catch {
                collector.report(.extensionURN, error.detail, at: objectMapping.targetResource.location)
            }
        }
        return registry
    }

    /// `urn:ietf:params:scim:schemas:extension:<Name>:2.0:<Resource>`.
    private func isWellFormedExtension(_ urn: String, resource: String) -> Bool {
        let parts = urn.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        return parts.count == 9 && parts[0...5].map { $0.lowercased() } == ["urn", "ietf", "params", "scim", "schemas", "extension"]
            && Self.isAttributeName(parts[6]) && parts[7] == "2.0" && parts[8].equalsIgnoringASCIICase(resource)
    }

    static func isAttributeName(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, first.isASCII, first.properties.isAlphabetic else { return false }
        return text.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-" || $0 == "_") }
    }

    // MARK: Object mappings

    private mutating func compile(_ objectMapping: ObjectMapping) -> CompiledObjectMapping? {
        let errorsBefore = errorCount
        let resourceName = objectMapping.targetResource
        guard let resourceType = baseSchemas.resourceType(id: resourceName.value) else {
            let names = baseSchemas.resourceTypes.map(\.id)
            let suggestion = NameSuggester.suggestion(for: resourceName.value, among: names)
            collector.report(
                .invalidEnumValue,
                "unknown target resource \"\(resourceName.value)\"; expected \(names.joined(separator: " or "))",
                at: resourceName.location, path: resourceName.path, suggestion: suggestion)
            return nil
        }
        let registry = registry(for: objectMapping, resource: resourceType)
        guard let resourceSchema = registry.resourceSchema(for: resourceType.id) else { return nil }

        var context = ObjectContext(
            objectMapping: objectMapping, resourceSchema: resourceSchema,
            resolver: SourceResolver(layout: .flat), sourceSchema: nil)
        if let catalogue {
            let object = objectMapping.sourceObject
            if catalogue.isSCIM {
                if let schema = registry.resourceSchema(for: object.value) {
                    context.sourceSchema = schema
                    context.resolver = SourceResolver(layout: .scim(schema))
                } else {
                    reportUnknownObject(object, among: catalogue.objectTypes)
                }
            } else if !catalogue.isCustom, !catalogue.objectTypes.contains(where: { $0.equalsIgnoringASCIICase(object.value) }) {
                reportUnknownObject(object, among: catalogue.objectTypes)
            }
        }

        let scope = compileScope(objectMapping.scope, context: &context)
        var steps: [CompiledObjectMapping.Step] = []
        var expressions: [MappingExpression] = []
        var layout = ResourceLayout(coreSchema: resourceSchema.core.id)
        var written: [String: (location: FileLocation, part: TargetSlot.Part)] = [:]
        var matching: [(attribute: MatchingAttribute, step: Int)] = []
        var precedences: [Int: FileLocation] = [:]
        var redacted: [String] = []

        for mapping in objectMapping.mappings {
            guard let (slot, path, leaf) = target(mapping.target, in: resourceSchema) else {
                _ = producer(for: mapping, leaf: nil, context: &context, expressions: &expressions)
                _ = compileTransforms(mapping.transforms)
                continue
            }
            let key = "\(slot.container ?? ""):\(slot.attribute)".lowercased()
            let elementKey = key + partKey(slot.part)
            if let previous = written[elementKey] ?? overlapping(key: key, part: slot.part, in: written) {
                collector.report(
                    .duplicateTarget,
                    "\(mapping.target.value) is already written by the mapping at line \(previous.location.line)",
                    at: mapping.target.location, path: mapping.target.path)
            }
            written[elementKey] = (mapping.target.location, slot.part)

            let coercion = TargetCoercion(leaf, whole: slot.part == .whole)
            let produced = producer(for: mapping, leaf: leaf, context: &context, expressions: &expressions)
            let transforms = compileTransforms(mapping.transforms)
            checkTypes(mapping, coercion: coercion, leaf: leaf, slot: slot, context: context)
            checkWarnings(mapping, expression: produced.expression)
            if let precedence = mapping.matchPrecedence {
                checkMatching(mapping, precedence: precedence, slot: slot, expression: produced.expression, seen: &precedences)
                matching.append((MatchingAttribute(target: mapping.target.value, path: path, precedence: precedence.value), steps.count))
            }
            if mapping.redact || produced.expression?.isRedacted == true { redacted.append(mapping.target.value) }

            var defaultValue: JSONValue?
            if let value = mapping.defaultValue?.value {
                defaultValue = literal(value, coercion: coercion, leaf: leaf)
            }
            if mapping.kind.value == .none, mapping.defaultValue == nil {
                collector.report(
                    .missingRequiredKey, "a none mapping writes only its default; give it \"default\"",
                    at: mapping.location, path: mapping.path)
            }
            layout.add(slot, output: steps.count)
            steps.append(
                CompiledObjectMapping.Step(
                    target: mapping.target.value, producer: produced.producer, transforms: transforms,
                    defaultValue: defaultValue, defaultAlways: mapping.defaultValue?.appliesAlways ?? false,
                    onCreateOnly: mapping.apply.value == .onCreate, clearOnNull: mapping.onNull == .clear,
                    fillsOnlyIfEmpty: mapping.kind.value == .none, isMatching: mapping.matchPrecedence != nil, coercion: coercion))
        }
        if objectMapping.enabled, !objectMapping.actions.isEmpty, !objectMapping.mappings.isEmpty, matching.isEmpty {
            collector.report(
                .matching,
                "object mapping \"\(objectMapping.name.value)\" has no matching attribute; add match: { precedence: 1 } to the mapping that identifies objects (userName, externalId, …)",
                at: objectMapping.name.location, path: objectMapping.name.path)
        }
        guard errorCount == errorsBefore else { return nil }
        matching.sort { $0.attribute.precedence < $1.attribute.precedence }
        return CompiledObjectMapping(
            resourceSchema: resourceSchema, resolver: context.resolver, scope: scope, steps: steps,
            expressions: expressions, expressionInputs: context.expressionInputs, layout: layout, matching: matching,
            redactedTargets: redacted)
    }

    private var errorCount: Int { collector.diagnostics.count { $0.severity == .error } }

    private mutating func reportUnknownObject(_ object: Located<String>, among names: [String]) {
        let suggestion = NameSuggester.suggestion(for: object.value, among: names)
        collector.report(
            .invalidEnumValue,
            "unknown source object \"\(object.value)\" for \(mappingSet.sourceSystem.value); expected \(names.joined(separator: " or "))",
            at: object.location, path: object.path, suggestion: suggestion)
    }

    private func partKey(_ part: TargetSlot.Part) -> String {
        switch part {
        case .whole: return ""
        case .sub(let name): return ".\(name.lowercased())"
        case .element(let fixed, let sub):
            return "[" + fixed.map { "\($0.key.lowercased())=\($0.value)" }.joined(separator: ",") + "].\(sub.lowercased())"
        }
    }

    /// A whole single-valued complex attribute and one of its sub-attributes write the same place.
    private func overlapping(
        key: String, part: TargetSlot.Part, in written: [String: (location: FileLocation, part: TargetSlot.Part)]
    ) -> (location: FileLocation, part: TargetSlot.Part)? {
        switch part {
        case .sub:
            if let whole = written[key], case .whole = whole.part { return whole }
        case .whole:
            if let sub = written.first(where: { entry in
                guard entry.key.hasPrefix(key + "."), case .sub = entry.value.part else { return false }
                return true
            }) {
                return sub.value
            }
        case .element:
            break
        }
        return nil
    }

    // MARK: Targets

    /// Resolves a target path: its slot in the resource, its parsed form and the attribute it writes.
    private mutating func target(_ target: Located<String>, in schema: ResourceSchema)
        -> (TargetSlot, PatchPath, SchemaAttribute)?
    {
        let text = target.value
        var container: String?
        if text.hasPrefixIgnoringASCIICase("urn:") {
            guard let (urn, rest) = schema.splitKnownURN(text) else {
                reportUnknownExtension(target, schema: schema)
                return nil
            }
            if rest.isEmpty {
                collector.report(
                    .unknownTargetAttribute, "\(text) names a whole schema; name one of its attributes",
                    at: target.location, path: target.path)
                return nil
            }
            if !urn.equalsIgnoringASCIICase(schema.core.id) {
                container = schema.extensionSchema(urn)?.id ?? urn
                if !isListed(urn) {
                    collector.report(
                        .extensionURN, "schema \(urn) is not listed in target.schemas", at: target.location,
                        path: target.path)
                }
            }
        }
        let path: PatchPath
        do {
            path = try PatchPath(parsing: text, in: schema)
        } catch {
            collector.report(
                .unknownTargetAttribute, "\"\(text)\" is not a target path: \(error.detail)", at: target.location,
                path: target.path)
            return nil
        }
        guard let attributePath = path.attribute else {
            collector.report(
                .unknownTargetAttribute, "\(text) names a whole schema; name one of its attributes", at: target.location,
                path: target.path)
            return nil
        }
        let extensionSchema = container.flatMap(schema.extensionSchema)
        guard let top = schema.attribute(schema: container, name: attributePath.name) else {
            let candidates = (extensionSchema?.attributes ?? SchemaAttribute.common + schema.core.attributes).map(\.name)
            let suggestion = NameSuggester.suggestion(for: attributePath.name, among: candidates)
            let owner = extensionSchema?.id ?? schema.resourceType.id
            collector.report(
                .unknownTargetAttribute,
                "unknown target attribute \"\(attributePath.name)\" of \(owner)" + (suggestion.map { " (did you mean \"\($0)\"?)" } ?? ""),
                at: target.location, path: target.path, suggestion: suggestion)
            return nil
        }
        var leaf = top
        var part = TargetSlot.Part.whole
        let subName = path.valueFilter == nil ? attributePath.subAttribute : path.subAttribute
        if let filter = path.valueFilter {
            guard top.multiValued, top.type == .complex else {
                collector.report(
                    .unknownTargetAttribute, "\(top.name) is not a multi-valued complex attribute; it takes no [filter]",
                    at: target.location, path: target.path)
                return nil
            }
            guard let fixed = fixedMembers(filter, of: top) else {
                collector.report(
                    .unknownTargetAttribute,
                    "a target filter may only compare sub-attributes of \(top.name) with eq, joined by and (e.g. \(top.name)[type eq \"work\"])",
                    at: target.location, path: target.path)
                return nil
            }
            guard let subName else {
                collector.report(
                    .unknownTargetAttribute, "name the sub-attribute to write, e.g. \(text).value", at: target.location,
                    path: target.path)
                return nil
            }
            part = .element(fixed: fixed, sub: subName)
        } else if subName != nil, top.multiValued {
            collector.report(
                .unknownTargetAttribute,
                "\(top.name) is multi-valued: select the value to write, e.g. \(top.name)[type eq \"work\"].\(subName ?? "value")",
                at: target.location, path: target.path)
            return nil
        }
        if let subName {
            guard let sub = top.subAttribute(named: subName) else {
                let suggestion = NameSuggester.suggestion(for: subName, among: top.subAttributes.map(\.name))
                collector.report(
                    .unknownTargetAttribute,
                    "\(top.name) has no sub-attribute \"\(subName)\"" + (suggestion.map { " (did you mean \"\($0)\"?)" } ?? ""),
                    at: target.location, path: target.path, suggestion: suggestion)
                return nil
            }
            leaf = sub
            if case .element(let fixed, _) = part {
                part = .element(fixed: fixed, sub: sub.name)
            } else {
                part = .sub(sub.name)
            }
        }
        if top.mutability == .readOnly || leaf.mutability == .readOnly {
            collector.report(
                .readOnlyTarget, "\(text) is read-only: the target sets it, a mapping cannot", at: target.location,
                path: target.path)
            return nil
        }
        return (TargetSlot(container: container, attribute: top.name, multiValued: top.multiValued, part: part), path, leaf)
    }

    /// The members a filter such as `type eq "work" and primary eq true` fixes on the element it selects.
    private func fixedMembers(_ filter: Filter, of attribute: SchemaAttribute) -> [JSONObject.Member]? {
        switch filter {
        case .compare(let path, .eq, let value):
            guard path.schema == nil, path.subAttribute == nil, let sub = attribute.subAttribute(named: path.name) else {
                return nil
            }
            return [JSONObject.Member(key: sub.name, value: value)]
        case .and(let lhs, let rhs):
            guard let left = fixedMembers(lhs, of: attribute), let right = fixedMembers(rhs, of: attribute) else { return nil }
            return left + right
        default:
            return nil
        }
    }

    private mutating func reportUnknownExtension(_ target: Located<String>, schema: ResourceSchema) {
        let text = target.value
        let colon = text.lastIndex(of: ":") ?? text.endIndex
        let urn = String(text[..<colon])
        let knownPaths = schema.extensions.flatMap { ext in ext.schema.attributes.map { "\(ext.schema.id):\($0.name)" } }
        let suggestion = NameSuggester.suggestion(for: text, among: knownPaths)
        let hint = suggestion.map { " (did you mean \($0)?)" } ?? ""
        if isWellFormedExtension(urn, resource: schema.resourceType.id) {
            collector.report(
                .extensionURN,
                "\(urn) is not a schema of \(schema.resourceType.id); declare the attribute under target.attributes\(hint)",
                at: target.location, path: target.path, suggestion: suggestion)
        } else {
            collector.report(
                .extensionURN,
                "malformed extension attribute \"\(text)\"; expected urn:ietf:params:scim:schemas:extension:<Name>:2.0:\(schema.resourceType.id):<attribute>\(hint)",
                at: target.location, path: target.path, suggestion: suggestion)
        }
    }

    // MARK: Values

    private struct Produced {
        var producer: CompiledObjectMapping.Step.Producer
        var expression: MappingExpression?
    }

    /// What a mapping produces; `leaf` is the attribute it writes, nil if the target did not resolve.
    private mutating func producer(
        for mapping: AttributeMapping, leaf: SchemaAttribute?, context: inout ObjectContext,
        expressions: inout [MappingExpression]
    ) -> Produced {
        switch mapping.kind.value {
        case .direct:
            guard let source = mapping.source, let slot = sourceSlot(source, context: &context) else {
                return Produced(producer: .none)
            }
            return Produced(producer: .source(slot))
        case .constant:
            guard let value = mapping.value?.value else { return Produced(producer: .constant(.null)) }
            return Produced(producer: .constant(leaf.map { Self.asWritten(value, for: $0) } ?? value.json))
        case .expression:
            guard let text = mapping.expression,
                let expression = compileExpression(text, positions: mapping.expressionPositions, context: &context)
            else { return Produced(producer: .none) }
            expressions.append(expression)
            return Produced(producer: .expression(expressions.count - 1), expression: expression)
        case .none:
            return Produced(producer: .none)
        }
    }

    /// A constant or default as the file writes it: a plain scalar YAML reads as a number or boolean keeps its
    /// text for a text target (`00123`, `1.10`, `yes`), and is the number or boolean for any other.
    private static func asWritten(_ value: LiteralValue, for leaf: SchemaAttribute) -> JSONValue {
        guard let text = value.scalarText, [.string, .reference, .binary, .dateTime].contains(leaf.type) else {
            return value.json
        }
        switch value.json {
        case .bool, .integer, .decimal: return .string(text)
        default: return value.json
        }
    }

    /// A constant or default, as written (``asWritten(_:for:)``) and coerced to the target.
    private mutating func literal(_ value: Located<LiteralValue>, coercion: TargetCoercion, leaf: SchemaAttribute) -> JSONValue? {
        switch coercion.coerce(Self.asWritten(value.value, for: leaf)) {
        case .success(let coerced): return coerced
        case .failure(let failure):
            collector.report(
                .typeMismatch, "\(failure.message) (the target \(leaf.name) is \(leaf.type.rawValue))", at: value.location,
                path: value.path)
            return nil
        }
    }

    private mutating func checkTypes(
        _ mapping: AttributeMapping, coercion: TargetCoercion, leaf: SchemaAttribute, slot: TargetSlot, context: ObjectContext
    ) {
        if mapping.kind.value == .constant, let value = mapping.value, mapping.transforms.isEmpty {
            _ = literal(value, coercion: coercion, leaf: leaf)
        }
        guard mapping.kind.value == .direct, mapping.transforms.isEmpty, let source = mapping.source,
            !coercion.multiValued, isMultiValuedSource(source.value, context: context)
        else { return }
        collector.report(
            .typeMismatch,
            "\(source.value) is multi-valued but \(mapping.target.value) takes one value; pick one with an expression (Item, Join)",
            at: source.location, path: source.path)
    }

    private func isMultiValuedSource(_ name: String, context: ObjectContext) -> Bool {
        if let sourceSchema = context.sourceSchema {
            guard let path = try? PatchPath(parsing: name, in: sourceSchema), let attributePath = path.attribute,
                let top = sourceSchema.attribute(schema: attributePath.schema, name: attributePath.name)
            else { return false }
            return top.multiValued && path.valueFilter == nil
        }
        return catalogue?.attribute(named: name, of: context.objectMapping.sourceObject.value)?.multiValued ?? false
    }

    private mutating func checkWarnings(_ mapping: AttributeMapping, expression: MappingExpression?) {
        if let expression, expression.isVolatile, mapping.apply.value == .always, mapping.matchPrecedence == nil,
            let text = mapping.expression
        {
            collector.report(
                .volatileOnUpdate,
                "this expression gives a new value on every sync (Guid, Now or RandomString), so an always-applied mapping changes the target each time; use apply: on-create",
                at: text.location, path: text.path)
        }
        if let defaultValue = mapping.defaultValue, !defaultValue.isLongForm, mapping.apply.value == .always {
            collector.report(
                .defaultCreateOnly,
                "the default applies only when an object is created (as in Entra); write default: { value: …, apply: always } to apply it on updates too",
                at: defaultValue.value.location, path: defaultValue.value.path)
        }
    }

    private mutating func checkMatching(
        _ mapping: AttributeMapping, precedence: Located<Int>, slot: TargetSlot, expression: MappingExpression?,
        seen: inout [Int: FileLocation]
    ) {
        if let first = seen[precedence.value] {
            collector.report(
                .matching, "matching precedence \(precedence.value) is already used at line \(first.line)",
                at: precedence.location, path: precedence.path)
        } else {
            seen[precedence.value] = precedence.location
        }
        if mapping.apply.value == .onCreate {
            collector.report(
                .matching, "a matching attribute must be applied always, not only on create", at: mapping.apply.location,
                path: mapping.apply.path)
        }
        if expression?.isVolatile == true || mapping.kind.value == .constant || mapping.kind.value == .none {
            collector.report(
                .matching, "a matching attribute needs a value that identifies each object; this one does not",
                at: precedence.location, path: precedence.path)
        }
        if slot.multiValued, case .whole = slot.part {
            collector.report(
                .matching, "match on one value (e.g. emails[type eq \"work\"].value), not a whole multi-valued attribute",
                at: mapping.target.location, path: mapping.target.path)
        }
    }

    // MARK: Sources

    struct ObjectContext {
        let objectMapping: ObjectMapping
        let resourceSchema: ResourceSchema
        var resolver: SourceResolver
        var sourceSchema: ResourceSchema?
        var expressionInputs: [(name: String, slot: Int)] = []
    }

    /// Resolves a source attribute name to a slot, reporting an unknown one. `location` overrides where
    /// (inside an expression).
    private mutating func sourceSlot(
        _ name: Located<String>, context: inout ObjectContext, location: FileLocation? = nil
    ) -> Int? {
        let at = location ?? name.location
        if let sourceSchema = context.sourceSchema {
            let path: PatchPath
            do {
                path = try PatchPath(parsing: name.value, in: sourceSchema)
            } catch {
                collector.report(
                    .unknownSourceAttribute, "\"\(name.value)\" is not an attribute path: \(error.detail)", at: at,
                    path: name.path)
                return nil
            }
            guard let compiled = scimSourcePath(path, in: sourceSchema) else {
                let candidates = (SchemaAttribute.common + sourceSchema.core.attributes).map(\.name)
                    + sourceSchema.extensions.flatMap { ext in ext.schema.attributes.map { "\(ext.schema.id):\($0.name)" } }
                let suggestion = NameSuggester.suggestion(for: name.value, among: candidates)
                collector.report(
                    .unknownSourceAttribute,
                    "unknown source attribute \"\(name.value)\" of \(sourceSchema.resourceType.id)" + (suggestion.map { " (did you mean \"\($0)\"?)" } ?? ""),
                    at: at, path: name.path, suggestion: suggestion)
                return nil
            }
            return context.resolver.slot(for: name.value, path: compiled)
        }
        guard let catalogue else { return context.resolver.slot(for: name.value) }
        let object = context.objectMapping.sourceObject.value
        let declared = context.objectMapping.sourceAttributes.map(\.value)
        if declared.contains(where: { $0.equalsIgnoringASCIICase(name.value) }) {
            return context.resolver.slot(for: name.value)
        }
        if let known = catalogue.attribute(named: name.value, of: object) {
            if catalogue.system == "entra-id", known.name != name.value, !SourceCatalogue.isDirectoryExtension(name.value) {
                collector.report(
                    .unknownSourceAttribute,
                    "Entra ID attribute names are case-sensitive: \"\(name.value)\" should be \"\(known.name)\"",
                    at: at, path: name.path, suggestion: known.name)
            }
            return context.resolver.slot(for: known.name)
        }
        let candidates = (catalogue.objects.first { $0.key.equalsIgnoringASCIICase(object) }?.value.map(\.name) ?? []) + declared
        // A bare name that ends a path (Okta's `login` for `profile.login`) is suggested before a near spelling.
        let nestedName = "." + asciiLowercased(name.value)
        let suggestion = candidates.first { asciiLowercased($0).hasSuffix(nestedName) }
            ?? NameSuggester.suggestion(for: name.value, among: candidates)
        var message = "unknown source attribute \"\(name.value)\""
        if let suggestion {
            message += " (did you mean \"\(suggestion)\"?)"
        } else if catalogue.isCustom {
            message += "; declare it under source.attributes"
        } else {
            message += " of \(catalogue.system) \(object); declare it under source.attributes if the source has it"
        }
        collector.report(.unknownSourceAttribute, message, at: at, path: name.path, suggestion: suggestion)
        return nil
    }

    private func scimSourcePath(_ path: PatchPath, in schema: ResourceSchema) -> SCIMSourcePath? {
        guard let attributePath = path.attribute else { return nil }
        let container = attributePath.schema.flatMap { urn in
            urn.equalsIgnoringASCIICase(schema.core.id) ? nil : schema.extensionSchema(urn)?.id
        }
        guard let top = schema.attribute(schema: attributePath.schema, name: attributePath.name) else { return nil }
        let subName = path.valueFilter == nil ? attributePath.subAttribute : path.subAttribute
        let sub = subName.flatMap(top.subAttribute(named:))
        guard subName == nil || sub != nil else { return nil }
        var evaluator: FilterEvaluator?
        if let filter = path.valueFilter {
            guard let compiled = try? FilterEvaluator(valueFilter: filter, of: top) else { return nil }
            evaluator = compiled
        }
        return SCIMSourcePath(container: container, name: top.name, subAttribute: sub?.name, filter: evaluator)
    }

    // MARK: Expressions

    private mutating func compileExpression(
        _ text: Located<String>, positions: ScalarPositions?, context: inout ObjectContext
    ) -> MappingExpression? {
        func place(_ span: SourceSpan) -> FileLocation {
            let length = span.end.line == span.start.line ? max(1, span.end.column - span.start.column) : 1
            return positions?.location(line: span.start.line, column: span.start.column, length: length) ?? text.location
        }
        let expression: MappingExpression
        do {
            expression = try MappingExpression(parsing: text.value)
        } catch {
            let rule: LintRule
            switch error.kind {
            case .unknownFunction: rule = .unknownFunction
            case .arity, .invalidArgument, .misplacedFunction: rule = .functionArity
            case .invalidRegex: rule = .invalidRegex
            default: rule = .expressionSyntax
            }
            collector.report(rule, error.message, at: place(error.span), path: text.path, suggestion: error.suggestion)
            return nil
        }
        var ok = true
        var nodes: [ExpressionNode] = []
        expression.root.visit { nodes.append($0) }
        for node in nodes {
            switch node.kind {
            case .attribute(let reference):
                let name = Located(reference.name, at: text.location, path: text.path)
                if let slot = sourceSlot(name, context: &context, location: place(node.span)) {
                    if !context.expressionInputs.contains(where: { $0.name == reference.name }) {
                        context.expressionInputs.append((reference.name, slot))
                    }
                } else {
                    ok = false
                }
            case .call(let call):
                if call.name != call.signature.name {
                    collector.report(
                        .unknownFunction,
                        "Entra function names are case-sensitive: \"\(call.name)\" should be \"\(call.signature.name)\"",
                        at: place(call.nameSpan), path: text.path, suggestion: call.signature.name)
                    ok = false
                }
                if call.signature.name == "Switch", let first = call.arguments.first, case .call(let inner) = first.kind,
                    ["IsPresent", "IsNull", "IsNullOrEmpty", "IsString"].contains(inner.signature.name)
                {
                    collector.report(
                        .entraCompatibility,
                        "Entra does not evaluate Switch(\(inner.signature.name)(…), …) as documented; use IIF(\(inner.signature.name)(…), …, …)",
                        at: place(inner.nameSpan), path: text.path)
                }
            default:
                break
            }
        }
        return ok ? expression : nil
    }

    // MARK: Transformers

    private mutating func compileTransforms(_ steps: [TransformStep]) -> [CompiledObjectMapping.Step.Transform] {
        var compiled: [CompiledObjectMapping.Step.Transform] = []
        for step in steps {
            guard let type = transformers.transformer(id: step.id.value) else {
                let suggestion = NameSuggester.suggestion(for: step.id.value, among: transformers.ids)
                collector.report(
                    .unknownTransformer,
                    "unknown transformer \"\(step.id.value)\"" + (suggestion.map { " (did you mean \"\($0)\"?)" } ?? "; registered: \(transformers.ids.joined(separator: ", "))"),
                    at: step.id.location, path: step.id.path, suggestion: suggestion)
                continue
            }
            let given = step.arguments.map { (name: $0.name.value, value: $0.value.value) }
            switch TransformerArguments.validated(given, for: type) {
            case .failure(let list):
                for problem in list.problems {
                    let argument = step.arguments.first { $0.name.value == problem.argument }
                    // A misspelt name is pointed at; a known name with a wrong value, at the value.
                    let isParameter = type.parameters.contains { $0.name == problem.argument }
                    let location = isParameter ? argument?.value.location : argument?.name.location
                    collector.report(
                        .transformerArguments, problem.message, at: location ?? step.id.location,
                        path: argument?.name.path ?? step.path, suggestion: problem.suggestion)
                }
            case .success(let arguments):
                do {
                    let transformer = try type.init(arguments: arguments)
                    compiled.append(.init(id: type.id, transformer: transformer, transformsNull: type.transformsNull))
                } catch {
                    let argument = step.arguments.first { $0.name.value == error.argument }
                    collector.report(
                        .transformerArguments, "\(type.id): \(error.message)", at: argument?.value.location ?? step.id.location,
                        path: argument?.value.path ?? step.path)
                }
            }
        }
        return compiled
    }

    // MARK: Scope

    private mutating func compileScope(_ filters: [ScopeFilter], context: inout ObjectContext) -> CompiledScope {
        var compiled: [[CompiledScope.Clause]] = []
        for filter in filters {
            var clauses: [CompiledScope.Clause] = []
            for clause in filter.clauses {
                let slot = sourceSlot(clause.attribute, context: &context)
                if isMultiValuedSource(clause.attribute.value, context: context) {
                    collector.report(
                        .scopeClause, "scoping filters cannot use the multi-valued attribute \(clause.attribute.value)",
                        at: clause.attribute.location, path: clause.attribute.path)
                }
                guard let test = scopeTest(clause), let slot else { continue }
                clauses.append(CompiledScope.Clause(slot: slot, test: test))
            }
            compiled.append(clauses)
        }
        return CompiledScope(filters: compiled)
    }

    private mutating func scopeTest(_ clause: ScopeClause) -> CompiledScope.Clause.Test? {
        let op = clause.operator.value
        guard op.takesValue else {
            if let value = clause.value {
                collector.report(
                    .scopeClause, "\(op.rawValue) takes no value", at: value.location, path: value.path)
            }
            switch op {
            case .isTrue: return .isTrue
            case .isFalse: return .isFalse
            case .isNull: return .isNull
            default: return .isNotNull
            }
        }
        guard let value = clause.value else {
            collector.report(
                .scopeClause, "\(op.rawValue) needs a value", at: clause.operator.location, path: clause.operator.path)
            return nil
        }
        switch op {
        case .equals: return .equals(value.value)
        case .notEquals: return .notEquals(value.value)
        case .endsWith: return .endsWith(value.value)
        case .includes: return .includes(value.value)
        case .existsIn: return .existsIn(value.value, negated: false)
        case .notExistsIn: return .existsIn(value.value, negated: true)
        case .greaterThan, .greaterThanOrEquals:
            guard let bound = Int(value.value) else {
                collector.report(
                    .scopeClause, "\(op.rawValue) compares whole numbers; \"\(value.value)\" is not one", at: value.location,
                    path: value.path)
                return nil
            }
            return .greaterThan(bound, orEqual: op == .greaterThanOrEquals)
        case .regexMatch, .notRegexMatch:
            do {
                return .regex(try SharedRegex(value.value), negated: op == .notRegexMatch)
            } catch {
                collector.report(
                    .invalidRegex, "invalid regular expression: \(error)", at: value.location, path: value.path)
                return nil
            }
        case .isTrue, .isFalse, .isNull, .isNotNull:
            return nil
        }
    }
}
