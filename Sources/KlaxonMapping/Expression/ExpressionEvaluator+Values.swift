import SCIM

/// Functions on values and lists, the random ones, SelectUniqueValue and the app-role functions.
extension ExpressionEvaluator {
    /// The first argument that is not null (an empty list counts as null); later arguments are not evaluated.
    mutating func coalesce(_ call: FunctionCall) throws(EvaluationStop) -> JSONValue {
        for argument in call.arguments {
            let value = try evaluate(argument)
            if !value.isUnassigned { return value }
        }
        return .null
    }

    mutating func count(_ call: FunctionCall) throws(EvaluationStop) -> JSONValue {
        switch try evaluate(call.arguments[0]) {
        case .null: return .integer(0)
        case .array(let items): return .integer(items.count)
        default: return .integer(1)
        }
    }

    /// Item: the value at a 1-based index; null past the end. A single value is a list of one.
    mutating func item(_ call: FunctionCall) throws(EvaluationStop) -> JSONValue {
        let value = try evaluate(call.arguments[0])
        let index = try requiredInteger(call, 1)
        guard index >= 1 else { throw failure(.invalidValue, "Item indexes start at 1, not \(index)", call.arguments[1]) }
        switch value {
        case .null: return .null
        case .array(let items): return index <= items.count ? items[index - 1] : .null
        default: return index == 1 ? value : .null
        }
    }

    /// The list with later repeats of a value removed (exact comparison: "SMTP:a" and "smtp:a" both stay).
    mutating func removeDuplicates(_ call: FunctionCall) throws(EvaluationStop) -> JSONValue {
        let value = try evaluate(call.arguments[0])
        guard case .array(let items) = value else { return value }
        var seen: Set<JSONValue> = []
        return .array(items.filter { seen.insert($0).inserted })
    }

    mutating func bitAnd(_ call: FunctionCall) throws(EvaluationStop) -> JSONValue {
        guard let a = try integer(call, 0), let b = try integer(call, 1) else { return .null }
        return .integer(a & b)
    }

    /// A version 4 GUID in lower case, e.g. `00aa00aa-bb11-4c22-9d33-44ee44ee44ee`.
    mutating func guid() -> JSONValue {
        var uuid: [UInt8] = withRandom { random in (0..<16).map { _ in UInt8.random(in: 0...255, using: &random) } }
        uuid[6] = uuid[6] & 0x0F | 0x40
        uuid[8] = uuid[8] & 0x3F | 0x80
        let digits = Array("0123456789abcdef".utf8)
        var output: [UInt8] = []
        output.reserveCapacity(36)
        for (position, byte) in uuid.enumerated() {
            if [4, 6, 8, 10].contains(position) { output.append(UInt8(ascii: "-")) }
            output.append(digits[Int(byte >> 4)])
            output.append(digits[Int(byte & 15)])
        }
        return .string(String(decoding: output, as: UTF8.self))
    }

    mutating func randomString(_ call: FunctionCall, _ node: ExpressionNode) throws(EvaluationStop) -> JSONValue {
        let length = try requiredInteger(call, 0)
        var minimums: [Int] = []
        for position in 1...4 { minimums.append(try requiredInteger(call, position)) }
        let avoid = Set(call.arguments.count > 5 ? try string(call, 5) ?? "" : "")
        guard (1...RandomStringRules.maxLength).contains(length) else {
            throw failure(.invalidValue, "RandomString's length must be 1 to \(RandomStringRules.maxLength), not \(length)", call.arguments[0])
        }
        // Each minimum is checked before they are added, so the sum cannot overflow.
        guard minimums.allSatisfy({ (0...length).contains($0) }), minimums.reduce(0, +) <= length else {
            throw failure(.invalidValue, "RandomString's minimums must be 0 or more and add up to at most its length \(length)", node)
        }
        let pools = RandomStringRules.pools.map { $0.filter { !avoid.contains($0) } }
        for (pool, minimum) in zip(pools, minimums) where pool.isEmpty && minimum > 0 {
            throw failure(.invalidValue, "RandomString's charactersToAvoid leave no characters for a required kind", node)
        }
        let everything = pools.flatMap { $0 }
        let extra = length - minimums.reduce(0, +)
        guard extra == 0 || !everything.isEmpty else {
            throw failure(.invalidValue, "RandomString's charactersToAvoid exclude every character", node)
        }
        let characters: [Character] = withRandom { random in
            var characters: [Character] = []
            characters.reserveCapacity(length)
            for (pool, minimum) in zip(pools, minimums) {
                for _ in 0..<minimum { characters.append(pool[Int.random(in: 0..<pool.count, using: &random)]) }
            }
            for _ in 0..<extra { characters.append(everything[Int.random(in: 0..<everything.count, using: &random)]) }
            characters.shuffle(using: &random)
            return characters
        }
        return .string(String(characters))
    }

    /// The first rule whose value (not null or empty) the context's uniqueness check accepts; without a check,
    /// the first such value.
    mutating func selectUniqueValue(_ call: FunctionCall, _ node: ExpressionNode) throws(EvaluationStop) -> JSONValue {
        var candidates = 0
        for argument in call.arguments {
            let value = try evaluate(argument)
            guard !value.isNullOrEmpty else { continue }
            candidates += 1
            if context.isUnique?(value) ?? true { return value }
        }
        throw failure(
            .noUniqueValue,
            candidates == 0
                ? "SelectUniqueValue's rules all gave null or empty values"
                : "none of SelectUniqueValue's \(candidates) candidate values is unique in the target", node)
    }

    // MARK: App roles

    /// The value of the first app role assignment, as a string.
    mutating func singleAppRoleAssignment(_ call: FunctionCall) throws(EvaluationStop) -> JSONValue {
        let assignments = try roleAssignments(call)
        return assignments.first.map { .string($0.value) } ?? .null
    }

    /// Every app role assignment as a SCIM role: `{"primary": false, "type": "WindowsAzureActiveDirectoryRole",
    /// "display": …, "value": …}`, as Entra sends them.
    mutating func appRoleAssignmentsComplex(_ call: FunctionCall) throws(EvaluationStop) -> JSONValue {
        let assignments = try roleAssignments(call)
        guard !assignments.isEmpty else { return .null }
        return .array(assignments.map { assignment in
            var role: JSONObject = ["primary": false, "type": "WindowsAzureActiveDirectoryRole"]
            if let display = assignment.display { role["display"] = .string(display) }
            role["value"] = .string(assignment.value)
            return .object(role)
        })
    }

    /// Assignments are role value strings or objects with `value` and optionally `displayName` (or `display`).
    private mutating func roleAssignments(_ call: FunctionCall) throws(EvaluationStop) -> [(value: String, display: String?)] {
        let value = try evaluate(call.arguments[0])
        let items: [JSONValue]
        switch value {
        case .null: return []
        case .array(let list): items = list
        default: items = [value]
        }
        var assignments: [(value: String, display: String?)] = []
        for item in items {
            switch item {
            case .string(let role):
                assignments.append((role, nil))
            case .object(let object):
                guard let role = object["value"]?.stringValue else {
                    throw failure(
                        .typeMismatch, "\(call.signature.name) expects each app role assignment to have a string \"value\"",
                        call.arguments[0])
                }
                assignments.append((role, (object["displayName"] ?? object["display"])?.stringValue))
            default:
                throw failure(
                    .typeMismatch,
                    "\(call.signature.name) expects app role assignments (role values or objects with a \"value\"), not \(item.typeName)",
                    call.arguments[0])
            }
        }
        return assignments
    }
}

/// RandomString's character kinds: Windows password complexity's digits, special characters, upper and lower
/// case letters, in the order of its arguments.
enum RandomStringRules {
    static let maxLength = 256
    static let pools: [[Character]] = [
        Array("0123456789"),
        Array("~!@#$%^&*_-+=`|\\(){}[]:;\"'<>,.?/"),
        Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ"),
        Array("abcdefghijklmnopqrstuvwxyz"),
    ]
}
