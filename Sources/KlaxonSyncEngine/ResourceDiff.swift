import SCIM

/// The PATCH operations that bring an existing target resource in line with a mapped one, touching only
/// what the mapping sets. Simple attributes and sub-attributes of complex ones (`name.givenName`, extension
/// attributes) get a `replace` each when they differ. A multi-valued attribute whose values carry a `type`
/// is merged: the mapped values replace or extend the existing values of the same type, values of other
/// types are kept, and the attribute is replaced as a whole only if the merge changed it. `members` is left
/// to ``membershipOperations(desired:existing:)``. A `cleared` path is removed only where the target has a
/// value, so that clearing converges; with `schema` known, clearing the `value` of `emails[type eq "work"]`
/// removes that email whole (an email without an address means nothing). A `filledIfEmpty` path (a `none`
/// mapping's default) is written only where the target has no value.
enum ResourceDiff {
    static func operations(
        desired: JSONObject, existing: JSONObject, cleared: [String] = [], filledIfEmpty: [String] = [], schema: ResourceSchema? = nil
    ) -> [JSONValue] {
        var desired = desired
        if let schema {
            for path in filledIfEmpty where hasValue(at: path, in: existing, schema: schema) {
                desired = removing(path, from: desired, schema: schema) ?? desired
            }
        }
        var operations: [JSONValue] = []
        for member in desired.members {
            let key = member.key
            if ["schemas", "id", "meta", "members"].contains(where: key.equalsIgnoringASCIICase) { continue }
            let current = existing[key]
            if key.hasPrefixIgnoringASCIICase("urn:"), case .object(let attributes) = member.value {
                for attribute in attributes.members where current?[attribute.key] != attribute.value {
                    operations.append(replace("\(key):\(attribute.key)", attribute.value))
                }
                continue
            }
            switch member.value {
            case .object(let subAttributes):
                for sub in subAttributes.members where current?[sub.key] != sub.value {
                    operations.append(replace("\(key).\(sub.key)", sub.value))
                }
            case .array(let values):
                let merged = merge(values, into: current?.arrayValue ?? [])
                if current != .array(merged) { operations.append(replace(key, .array(merged))) }
            default:
                if current != member.value { operations.append(replace(key, member.value)) }
            }
        }
        for path in cleared {
            guard let schema, var target = try? PatchPath(parsing: path, in: schema) else {
                operations.append(["op": "remove", "path": .string(path)])
                continue
            }
            if target.valueFilter != nil, target.subAttribute?.equalsIgnoringASCIICase("value") == true { target.subAttribute = nil }
            guard hasValue(at: target.description, in: existing, schema: schema) else { continue }
            operations.append(["op": "remove", "path": .string(target.description)])
        }
        return operations
    }

    /// Adds the members `desired` has and `existing` lacks in one `add`, and removes each extra one by
    /// `members[value eq "…"]` unless `removing` is false (when `desired` may lack members it cannot name).
    static func membershipOperations(desired: [String], existing: [String], removing: Bool = true) -> [JSONValue] {
        let have = Set(existing)
        let want = Set(desired)
        var operations: [JSONValue] = []
        var seen = Set<String>()
        let added = desired.filter { !have.contains($0) && seen.insert($0).inserted }
        if !added.isEmpty {
            operations.append(["op": "add", "path": "members", "value": .array(added.map { ["value": .string($0)] })])
        }
        for id in existing where removing && !want.contains(id) {
            operations.append(["op": "remove", "path": .string("members[value eq \(quoted(id))]")])
        }
        return operations
    }

    /// Mapped values replace (sub-attribute by sub-attribute) the existing value of the same `type`; values
    /// without a type replace the attribute's values outright.
    static func merge(_ values: [JSONValue], into existing: [JSONValue]) -> [JSONValue] {
        guard values.allSatisfy({ $0["type"]?.stringValue != nil }) else { return values }
        var result = existing
        for value in values {
            guard case .object(let wanted) = value, let type = wanted["type"]?.stringValue else { continue }
            if let index = result.firstIndex(where: { $0["type"]?.stringValue?.equalsIgnoringASCIICase(type) == true }),
                case .object(var current) = result[index]
            {
                for sub in wanted.members { current[sub.key] = sub.value }
                result[index] = .object(current)
            } else {
                result.append(value)
            }
        }
        return result
    }

    /// Whether `object` has a value at a PATCH path: removing it would change the object.
    static func hasValue(at path: String, in object: JSONObject, schema: ResourceSchema) -> Bool {
        guard let without = removing(path, from: object, schema: schema) else { return false }
        return without != object
    }

    /// `object` without the value at a PATCH path; nil if the path does not parse or selects nothing.
    static func removing(_ path: String, from object: JSONObject, schema: ResourceSchema) -> JSONObject? {
        guard let parsed = try? PatchPath(parsing: path, in: schema) else { return nil }
        return try? PatchApplier.apply(PatchRequest(operations: [PatchOperation(.remove, path: parsed)]), to: object, for: schema)
    }

    static func replace(_ path: String, _ value: JSONValue) -> JSONValue {
        ["op": "replace", "path": .string(path), "value": value]
    }

    /// A filter string literal.
    static func quoted(_ text: String) -> String {
        JSONWriter.string(from: .string(text))
    }
}
