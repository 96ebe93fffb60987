/// Which attributes of a resource a response carries: the `returned` characteristic of every attribute
/// (RFC 7643 §7) combined with the `attributes` or `excludedAttributes` parameter (RFC 7644 §3.4.2.5, §3.9).
///
/// - `returned: never` (e.g. `password`) is never in the output; `always` (`id`, and also `schemas` and
///   `meta.resourceType`) always is.
/// - `default` attributes are in unless excluded, or unless `attributes` is given and does not name them.
/// - `request` attributes are in only when `attributes` names them.
///
/// Paths may name an attribute (`userName`), a sub-attribute (`name.givenName`, `emails.value`: only that
/// sub-attribute is kept, or dropped, in each value), a URN-qualified attribute
/// (`urn:ietf:params:scim:schemas:extension:klaxon:2.0:User:location`) or a whole extension by its URN.
/// Names match ignoring case; the output keeps the stored spelling and order. An extension object left empty
/// is dropped and its URN removed from `schemas`. Names the schema does not define are not an error.
///
/// The lists are resolved against the schema once, in `init`, so that ``apply(to:)`` only walks the resource:
///
/// ```swift
/// let groups = SchemaRegistry.standard.resourceSchema(for: "Group")!
/// let projection = try Projection(attributes: nil, excludedAttributes: Projection.parseList("members"), for: groups)
/// let response = projection.apply(to: storedGroup)   // no `members`
/// ```
public struct Projection: Sendable {
    /// What happens to one attribute's value.
    private enum Action: Sendable {
        case drop
        /// Keep the value, without these sub-attributes (lower-cased) in it or in any of its elements.
        case keepDropping(Set<String>)
        /// Keep only these sub-attributes (lower-cased) of the value or of each of its elements.
        case keepOnly(Set<String>)

        static let keep = Action.keepDropping([])
    }

    /// The actions for the attributes of the core schema or of one extension.
    private struct Container: Sendable {
        /// By lower-cased attribute name.
        var actions: [String: Action]
        /// For attributes neither the schema nor the lists name.
        var otherwise: Action

        func action(for key: String) -> Action {
            actions[key.lowercased()] ?? otherwise
        }
    }

    /// What the lists say about one container.
    private struct Named {
        enum Selection { case whole, subAttributes(Set<String>) }
        /// The container itself was named (an extension URN, or the core schema's URN).
        var whole = false
        /// By lower-cased attribute name.
        var attributes: [String: Selection] = [:]
    }

    private let core: Container
    /// Declared extensions and extensions the lists name, by lower-cased URN.
    private let extensions: [String: Container]
    /// Objects under a URN the schema does not declare and the lists name as a whole, by lower-cased URN.
    private let wholeUndeclared: Set<String>
    /// The attributes of an undeclared extension named as a whole, and of one not named.
    private let namedUndeclared: Container
    private let undeclared: Container

    /// `attributes` and `excludedAttributes` as sent (comma-separated lists already split, or nil). Throws 400
    /// `invalidPath` for a malformed path. When both are given, `attributes` wins: the RFC says a client MAY NOT
    /// send both, and answering is kinder than refusing.
    public init(attributes: [String]?, excludedAttributes: [String]?, for resourceSchema: ResourceSchema) throws(SCIMError) {
        let including = !(attributes ?? []).isEmpty
        let parameter = including ? "attributes" : "excludedAttributes"
        var named: [String: Named] = [:]   // "" for the core schema, else the lower-cased extension URN
        var wholeUndeclared: Set<String> = []
        for text in (including ? attributes : excludedAttributes) ?? [] {
            let trimmed = text.trimmingASCIIWhitespace()
            guard !trimmed.isEmpty else { continue }
            if let split = resourceSchema.splitKnownURN(trimmed), split.urn.utf8.count == trimmed.utf8.count {
                named[Self.containerKey(split.urn, in: resourceSchema), default: Named()].whole = true
                continue
            }
            let path: AttributePath
            do {
                path = try AttributePath(parsing: trimmed, in: resourceSchema)
            } catch {
                throw .invalidPath("'\(trimmed)' in \(parameter) is not a valid attribute path")
            }
            if let urn = path.schema, !resourceSchema.knowsSchema(urn) {
                // `urn:…:acme:2.0:User` may name an undeclared extension as a whole, or its attribute `User`.
                wholeUndeclared.insert(trimmed.lowercased())
            }
            let key = path.schema.map { Self.containerKey($0, in: resourceSchema) } ?? ""
            let name = path.name.lowercased()
            guard let sub = path.subAttribute?.lowercased() else {
                named[key, default: Named()].attributes[name] = .whole
                continue
            }
            if let definition = resourceSchema.attribute(schema: path.schema, name: path.name), definition.type != .complex {
                continue   // a simple attribute has no sub-attributes: the path names nothing
            }
            switch named[key]?.attributes[name] {
            case .whole?: break
            case .subAttributes(let subs)?: named[key]?.attributes[name] = .subAttributes(subs.union([sub]))
            case nil: named[key, default: Named()].attributes[name] = .subAttributes([sub])
            }
        }

        self.wholeUndeclared = wholeUndeclared
        self.core = Self.container(
            SchemaAttribute.common + resourceSchema.core.attributes, named: named[""] ?? Named(), including: including,
            isCore: true)
        var extensions: [String: Container] = [:]
        for item in resourceSchema.extensions {
            let key = item.schema.id.lowercased()
            extensions[key] = Self.container(item.schema.attributes, named: named[key] ?? Named(), including: including, isCore: false)
        }
        for (key, lists) in named where !key.isEmpty && extensions[key] == nil {
            extensions[key] = Self.container([], named: lists, including: including, isCore: false)
        }
        self.extensions = extensions
        self.namedUndeclared = Container(actions: [:], otherwise: including ? .keep : .drop)
        self.undeclared = Container(actions: [:], otherwise: including ? .drop : .keep)
    }

    /// Splits a comma-separated parameter: `"a, b,c"` → `["a", "b", "c"]`; nil, empty or only commas → nil.
    public static func parseList(_ text: String?) -> [String]? {
        guard let text else { return nil }
        let items = text.split(separator: ",").map { String($0).trimmingASCIIWhitespace() }.filter { !$0.isEmpty }
        return items.isEmpty ? nil : items
    }

    /// The resource as a response carries it. `resource` is a JSON object as stored: core attributes at the
    /// top level, extension attributes in an object keyed by the extension URN, `schemas`, `id` and `meta`.
    public func apply(to resource: JSONObject) -> JSONObject {
        var output = JSONObject()
        var droppedExtensions: [String] = []
        for member in resource.members {
            if member.key.equalsIgnoringASCIICase("schemas") {
                output.appendUnchecked(member.key, member.value)
            } else if case .object(let object) = member.value, let container = extensionContainer(member.key) {
                var projected = JSONObject()
                for inner in object.members {
                    if let value = Self.project(inner.value, container.action(for: inner.key)) {
                        projected.appendUnchecked(inner.key, value)
                    }
                }
                if projected.isEmpty {
                    droppedExtensions.append(member.key)
                } else {
                    output.appendUnchecked(member.key, .object(projected))
                }
            } else if let value = Self.project(member.value, core.action(for: member.key)) {
                output.appendUnchecked(member.key, value)
            }
        }
        if !droppedExtensions.isEmpty, case .array(let urns)? = output["schemas"] {
            output["schemas"] = .array(urns.filter { urn in
                guard let text = urn.stringValue else { return true }
                return !droppedExtensions.contains { $0.equalsIgnoringASCIICase(text) }
            })
        }
        return output
    }

    // MARK: Resolving the lists

    private static func containerKey(_ urn: String, in resourceSchema: ResourceSchema) -> String {
        resourceSchema.core.id.equalsIgnoringASCIICase(urn) ? "" : urn.lowercased()
    }

    /// The container for a top-level member whose value is an object, if its key is an extension URN.
    private func extensionContainer(_ key: String) -> Container? {
        guard key.hasPrefixIgnoringASCIICase("urn:") else { return nil }
        let folded = key.lowercased()
        if let container = extensions[folded] { return container }
        return wholeUndeclared.contains(folded) ? namedUndeclared : undeclared
    }

    private static func container(_ definitions: [SchemaAttribute], named: Named, including: Bool, isCore: Bool) -> Container {
        var actions: [String: Action] = [:]
        for definition in definitions {
            let key = definition.name.lowercased()
            actions[key] = action(
                for: definition, explicit: named.attributes[key], containerWhole: named.whole, including: including,
                isMeta: isCore && key == "meta")
        }
        // Names the lists give that the schema does not define: stored data may still hold them.
        for (key, selection) in named.attributes where actions[key] == nil {
            switch (selection, including) {
            case (.whole, true): actions[key] = .keep
            case (.subAttributes(let subs), true): actions[key] = .keepOnly(subs)
            case (.whole, false): actions[key] = .drop
            case (.subAttributes(let subs), false): actions[key] = .keepDropping(subs)
            }
        }
        // Undefined names: kept when the container was named as a whole for inclusion, or not named for exclusion.
        let keepOthers = including ? named.whole : !named.whole
        return Container(actions: actions, otherwise: keepOthers ? .keep : .drop)
    }

    /// `explicit` is what the list says about the attribute itself; `containerWhole`, whether it named the
    /// attribute's schema as a whole, which does not name `returned: request` attributes.
    private static func action(
        for definition: SchemaAttribute, explicit: Named.Selection?, containerWhole: Bool, including: Bool, isMeta: Bool
    ) -> Action {
        func subs(_ returned: SchemaAttribute.Returned) -> Set<String> {
            Set(definition.subAttributes.filter { $0.returned == returned }.map { $0.name.lowercased() })
        }
        let never = subs(.never)
        let onRequest = subs(.request)
        // `meta.resourceType` is always returned, as every client relies on it.
        let always = subs(.always).union(isMeta ? ["resourcetype"] : [])
        switch definition.returned {
        case .never: return .drop
        case .always: return .keepDropping(never.union(onRequest))
        case .default, .request: break
        }
        let requestOnly = definition.returned == .request
        let selection: Named.Selection? = containerWhole ? .whole : explicit
        if including {
            if requestOnly, explicit == nil { return .drop }
            switch selection {
            case .whole?: return .keepDropping(never.union(onRequest))
            case .subAttributes(let named)?: return .keepOnly(named.union(always).subtracting(never))
            case nil: return always.isEmpty ? .drop : .keepOnly(always)
            }
        }
        if requestOnly { return .drop }
        switch selection {
        case .whole?: return always.isEmpty ? .drop : .keepOnly(always)
        case .subAttributes(let named)?: return .keepDropping(named.subtracting(always).union(never).union(onRequest))
        case nil: return .keepDropping(never.union(onRequest))
        }
    }

    // MARK: Applying an action

    /// The value as the action leaves it, or nil to leave it out. A value that filtering empties is left out;
    /// a value stored empty is kept as stored.
    private static func project(_ value: JSONValue, _ action: Action) -> JSONValue? {
        switch action {
        case .drop: return nil
        case .keepDropping(let subs) where subs.isEmpty: return value
        case .keepDropping, .keepOnly: break
        }
        switch value {
        case .object(let object):
            let filtered = filter(object, action)
            return filtered.isEmpty && !object.isEmpty ? nil : .object(filtered)
        case .array(let items):
            var kept: [JSONValue] = []
            kept.reserveCapacity(items.count)
            for item in items {
                guard case .object(let object) = item else {
                    kept.append(item)
                    continue
                }
                let filtered = filter(object, action)
                if !filtered.isEmpty || object.isEmpty { kept.append(.object(filtered)) }
            }
            return kept.isEmpty && !items.isEmpty ? nil : .array(kept)
        default:
            return value
        }
    }

    private static func filter(_ object: JSONObject, _ action: Action) -> JSONObject {
        var filtered = object
        switch action {
        case .drop: return JSONObject()
        case .keepDropping(let subs): filtered.removeAll { subs.contains($0.key.lowercased()) }
        case .keepOnly(let subs): filtered.removeAll { !subs.contains($0.key.lowercased()) }
        }
        return filtered
    }
}
