import SCIM

/// Turns a mapped value into what its target attribute holds: text into a boolean for `active`, a number into
/// text for `employeeNumber`, a list of ids into `members` objects. Resolved once per mapping from the
/// target's schema attribute.
struct TargetCoercion: Sendable {
    let type: SchemaAttribute.DataType
    /// True when the mapping writes a whole multi-valued attribute.
    let multiValued: Bool

    init(_ attribute: SchemaAttribute, whole: Bool) {
        type = attribute.type
        multiValued = whole && attribute.multiValued
    }

    /// The value as the target holds it, or why it cannot be.
    func coerce(_ value: JSONValue) -> Result<JSONValue, CoercionFailure> {
        if multiValued {
            let items: [JSONValue]
            if case .array(let list) = value { items = list } else { items = [value] }
            var coerced: [JSONValue] = []
            coerced.reserveCapacity(items.count)
            for item in items {
                switch coerceElement(item) {
                case .success(let element): coerced.append(element)
                case .failure(let failure): return .failure(failure)
                }
            }
            return .success(.array(coerced))
        }
        if case .array(let items) = value {
            guard items.count <= 1 else {
                return .failure(CoercionFailure("\(items.count) values for a single-valued attribute"))
            }
            guard let only = items.first else { return .success(.null) }
            return coerceSingle(only)
        }
        return coerceSingle(value)
    }

    /// A value of a multi-valued attribute: complex ones take a bare value as `{"value": …}`.
    private func coerceElement(_ value: JSONValue) -> Result<JSONValue, CoercionFailure> {
        guard type == .complex else { return coerceSingle(value) }
        switch value {
        case .object: return .success(value)
        case .string, .integer, .decimal, .bool: return .success(.object(["value": value]))
        default: return .failure(CoercionFailure("\(value.typeName) cannot be a value of a multi-valued attribute"))
        }
    }

    private func coerceSingle(_ value: JSONValue) -> Result<JSONValue, CoercionFailure> {
        switch (type, value) {
        case (_, .null):
            return .success(.null)
        case (.string, .string), (.reference, .string), (.binary, .string), (.boolean, .bool), (.integer, .integer),
            (.decimal, .decimal), (.decimal, .integer), (.complex, .object):
            return .success(value)
        case (.string, .integer), (.string, .decimal), (.string, .bool), (.reference, .integer):
            return .success(.string(value.scalarText ?? ""))
        case (.dateTime, .string(let text)):
            guard SCIMDateTime.seconds(from: text) != nil else {
                return .failure(CoercionFailure("\"\(text)\" is not a dateTime such as 2024-03-01T09:30:00Z"))
            }
            return .success(value)
        case (.boolean, .string(let text)):
            switch text.lowercased() {
            case "true": return .success(.bool(true))
            case "false": return .success(.bool(false))
            default: return .failure(CoercionFailure("\"\(text)\" is not a boolean (true or false)"))
            }
        case (.integer, .string(let text)):
            guard let number = Int(text) else { return .failure(CoercionFailure("\"\(text)\" is not a whole number")) }
            return .success(.integer(number))
        case (.integer, .decimal(let number)):
            guard number.rounded() == number, let whole = Int(exactly: number) else {
                return .failure(CoercionFailure("\(number) is not a whole number"))
            }
            return .success(.integer(whole))
        case (.decimal, .string(let text)):
            guard let number = Double(text), number.isFinite else {
                return .failure(CoercionFailure("\"\(text)\" is not a number"))
            }
            return .success(.decimal(number))
        default:
            return .failure(CoercionFailure("\(value.typeName) \(value) cannot be written to a \(type.rawValue) attribute"))
        }
    }
}

/// Why a value does not fit its target.
struct CoercionFailure: Error, Sendable {
    let message: String
    init(_ message: String) { self.message = message }
}
