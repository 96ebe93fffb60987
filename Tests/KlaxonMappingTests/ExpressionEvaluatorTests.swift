import SCIM
import Synchronization
import Testing
@testable import KlaxonMapping

@Suite struct ExpressionEvaluatorTests {
    @Test func attributesAreLookedUpIgnoringCase() throws {
        let record: SourceRecord = ["givenname": "John", "manager": ["displayName": "Ann", "id": 7]]
        #expect(try evaluate("[GivenName]", record) == .value("John"))
        #expect(try evaluate("[manager.DisplayName]", record) == .value("Ann"))
        #expect(try evaluate("[manager.missing]", record) == .value(.null))
        #expect(try evaluate("[surname]", record) == .value(.null))
        #expect(record["GIVENNAME"] == "John")
        let dotted: SourceRecord = ["a.b": "whole", "a": ["b": "nested"]]
        #expect(try evaluate("[a.b]", dotted) == .value("whole"))
    }

    @Test func valuesPassThroughWithTheirTypes() throws {
        let record: SourceRecord = ["active": true, "n": 3, "list": ["a", "b"], "nothing": nil]
        #expect(try evaluate("[active]", record) == .value(true))
        #expect(try evaluate("[n]", record) == .value(3))
        #expect(try evaluate("[list]", record) == .value(["a", "b"]))
        #expect(try evaluate("[nothing]", record) == .value(.null))
        #expect(try evaluate(#""constant""#) == .value("constant"))
        #expect(try evaluate("CStr([active])", record) == .value("True"))
        #expect(try evaluate("CStr(1.5)") == .value("1.5"))
        #expect(try evaluate("CStr(2.0)") == .value("2"))
        #expect(try evaluate(#"Append([n], "")"#, record) == .value("3"))
    }

    /// A transform of a null source is null, except where Entra documents otherwise.
    @Test(arguments: [
        ("Append([x], \"!\")", JSONValue.null),
        ("Mid([x], 1, 2)", .null),
        ("ToLower([x])", .null),
        ("StripSpaces([x])", .null),
        ("CStr([x])", .null),
        ("CDate([x])", .null),
        ("Split([x], \",\")", .null),
        ("RemoveDuplicates([x])", .null),
        ("ConvertToBase64([x])", .null),
        ("NormalizeDiacritics([x])", .null),
        ("DateAdd(\"d\", 1, [x])", .null),
        ("DateDiff(\"d\", [x], Now())", .null),
        ("DateFromNum([x])", .null),
        ("NumFromDate([x])", .null),
        ("FormatDateTime([x], , \"yyyy\", \"yyyy\")", .null),
        ("Left([x], 2)", ""),
        ("Word([x], 1, \" \")", ""),
        ("Join(\" \", [x], [y])", ""),
        ("Join(\" \", [x], \"a\", [y], \"\", \"b\")", "a b"),
        ("Append(\"a\", [x])", "a"),
        ("Coalesce([x], [y])", .null),
        ("Coalesce([x], [y], \"\")", ""),
        ("Coalesce([x], , \"default\")", "default"),
        ("Count([x])", 0),
        ("IsNull([x])", true),
        ("IsNullOrEmpty([x])", true),
        ("IsPresent([x])", false),
        ("IsString([x])", false),
        ("Not([x])", true),
        ("CBool([x])", false),
        ("IIF([x], \"yes\", \"no\")", "no"),
        ("IIF([x] = \"\", \"empty\", [x])", "empty"),
        ("IIF(IsNullOrEmpty([x]), \"Other\", [x])", "Other"),
        ("Switch([x], \"default\", \"a\", \"1\")", "default"),
        ("Switch([x], , \"a\", \"1\")", .null),
        ("Item([x], 1)", .null),
        ("BitAnd([x], 1)", .null),
        ("InStr([x], \"a\")", .null),
    ])
    func nullSource(expression: String, expected: JSONValue) throws {
        #expect(try evaluate(expression) == .value(expected))
    }

    @Test func singleElementListsActAsTheirValue() throws {
        let record: SourceRecord = ["one": ["a"], "none": [], "two": ["a", "b"]]
        #expect(try evaluate(#"Append([one], "!")"#, record) == .value("a!"))
        #expect(try evaluate(#"Append([none], "!")"#, record) == .value(.null))
        #expect(try evaluate("IsString([one])", record) == .value(true))
        #expect(try evaluate("IsString([two])", record) == .value(false))
        #expect(try evaluate("IsNullOrEmpty([none])", record) == .value(true))
        #expect(try evaluate(#"IIF([one] = "a", 1, 2)"#, record) == .value(1))
    }

    @Test(arguments: [
        (#"IIF([n] > 5, "big", "small")"#, "big"),
        (#"IIF([n] > "5", "big", "small")"#, "big"),
        (#"IIF([text] >= "10", "big", "small")"#, "small"),
        (#"IIF([text] < "9", "yes", "no")"#, "no"),
        (#"IIF([name] < "b", "yes", "no")"#, "yes"),
        (#"IIF([name] = "Anna", "yes", "no")"#, "no"),
        (#"IIF([name] <> "Anna", "yes", "no")"#, "yes"),
        (#"IIF([enabled] = "True", "on", "off")"#, "on"),
        (#"IIF([enabled], "on", "off")"#, "on"),
        (#"IIF([zero], "on", "off")"#, "off"),
        (#"IIF([n] = 7, "seven", "other")"#, "seven"),
        (#"IIF([n] = 7.0, "seven", "other")"#, "seven"),
        (#"IIF([padded] = "007", "exact", "numeric")"#, "exact"),
        (#"IIF([padded] = 7, "numeric", "text")"#, "numeric"),
        (#"IIF([missing] <= "", "yes", "no")"#, "yes"),
    ])
    func comparisons(expression: String, expected: String) throws {
        let record: SourceRecord = ["n": 7, "text": "9", "name": "anna", "enabled": true, "zero": 0, "padded": "007"]
        #expect(try evaluate(expression, record) == .value(.string(expected)))
    }

    @Test func iifAndSwitchEvaluateOnlyWhatTheyNeed() throws {
        // The branches not taken would fail if evaluated.
        #expect(try evaluate(#"IIF(True, "a", DateFromNum("not a number"))"#) == .value("a"))
        #expect(try evaluate(#"Switch("k", "d", "k", "v", "x", CDate("never"))"#) == .value("v"))
        #expect(try evaluate(#"Coalesce("first", CDate("never"))"#) == .value("first"))
    }

    @Test func nowIsReadOncePerEvaluation() throws {
        let clock = TickingClock()
        let ticking = ExpressionContext(now: { clock.read() })
        #expect(try evaluate(#"DateDiff("s", Now(), Now())"#, context: ticking) == .value(0))
        #expect(clock.read() == 2 * 86_400, "one read by the evaluation, one here")
    }

    /// A clock that moves a day forward on every read.
    final class TickingClock: Sendable {
        private let reads = Atomic<Int>(0)

        func read() -> Double { Double(reads.wrappingAdd(1, ordering: .relaxed).newValue * 86_400) }
    }

    struct RuntimeFailure: Sendable, CustomTestStringConvertible {
        var expression: String
        var record: SourceRecord
        var kind: ExpressionError.Kind
        var column: Int
        var message: String

        var testDescription: String { expression }
    }

    static let runtimeFailures: [RuntimeFailure] = [
        .init(expression: "ToLower([proxyAddresses])", record: ["proxyAddresses": ["a", "b"]], kind: .typeMismatch, column: 9,
              message: "ToLower expects one value but [proxyAddresses] has 2"),
        .init(expression: #"Append([manager], "x")"#, record: ["manager": ["id": "1"]], kind: .typeMismatch, column: 8,
              message: "[manager] is an object"),
        .init(expression: "Left([x], [n])", record: ["x": "abc", "n": "many"], kind: .typeMismatch, column: 11,
              message: "expects a whole number but [n] is string"),
        .init(expression: "Left([x], [n])", record: ["x": "abc"], kind: .typeMismatch, column: 11, message: "[n] is null"),
        .init(expression: "Left([x], 1.5)", record: ["x": "abc"], kind: .typeMismatch, column: 11, message: "whole number"),
        .init(expression: "CBool([x])", record: ["x": "maybe"], kind: .typeMismatch, column: 7, message: "expects true or false"),
        .init(expression: "BitAnd([x], 1)", record: ["x": true], kind: .typeMismatch, column: 8, message: "whole number"),
        .init(expression: "Item([list], [i])", record: ["list": ["a"], "i": 0], kind: .invalidValue, column: 14,
              message: "start at 1"),
        .init(expression: "Mid([x], [i], 1)", record: ["x": "abc", "i": -1], kind: .invalidValue, column: 10,
              message: "start at 1"),
        .init(expression: "CDate([hired])", record: ["hired": "next Tuesday"], kind: .invalidValue, column: 7,
              message: "cannot read \"next Tuesday\" as a date"),
        .init(expression: #"DateAdd([unit], 1, Now())"#, record: ["unit": "q"], kind: .invalidValue, column: 9,
              message: "unknown interval"),
        .init(expression: #"DateAdd("yyyy", 9000, Now())"#, record: [:], kind: .invalidValue, column: 17,
              message: "outside years 1 to 9999"),
        .init(expression: #"DateAdd("s", [n], Now())"#, record: ["n": "lots"], kind: .typeMismatch, column: 14,
              message: "number of intervals"),
        .init(expression: "DateFromNum(-1)", record: [:], kind: .invalidValue, column: 13, message: "1601"),
        .init(expression: #"NumFromDate("1500-01-01")"#, record: [:], kind: .invalidValue, column: 13, message: "1601"),
        .init(expression: #"FormatDateTime([d], , "yyyy-MM-dd", "d")"#, record: ["d": "2021/06/30"], kind: .invalidValue,
              column: 16, message: "cannot read \"2021/06/30\" with the format \"yyyy-MM-dd\""),
        .init(expression: #"FormatDateTime([d], [styles], "yyyy", "yyyy")"#, record: ["d": "2021", "styles": "Lenient"],
              kind: .invalidValue, column: 21, message: "unknown dateTimeStyles"),
        .init(expression: "RandomString([n], 0, 0, 0, 0)", record: ["n": 0], kind: .invalidValue, column: 14,
              message: "1 to 256"),
        .init(expression: #"RandomString(4, 1, 0, 0, 0, "0123456789")"#, record: [:], kind: .invalidValue, column: 1,
              message: "no characters for a required kind"),
        .init(expression: "SelectUniqueValue([a], [b])", record: [:], kind: .noUniqueValue, column: 1,
              message: "all gave null or empty"),
        .init(expression: #"InStr("a", "a", 1, [mode])"#, record: ["mode": "fuzzy"], kind: .invalidValue, column: 20,
              message: "vbBinaryCompare or vbTextCompare"),
        .init(expression: #"IIF([list] = "a", 1, 2)"#, record: ["list": ["a", "b"]], kind: .typeMismatch, column: 5,
              message: "one value on each side"),
    ]

    @Test(arguments: runtimeFailures)
    func failsWithAClearError(_ failure: RuntimeFailure) throws {
        guard let error = try evaluationError(failure.expression, failure.record) else {
            Issue.record("\(failure.expression) evaluated")
            return
        }
        #expect(error.kind == failure.kind)
        #expect(error.column == failure.column)
        #expect(error.message.contains(failure.message), "\(error.message)")
        #expect(error.isEvaluationError)
    }

    @Test func growingValuesAreBounded() throws {
        let hexed = String(repeating: "ConvertToUTF8Hex(", count: 25) + "\"x\"" + String(repeating: ")", count: 25)
        let error = try evaluationError(hexed)
        #expect(error?.kind == .invalidValue)
        #expect(error?.message.contains("longer than 1048576 bytes") == true)

        let template = #"Replace([x], "a", , , , , [t])"#
        let templateError = try evaluationError(
            template, ["x": .string(String(repeating: "y", count: 2000)), "t": .string(String(repeating: "a", count: 1000))])
        #expect(templateError?.kind == .invalidValue)
        #expect(templateError?.column == 1)

        let substitutions = try evaluationError(
            "Replace([x], , \".+\", , [r], , )",
            ["x": .string(String(repeating: "y", count: 100_000)), "r": .string(String(repeating: "$0", count: 20))])
        #expect(substitutions?.kind == .invalidValue)

        let big: SourceRecord = ["x": .string(String(repeating: "y", count: 400_000))]
        #expect(try evaluationError(#"Join("", [x], [x], [x])"#, big)?.kind == .invalidValue)
        #expect(try evaluate(#"Join("", [x], [x])"#, big) == .value(.string(String(repeating: "y", count: 800_000))))

        let tight = try MappingExpression(parsing: #"Append("12345", "678901")"#, limits: .init(maxValueLength: 10))
        #expect(throws: ExpressionError.self) { try tight.evaluate([:]) }
    }

    @Test func hugeNumbersFailWithoutOverflowing() throws {
        #expect(parseError("RandomString(10, 9223372036854775807, 9223372036854775807, 0, 0)")?.kind == .invalidArgument)
        let error = try evaluationError("RandomString(10, [n], [n], 0, 0)", ["n": .integer(Int.max)])
        #expect(error?.kind == .invalidValue)
        #expect(try evaluate("Left(\"abc\", [n])", ["n": .integer(Int.max)]) == .value("abc"))
        #expect(try evaluate("Mid(\"abc\", [n], [n])", ["n": .integer(Int.max)]) == .value(""))
        #expect(try evaluate("InStr(\"abc\", \"c\", [n])", ["n": .integer(Int.max)]) == .value(0))
        #expect(try evaluate("Item([list], [n])", ["list": ["a"], "n": .integer(Int.max)]) == .value(.null))
        #expect(try evaluationError("DateAdd(\"s\", 999999999999999, Now())")?.kind == .invalidValue)
        #expect(try evaluationError("DateAdd(\"yyyy\", -999999999999999, Now())")?.kind == .invalidValue)
        #expect(try evaluationError("DateAdd(\"d\", [n], Now())", ["n": .decimal(1e300)])?.kind == .typeMismatch)
        #expect(try evaluationError(#"FormatDateTime("99999999999999999999", , "yyyyyyyyyyyyyyyyyyyy", "yyyy")"#)?.kind == .invalidValue)
    }

    @Test func evaluatesManyTimesFromOneParse() throws {
        let expression = try MappingExpression(parsing: #"Join(" ", [givenName], [surname])"#)
        let people: [(SourceRecord, JSONValue)] = [
            (["givenName": "John", "surname": "Doe"], "John Doe"),
            (["givenName": "Zoë"], "Zoë"),
            ([:], ""),
        ]
        for (record, expected) in people {
            #expect(try expression.evaluate(record, context: .fixed) == .value(expected))
        }
    }
}

@Suite struct ExpressionFunctionCatalogueTests {
    @Test func catalogueHasEveryDocumentedFunction() {
        let documented = [
            "Append", "AppRoleAssignmentsComplex", "BitAnd", "CBool", "CDate", "Coalesce", "ConvertToBase64",
            "ConvertToUTF8Hex", "Count", "CStr", "DateAdd", "DateDiff", "DateFromNum", "FormatDateTime", "Guid",
            "IgnoreFlowIfNullOrEmpty", "IIF", "InStr", "IsNull", "IsNullOrEmpty", "IsPresent", "IsString", "Item",
            "Join", "Left", "Mid", "NormalizeDiacritics", "Not", "Now", "NumFromDate", "PCase", "RandomString",
            "Redact", "RemoveDuplicates", "Replace", "SelectUniqueValue", "SingleAppRoleAssignment", "Split",
            "StripSpaces", "Switch", "ToLower", "ToUpper", "Word",
        ]
        #expect(Set(ExpressionFunctions.catalogue.keys) == Set(documented))
        #expect(Set(ExpressionFunctions.catalogue.values.filter(\.isVolatile).map(\.name)) == ["Guid", "Now", "RandomString"])
        for name in documented {
            let signature = ExpressionFunctions.catalogue[name]
            #expect(signature?.usage.hasPrefix(name + "(") == true)
            #expect(signature?.summary.isEmpty == false)
            if let signature, let maximum = signature.maxArguments { #expect(maximum >= signature.minArguments) }
        }
    }

    @Test func lookupAndSuggestions() {
        #expect(ExpressionFunctions.signature(named: "iif")?.name == "IIF")
        #expect(ExpressionFunctions.signature(named: "Lenght") == nil)
        #expect(ExpressionFunctions.suggestion(for: "Lenght") == nil)
        #expect(ExpressionFunctions.suggestion(for: "Repalce") == "Replace")
        #expect(ExpressionFunctions.suggestion(for: "IgnoreFlowIfNullOrEmty") == "IgnoreFlowIfNullOrEmpty")
        #expect(ExpressionFunctions.catalogue["Switch"]?.maxArguments == nil)
        #expect(ExpressionFunctions.catalogue["Replace"]?.allowsEmptyArgument(at: 1) == false)
        #expect(ExpressionFunctions.catalogue["Replace"]?.allowsEmptyArgument(at: 7) == true)
        #expect(ExpressionFunctions.catalogue["Switch"]?.allowsEmptyArgument(at: 2) == true)
        #expect(ExpressionFunctions.catalogue["Switch"]?.allowsEmptyArgument(at: 3) == false)
        #expect(ExpressionFunctions.catalogue["Switch"]?.allowsEmptyArgument(at: 4) == true)
    }

    @Test func nameSuggester() {
        #expect(NameSuggester.suggestion(for: "moble", among: ["mobile", "mail"]) == "mobile")
        #expect(NameSuggester.suggestion(for: "MAIL", among: ["mobile", "mail"]) == "mail")
        #expect(NameSuggester.suggestion(for: "xy", among: ["ab"]) == nil)
        #expect(NameSuggester.suggestion(for: "cty", among: ["city"]) == "city")
        #expect(NameSuggester.suggestion(for: "ct", among: ["city"]) == nil)
    }
}
