import SCIM

/// Replace's five documented behaviours, chosen at parse time by which slots are filled (``ReplaceMode``).
/// Arguments: 0 source, 1 oldValue, 2 regexPattern, 3 regexGroupName, 4 replacementValue,
/// 5 replacementAttributeName, 6 template.
extension ExpressionEvaluator {
    mutating func replace(_ call: FunctionCall, _ node: ExpressionNode) throws(EvaluationStop) -> JSONValue {
        guard case .replace(let mode, let compiled) = call.plan else { return .null }
        let source = try string(call, 0)
        switch mode {
        case .text:
            guard let source else { return .null }
            guard let old = try string(call, 1), !old.isEmpty else { return .string(source) }
            guard let replaced = source.replacingOccurrences(of: old, with: try string(call, 4) ?? "", limit: maxValueLength) else {
                throw tooLong(call, node)
            }
            return .string(replaced)
        case .template:
            guard let source, let template = try string(call, 6) else { return .null }
            guard let old = try string(call, 1), !old.isEmpty else { return .string(template) }
            guard let replaced = template.replacingOccurrences(of: old, with: source, limit: maxValueLength) else {
                throw tooLong(call, node)
            }
            return .string(replaced)
        case .regex:
            guard let source else { return .null }
            let regex = try pattern(call, compiled)
            let replacement = try string(call, 4) ?? ""
            var output = ""
            var copied = source.startIndex
            for match in source.matches(of: regex) {
                output += source[copied..<match.range.lowerBound]
                guard let expanded = Self.expand(replacement, match, limit: maxValueLength - output.utf8.count) else {
                    throw tooLong(call, node)
                }
                output += expanded
                copied = match.range.upperBound
                if output.utf8.count > maxValueLength { throw tooLong(call, node) }
            }
            output += source[copied...]
            return .string(output)
        case .regexGroup:
            guard let source else { return .null }
            let regex = try pattern(call, compiled)
            let group = try groupName(call)
            let replacement = try string(call, 4) ?? ""
            var output = ""
            var copied = source.startIndex
            for match in source.matches(of: regex) {
                guard let element = match.output[group] else {
                    throw failure(.invalidValue, "the pattern has no group named '\(group)'", call.arguments[3])
                }
                guard let range = element.range, range.lowerBound >= copied else { continue }
                output += source[copied..<range.lowerBound]
                output += replacement
                copied = range.upperBound
                if output.utf8.count > maxValueLength { throw tooLong(call, node) }
            }
            output += source[copied...]
            return .string(output)
        case .regexGroupFromAttribute:
            if let source, !source.isEmpty { return .string(source) }
            let regex = try pattern(call, compiled)
            let group = try groupName(call)
            guard let other = try string(call, 5), let match = other.firstMatch(of: regex) else { return .null }
            guard let element = match.output[group] else {
                throw failure(.invalidValue, "the pattern has no group named '\(group)'", call.arguments[3])
            }
            return element.substring.map { .string(String($0)) } ?? .null
        }
    }

    /// The compiled literal pattern, or the argument's pattern compiled now.
    private mutating func pattern(
        _ call: FunctionCall, _ compiled: CompiledPattern?
    ) throws(EvaluationStop) -> Regex<AnyRegexOutput> {
        if let compiled { return compiled.regex }
        guard let text = try string(call, 2) else {
            throw failure(.typeMismatch, "Replace's regexPattern is null", call.arguments[2])
        }
        do {
            return try Regex(text)
        } catch {
            throw failure(.invalidValue, "invalid regular expression \"\(text)\": \(error)", call.arguments[2])
        }
    }

    private mutating func groupName(_ call: FunctionCall) throws(EvaluationStop) -> String {
        guard let name = try string(call, 3), !name.isEmpty else {
            throw failure(.typeMismatch, "Replace's regexGroupName is null or empty", call.arguments[3])
        }
        return name
    }

    /// .NET substitutions in a replacement: `$$`, `$0`, `$&`, `$1`…`$99` and `${name}`. Anything else is copied.
    /// Nil once the expansion is longer than `limit` bytes.
    static func expand(_ replacement: String, _ match: Regex<AnyRegexOutput>.Match, limit: Int) -> String? {
        guard replacement.contains("$") else { return replacement }
        let characters = Array(replacement)
        var output = ""
        var index = 0
        while index < characters.count {
            if output.utf8.count > limit { return nil }
            let character = characters[index]
            guard character == "$", index + 1 < characters.count else {
                output.append(character)
                index += 1
                continue
            }
            let next = characters[index + 1]
            if next == "$" {
                output.append("$")
                index += 2
            } else if next == "&" {
                output += match.output[0].substring ?? ""
                index += 2
            } else if next == "{", let close = characters[(index + 2)...].firstIndex(of: "}") {
                let name = String(characters[(index + 2)..<close])
                if let number = Int(name), number >= 0, number < match.output.count {
                    output += match.output[number].substring ?? ""
                } else if let element = match.output[name] {
                    output += element.substring ?? ""
                } else {
                    output += String(characters[index...close])
                }
                index = close + 1
            } else if let digit = next.wholeNumberValue, next.isASCII {
                var number = digit
                var length = 2
                if index + 2 < characters.count, let second = characters[index + 2].wholeNumberValue,
                    characters[index + 2].isASCII, number * 10 + second < match.output.count
                {
                    number = number * 10 + second
                    length = 3
                }
                if number < match.output.count {
                    output += match.output[number].substring ?? ""
                } else {
                    output += String(characters[index..<index + length])
                }
                index += length
            } else {
                output.append(character)
                index += 1
            }
        }
        return output.utf8.count > limit ? nil : output
    }
}

extension String {
    /// Every occurrence of `old` replaced, comparing UTF-8 bytes: an ordinal, case-sensitive replacement like
    /// .NET's `String.Replace`. A valid UTF-8 needle can only match whole scalars, so the result stays valid.
    /// Nil if the result would be longer than `limit` bytes.
    func replacingOccurrences(of old: String, with new: String, limit: Int) -> String? {
        let source = Array(utf8), needle = Array(old.utf8)
        guard !needle.isEmpty, source.count >= needle.count else { return self }
        var output: [UInt8] = []
        output.reserveCapacity(source.count)
        var index = 0
        var replaced = false
        while index <= source.count - needle.count {
            if source[index] == needle[0], source[index..<index + needle.count].elementsEqual(needle) {
                output.append(contentsOf: new.utf8)
                index += needle.count
                replaced = true
                if output.count > limit { return nil }
            } else {
                output.append(source[index])
                index += 1
            }
        }
        guard replaced else { return self }
        output.append(contentsOf: source[index...])
        return String(decoding: output, as: UTF8.self)
    }

    /// The string without U+0020 spaces (other white space is kept, as StripSpaces documents).
    func removingSpaces() -> String {
        guard utf8.contains(UInt8(ascii: " ")) else { return self }
        return String(decoding: utf8.filter { $0 != UInt8(ascii: " ") }, as: UTF8.self)
    }
}

/// Group names in a pattern's text, for checking a literal regexGroupName at parse time.
enum RegexGroups {
    static func pattern(_ pattern: String, hasGroup name: String) -> Bool {
        pattern.contains("(?<\(name)>") || pattern.contains("(?'\(name)'") || pattern.contains("(?P<\(name)>")
    }
}
