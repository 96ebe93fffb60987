import Foundation
import SCIM

/// `text.trim`: removes white space from both ends.
struct TrimTransformer: Transformer {
    static let id = "text.trim"
    static let summary = "Removes white space (including non-breaking spaces) from both ends."
    static let parameters: [TransformerParameter] = []

    init(arguments: TransformerArguments) {}

    func transform(_ value: JSONValue, context: TransformContext) -> TransformOutcome {
        .value(value.mappingStrings { text in
            // Most values have nothing to trim: say so without classifying every character.
            if let first = text.utf8.first, let last = text.utf8.last, Self.isPlainASCII(first), Self.isPlainASCII(last) {
                return text
            }
            guard let first = text.firstIndex(where: { !$0.isWhitespace }),
                let last = text.lastIndex(where: { !$0.isWhitespace })
            else { return "" }
            return String(text[first...last])
        })
    }

    /// An ASCII byte that is not white space (nor a control character, some of which Unicode counts as such).
    private static func isPlainASCII(_ byte: UInt8) -> Bool {
        byte > 0x20 && byte < 0x7F
    }
}

/// `text.case`: lower, upper or title case.
struct CaseTransformer: Transformer {
    enum Target: String { case lower, upper, title }

    static let id = "text.case"
    static let summary = "Changes letter case: lower, upper, or title (first letter of each word upper case)."
    static let parameters = [
        TransformerParameter("to", .oneOf(["lower", "upper", "title"]), required: true, summary: "the case to change to")
    ]

    let target: Target

    init(arguments: TransformerArguments) throws(TransformerError) {
        guard let text = arguments.string("to"), let target = Target(rawValue: text) else {
            throw TransformerError("text.case needs \"to\": lower, upper or title", argument: "to")
        }
        self.target = target
    }

    func transform(_ value: JSONValue, context: TransformContext) -> TransformOutcome {
        .value(value.mappingStrings { text in
            switch target {
            case .lower: return text.lowercased()
            case .upper: return text.uppercased()
            case .title:
                var result = ""
                var startOfWord = true
                for character in text {
                    result += startOfWord ? character.uppercased() : character.lowercased()
                    startOfWord = !(character.isLetter || character.isNumber || character == "'")
                }
                return result
            }
        })
    }
}

/// `text.replace`: replaces every occurrence of a text, or of a regular expression's matches.
struct ReplaceTransformer: Transformer {
    static let id = "text.replace"
    static let summary = "Replaces every occurrence of `find` (a regular expression if `regex: true`) with `replacement`."
    static let parameters = [
        TransformerParameter("find", .string, required: true, summary: "the text or pattern to find"),
        TransformerParameter("replacement", .string, summary: "what to put instead (default: nothing)"),
        TransformerParameter("regex", .boolean, summary: "treat find as a regular expression (default false)"),
    ]

    let find: String
    let replacement: String
    let pattern: SharedRegex?

    init(arguments: TransformerArguments) throws(TransformerError) {
        find = arguments.string("find") ?? ""
        replacement = arguments.string("replacement") ?? ""
        guard !find.isEmpty else { throw TransformerError("text.replace needs a non-empty \"find\"", argument: "find") }
        if arguments.bool("regex") == true {
            do {
                pattern = try SharedRegex(find)
            } catch {
                throw TransformerError("\"find\" is not a valid regular expression: \(error)", argument: "find")
            }
        } else {
            pattern = nil
        }
    }

    func transform(_ value: JSONValue, context: TransformContext) -> TransformOutcome {
        .value(value.mappingStrings { text in
            if let pattern { return text.replacing(pattern.regex, with: replacement) }
            return text.replacing(find, with: replacement)
        })
    }
}

/// `text.normalizeDiacritics`: Zoë → Zoe, Łódź → Lodz, Straße → Strasse, as Entra's NormalizeDiacritics.
struct NormalizeDiacriticsTransformer: Transformer {
    static let id = "text.normalizeDiacritics"
    static let summary = "Replaces accented letters with their plain ASCII forms (Zoë → Zoe, ß → ss, Ø → O)."
    static let parameters: [TransformerParameter] = []

    /// Letters that carry no combining mark to strip.
    private static let replacements: [Unicode.Scalar: String] = [
        "ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "ß": "ss", "æ": "ae", "Æ": "AE",
        "œ": "oe", "Œ": "OE", "þ": "th", "Þ": "Th", "ı": "i", "ħ": "h", "Ħ": "H",
    ]

    init(arguments: TransformerArguments) {}

    func transform(_ value: JSONValue, context: TransformContext) -> TransformOutcome {
        .value(value.mappingStrings(Self.normalize))
    }

    static func normalize(_ text: String) -> String {
        guard !text.utf8.allSatisfy({ $0 < 0x80 }) else { return text }
        var result = String.UnicodeScalarView()
        for scalar in text.decomposedStringWithCanonicalMapping.unicodeScalars {
            if scalar.properties.generalCategory == .nonspacingMark { continue }
            if let replacement = replacements[scalar] {
                result.append(contentsOf: replacement.unicodeScalars)
            } else {
                result.append(scalar)
            }
        }
        return String(result).precomposedStringWithCanonicalMapping
    }
}

extension JSONValue {
    /// Applies `body` to a string, or to each string of a list; other values pass through unchanged.
    func mappingStrings(_ body: (String) -> String) -> JSONValue {
        switch self {
        case .string(let text): return .string(body(text))
        case .array(let items): return .array(items.map { $0.mappingStrings(body) })
        default: return self
        }
    }

    /// The value as text, for transformers that read numbers and booleans as the text they print as.
    var scalarText: String? {
        switch self {
        case .string(let text): return text
        case .integer(let number): return String(number)
        case .decimal(let number): return String(number)
        case .bool(let flag): return flag ? "true" : "false"
        default: return nil
        }
    }
}

/// A compiled regular expression shared between threads.
///
/// `@unchecked Sendable` because `Regex<AnyRegexOutput>` is not Sendable (its match output can hold
/// non-Sendable values), while the compiled program kept here is immutable and only ever read.
struct SharedRegex: @unchecked Sendable {
    let regex: Regex<AnyRegexOutput>

    init(_ pattern: String) throws {
        regex = try Regex(pattern)
    }

    /// True if the pattern matches somewhere in the text, as .NET's `Regex.IsMatch` (which Entra uses) does.
    func matches(_ text: String) -> Bool {
        text.contains(regex)
    }
}
