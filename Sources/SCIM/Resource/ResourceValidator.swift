/// Checks a User or Group body against its resource type's schemas and returns what to store (RFC 7643 §2,
/// RFC 7644 §3.3 and §3.5.1), tolerant of what Entra ID and Okta really send.
///
/// The result keeps the client's member order, with these changes: attribute names and extension URNs take the
/// schema's spelling (names are case-insensitive, RFC 7643 §2.1, but clients that read them back bind them
/// case-sensitively); `null` values and
/// unassigned values (`[]`, `{}`) are dropped; read-only attributes (`id`, `meta`, `groups`, …) are dropped,
/// since the server sets them; write-only attributes (`password`) are dropped, since Klaxon never stores or
/// returns them; the strings `"True"`/`"False"` become booleans for boolean attributes; a single object sent for
/// a multi-valued complex attribute becomes a one-element array; and `schemas` lists the core schema plus every
/// extension whose object is present, whether or not the client listed it (Entra omits custom extension URNs).
/// Schema URNs the resource type does not know are accepted in `schemas` and dropped (Entra's ADSCIM group URI).
///
/// ```swift
/// let users = SchemaRegistry.standard.resourceSchema(for: "User")!
/// let body = try JSONParser.parse(#"{"userName":"bjensen","active":"True","password":"x"}"#)
/// let stored = try ResourceValidator(users).validate(body, mode: .create)
/// // {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"bjensen","active":true}
/// ```
public struct ResourceValidator: Sendable {
    /// Bounds on the size of single values, so one request cannot store unbounded data.
    public struct Limits: Sendable, Hashable {
        /// The longest string value accepted, in UTF-8 bytes.
        public var maxStringBytes: Int
        /// The most values a multi-valued attribute may have.
        public var maxValues: Int
        /// The most values a Group's `members` may have.
        public var maxMembers: Int

        public init(maxStringBytes: Int = 64 * 1024, maxValues: Int = 10_000, maxMembers: Int = 1_000_000) {
            self.maxStringBytes = maxStringBytes
            self.maxValues = maxValues
            self.maxMembers = maxMembers
        }

        public static let `default` = Limits()
    }

    /// What the body is for.
    public enum Mode: Sendable {
        /// A POST: a new resource.
        case create
        /// A PUT over `existing`, the stored resource: an `immutable` attribute that has a value must be sent
        /// unchanged (400 `mutability` otherwise).
        case replace(existing: JSONObject)
    }

    public let resourceSchema: ResourceSchema
    public let limits: Limits

    public init(_ resourceSchema: ResourceSchema, limits: Limits = .default) {
        self.resourceSchema = resourceSchema
        self.limits = limits
    }

    /// Returns the resource to store from a POST or PUT body.
    ///
    /// Errors: a body that is not an object, a `schemas` without the core schema, an unknown attribute or
    /// sub-attribute, or an object named by an undeclared extension URN → 400 `invalidSyntax`; a missing or empty
    /// required attribute, a value of the wrong JSON type, an unparseable dateTime or a value over the
    /// ``Limits`` → 400 `invalidValue`; a changed immutable attribute → 400 `mutability`.
    public func validate(_ body: JSONValue, mode: Mode) throws(SCIMError) -> JSONObject {
        guard case .object(let object) = body else {
            throw .invalidSyntax("the request body must be a JSON object (a \(resourceSchema.resourceType.name) resource), not \(body.kindDescription)")
        }
        let resource = try check(object, dropReadOnly: true)
        if case .replace(let existing) = mode {
            try checkImmutable(existing: existing, resource: resource)
        }
        try checkRequired(resource)
        return resource
    }

    /// The same checks for a resource that PATCH produced from a stored one: types, limits, unknown attributes
    /// and required attributes. Read-only attributes are kept (they come from the stored resource); `null`s and
    /// write-only attributes are dropped and `schemas` is recomputed, as for ``validate(_:mode:)``.
    public func validatePatched(_ resource: JSONObject) throws(SCIMError) -> JSONObject {
        let checked = try check(resource, dropReadOnly: false)
        try checkRequired(checked)
        return checked
    }
}

// MARK: - The checking pass

extension ResourceValidator {
    private func check(_ input: JSONObject, dropReadOnly: Bool) throws(SCIMError) -> JSONObject {
        var output = JSONObject()
        var sentSchemas = false
        var presentExtensions: [String] = []
        for member in input.members {
            let key = member.key
            if key.equalsIgnoringASCIICase("schemas") {
                guard !member.value.isNull else { continue }
                try checkSchemas(member.value)
                sentSchemas = true
                output["schemas"] = member.value  // holds the position; replaced below
                continue
            }
            if member.value.isNull { continue }
            if key.hasPrefixIgnoringASCIICase("urn:") {
                let (schema, value) = try checkExtension(key, member.value, dropReadOnly: dropReadOnly)
                if let value {
                    output[schema.id] = value
                    presentExtensions.append(schema.id)
                }
                continue
            }
            guard let attribute = resourceSchema.attribute(schema: nil, name: key) else {
                throw unknownTopLevelAttribute(key)
            }
            if isDropped(attribute, dropReadOnly: dropReadOnly) { continue }
            if let value = try checkValue(member.value, of: attribute, path: attribute.name, item: nil, dropReadOnly: dropReadOnly) {
                output[attribute.name] = value
            }
        }
        let schemas = JSONValue.array(([resourceSchema.core.id] + presentExtensions).map { .string($0) })
        if sentSchemas {
            output["schemas"] = schemas
        } else {
            output = JSONObject([JSONObject.Member(key: "schemas", value: schemas)] + output.members)
        }
        return output
    }

    /// `schemas` must be an array of URIs that includes the core schema; URIs this type does not know are allowed.
    private func checkSchemas(_ value: JSONValue) throws(SCIMError) {
        guard case .array(let items) = value else {
            throw .invalidSyntax("'schemas' must be an array of schema URIs, not \(value.kindDescription)")
        }
        var hasCore = false
        for item in items {
            guard case .string(let urn) = item else {
                throw .invalidSyntax("'schemas' must hold schema URIs as strings, not \(item.kindDescription)")
            }
            if urn.equalsIgnoringASCIICase(resourceSchema.core.id) { hasCore = true }
        }
        guard hasCore else {
            throw .invalidSyntax("'schemas' must include \(resourceSchema.core.id) for a \(resourceSchema.resourceType.name)")
        }
    }

    /// An object keyed by an extension URN. Returns the extension and its checked value, nil if unassigned.
    private func checkExtension(_ key: String, _ value: JSONValue, dropReadOnly: Bool) throws(SCIMError) -> (Schema, JSONValue?) {
        guard let split = resourceSchema.splitKnownURN(key) else {
            let known = resourceSchema.extensions.map(\.schema.id)
            throw .invalidSyntax(
                "'\(key)' is not an extension declared for \(resourceSchema.resourceType.name)\(Self.didYouMean(key, among: known))"
                    + "; declare the extension and its attributes on the server before sending them")
        }
        guard let schema = resourceSchema.extensionSchema(split.urn) else {
            throw .invalidSyntax("'\(key)' names the core schema: send its attributes at the top level of the resource")
        }
        guard split.rest.isEmpty else {
            throw .invalidSyntax(#"'\#(key)' must be sent nested, as {"\#(schema.id)": {"\#(split.rest)": …}}"#)
        }
        guard case .object(let object) = value else {
            throw .invalidValue("'\(key)' must be an object holding the extension's attributes, not \(value.kindDescription)")
        }
        let checked = try checkMembers(
            of: object, against: schema.attributes, pathPrefix: "\(schema.id):", item: nil, dropReadOnly: dropReadOnly, checkRequired: false)
        return (schema, checked.isEmpty ? nil : .object(checked))
    }

    /// Checks the members of a complex value or extension object against their attribute definitions. `item` is
    /// the position of the complex value in its multi-valued attribute, for messages.
    private func checkMembers(
        of object: JSONObject, against attributes: [SchemaAttribute], pathPrefix: String, item: Int?, dropReadOnly: Bool,
        checkRequired: Bool
    ) throws(SCIMError) -> JSONObject {
        var output = JSONObject()
        for member in object.members where !member.value.isNull {
            guard let attribute = attributes.first(where: { $0.name.equalsIgnoringASCIICase(member.key) }) else {
                throw .invalidSyntax(
                    "unknown attribute '\(pathPrefix)\(member.key)'\(Self.didYouMean(member.key, among: attributes.map(\.name)))")
            }
            if isDropped(attribute, dropReadOnly: dropReadOnly) { continue }
            if let value = try checkValue(member.value, of: attribute, path: pathPrefix + attribute.name, item: item, dropReadOnly: dropReadOnly) {
                output[attribute.name] = value
            }
        }
        if checkRequired {
            for attribute in attributes where attribute.required && !isDropped(attribute, dropReadOnly: dropReadOnly) {
                try requirePresent(output[attribute.name], path: pathPrefix + attribute.name)
            }
        }
        return output
    }

    /// Checks one attribute's value; nil when it is unassigned and should not be stored. `item` is the position of
    /// the enclosing complex value in its multi-valued attribute, if any.
    private func checkValue(_ value: JSONValue, of attribute: SchemaAttribute, path: String, item: Int?, dropReadOnly: Bool) throws(SCIMError) -> JSONValue? {
        guard attribute.multiValued else {
            return try checkSingleValue(value, of: attribute, path: path, item: item, dropReadOnly: dropReadOnly)
        }
        let items: [JSONValue]
        switch value {
        case .array(let array): items = array
        case .object where attribute.type == .complex: items = [value]
        default: throw .invalidValue("'\(path)' is multi-valued: send an array, not \(value.kindDescription)")
        }
        let maximum = isGroupMembers(path) ? limits.maxMembers : limits.maxValues
        guard items.count <= maximum else {
            throw .invalidValue("'\(path)' has \(items.count) values; at most \(maximum) are accepted")
        }
        var checked: [JSONValue] = []
        checked.reserveCapacity(items.count)
        for (index, element) in items.enumerated() where !element.isNull {
            if let value = try checkSingleValue(element, of: attribute, path: path, item: index, dropReadOnly: dropReadOnly) {
                checked.append(value)
            }
        }
        // RFC 7643 §2.4: "The primary attribute value 'true' MUST appear no more than once." Checked in a client's
        // body (POST, PUT): PATCH applies its own rule, and a resource stored before this check can still be patched.
        if dropReadOnly, attribute.subAttribute(named: "primary") != nil, checked.filter({ $0["primary"] == .bool(true) }).count > 1 {
            throw .invalidValue("only one value of '\(path)' may have \"primary\": true")
        }
        return checked.isEmpty ? nil : .array(checked)
    }

    /// Checks a value of an attribute's data type.
    private func checkSingleValue(
        _ value: JSONValue, of attribute: SchemaAttribute, path: String, item: Int?, dropReadOnly: Bool
    ) throws(SCIMError) -> JSONValue? {
        let place = item.map { "'\(path)' (value \($0 + 1))" } ?? "'\(path)'"
        func wrongType() -> SCIMError {
            .invalidValue("\(place) must be \(Self.article(attribute.type)) \(attribute.type.rawValue), not \(value.kindDescription)")
        }
        switch attribute.type {
        case .complex:
            guard case .object(let object) = value else {
                let names = attribute.subAttributes.map(\.name).joined(separator: ", ")
                throw .invalidValue("\(place) must be an object with the sub-attributes \(names), not \(value.kindDescription)")
            }
            let checked = try checkMembers(
                of: object, against: attribute.subAttributes, pathPrefix: "\(path).", item: item, dropReadOnly: dropReadOnly,
                checkRequired: true)
            return checked.isEmpty ? nil : .object(checked)
        case .string, .reference, .binary:
            guard case .string(let text) = value else { throw wrongType() }
            guard text.utf8.count <= limits.maxStringBytes else {
                throw .invalidValue("\(place) is \(text.utf8.count) bytes long; at most \(limits.maxStringBytes) are accepted")
            }
            return value
        case .boolean:
            switch value {
            case .bool: return value
            case .string(let text) where text.equalsIgnoringASCIICase("true"): return .bool(true)
            case .string(let text) where text.equalsIgnoringASCIICase("false"): return .bool(false)
            default: throw wrongType()
            }
        case .integer:
            guard case .integer = value else { throw wrongType() }
            return value
        case .decimal:
            guard value.doubleValue != nil else { throw wrongType() }
            return value
        case .dateTime:
            guard case .string(let text) = value else { throw wrongType() }
            guard SCIMDateTime.seconds(from: text) != nil else {
                throw .invalidValue("\(place) is not a valid dateTime (expected e.g. 2024-05-13T04:42:34Z)")
            }
            return value
        }
    }

    /// Write-only attributes are never stored; read-only ones are the server's to set.
    private func isDropped(_ attribute: SchemaAttribute, dropReadOnly: Bool) -> Bool {
        attribute.mutability == .writeOnly || (dropReadOnly && attribute.mutability == .readOnly)
    }

    private func isGroupMembers(_ path: String) -> Bool {
        path.equalsIgnoringASCIICase("members") && resourceSchema.core.attribute(named: "members") != nil
    }
}

// MARK: - Required and immutable attributes

extension ResourceValidator {
    /// Required core attributes, required extensions, and the required attributes of each extension present.
    /// Attributes the client cannot set (read-only, write-only) are not required of it.
    private func checkRequired(_ resource: JSONObject) throws(SCIMError) {
        for attribute in resourceSchema.core.attributes where attribute.required && !isDropped(attribute, dropReadOnly: true) {
            try requirePresent(resource[attribute.name], path: attribute.name)
        }
        for item in resourceSchema.extensions {
            guard let object = resource[item.schema.id]?.objectValue else {
                if item.required {
                    throw .invalidValue("the extension \(item.schema.id) is required for a \(resourceSchema.resourceType.name)")
                }
                continue
            }
            for attribute in item.schema.attributes where attribute.required && !isDropped(attribute, dropReadOnly: true) {
                try requirePresent(object[attribute.name], path: "\(item.schema.id):\(attribute.name)")
            }
        }
    }

    private func requirePresent(_ value: JSONValue?, path: String) throws(SCIMError) {
        let isEmpty: Bool
        switch value {
        case nil: isEmpty = true
        case .string(let text)?: isEmpty = text.allSatisfy(\.isWhitespace)
        case let value?: isEmpty = value.isUnassigned
        }
        if isEmpty { throw .invalidValue("'\(path)' is required and must not be empty") }
    }

    /// For a PUT: an immutable attribute that has a stored value must be sent unchanged (RFC 7644 §3.5.1).
    private func checkImmutable(existing: JSONObject, resource: JSONObject) throws(SCIMError) {
        let groups = [(nil, resourceSchema.core.attributes)] + resourceSchema.extensions.map { ($0.schema.id, $0.schema.attributes) }
        for (urn, attributes) in groups {
            for attribute in attributes where attribute.mutability == .immutable {
                func value(in object: JSONObject) -> JSONValue? {
                    guard let urn else { return object[attribute.name] }
                    return object[urn]?[attribute.name]
                }
                guard let stored = value(in: existing), !stored.isUnassigned else { continue }
                let sent = value(in: resource)
                let path = urn.map { "\($0):\(attribute.name)" } ?? attribute.name
                guard let sent else {
                    throw .mutability("'\(path)' is immutable: it is \(stored) and cannot be removed; send it unchanged")
                }
                if !Self.sameValue(stored, sent, caseExact: attribute.caseExact) {
                    throw .mutability("'\(path)' is immutable: it is \(stored) and cannot be changed to \(sent)")
                }
            }
        }
    }

    private static func sameValue(_ lhs: JSONValue, _ rhs: JSONValue, caseExact: Bool) -> Bool {
        if !caseExact, case .string(let a) = lhs, case .string(let b) = rhs {
            return a.lowercased() == b.lowercased()
        }
        return lhs == rhs
    }
}

// MARK: - Messages

extension ResourceValidator {
    /// The error for a top-level name the core schema does not define, with the most likely fix.
    private func unknownTopLevelAttribute(_ name: String) -> SCIMError {
        let type = resourceSchema.resourceType.name
        if let urn = resourceSchema.extensions.first(where: { $0.schema.attribute(named: name) != nil })?.schema.id {
            return .invalidSyntax(#"'\#(name)' is an attribute of the extension \#(urn): send it as {"\#(urn)": {"\#(name)": …}}"#)
        }
        if let parent = resourceSchema.core.attributes.first(where: { $0.subAttribute(named: name) != nil })?.name {
            return .invalidSyntax(
                #"unknown attribute '\#(name)' for a \#(type); did you mean '\#(parent).\#(name)', sent as {"\#(parent)": {"\#(name)": …}}?"#)
        }
        let known = ["schemas"] + SchemaAttribute.common.map(\.name) + resourceSchema.core.attributes.map(\.name)
        return .invalidSyntax("unknown attribute '\(name)' for a \(type)\(Self.didYouMean(name, among: known))")
    }

    /// `"; did you mean 'x'?"` for the closest candidate within a few edits, or an empty string.
    static func didYouMean(_ name: String, among candidates: [String]) -> String {
        let target = Array(name.lowercased().unicodeScalars)
        let allowed = max(1, min(3, target.count / 4))
        var best: (name: String, distance: Int)?
        for candidate in candidates {
            let distance = editDistance(target, Array(candidate.lowercased().unicodeScalars))
            if distance <= allowed, distance < (best?.distance ?? .max) { best = (candidate, distance) }
        }
        return best.map { "; did you mean '\($0.name)'?" } ?? ""
    }

    /// Levenshtein distance.
    private static func editDistance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Int {
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }

    private static func article(_ type: SchemaAttribute.DataType) -> String {
        type == .integer ? "an" : "a"
    }
}
