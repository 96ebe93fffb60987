/// Parses JSON text (RFC 8259) into a ``JSONValue``, within limits that keep hostile input cheap.
///
/// ```swift
/// let value = try JSONParser.parse(Array(#"{"userName":"bjensen"}"#.utf8))
/// ```
///
/// It rejects invalid UTF-8, trailing garbage, nesting deeper than ``Limits/maxDepth`` and objects that repeat
/// a key (ignoring case, since SCIM attribute names are case-insensitive). Errors carry the byte offset, line
/// and column of the problem.
public struct JSONParser {
    public struct Limits: Sendable {
        /// The deepest nesting of arrays and objects accepted.
        public var maxDepth: Int
        /// The longest input accepted, in bytes.
        public var maxBytes: Int
        /// Whether a string may hold U+0000 (written `\u0000`; a raw control byte is never accepted). SCIM input
        /// may not: no attribute means anything by it, PostgreSQL cannot store it in text, and SQLite's C API reads
        /// it as the end of the string.
        public var allowsNUL: Bool

        public init(maxDepth: Int = 64, maxBytes: Int = 4 << 20, allowsNUL: Bool = true) {
            self.maxDepth = maxDepth
            self.maxBytes = maxBytes
            self.allowsNUL = allowsNUL
        }

        /// What a SCIM request body may hold: `maxDepth` levels, `maxBytes` bytes, and no U+0000.
        public static func scimRequest(maxDepth: Int = 32, maxBytes: Int) -> Limits {
            Limits(maxDepth: maxDepth, maxBytes: maxBytes, allowsNUL: false)
        }

        public static let `default` = Limits()
    }

    /// Why and where JSON text could not be parsed.
    public struct Error: Swift.Error, Sendable, Equatable, CustomStringConvertible {
        public var message: String
        /// Byte offset from the start of the input.
        public var offset: Int
        /// 1-based line and column (in bytes) of the problem.
        public var line: Int
        public var column: Int

        public var description: String { "\(message) at line \(line), column \(column)" }
    }

    /// Parses a complete JSON document.
    public static func parse(_ bytes: some Collection<UInt8>, limits: Limits = .default) throws(Error) -> JSONValue {
        let array = Array(bytes)
        return try array.withUnsafeBufferPointer { (buffer) throws(Error) -> JSONValue in
            var parser = JSONParser(buffer: buffer, limits: limits)
            return try parser.parseDocument()
        }
    }

    /// Parses a complete JSON document from a string.
    public static func parse(_ text: String, limits: Limits = .default) throws(Error) -> JSONValue {
        try parse(Array(text.utf8), limits: limits)
    }

    private let buffer: UnsafeBufferPointer<UInt8>
    private let limits: Limits
    private var index = 0
    private var depth = 0

    private init(buffer: UnsafeBufferPointer<UInt8>, limits: Limits) {
        self.buffer = buffer
        self.limits = limits
    }

    private mutating func parseDocument() throws(Error) -> JSONValue {
        guard buffer.count <= limits.maxBytes else {
            throw error("document is larger than \(limits.maxBytes) bytes", at: 0)
        }
        // A UTF-8 byte order mark is tolerated.
        if buffer.count >= 3, buffer[0] == 0xEF, buffer[1] == 0xBB, buffer[2] == 0xBF { index = 3 }
        skipWhitespace()
        guard index < buffer.count else { throw error("empty document") }
        let value = try parseValue()
        skipWhitespace()
        guard index == buffer.count else { throw error("unexpected text after the JSON value") }
        return value
    }

    private mutating func parseValue() throws(Error) -> JSONValue {
        guard index < buffer.count else { throw error("unexpected end of input") }
        switch buffer[index] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw error("unexpected character '\(printable(buffer[index]))'")
        }
    }

    private mutating func enter() throws(Error) {
        depth += 1
        guard depth <= limits.maxDepth else { throw error("nesting is deeper than \(limits.maxDepth) levels") }
    }

    private mutating func parseObject() throws(Error) -> JSONValue {
        try enter()
        defer { depth -= 1 }
        index += 1
        var object = JSONObject()
        // Small objects (every SCIM resource) check for a repeated name by scanning; large ones by a set of
        // lowercased names, so a body with a hundred thousand members is not a quadratic amount of work.
        var lowercasedKeys: Set<String>?
        skipWhitespace()
        if peek() == UInt8(ascii: "}") {
            index += 1
            return .object(object)
        }
        while true {
            skipWhitespace()
            guard peek() == UInt8(ascii: "\"") else { throw error("expected a member name in double quotes") }
            let keyOffset = index
            let key = try parseString()
            if object.count == 16 { lowercasedKeys = Set(object.keys.map(Self.asciiLowercased)) }
            let repeated: Bool
            if lowercasedKeys != nil {
                repeated = !lowercasedKeys!.insert(Self.asciiLowercased(key)).inserted
            } else {
                repeated = object.index(of: key) != nil
            }
            if repeated {
                throw error("duplicate member \"\(key)\" (names are case-insensitive)", at: keyOffset)
            }
            skipWhitespace()
            guard peek() == UInt8(ascii: ":") else { throw error("expected ':' after a member name") }
            index += 1
            skipWhitespace()
            object.appendUnchecked(key, try parseValue())
            skipWhitespace()
            switch peek() {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "}"): index += 1; return .object(object)
            default: throw error("expected ',' or '}' in an object")
            }
        }
    }

    /// The name folded as ``JSONObject`` compares names: ASCII letters to lower case, everything else as is.
    private static func asciiLowercased(_ name: String) -> String {
        String(decoding: name.utf8.map { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") ? $0 | 0x20 : $0 }, as: UTF8.self)
    }

    private mutating func parseArray() throws(Error) -> JSONValue {
        try enter()
        defer { depth -= 1 }
        index += 1
        var items: [JSONValue] = []
        skipWhitespace()
        if peek() == UInt8(ascii: "]") {
            index += 1
            return .array(items)
        }
        while true {
            skipWhitespace()
            items.append(try parseValue())
            skipWhitespace()
            switch peek() {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "]"): index += 1; return .array(items)
            default: throw error("expected ',' or ']' in an array")
            }
        }
    }

    private mutating func parseString() throws(Error) -> String {
        let start = index
        index += 1
        let contentStart = index
        // Fast path: no escapes. ASCII (every byte's high bit clear) is valid UTF-8 as it is.
        var highBits: UInt8 = 0
        while index < buffer.count {
            let byte = buffer[index]
            if byte == UInt8(ascii: "\"") {
                let slice = UnsafeBufferPointer(rebasing: buffer[contentStart..<index])
                index += 1
                if highBits & 0x80 == 0 { return String(decoding: slice, as: UTF8.self) }
                guard let string = String(validating: slice, as: UTF8.self) else {
                    throw error("invalid UTF-8 in a string", at: start)
                }
                return string
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 { throw error("control character in a string") }
            highBits |= byte
            index += 1
        }
        var bytes = Array(buffer[contentStart..<index])
        while index < buffer.count {
            let byte = buffer[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                guard let string = String(validating: bytes, as: UTF8.self) else {
                    throw error("invalid UTF-8 in a string", at: start)
                }
                return string
            case UInt8(ascii: "\\"):
                index += 1
                guard index < buffer.count else { break }
                let escape = buffer[index]
                index += 1
                switch escape {
                case UInt8(ascii: "\""): bytes.append(UInt8(ascii: "\""))
                case UInt8(ascii: "\\"): bytes.append(UInt8(ascii: "\\"))
                case UInt8(ascii: "/"): bytes.append(UInt8(ascii: "/"))
                case UInt8(ascii: "b"): bytes.append(0x08)
                case UInt8(ascii: "f"): bytes.append(0x0C)
                case UInt8(ascii: "n"): bytes.append(0x0A)
                case UInt8(ascii: "r"): bytes.append(0x0D)
                case UInt8(ascii: "t"): bytes.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try parseHex4()
                    if scalar == 0, !limits.allowsNUL { throw error("\\u0000 (NUL) is not accepted in a string", at: index - 6) }
                    if (0xD800...0xDBFF).contains(scalar) {
                        guard peek() == UInt8(ascii: "\\"), index + 1 < buffer.count, buffer[index + 1] == UInt8(ascii: "u")
                        else { throw error("unpaired UTF-16 surrogate in \\u escape") }
                        index += 2
                        let low = try parseHex4()
                        guard (0xDC00...0xDFFF).contains(low) else { throw error("invalid UTF-16 surrogate pair") }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00...0xDFFF).contains(scalar) {
                        throw error("unpaired UTF-16 surrogate in \\u escape")
                    }
                    guard let unicode = Unicode.Scalar(scalar) else { throw error("invalid \\u escape") }
                    bytes.append(contentsOf: Array(String(Character(unicode)).utf8))
                default:
                    throw error("invalid escape '\\\(printable(escape))'", at: index - 2)
                }
            default:
                if byte < 0x20 { throw error("control character in a string") }
                bytes.append(byte)
                index += 1
            }
        }
        throw error("unterminated string", at: start)
    }

    private mutating func parseHex4() throws(Error) -> UInt32 {
        guard index + 4 <= buffer.count else { throw error("incomplete \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = buffer[index]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw error("invalid hex digit in \\u escape")
            }
            value = value << 4 | digit
            index += 1
        }
        return value
    }

    private mutating func parseNumber() throws(Error) -> JSONValue {
        let start = index
        var isInteger = true
        if peek() == UInt8(ascii: "-") { index += 1 }
        guard let first = peek(), isDigit(first) else { throw error("invalid number", at: start) }
        if first == UInt8(ascii: "0") {
            index += 1
            if let next = peek(), isDigit(next) { throw error("leading zero in a number", at: start) }
        } else {
            while let byte = peek(), isDigit(byte) { index += 1 }
        }
        if peek() == UInt8(ascii: ".") {
            isInteger = false
            index += 1
            guard let byte = peek(), isDigit(byte) else { throw error("expected a digit after '.'") }
            while let byte = peek(), isDigit(byte) { index += 1 }
        }
        if let byte = peek(), byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
            isInteger = false
            index += 1
            if let sign = peek(), sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { index += 1 }
            guard let digit = peek(), isDigit(digit) else { throw error("expected a digit in the exponent") }
            while let byte = peek(), isDigit(byte) { index += 1 }
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: buffer[start..<index]), as: UTF8.self)
        if isInteger, let value = Int(text) { return .integer(value) }
        guard let value = Double(text), value.isFinite else { throw error("number out of range", at: start) }
        return .decimal(value)
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(Error) {
        let count = literal.utf8CodeUnitCount
        guard index + count <= buffer.count else { throw error("invalid literal") }
        let matches = literal.withUTF8Buffer { expected in
            (0..<count).allSatisfy { buffer[index + $0] == expected[$0] }
        }
        guard matches else { throw error("invalid literal") }
        index += count
    }

    private func peek() -> UInt8? {
        index < buffer.count ? buffer[index] : nil
    }

    private func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    private mutating func skipWhitespace() {
        while index < buffer.count {
            switch buffer[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    private func printable(_ byte: UInt8) -> String {
        (0x20..<0x7F).contains(byte) ? String(UnicodeScalar(byte)) : "\\u{\(String(byte, radix: 16))}"
    }

    private func error(_ message: String, at offset: Int? = nil) -> Error {
        let offset = min(offset ?? index, buffer.count)
        var line = 1
        var lineStart = 0
        for position in 0..<offset where buffer[position] == 0x0A {
            line += 1
            lineStart = position + 1
        }
        return Error(message: message, offset: offset, line: line, column: offset - lineStart + 1)
    }
}
