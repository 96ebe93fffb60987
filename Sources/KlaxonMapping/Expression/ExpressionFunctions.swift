/// What the catalogue knows about one expression function: its argument counts, whether it gives a different
/// value each time (`isVolatile`), and a one-line summary for help and lint messages.
public struct FunctionSignature: Sendable, Hashable {
    /// The name as Entra spells it.
    public let name: String
    /// The call as Entra documents it, e.g. `Append(source, suffix)`.
    public let usage: String
    public let minArguments: Int
    /// The most arguments the function takes; nil when it takes any number.
    public let maxArguments: Int?
    /// True for Guid, Now and RandomString: a mapping applied on every sync would change the target each time.
    public let isVolatile: Bool
    public let summary: String

    let function: ExpressionFunction
    let omittable: OmittableArguments

    /// True if the argument at this 1-based position may be left empty, as in `Replace([mail], , "a", , "", , )`.
    public func allowsEmptyArgument(at position: Int) -> Bool {
        switch omittable {
        case .none: return false
        case .positions(let positions): return positions.contains(position)
        case .from(let first): return position >= first
        case .switchDefaultAndValues: return position == 2 || (position >= 4 && position.isMultiple(of: 2))
        }
    }

    /// "1 argument", "2 to 4 arguments", "at least 2 arguments".
    var expectedArguments: String {
        switch maxArguments {
        case minArguments?: return minArguments == 1 ? "1 argument" : "\(minArguments) arguments"
        case let max?: return "\(minArguments) to \(max) arguments"
        case nil: return "at least \(minArguments) argument\(minArguments == 1 ? "" : "s")"
        }
    }
}

/// Which arguments of a function may be left empty.
enum OmittableArguments: Hashable {
    case none
    case positions([Int])
    case from(Int)
    /// Switch's `defaultValue` and every `value` of its key/value pairs.
    case switchDefaultAndValues
}

/// The functions of Entra ID's attribute-mapping expressions, resolved once at parse time so evaluation
/// switches on a small integer instead of a name.
enum ExpressionFunction: Int, CaseIterable, Sendable {
    case append, appRoleAssignmentsComplex, bitAnd, cBool, cDate, coalesce, convertToBase64, convertToUTF8Hex,
        count, cStr, dateAdd, dateDiff, dateFromNum, formatDateTime, guid, ignoreFlowIfNullOrEmpty, iif, inStr,
        isNull, isNullOrEmpty, isPresent, isString, item, join, left, mid, normalizeDiacritics, not, now,
        numFromDate, pCase, randomString, redact, removeDuplicates, replace, selectUniqueValue,
        singleAppRoleAssignment, split, stripSpaces, `switch`, toLower, toUpper, word

    var signature: FunctionSignature { ExpressionFunctions.signatures[rawValue] }
}

/// The catalogue of expression functions, with Entra's names, argument counts and summaries.
///
/// ```swift
/// ExpressionFunctions.catalogue["Join"]?.usage              // "Join(separator, source1, source2, …)"
/// ExpressionFunctions.signature(named: "tolower")?.name     // "ToLower" (names are matched ignoring case)
/// ExpressionFunctions.catalogue.values.filter(\.isVolatile) // Guid, Now, RandomString
/// ```
public enum ExpressionFunctions {
    /// Every function by its Entra name.
    public static let catalogue: [String: FunctionSignature] = Dictionary(
        uniqueKeysWithValues: signatures.map { ($0.name, $0) })

    /// The function with this name, ignoring case.
    public static func signature(named name: String) -> FunctionSignature? {
        byLowercasedName[asciiLowercased(name)]
    }

    /// The function name closest to a misspelt one, if any is close enough.
    public static func suggestion(for name: String) -> String? {
        NameSuggester.suggestion(for: name, among: signatures.lazy.map(\.name))
    }

    static let byLowercasedName: [String: FunctionSignature] = Dictionary(
        uniqueKeysWithValues: signatures.map { (asciiLowercased($0.name), $0) })

    /// Indexed by ``ExpressionFunction/rawValue``.
    static let signatures: [FunctionSignature] = ExpressionFunction.allCases.map(make)

    private static func make(_ function: ExpressionFunction) -> FunctionSignature {
        func signature(
            _ usage: String, _ min: Int, _ max: Int?, _ summary: String,
            empty: OmittableArguments = .none, volatile: Bool = false
        ) -> FunctionSignature {
            let name = String(usage.prefix { $0 != "(" })
            return FunctionSignature(
                name: name, usage: usage, minArguments: min, maxArguments: max, isVolatile: volatile, summary: summary,
                function: function, omittable: empty)
        }
        switch function {
        case .append:
            return signature("Append(source, suffix)", 2, 2, "The source string with the suffix added to its end.")
        case .appRoleAssignmentsComplex:
            return signature(
                "AppRoleAssignmentsComplex([appRoleAssignments])", 1, 1,
                "Every app role of the user as SCIM roles (primary false); each assignment is a role value string or an object with value and displayName.")
        case .bitAnd:
            return signature("BitAnd(value1, value2)", 2, 2, "The bitwise AND of two integers (VB hex such as &HF7 works).")
        case .cBool:
            return signature("CBool(expression)", 1, 1, "True if the expression is true, \"True\" or a non-zero number; otherwise False.")
        case .cDate:
            return signature("CDate(expression)", 1, 1, "The date in a string as UTC, written M/d/yyyy h:mm:ss tt.")
        case .coalesce:
            return signature(
                "Coalesce(source1, source2, …, defaultValue)", 1, nil,
                "The first argument that is not null; null if all are.", empty: .from(1))
        case .convertToBase64:
            return signature("ConvertToBase64(source)", 1, 1, "The string's UTF-16 (Unicode) bytes in base64.")
        case .convertToUTF8Hex:
            return signature("ConvertToUTF8Hex(source)", 1, 1, "The string's UTF-8 bytes in upper-case hexadecimal.")
        case .count:
            return signature("Count(attribute)", 1, 1, "The number of values of a multi-valued attribute.")
        case .cStr:
            return signature("CStr(value)", 1, 1, "A number, reference or boolean as a string.")
        case .dateAdd:
            return signature(
                "DateAdd(interval, value, dateTime)", 3, 3,
                "The date plus value intervals (yyyy, m, d, ww, h, n, s), written M/d/yyyy h:mm:ss tt.")
        case .dateDiff:
            return signature(
                "DateDiff(interval, date1, date2)", 3, 3,
                "How many intervals (yyyy, m, d, ww, h, n, s) date2 is after date1; negative if before.")
        case .dateFromNum:
            return signature("DateFromNum(value)", 1, 1, "An Active Directory date number (100 ns since 1601) as a date.")
        case .formatDateTime:
            return signature(
                "FormatDateTime(source, dateTimeStyles, inputFormat, outputFormat)", 4, 4,
                "A date read with one .NET date format and written with another; dateTimeStyles may be left empty.",
                empty: .positions([2]))
        case .guid:
            return signature("Guid()", 0, 0, "A new random GUID.", volatile: true)
        case .ignoreFlowIfNullOrEmpty:
            return signature(
                "IgnoreFlowIfNullOrEmpty(expression)", 1, 1,
                "The expression's value; if it is null or empty the attribute is left out of the flow.")
        case .iif:
            return signature(
                "IIF(condition, valueIfTrue, valueIfFalse)", 3, 3,
                "valueIfTrue if the condition (= <> > >= < <=) holds, otherwise valueIfFalse.")
        case .inStr:
            return signature(
                "InStr(value1, value2, start, compareType)", 2, 4,
                "The 1-based position of value2 in value1 from start, or 0; compareType vbBinaryCompare or vbTextCompare.",
                empty: .positions([3, 4]))
        case .isNull:
            return signature("IsNull(expression)", 1, 1, "True if the expression is null (an absent attribute).")
        case .isNullOrEmpty:
            return signature("IsNullOrEmpty(expression)", 1, 1, "True if the expression is null or an empty string.")
        case .isPresent:
            return signature("IsPresent(expression)", 1, 1, "True if the expression is neither null nor an empty string.")
        case .isString:
            return signature("IsString(expression)", 1, 1, "True if the expression is a string.")
        case .item:
            return signature("Item(attribute, index)", 2, 2, "The value at a 1-based index of a multi-valued attribute.")
        case .join:
            return signature(
                "Join(separator, source1, source2, …)", 2, nil,
                "The non-empty values, multi-valued ones expanded, joined with the separator.", empty: .from(2))
        case .left:
            return signature("Left(string, numChars)", 2, 2, "The first numChars characters of the string.")
        case .mid:
            return signature("Mid(source, start, length)", 3, 3, "length characters of the source from a 1-based start.")
        case .normalizeDiacritics:
            return signature("NormalizeDiacritics(source)", 1, 1, "The string with accented letters replaced by plain ones (Zoë → Zoe).")
        case .not:
            return signature("Not(source)", 1, 1, "False if the source is true or \"True\"; otherwise True.")
        case .now:
            return signature("Now()", 0, 0, "The current UTC time, written M/d/yyyy h:mm:ss tt.", volatile: true)
        case .numFromDate:
            return signature("NumFromDate(value)", 1, 1, "An ISO 8601 date as an Active Directory date number (e.g. accountExpires).")
        case .pCase:
            return signature(
                "PCase(source, wordSeparators)", 1, 2,
                "Each word with a capital first letter and the rest lower case.", empty: .positions([2]))
        case .randomString:
            return signature(
                "RandomString(length, minimumNumbers, minimumSpecialCharacters, minimumCapital, minimumLowerCase, charactersToAvoid)",
                5, 6, "A random string of up to 256 characters with at least the given numbers of each kind.",
                empty: .positions([6]), volatile: true)
        case .redact:
            return signature("Redact(value)", 1, 1, "The value unchanged; it is shown as [Redact] in logs.")
        case .removeDuplicates:
            return signature("RemoveDuplicates(attribute)", 1, 1, "The multi-valued attribute with repeated values removed.")
        case .replace:
            return signature(
                "Replace(source, oldValue, regexPattern, regexGroupName, replacementValue, replacementAttributeName, template)",
                7, 7, "Text or regular-expression replacement; which of the seven slots are filled chooses the behaviour.",
                empty: .from(2))
        case .selectUniqueValue:
            return signature(
                "SelectUniqueValue(uniqueValueRule1, uniqueValueRule2, …)", 2, nil,
                "The first rule's value that is unique in the target; must be the whole expression.")
        case .singleAppRoleAssignment:
            return signature(
                "SingleAppRoleAssignment([appRoleAssignments])", 1, 1, "The value of the user's (first) app role as a string.")
        case .split:
            return signature("Split(source, delimiter)", 2, 2, "The string split at each delimiter into a multi-valued attribute.")
        case .stripSpaces:
            return signature("StripSpaces(source)", 1, 1, "The string without space characters.")
        case .switch:
            return signature(
                "Switch(source, defaultValue, key1, value1, key2, value2, …)", 4, nil,
                "The value paired with the key equal to the source (case-sensitive), else defaultValue.",
                empty: .switchDefaultAndValues)
        case .toLower:
            return signature("ToLower(source, culture)", 1, 2, "The string in lower case (invariant culture unless one is given).", empty: .positions([2]))
        case .toUpper:
            return signature("ToUpper(source, culture)", 1, 2, "The string in upper case (invariant culture unless one is given).", empty: .positions([2]))
        case .word:
            return signature(
                "Word(string, wordNumber, delimiters)", 3, 3,
                "The 1-based wordNumber-th word, words being separated by any of the delimiter characters.")
        }
    }
}
