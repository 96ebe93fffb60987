/// Applies a ``PatchRequest`` to a stored resource (RFC 7644 §3.5.2), in the RFC's semantics and the dialects
/// Entra ID and Okta send. A pure function: it returns the new resource, or throws and changes nothing.
///
/// The stored shape has core attributes at the top level and each extension's attributes in an object keyed by
/// its URN, plus `schemas`, `id` and `meta`. Writing an extension attribute creates that object and lists the URN
/// in `schemas`; an extension left empty is removed together with its URN. `meta` is not touched: setting
/// `lastModified` and the version is the caller's job.
///
/// Beyond the RFC it accepts:
/// - the strings `"True"`/`"False"` (any case) for boolean attributes and sub-attributes (Entra);
/// - path-less values whose keys are `name.givenName` or `urn:…:User:attribute` (Entra); read-only keys in them
///   (`id`, `meta`, `groups`) and `schemas` are ignored (Okta's group rename sends `id`);
/// - `add`/`replace` on `emails[type eq "work"].value` with no such email creates `{"type": "work", "value": …}`;
///   any filter made of `eq` comparisons joined by `and` seeds the new value this way (Entra);
/// - `remove` of a multi-valued attribute with a `value` array removes only the listed values; for `members`
///   they are matched by `value` (Entra's default member removal);
/// - a bare string for a single-valued complex attribute with a `value` sub-attribute replaces it with
///   `{"value": …}`, and `""` clears it (Entra's `manager`); a one-element array for such an attribute is unwrapped;
/// - an unqualified name that only one extension defines (`manager`) resolves to that extension.
///
/// Read-only sub-attributes inside a written value (`manager.displayName`) and `null` sub-attributes
/// (`"$ref": null`) are dropped; naming a read-only attribute in a path is 400 `mutability`. A `remove` whose
/// target or filter matches nothing changes nothing, so retried removals succeed.
///
/// ```swift
/// let users = SchemaRegistry.standard.resourceSchema(for: "User")!
/// let user: JSONObject = ["schemas": [.string(SchemaURN.user)], "id": "2819c223", "userName": "bjensen", "active": true]
/// let request = PatchRequest(operations: [PatchOperation(.replace, path: try PatchPath(parsing: "active", in: users), value: "False")])
/// let disabled = try PatchApplier.apply(request, to: user, for: users)   // "active": false
/// ```
public enum PatchApplier {
    /// The most comparisons of values one request may make: of filters with values, and of values listed for
    /// removal with stored ones. The limits on operations (1,000), on values per operation (50,000) and on stored
    /// values (10,000 emails) let a 78 KB PATCH make ten million, 9 s on the directory's one writer; this keeps the
    /// worst under a quarter of a second. A request that would pass it is refused with 400 `tooMany`.
    public static let comparisonBudget = 250_000

    /// Applies the operations in order, all or nothing, and returns the new resource. Errors name the operation
    /// (1-based) and carry the RFC 7644 status and `scimType`.
    public static func apply(_ request: PatchRequest, to resource: JSONObject, for resourceSchema: ResourceSchema) throws(SCIMError) -> JSONObject {
        var document = PatchDocument(object: resource, schema: resourceSchema)
        for (index, operation) in request.operations.enumerated() {
            do {
                try document.apply(operation)
            } catch {
                throw SCIMError(error.status, error.scimType, "operation \(index + 1) (\(operation.summary)): \(error.detail)")
            }
        }
        return document.object
    }
}

/// What one operation (or one key of a path-less value) addresses, resolved against the schema.
private struct PatchTarget {
    /// The canonical URN of the extension that holds the attribute; nil for core and common attributes.
    var container: String?
    var attribute: SchemaAttribute
    /// `givenName` of `name.givenName`, or `value` of `emails[type eq "work"].value`.
    var subAttribute: SchemaAttribute?
    var filter: Filter?
    var evaluator: FilterEvaluator?
    /// The path as the client wrote it, for messages.
    var label: String

    /// True when the operation selects values of the attribute (by a filter, or every value for `emails.value`).
    var selectsValues: Bool { evaluator != nil || (attribute.multiValued && subAttribute != nil) }

    func matches(_ value: JSONValue) -> Bool { evaluator?.matchesValue(value) ?? true }
}

/// The resource being patched.
private struct PatchDocument {
    var object: JSONObject
    let schema: ResourceSchema
    /// Values compared so far (see ``PatchApplier/comparisonBudget``).
    var comparisons = 0

    /// Counts `count` comparisons before they are made; 400 `tooMany` if they would pass the budget.
    mutating func spend(_ count: Int) throws(SCIMError) {
        comparisons += count
        guard comparisons <= PatchApplier.comparisonBudget else {
            throw SCIMError(
                .badRequest, .tooMany,
                "the request would compare values \(comparisons) times or more, more than one request may (\(PatchApplier.comparisonBudget)): "
                    + "send its operations in several requests")
        }
    }

    mutating func apply(_ operation: PatchOperation) throws(SCIMError) {
        guard let path = operation.path else {
            guard operation.op != .remove else {
                throw .noTarget("remove needs a \"path\" naming what to remove")
            }
            try applyAttributes(operation.op, try required(operation), inSchema: nil)
            return
        }
        if let urn = path.extensionSchema, path.attribute == nil {
            try applyToSchema(operation.op, urn: urn, value: operation.value, label: path.description)
            return
        }
        guard let attributePath = path.attribute else {
            throw .invalidPath("'\(path)' names no attribute")
        }
        guard let target = try resolve(attributePath, filter: path.valueFilter, subAttribute: path.subAttribute, label: path.description, explicit: true) else {
            return
        }
        if operation.op == .remove {
            try remove(target, listed: operation.value)
        } else {
            try write(operation.op, try required(operation), to: target)
        }
    }

    private func required(_ operation: PatchOperation) throws(SCIMError) -> JSONValue {
        guard let value = operation.value else {
            throw .invalidValue("\(operation.op.rawValue) needs a \"value\"")
        }
        return value
    }

    // MARK: Path-less values and whole schemas

    /// A path-less `add`/`replace`, or the object given for a schema URN: every key is applied as if it were
    /// the operation's path. `schemas` and read-only attributes are ignored.
    private mutating func applyAttributes(_ op: PatchOperation.Op, _ value: JSONValue, inSchema urn: String?) throws(SCIMError) {
        guard case .object(let attributes) = value else {
            let owner = urn.map { "'\($0)'" } ?? "\(op.rawValue) without a path"
            throw .invalidValue("\(owner) needs an object of attributes, not \(value.kindDescription)")
        }
        for member in attributes.members {
            if member.key.equalsIgnoringASCIICase("schemas") { continue }
            if urn == nil, let split = schema.splitKnownURN(member.key), split.rest.isEmpty {
                try applyToSchema(op, urn: split.urn, value: member.value, label: member.key)
                continue
            }
            guard var path = AttributePath.parse(Substring(member.key), in: urn == nil ? schema : nil), urn == nil || path.schema == nil else {
                throw .invalidPath("'\(member.key)' is not a valid attribute name")
            }
            if let urn { path.schema = urn }
            guard let target = try resolve(path, filter: nil, subAttribute: nil, label: path.description, explicit: false) else { continue }
            try write(op, member.value, to: target)
        }
    }

    /// A path that is a schema URN alone: the extension object as a whole (or the core attributes).
    private mutating func applyToSchema(_ op: PatchOperation.Op, urn: String, value: JSONValue?, label: String) throws(SCIMError) {
        let isCore = schema.core.id.equalsIgnoringASCIICase(urn)
        switch op {
        case .remove:
            guard !isCore, let canonical = schema.extensionSchema(urn)?.id else {
                throw .invalidPath("'\(label)' cannot be removed: only an extension schema can")
            }
            object[canonical] = nil
            setSchemaListed(canonical, false)
        case .add, .replace:
            guard let value else { throw .invalidValue("\(op.rawValue) needs a \"value\"") }
            if value.isNull {
                if op == .replace, !isCore { try applyToSchema(.remove, urn: urn, value: nil, label: label) }
                return
            }
            try applyAttributes(op, value, inSchema: isCore ? nil : urn)
        }
    }

    // MARK: Resolving paths

    /// Resolves a path to its definition. `explicit` paths (an operation's `path`) that name read-only
    /// attributes are 400 `mutability`; keys of a path-less value that do are skipped (nil).
    private func resolve(_ path: AttributePath, filter: Filter?, subAttribute afterFilter: String?, label: String, explicit: Bool) throws(SCIMError) -> PatchTarget? {
        if path.schema == nil, path.name.equalsIgnoringASCIICase("schemas") {
            guard explicit else { return nil }
            throw .mutability("'schemas' is maintained by the service provider: add or remove the extension's attributes instead")
        }
        var container: String?
        let attribute: SchemaAttribute
        if let urn = path.schema, !schema.core.id.equalsIgnoringASCIICase(urn) {
            guard let extensionSchema = schema.extensionSchema(urn) else {
                throw .invalidPath("'\(label)': \(urn) is not a schema of \(schema.resourceType.name) resources")
            }
            guard let definition = extensionSchema.attribute(named: path.name) else {
                throw .invalidPath("'\(label)': \(extensionSchema.id) has no attribute '\(path.name)'")
            }
            container = extensionSchema.id
            attribute = definition
        } else if let definition = schema.attribute(schema: nil, name: path.name) {
            attribute = definition
        } else {
            let candidates = path.schema == nil
                ? schema.extensions.compactMap { item in item.schema.attribute(named: path.name).map { (item.schema.id, $0) } }
                : []
            guard candidates.count == 1, let only = candidates.first else {
                throw .invalidPath("'\(label)' is not an attribute of \(schema.resourceType.name) resources")
            }
            container = only.0
            attribute = only.1
        }
        var subAttribute: SchemaAttribute?
        if let name = path.subAttribute ?? afterFilter {
            guard attribute.type == .complex else {
                throw .invalidPath("'\(label)': '\(attribute.name)' is not complex and has no sub-attribute '\(name)'")
            }
            guard let definition = attribute.subAttribute(named: name) else {
                throw .invalidPath("'\(label)': '\(attribute.name)' has no sub-attribute '\(name)'")
            }
            subAttribute = definition
        }
        var evaluator: FilterEvaluator?
        if let filter {
            guard attribute.multiValued || attribute.type == .complex else {
                throw .invalidPath("'\(label)': '\(attribute.name)' has a single simple value and takes no filter")
            }
            for name in Self.names(in: filter) where attribute.type == .complex ? attribute.subAttribute(named: name) == nil : !name.equalsIgnoringASCIICase("value") {
                throw .invalidPath("'\(label)': '\(attribute.name)' has no sub-attribute '\(name)' to filter on")
            }
            evaluator = try FilterEvaluator(valueFilter: filter, of: attribute)
        }
        if attribute.mutability == .readOnly || subAttribute?.mutability == .readOnly {
            guard explicit else { return nil }
            throw .mutability("'\(label)' is read-only")
        }
        return PatchTarget(
            container: container, attribute: attribute, subAttribute: subAttribute, filter: filter, evaluator: evaluator, label: label)
    }

    /// The sub-attribute names a value filter compares.
    private static func names(in filter: Filter) -> [String] {
        switch filter {
        case .compare(let path, _, _), .present(let path): return [path.name]
        case .not(let inner): return names(in: inner)
        case .and(let lhs, let rhs), .or(let lhs, let rhs): return names(in: lhs) + names(in: rhs)
        case .valuePath(let path, let inner): return [path.name] + names(in: inner)
        }
    }

    // MARK: Reading and storing top-level values

    private func current(_ target: PatchTarget) -> JSONValue? {
        guard let container = target.container else { return object[target.attribute.name] }
        return object[container]?[target.attribute.name]
    }

    /// Stores a top-level value; nil or an unassigned value (null, [], {}) removes the attribute.
    private mutating func store(_ given: JSONValue?, for target: PatchTarget) {
        // Spelled out: `JSONValue` is itself nil-literal-expressible, so `cond ? nil : value` would store `null`.
        var value: JSONValue? = .none
        if let given, !given.isUnassigned { value = given }
        guard let container = target.container else {
            object[target.attribute.name] = value
            return
        }
        var extensionObject = object[container]?.objectValue ?? JSONObject()
        extensionObject[target.attribute.name] = value
        if extensionObject.isEmpty {
            object[container] = nil
            setSchemaListed(container, false)
        } else {
            object[container] = .object(extensionObject)
            setSchemaListed(container, true)
        }
    }

    private mutating func setSchemaListed(_ urn: String, _ listed: Bool) {
        var schemas = object["schemas"]?.arrayValue ?? [.string(schema.core.id)]
        let present = schemas.contains { $0.stringValue?.equalsIgnoringASCIICase(urn) == true }
        if listed, !present {
            schemas.append(.string(urn))
        } else if !listed, present {
            schemas.removeAll { $0.stringValue?.equalsIgnoringASCIICase(urn) == true }
        } else {
            return
        }
        object["schemas"] = .array(schemas)
    }

    // MARK: add and replace

    private mutating func write(_ op: PatchOperation.Op, _ value: JSONValue, to target: PatchTarget) throws(SCIMError) {
        let attribute = target.attribute
        if value.isNull || (!attribute.multiValued && value.arrayValue?.isEmpty == true) {
            // An unassigned value (RFC 7643 §2.5) assigns nothing: replace removes, add has nothing to add.
            if op == .replace { try remove(target, listed: nil) }
            return
        }
        if target.selectsValues {
            try writeSelected(op, value, to: target)
        } else if let sub = target.subAttribute {
            var complex = current(target)?.objectValue ?? JSONObject()
            let newValue = try PatchValue.simple(value, as: sub, label: target.label)
            try Self.checkImmutable(sub, old: complex[sub.name], new: newValue, label: target.label)
            complex[sub.name] = newValue
            store(.object(complex), for: target)
        } else if attribute.multiValued {
            try writeList(op, value, to: target)
        } else if attribute.type == .complex {
            let old = current(target)
            let new: JSONObject?
            switch try PatchValue.single(value, of: attribute, label: target.label) {
            case .merge(let given):
                var merged = old?.objectValue ?? JSONObject()
                for member in given.members { merged[member.key] = member.value }
                new = merged
            case .whole(let given):
                new = given
            }
            try Self.checkImmutable(attribute, old: old, new: new.map(JSONValue.object), label: target.label)
            store(new.map(JSONValue.object), for: target)
        } else {
            let newValue = try PatchValue.simple(value, as: attribute, label: target.label)
            try Self.checkImmutable(attribute, old: current(target), new: newValue, label: target.label)
            store(newValue, for: target)
        }
    }

    /// `add` appends values not already present; `replace` replaces the whole list.
    private mutating func writeList(_ op: PatchOperation.Op, _ value: JSONValue, to target: PatchTarget) throws(SCIMError) {
        let attribute = target.attribute
        let items = try PatchValue.list(value, of: attribute, label: target.label)
        let old = current(target)
        var result: [JSONValue]
        var written: [Int]
        if op == .replace {
            result = items
            written = Array(items.indices)
        } else {
            result = old.map(PatchValue.asList) ?? []
            var seen = PatchValue.Identities(of: attribute, result)
            written = []
            for item in items where seen.insert(item) {
                written.append(result.count)
                result.append(item)
            }
        }
        try Self.checkImmutable(attribute, old: old, new: .array(result), label: target.label)
        try Self.enforceSinglePrimary(&result, written: written, of: attribute, label: target.label)
        store(.array(result), for: target)
    }

    /// Writes to the values a filter selects (or to every value, for `emails.value`). With no match, a filter of
    /// `eq` comparisons seeds a new value (Entra's `emails[type eq "work"].value`); any other filter is `noTarget`.
    private mutating func writeSelected(_ op: PatchOperation.Op, _ value: JSONValue, to target: PatchTarget) throws(SCIMError) {
        let attribute = target.attribute
        var elements = current(target).map(PatchValue.asList) ?? []
        try spend(elements.count)
        let matched = elements.indices.filter { target.matches(elements[$0]) }
        var written: [Int] = []
        let newValue: JSONValue
        if let sub = target.subAttribute {
            newValue = try PatchValue.simple(value, as: sub, label: target.label)
            for index in matched {
                guard var element = elements[index].objectValue else { continue }
                try Self.checkImmutable(sub, old: element[sub.name], new: newValue, label: target.label)
                element[sub.name] = newValue
                elements[index] = .object(element)
                written.append(index)
            }
        } else {
            guard let element = try PatchValue.element(value, of: attribute, label: target.label) else {
                throw .invalidValue("the value for '\(target.label)' is empty")
            }
            newValue = element
            for index in matched {
                var updated = element
                if op == .add, case .object(var merged) = elements[index], case .object(let addition) = element {
                    for member in addition.members { merged[member.key] = member.value }
                    updated = .object(merged)
                }
                try Self.checkImmutable(attribute, old: elements[index], new: updated, label: target.label)
                elements[index] = updated
                written.append(index)
            }
        }
        if matched.isEmpty {
            guard attribute.multiValued || elements.isEmpty, let seed = try seed(for: target) else {
                throw .noTarget("no value of '\(target.attribute.name)' matches '\(target.label)'")
            }
            var created = seed
            if let sub = target.subAttribute {
                created[sub.name] = newValue
            } else if case .object(let given) = newValue {
                for member in given.members { created[member.key] = member.value }
            } else {
                throw .noTarget("no value of '\(target.attribute.name)' matches '\(target.label)'")
            }
            try PatchValue.requireIdentity(.object(created), of: attribute, label: target.label)
            written.append(elements.count)
            elements.append(.object(created))
        }
        guard attribute.multiValued else {
            store(elements.first, for: target)
            return
        }
        try Self.enforceSinglePrimary(&elements, written: written, of: attribute, label: target.label)
        store(.array(elements), for: target)
    }

    /// The sub-attribute values a new element gets from its filter: `type eq "work"` gives `{"type": "work"}`.
    /// Nil when the filter is not `eq` comparisons joined by `and`. Without a filter (`emails.value`), empty.
    private func seed(for target: PatchTarget) throws(SCIMError) -> JSONObject? {
        guard let filter = target.filter else { return JSONObject() }
        guard target.attribute.type == .complex, let pairs = Self.equalities(in: filter) else { return nil }
        var seed = JSONObject()
        for (name, value) in pairs {
            guard let sub = target.attribute.subAttribute(named: name), seed[sub.name] == nil else { return nil }
            seed[sub.name] = try PatchValue.simple(value, as: sub, label: "\(target.attribute.name).\(sub.name)")
        }
        return seed
    }

    private static func equalities(in filter: Filter) -> [(String, JSONValue)]? {
        switch filter {
        case .compare(let path, .eq, let value) where !value.isNull:
            return [(path.name, value)]
        case .and(let lhs, let rhs):
            guard let left = equalities(in: lhs), let right = equalities(in: rhs) else { return nil }
            return left + right
        default:
            return nil
        }
    }

    // MARK: remove

    /// Removes the target. `listed` is the operation's value: for a multi-valued attribute without a filter it
    /// names the values to remove (Entra's `{"op":"Remove","path":"members","value":[{"value":"id"}]}`).
    private mutating func remove(_ target: PatchTarget, listed: JSONValue?) throws(SCIMError) {
        guard let old = current(target), !old.isUnassigned else { return }
        let attribute = target.attribute
        if target.selectsValues {
            var elements = PatchValue.asList(old)
            try spend(elements.count)
            let matched = Set(elements.indices.filter { target.matches(elements[$0]) })
            guard !matched.isEmpty else { return }
            if let sub = target.subAttribute {
                for index in matched {
                    guard var element = elements[index].objectValue, let value = element[sub.name] else { continue }
                    try Self.checkImmutable(sub, old: value, new: nil, label: target.label)
                    element[sub.name] = nil
                    elements[index] = .object(element)
                }
                elements.removeAll { $0.isUnassigned }
            } else {
                elements = elements.indices.filter { !matched.contains($0) }.map { elements[$0] }
            }
            let new = attribute.multiValued ? .array(elements) : elements.first
            try Self.checkImmutable(attribute, old: old, new: new, label: target.label)
            store(new, for: target)
        } else if let sub = target.subAttribute {
            guard var complex = old.objectValue, let value = complex[sub.name] else { return }
            try Self.checkImmutable(sub, old: value, new: nil, label: target.label)
            complex[sub.name] = nil
            store(.object(complex), for: target)
        } else if attribute.multiValued, let listed, !listed.isNull {
            let doomed = try PatchValue.list(listed, of: attribute, label: target.label)
            // Matched by id in a set where the attribute has one (members); otherwise each listed value against each.
            if PatchValue.identityKey(of: attribute) == nil { try spend(doomed.count * PatchValue.asList(old).count) }
            let remaining = PatchValue.removing(doomed, from: PatchValue.asList(old), of: attribute)
            try Self.checkImmutable(attribute, old: old, new: .array(remaining), label: target.label)
            store(.array(remaining), for: target)
        } else {
            try Self.checkImmutable(attribute, old: old, new: nil, label: target.label)
            store(nil, for: target)
        }
    }

    // MARK: Rules

    /// An `immutable` attribute may be set while unassigned, never changed (RFC 7643 §2.2); for a complex value
    /// (a single one, or one value of a multi-valued attribute) the same holds for each immutable sub-attribute.
    /// Whole values of a multi-valued attribute whose sub-attributes are immutable (`members`) may still be added
    /// and removed.
    private static func checkImmutable(_ attribute: SchemaAttribute, old: JSONValue?, new: JSONValue?, label: String) throws(SCIMError) {
        if attribute.mutability == .immutable, let old, !old.isUnassigned, old != new {
            throw .mutability("'\(label)' is immutable: it is already set and cannot be changed or removed")
        }
        guard attribute.type == .complex, let oldObject = old?.objectValue else { return }
        for sub in attribute.subAttributes where sub.mutability == .immutable {
            try checkImmutable(sub, old: oldObject[sub.name], new: new?[sub.name], label: "\(label).\(sub.name)")
        }
    }

    /// At most one value may be primary (RFC 7643 §2.4): a value written with `primary: true` clears the flag
    /// on the others.
    private static func enforceSinglePrimary(_ elements: inout [JSONValue], written: [Int], of attribute: SchemaAttribute, label: String) throws(SCIMError) {
        guard let primary = attribute.subAttribute(named: "primary")?.name else { return }
        let primaries = written.filter { elements[$0][primary] == .bool(true) }
        guard let chosen = primaries.first else { return }
        guard primaries.count == 1 else {
            throw .invalidValue("only one value of '\(label)' may have \"primary\": true")
        }
        for index in elements.indices where index != chosen && elements[index][primary] == .bool(true) {
            elements[index][primary] = .bool(false)
        }
    }
}

/// Checks and normalises values written by PATCH against their attribute definitions: types (with Entra's
/// `"True"`/`"False"`), canonical sub-attribute names, `null` and read-only sub-attributes dropped.
enum PatchValue {
    /// How a value for a single-valued complex attribute is written.
    enum ComplexWrite {
        /// An object of sub-attributes, merged into the existing value (RFC 7644 §3.5.2.3).
        case merge(JSONObject)
        /// A bare id (Entra's manager), replacing the value; nil clears it.
        case whole(JSONObject?)
    }

    /// The values for a multi-valued attribute: an array, or one value. Unassigned values are dropped, and so
    /// are repeats (by `value` for `members`).
    static func list(_ value: JSONValue, of attribute: SchemaAttribute, label: String) throws(SCIMError) -> [JSONValue] {
        var seen = Identities(of: attribute, [])
        var result: [JSONValue] = []
        for item in asList(value) {
            guard let element = try element(item, of: attribute, label: label) else { continue }
            try requireIdentity(element, of: attribute, label: label)
            if seen.insert(element) { result.append(element) }
        }
        return result
    }

    /// One value of an attribute: an object for a complex attribute, a typed simple value otherwise.
    /// Nil for null or an object with nothing assigned.
    static func element(_ value: JSONValue, of attribute: SchemaAttribute, label: String) throws(SCIMError) -> JSONValue? {
        if value.isNull { return nil }
        guard attribute.type == .complex else { return try simple(value, as: attribute, label: label) }
        guard case .object(let given) = value else {
            throw .invalidValue("each value of '\(label)' must be an object of its sub-attributes, not \(value.kindDescription)")
        }
        let object = try complex(given, of: attribute, label: label)
        guard !object.isEmpty else { return .none }
        return .object(object)
    }

    /// A value for a single-valued complex attribute.
    static func single(_ value: JSONValue, of attribute: SchemaAttribute, label: String) throws(SCIMError) -> ComplexWrite {
        switch value {
        case .object(let given):
            return .merge(try complex(given, of: attribute, label: label))
        case .string(let id):
            guard let valueAttribute = attribute.subAttribute(named: "value") else { break }
            guard !id.isEmpty else { return .whole(nil) }
            return .whole([valueAttribute.name: try simple(value, as: valueAttribute, label: "\(label).value")])
        case .array(let items) where items.count == 1:
            guard case .object(let given) = items[0] else { break }
            let object = try complex(given, of: attribute, label: label)
            return .whole(object.isEmpty ? nil : object)
        default:
            break
        }
        throw .invalidValue("'\(label)' is a single complex value: expected an object of its sub-attributes, not \(value.kindDescription)")
    }

    /// The sub-attributes of a complex value under their canonical names, without nulls and read-only ones.
    static func complex(_ given: JSONObject, of attribute: SchemaAttribute, label: String) throws(SCIMError) -> JSONObject {
        var result = JSONObject()
        for member in given.members {
            guard let sub = attribute.subAttribute(named: member.key) else {
                throw .invalidValue("'\(label)' has no sub-attribute '\(member.key)'")
            }
            if member.value.isNull || sub.mutability == .readOnly { continue }
            result[sub.name] = try simple(member.value, as: sub, label: "\(label).\(sub.name)")
        }
        return result
    }

    /// A simple value checked against the attribute's type. Booleans also accept the strings `true`/`false`
    /// in any case; numbers must be JSON numbers and dateTimes valid `xsd:dateTime` strings.
    static func simple(_ value: JSONValue, as attribute: SchemaAttribute, label: String) throws(SCIMError) -> JSONValue {
        switch (attribute.type, value) {
        case (.string, .string), (.reference, .string), (.binary, .string), (.boolean, .bool), (.integer, .integer),
            (.decimal, .integer), (.decimal, .decimal):
            return value
        case (.boolean, .string(let text)):
            if text.equalsIgnoringASCIICase("true") { return .bool(true) }
            if text.equalsIgnoringASCIICase("false") { return .bool(false) }
        case (.integer, .decimal(let number)):
            if number.rounded() == number, let integer = Int(exactly: number) { return .integer(integer) }
        case (.dateTime, .string(let text)):
            if SCIMDateTime.seconds(from: text) != nil { return value }
        default:
            break
        }
        throw .invalidValue("'\(label)' expects \(expectation(attribute)), not \(value.kindDescription)")
    }

    private static func expectation(_ attribute: SchemaAttribute) -> String {
        switch attribute.type {
        case .string, .reference: return "a string"
        case .binary: return "a base64 string"
        case .boolean: return "true or false"
        case .integer: return "an integer"
        case .decimal: return "a number"
        case .dateTime: return "a dateTime such as \"2011-05-13T04:42:34Z\""
        case .complex: return "an object of sub-attributes"
        }
    }

    /// A multi-valued attribute's values; a single stored value counts as one.
    static func asList(_ value: JSONValue) -> [JSONValue] {
        if case .array(let items) = value { return items }
        return value.isUnassigned ? [] : [value]
    }

    /// The sub-attribute that identifies a value: `value` when it cannot change once set (`members`), so that
    /// two members with the same id are the same member. Other attributes compare whole values.
    static func identityKey(of attribute: SchemaAttribute) -> String? {
        guard attribute.type == .complex, let value = attribute.subAttribute(named: "value"),
            value.mutability == .immutable || value.mutability == .readOnly
        else { return nil }
        return value.name
    }

    /// Values of an attribute identified by a key (`members`) must carry it.
    static func requireIdentity(_ element: JSONValue, of attribute: SchemaAttribute, label: String) throws(SCIMError) {
        guard let key = identityKey(of: attribute) else { return }
        guard case .string(let id)? = element[key], !id.isEmpty else {
            throw .invalidValue("each value of '\(label)' needs a non-empty \"\(key)\"")
        }
    }

    /// Removes the listed values: by identity (`members` by `value`), else every value that has all the listed
    /// value's sub-attributes with equal values (a listed `{"value": "a@b.c"}` removes that email whatever its type).
    static func removing(_ listed: [JSONValue], from elements: [JSONValue], of attribute: SchemaAttribute) -> [JSONValue] {
        if let key = identityKey(of: attribute) {
            let ids = Set(listed.compactMap { $0[key]?.stringValue })
            return elements.filter { element in element[key]?.stringValue.map { !ids.contains($0) } ?? true }
        }
        return elements.filter { element in
            !listed.contains { pattern in
                guard case .object(let wanted) = pattern, case .object(let candidate) = element else { return pattern == element }
                return wanted.members.allSatisfy { candidate[$0.key] == $0.value }
            }
        }
    }

    /// The values already present, to skip repeats: by id for `members`, by equality otherwise.
    struct Identities {
        private let key: String?
        private var ids: Set<String> = []
        private var values: Set<JSONValue> = []

        init(of attribute: SchemaAttribute, _ elements: [JSONValue]) {
            key = identityKey(of: attribute)
            for element in elements { insert(element) }
        }

        /// Records the value; false if it was already present.
        @discardableResult
        mutating func insert(_ element: JSONValue) -> Bool {
            if let key, let id = element[key]?.stringValue { return ids.insert(id).inserted }
            return values.insert(element).inserted
        }
    }
}
