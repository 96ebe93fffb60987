/// Runs a ``Filter`` against resources in memory, comparing by each attribute's schema type (RFC 7644 §3.4.2.2):
/// strings honour `caseExact`, dateTimes compare chronologically, numbers numerically, and booleans and binary
/// values only with `eq`/`ne`. A multi-valued attribute matches when any of its values does; a multi-valued
/// complex attribute without a sub-attribute compares its `value` sub-attribute.
///
/// The filter is checked and resolved against the schema once, in `init`, so evaluation never fails and
/// costs no schema look-ups:
///
/// ```swift
/// let users = SchemaRegistry.standard.resourceSchema(for: "User")!
/// let evaluator = try FilterEvaluator(Filter(parsing: #"userName eq "BJensen""#, in: users), for: users)
/// evaluator.matches(["userName": "bjensen"])   // true: userName is not caseExact
/// ```
public struct FilterEvaluator: Sendable {
    /// The filter as given, for translation elsewhere (SQL push-down) and for messages.
    public let filter: Filter
    private let root: Node

    /// Resolves a filter against a resource type. Throws 400 `invalidFilter` for comparisons the RFC forbids
    /// (`gt` on a boolean, a non-date against a dateTime, a complex attribute compared as a whole, …).
    public init(_ filter: Filter, for resourceSchema: ResourceSchema) throws(SCIMError) {
        self.filter = filter
        self.root = try Node.compile(filter, context: .resource(resourceSchema))
    }

    /// Resolves a value filter (the part in brackets of `emails[type eq "work"]`) against the attribute whose
    /// values it selects, so that ``matchesValue(_:)`` can test single values, as PATCH does.
    public init(valueFilter: Filter, of attribute: SchemaAttribute) throws(SCIMError) {
        self.filter = valueFilter
        self.root = try Node.compile(valueFilter, context: .element(attribute))
    }

    /// True if the resource matches.
    public func matches(_ resource: JSONObject) -> Bool {
        root.evaluate(.object(resource))
    }

    /// True if one value of a multi-valued attribute matches a value filter (see ``init(valueFilter:of:)``).
    public func matchesValue(_ value: JSONValue) -> Bool {
        root.evaluate(value)
    }
}

// MARK: - Compiled form

private enum Context {
    /// Paths are resolved from the resource's top level.
    case resource(ResourceSchema)
    /// Paths name sub-attributes of one value of this attribute.
    case element(SchemaAttribute)
}

/// How to reach an attribute's values and how to compare them.
private struct Accessor: Sendable {
    /// The extension URN whose object holds the attribute, or nil for the core schema / element level.
    var container: String?
    var name: String
    var subAttribute: String?
    /// For a multi-valued complex attribute named without a sub-attribute: compare its `value`s.
    var impliedValue: Bool
    /// The element itself (a simple multi-valued attribute's value named `value` inside brackets).
    var isElementItself: Bool
    var type: SchemaAttribute.DataType?
    var caseExact: Bool

    /// Calls `body` with every leaf value the path reaches until it returns true.
    func anyValue(in root: JSONValue, _ body: (JSONValue) -> Bool) -> Bool {
        if isElementItself { return Self.each(root, body) }
        var holder = root
        if let container {
            guard let extensionObject = root[container] else { return false }
            holder = extensionObject
        }
        guard let top = holder[name] else { return false }
        if let sub = subAttribute ?? (impliedValue ? "value" : nil) {
            return Self.each(top) { element in
                guard let leaf = element[sub] else { return false }
                return Self.each(leaf, body)
            }
        }
        return Self.each(top, body)
    }

    private static func each(_ value: JSONValue, _ body: (JSONValue) -> Bool) -> Bool {
        if case .array(let items) = value {
            return items.contains { body($0) }
        }
        return body(value)
    }
}

/// A comparison value prepared for its attribute type.
private enum Operand: Sendable {
    case string(String, folded: String)
    case number(Double)
    case boolean(Bool)
    case dateTime(Double)
    case null
}

private indirect enum Node: Sendable {
    case compare(Accessor, ComparisonOperator, Operand)
    case present(Accessor)
    case not(Node)
    case and(Node, Node)
    case or(Node, Node)
    case valuePath(Accessor, Node)

    static func compile(_ filter: Filter, context: Context) throws(SCIMError) -> Node {
        switch filter {
        case .and(let lhs, let rhs): return .and(try compile(lhs, context: context), try compile(rhs, context: context))
        case .or(let lhs, let rhs): return .or(try compile(lhs, context: context), try compile(rhs, context: context))
        case .not(let inner): return .not(try compile(inner, context: context))
        case .present(let path): return .present(try accessor(path, context: context, forPresence: true))
        case .compare(let path, let op, let value):
            let accessor = try accessor(path, context: context, forPresence: false)
            return .compare(accessor, op, try operand(value, op: op, accessor: accessor, path: path))
        case .valuePath(let path, let inner):
            guard case .resource(let schema) = context else {
                throw .invalidFilter("value filters cannot be nested ('\(path)[…]')")
            }
            var top = try accessor(path, context: context, forPresence: true)
            top.impliedValue = false
            let definition = schema.attribute(for: path)
            let element = definition ?? SchemaAttribute(name: path.name, type: .complex, multiValued: true)
            return .valuePath(top, try compile(inner, context: .element(element)))
        }
    }

    private static func accessor(_ path: AttributePath, context: Context, forPresence: Bool) throws(SCIMError) -> Accessor {
        switch context {
        case .element(let attribute):
            guard attribute.type == .complex else {
                // Values of a simple multi-valued attribute: `value` is the value itself.
                guard path.name.equalsIgnoringASCIICase("value") else {
                    throw .invalidFilter("'\(attribute.name)' has no sub-attribute '\(path.name)'")
                }
                return Accessor(
                    container: nil, name: path.name, subAttribute: nil, impliedValue: false, isElementItself: true,
                    type: attribute.type, caseExact: attribute.caseExact)
            }
            let definition = attribute.subAttribute(named: path.name)
            return Accessor(
                container: nil, name: definition?.name ?? path.name, subAttribute: nil, impliedValue: false,
                isElementItself: false, type: definition?.type, caseExact: definition?.caseExact ?? false)
        case .resource(let schema):
            let container = path.schema.flatMap { urn in schema.core.id.equalsIgnoringASCIICase(urn) ? nil : urn }
            let top = schema.attribute(schema: path.schema, name: path.name)
            var leaf = top
            var impliedValue = false
            if let sub = path.subAttribute {
                if let top, top.type != .complex {
                    throw .invalidFilter("'\(top.name)' is not complex and has no sub-attribute '\(sub)'")
                }
                leaf = top?.subAttribute(named: sub)
            } else if let top, top.type == .complex {
                if top.multiValued, let value = top.subAttribute(named: "value") {
                    impliedValue = !forPresence
                    if impliedValue { leaf = value }
                } else if !forPresence {
                    throw .invalidFilter("'\(top.name)' is complex: compare one of its sub-attributes, e.g. '\(top.name).\(top.subAttributes.first?.name ?? "value")'")
                }
            }
            return Accessor(
                container: container, name: top?.name ?? path.name, subAttribute: path.subAttribute,
                impliedValue: impliedValue, isElementItself: false, type: leaf?.type, caseExact: leaf?.caseExact ?? false)
        }
    }

    private static func operand(_ value: JSONValue, op: ComparisonOperator, accessor: Accessor, path: AttributePath) throws(SCIMError) -> Operand {
        let ordering = op == .gt || op == .ge || op == .lt || op == .le
        let substring = op == .co || op == .sw || op == .ew
        if value.isNull {
            guard op == .eq || op == .ne else { throw .invalidFilter("'\(op.rawValue) null' is not a valid comparison on '\(path)'") }
            return .null
        }
        switch accessor.type {
        case .boolean:
            guard !ordering, !substring else {
                throw .invalidFilter("'\(path)' is a boolean: only eq and ne compare it")
            }
            if case .bool(let flag) = value { return .boolean(flag) }
            if let text = value.stringValue, let flag = Bool(text.lowercased()) { return .boolean(flag) }
            throw .invalidFilter("'\(path)' is a boolean: compare it with true or false, not \(value)")
        case .integer, .decimal:
            guard !substring else { throw .invalidFilter("'\(path)' is a number: co, sw and ew compare strings") }
            if let number = value.doubleValue { return .number(number) }
            if let text = value.stringValue, let number = Double(text) { return .number(number) }
            throw .invalidFilter("'\(path)' is a number: compare it with a number, not \(value)")
        case .dateTime:
            guard let text = value.stringValue else { throw .invalidFilter("'\(path)' is a dateTime: compare it with a quoted date") }
            if substring { return .string(text, folded: text.lowercased()) }
            guard let seconds = SCIMDateTime.seconds(from: text) else {
                throw .invalidFilter("'\(text)' is not a valid dateTime (e.g. \"2011-05-13T04:42:34Z\")")
            }
            return .dateTime(seconds)
        case .binary:
            guard !ordering else { throw .invalidFilter("'\(path)' is binary: gt, ge, lt and le do not apply") }
            fallthrough
        case .string, .reference, .complex, nil:
            switch value {
            case .string(let text): return .string(text, folded: text.lowercased())
            case .bool(let flag):
                guard !ordering, !substring else { throw .invalidFilter("only eq and ne compare booleans") }
                return .boolean(flag)
            case .integer, .decimal:
                guard !substring else { throw .invalidFilter("co, sw and ew compare strings, not numbers") }
                return .number(value.doubleValue ?? 0)
            default:
                throw .invalidFilter("\(value) is not a comparable value")
            }
        }
    }

    func evaluate(_ root: JSONValue) -> Bool {
        switch self {
        case .and(let lhs, let rhs): return lhs.evaluate(root) && rhs.evaluate(root)
        case .or(let lhs, let rhs): return lhs.evaluate(root) || rhs.evaluate(root)
        case .not(let inner): return !inner.evaluate(root)
        case .present(let accessor): return accessor.anyValue(in: root, Node.isPresent)
        case .valuePath(let accessor, let inner):
            return accessor.anyValue(in: root) { element in inner.evaluate(element) }
        case .compare(let accessor, let op, let operand):
            if case .null = operand {
                let present = accessor.anyValue(in: root, Node.isPresent)
                return op == .eq ? !present : present
            }
            if op == .ne {
                // "ne" matches when no value equals the operand (an absent attribute matches too).
                return !accessor.anyValue(in: root) { Node.compare($0, .eq, operand, caseExact: accessor.caseExact) }
            }
            return accessor.anyValue(in: root) { Node.compare($0, op, operand, caseExact: accessor.caseExact) }
        }
    }

    private static func isPresent(_ value: JSONValue) -> Bool {
        switch value {
        case .null: return false
        case .string(let text): return !text.isEmpty
        case .array(let items): return items.contains(where: isPresent)
        case .object(let object): return object.members.contains { isPresent($0.value) }
        default: return true
        }
    }

    private static func compare(_ value: JSONValue, _ op: ComparisonOperator, _ operand: Operand, caseExact: Bool) -> Bool {
        switch operand {
        case .null: return false
        case .boolean(let expected):
            let actual: Bool?
            switch value {
            case .bool(let flag): actual = flag
            case .string(let text): actual = Bool(text.lowercased())
            default: actual = nil
            }
            guard let actual else { return false }
            return op == .eq ? actual == expected : false
        case .number(let expected):
            let actual = value.doubleValue ?? value.stringValue.flatMap(Double.init)
            guard let actual else { return false }
            return order(actual, expected, op)
        case .dateTime(let expected):
            guard let text = value.stringValue, let actual = SCIMDateTime.seconds(from: text) else { return false }
            return order(actual, expected, op)
        case .string(let expected, let folded):
            guard let actual = value.stringValue else { return false }
            if caseExact {
                return compareStrings(actual, expected, op)
            }
            if actual.utf8.count == expected.utf8.count, op == .eq {
                return actual.equalsIgnoringASCIICase(expected) || actual.lowercased() == folded
            }
            return compareStrings(actual.lowercased(), folded, op)
        }
    }

    private static func compareStrings(_ actual: String, _ expected: String, _ op: ComparisonOperator) -> Bool {
        switch op {
        case .eq: return actual == expected
        case .ne: return actual != expected
        case .co: return expected.isEmpty || actual.contains(expected)
        case .sw: return actual.hasPrefix(expected)
        case .ew: return actual.hasSuffix(expected)
        case .gt: return actual > expected
        case .ge: return actual >= expected
        case .lt: return actual < expected
        case .le: return actual <= expected
        }
    }

    private static func order(_ actual: Double, _ expected: Double, _ op: ComparisonOperator) -> Bool {
        switch op {
        case .eq: return actual == expected
        case .ne: return actual != expected
        case .gt: return actual > expected
        case .ge: return actual >= expected
        case .lt: return actual < expected
        case .le: return actual <= expected
        case .co, .sw, .ew: return false
        }
    }
}
