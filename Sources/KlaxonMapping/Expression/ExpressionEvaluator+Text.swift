import SCIM

/// String functions. Positions and lengths count characters as people see them (Swift `Character`s), so
/// `Mid([givenName], 1, 1)` of a decomposed "Émile" is "É", not a bare "E".
extension ExpressionEvaluator {
    mutating func append(_ call: FunctionCall) throws(EvaluationStop) -> JSONValue {
        guard let source = try string(call, 0) else { return .null }
        return .string(source + (try string(call, 1) ?? ""))
    }

    /// Join skips null and empty values (Entra's `Join(", ", "", [surname], [givenName])` gives "Doe, John")
    /// and expands multi-valued ones.
    mutating func join(_ call: FunctionCall, _ node: ExpressionNode) throws(EvaluationStop) -> JSONValue {
        let separator = try string(call, 0) ?? ""
        var output = ""
        var isFirst = true
        for position in 1..<call.arguments.count {
            let value = try evaluate(call.arguments[position])
            let items: [JSONValue]
            if case .array(let values) = value { items = values } else { items = [value] }
            for item in items {
                guard let text = try text(of: item, call, position), !text.isEmpty else { continue }
                if !isFirst { output += separator }
                output += text
                isFirst = false
                if output.utf8.count > maxValueLength { throw tooLong(call, node) }
            }
        }
        return .string(output)
    }

    /// Left as documented: 0 characters give "", a negative count the whole string, null "".
    mutating func left(_ call: FunctionCall) throws(EvaluationStop) -> JSONValue {
        let source = try string(call, 0) ?? ""
        let count = try requiredInteger(call, 1)
        return .string(count < 0 ? source : String(source.prefix(count)))
    }

    mutating func mid(_ call: FunctionCall) throws(EvaluationStop) -> JSONValue {
        guard let source = try string(call, 0) else { return .null }
        let start = try requiredInteger(call, 1)
        let length = try requiredInteger(call, 2)
        guard start >= 1 else { throw failure(.invalidValue, "Mid positions start at 1, not \(start)", call.arguments[1]) }
        guard length >= 0 else { throw failure(.invalidValue, "Mid's length cannot be negative (\(length))", call.arguments[2]) }
        return .string(String(source.dropFirst(start - 1).prefix(length)))
    }

    /// Word as documented: a number below 1, a null string or too few words give "".
    mutating func word(_ call: FunctionCall) throws(EvaluationStop) -> JSONValue {
        let source = try string(call, 0) ?? ""
        let number = try requiredInteger(call, 1)
        let delimiters = Set(try string(call, 2) ?? "")
        guard number >= 1 else { return .string("") }
        var seen = 0
        for word in source.split(whereSeparator: delimiters.contains) {
            seen += 1
            if seen == number { return .string(String(word)) }
        }
        return .string("")
    }

    /// Split at every occurrence of the delimiter, trimming the parts as Entra's example shows
    /// ("PermissionSetOne, PermissionSetTwo" split at "," gives "PermissionSetTwo" without its space).
    mutating func split(_ call: FunctionCall) throws(EvaluationStop) -> JSONValue {
        guard let source = try string(call, 0) else { return .null }
        guard let delimiter = try string(call, 1), !delimiter.isEmpty else { return .array([.string(source)]) }
        return .array(source.split(separator: delimiter, omittingEmptySubsequences: false).map { .string($0.trimmingSpaces()) })
    }

    mutating func changeCase(_ call: FunctionCall, upper: Bool) throws(EvaluationStop) -> JSONValue {
        guard let source = try string(call, 0) else { return .null }
        var culture = Culture.invariant
        if call.arguments.count > 1, let name = try string(call, 1) {
            guard let named = Culture(name: name) else {
                throw failure(.invalidValue, "'\(name)' is not a culture name such as en-US or tr-TR", call.arguments[1])
            }
            culture = named
        }
        return .string(upper ? culture.uppercased(source) : culture.lowercased(source))
    }

    /// PCase: the first character of each word upper case, the rest lower case. Without separators, words are
    /// separated by anything that is not a letter, digit or apostrophe (the categories .NET's ToTitleCase
    /// treats as separators); with them, only by those characters.
    mutating func pCase(_ call: FunctionCall) throws(EvaluationStop) -> JSONValue {
        guard let source = try string(call, 0) else { return .null }
        let separators = call.arguments.count > 1 ? try string(call, 1) : nil
        let separatorSet = separators.flatMap { $0.isEmpty ? nil : Set($0) }
        func isSeparator(_ character: Character) -> Bool {
            if let separatorSet { return separatorSet.contains(character) }
            return !(character.isLetter || character.isNumber || character == "'" || character == "\u{2019}")
        }
        var output = ""
        output.reserveCapacity(source.utf8.count)
        var startsWord = true
        for character in source.lowercased() {
            if isSeparator(character) {
                output.append(character)
                startsWord = true
            } else if startsWord {
                output += character.uppercased()
                startsWord = false
            } else {
                output.append(character)
            }
        }
        return .string(output)
    }

    /// The string's UTF-16 little-endian bytes in base64, as .NET's `Encoding.Unicode` gives them.
    mutating func convertToBase64(_ call: FunctionCall) throws(EvaluationStop) -> JSONValue {
        guard let source = try string(call, 0) else { return .null }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(source.utf16.count * 2)
        for unit in source.utf16 {
            bytes.append(UInt8(truncatingIfNeeded: unit))
            bytes.append(UInt8(truncatingIfNeeded: unit >> 8))
        }
        return .string(Self.base64(bytes))
    }

    static func base64(_ bytes: [UInt8]) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var output: [UInt8] = []
        output.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index < bytes.count {
            let remaining = bytes.count - index
            let chunk = UInt32(bytes[index]) << 16 | (remaining > 1 ? UInt32(bytes[index + 1]) << 8 : 0)
                | (remaining > 2 ? UInt32(bytes[index + 2]) : 0)
            output.append(alphabet[Int(chunk >> 18 & 63)])
            output.append(alphabet[Int(chunk >> 12 & 63)])
            output.append(remaining > 1 ? alphabet[Int(chunk >> 6 & 63)] : UInt8(ascii: "="))
            output.append(remaining > 2 ? alphabet[Int(chunk & 63)] : UInt8(ascii: "="))
            index += 3
        }
        return String(decoding: output, as: UTF8.self)
    }

    mutating func convertToUTF8Hex(_ call: FunctionCall) throws(EvaluationStop) -> JSONValue {
        guard let source = try string(call, 0) else { return .null }
        let digits = Array("0123456789ABCDEF".utf8)
        var output: [UInt8] = []
        output.reserveCapacity(source.utf8.count * 2)
        for byte in source.utf8 {
            output.append(digits[Int(byte >> 4)])
            output.append(digits[Int(byte & 15)])
        }
        return .string(String(decoding: output, as: UTF8.self))
    }

    /// InStr: the 1-based position of value2 in value1 from `start`, 0 when absent; null if either is null.
    mutating func inStr(_ call: FunctionCall) throws(EvaluationStop) -> JSONValue {
        guard let haystack = try string(call, 0), let needle = try string(call, 1) else { return .null }
        let start = call.arguments.count > 2 ? try integer(call, 2) ?? 1 : 1
        guard start >= 1 else { throw failure(.invalidValue, "InStr positions start at 1, not \(start)", call.arguments[2]) }
        var mode = CompareMode.binary
        if call.arguments.count > 3 {
            let value = try evaluate(call.arguments[3])
            guard let chosen = CompareMode(value) else {
                throw failure(
                    .invalidValue, "InStr's compareType must be vbBinaryCompare or vbTextCompare, not \(value)",
                    call.arguments[3])
            }
            mode = chosen
        }
        let hay = mode == .text ? haystack.map { $0.lowercased() } : haystack.map { String($0) }
        let wanted = mode == .text ? needle.map { $0.lowercased() } : needle.map { String($0) }
        guard start <= hay.count else { return .integer(0) }
        guard !wanted.isEmpty else { return .integer(start) }
        guard hay.count >= wanted.count, start - 1 <= hay.count - wanted.count else { return .integer(0) }
        for offset in (start - 1)...(hay.count - wanted.count) where hay[offset..<offset + wanted.count].elementsEqual(wanted) {
            return .integer(offset + 1)
        }
        return .integer(0)
    }

    /// Switch compares the source's text (null as "") with each key in turn, exactly; keys and values are
    /// evaluated only as far as needed.
    mutating func switchValue(_ call: FunctionCall) throws(EvaluationStop) -> JSONValue {
        let source = try string(call, 0) ?? ""
        var position = 2
        while position + 1 < call.arguments.count {
            if try string(call, position) ?? "" == source { return try evaluate(call.arguments[position + 1]) }
            position += 2
        }
        return try evaluate(call.arguments[1])
    }

    mutating func isString(_ call: FunctionCall) throws(EvaluationStop) -> Bool {
        switch try evaluate(call.arguments[0]) {
        case .string: return true
        case .array(let items) where items.count == 1:
            if case .string = items[0] { return true }
            return false
        default: return false
        }
    }
}

/// InStr's comparison: vbBinaryCompare (0, exact) or vbTextCompare (1, ignoring case).
enum CompareMode {
    case binary, text

    /// From the constants, their numbers or their names; null (an empty argument) is binary.
    init?(_ value: JSONValue) {
        switch value {
        case .null, .integer(0): self = .binary
        case .integer(1): self = .text
        case .string(let name):
            switch asciiLowercased(name.trimmingSpaces()) {
            case "vbbinarycompare", "0": self = .binary
            case "vbtextcompare", "1": self = .text
            default: return nil
            }
        default: return nil
        }
    }
}

/// ToLower's and ToUpper's culture: invariant, or Turkish and Azeri with their dotted and dotless i.
struct Culture {
    let isTurkic: Bool

    static let invariant = Culture(isTurkic: false)

    private init(isTurkic: Bool) { self.isTurkic = isTurkic }

    /// An RFC 4646 name (`en-US`, `tr-TR`, `sr-Latn-RS`); empty means invariant.
    init?(name: String) {
        let trimmed = name.trimmingSpaces()
        guard !trimmed.isEmpty else {
            self = .invariant
            return
        }
        let parts = trimmed.split(separator: "-", omittingEmptySubsequences: false)
        guard (2...3).contains(parts[0].count), parts[0].allSatisfy({ $0.isASCII && $0.isLetter }),
            parts.dropFirst().allSatisfy({ (1...8).contains($0.count) && $0.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) } })
        else { return nil }
        let language = asciiLowercased(String(parts[0]))
        isTurkic = language == "tr" || language == "az"
    }

    func lowercased(_ text: String) -> String {
        guard isTurkic else { return text.lowercased() }
        return text.replacing("I", with: "ı").replacing("İ", with: "i").lowercased()
    }

    func uppercased(_ text: String) -> String {
        guard isTurkic else { return text.uppercased() }
        return text.replacing("i", with: "İ").replacing("ı", with: "I").uppercased()
    }
}
