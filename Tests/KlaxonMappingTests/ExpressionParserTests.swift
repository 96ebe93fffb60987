import SCIM
import Testing
@testable import KlaxonMapping

@Suite struct ExpressionParserTests {
    @Test func parsesCallsWithPositions() throws {
        let expression = try MappingExpression(parsing: #"Join(" ", [givenName], [surname])"#)
        guard case .call(let join) = expression.root.kind else {
            Issue.record("expected a call")
            return
        }
        #expect(join.signature.name == "Join")
        #expect(join.nameSpan.byteRange == 0..<4)
        #expect(join.arguments.map(\.span.start.column) == [6, 11, 24])
        #expect(join.arguments.map(\.span.end.column) == [9, 22, 33])
        #expect(expression.root.span.byteRange == 0..<33)
        guard case .string(" ") = join.arguments[0].kind, case .attribute(let given) = join.arguments[1].kind else {
            Issue.record("unexpected arguments")
            return
        }
        #expect(given.name == "givenName")
    }

    @Test func columnsCountCharactersAndOffsetsCountBytes() throws {
        let expression = try MappingExpression(parsing: "Append(\"Zoë\", [x])")
        let attribute = expression.root.children[1]
        #expect(attribute.span.start.column == 15)
        #expect(attribute.span.start.offset == 15)
        let multiline = try MappingExpression(parsing: "Join(\",\",\n     [a],\n     [b])")
        let b = multiline.root.children[2].span.start
        #expect([b.line, b.column, b.offset] == [3, 6, 25])
    }

    @Test func emptyArgumentsAndWhitespace() throws {
        let expression = try MappingExpression(parsing: "  Replace( [mail] ,, \"@x\" ,\t, \"\" , , )  ")
        let kinds = expression.root.children.map { node -> String in
            switch node.kind {
            case .omitted: return "-"
            case .attribute: return "a"
            case .string: return "s"
            default: return "?"
            }
        }
        #expect(kinds == ["a", "-", "s", "-", "s", "-", "-"])
        #expect(expression.root.children[1].span.start.column == 20)
        #expect(try MappingExpression(parsing: "Now( )").root.children.isEmpty)
    }

    @Test func literals() throws {
        func literal(_ text: String) throws -> JSONValue? {
            try MappingExpression(parsing: "CStr(\(text))").root.children[0].literalValue
        }
        #expect(try literal("7") == .integer(7))
        #expect(try literal("-10") == .integer(-10))
        #expect(try literal("1.5") == .decimal(1.5))
        #expect(try literal("&HF7") == .integer(247))
        #expect(try literal("&hff") == .integer(255))
        #expect(try literal("vbTextCompare") == .integer(1))
        #expect(try literal("VBBINARYCOMPARE") == .integer(0))
        #expect(try literal("True") == .bool(true))
        #expect(try literal(#""Company name: \"Contoso\"""#) == .string(#"Company name: "Contoso""#))
        #expect(try literal(#""C:\\temp\\""#) == .string(#"C:\temp\"#))
        #expect(try literal(#""\d+""#) == .string(#"\d+"#))
        #expect(try literal("\"line\nbreak\"") == .string("line\nbreak"))
    }

    @Test func functionNamesIgnoreCaseButKeepTheirSpelling() throws {
        let expression = try MappingExpression(parsing: "tolower([Mail])")
        guard case .call(let call) = expression.root.kind else {
            Issue.record("expected a call")
            return
        }
        #expect(call.name == "tolower")
        #expect(call.signature.name == "ToLower")
        #expect(try expression.evaluate(["mail": "A@B.COM"]) == .value("a@b.com"))
    }

    @Test func comparisons() throws {
        for op in ConditionOperator.allCases {
            let expression = try MappingExpression(parsing: "IIF([a] \(op.rawValue) \"x\", 1, 2)")
            guard case .comparison(let parsed, _, _) = expression.root.children[0].kind else {
                Issue.record("expected a comparison for \(op.rawValue)")
                continue
            }
            #expect(parsed == op)
        }
        let condition = try MappingExpression(parsing: #"IIF([country]="USA",[country],[department])"#).root.children[0]
        #expect(condition.span.byteRange == 4..<19)
    }

    @Test func referencedAttributesVolatilityAndRedaction() throws {
        let coalesce = try MappingExpression(parsing: "Coalesce([mail], [MAIL], [userPrincipalName], Join(\".\", [mail]))")
        #expect(coalesce.referencedAttributes == ["mail", "userPrincipalName"])
        #expect(!coalesce.isVolatile)
        #expect(!coalesce.isRedacted)
        #expect(try MappingExpression(parsing: "Join(\"-\", [a], Guid())").isVolatile)
        #expect(try MappingExpression(parsing: #"DateAdd("d", 1, Now())"#).isVolatile)
        #expect(try MappingExpression(parsing: "Redact(RandomString(6,3,0,0,3))").isVolatile)
        #expect(try MappingExpression(parsing: "Redact(RandomString(6,3,0,0,3))").isRedacted)
        var visited = 0
        coalesce.root.visit { _ in visited += 1 }
        #expect(visited == 7)
    }

    struct BadExpression: Sendable, CustomTestStringConvertible {
        var text: String
        var kind: ExpressionError.Kind
        var column: Int
        var message: String

        var testDescription: String { text }
    }

    static let badExpressions: [BadExpression] = [
        .init(text: "", kind: .syntax, column: 1, message: "empty"),
        .init(text: "   ", kind: .syntax, column: 4, message: "empty"),
        .init(text: "Join(", kind: .syntax, column: 6, message: "missing ')' to close 'Join(' opened at column 5"),
        .init(text: #"Append([mail], ".test""#, kind: .syntax, column: 23, message: "missing ')'"),
        .init(text: #"Append([mail] ".test")"#, kind: .syntax, column: 15, message: "expected ',' or ')' in the arguments of Append"),
        .init(text: "Append([mail, \"x\")", kind: .syntax, column: 8, message: "missing ']'"),
        .init(text: "Append([ma[il], \"x\")", kind: .syntax, column: 11, message: "not allowed in an attribute name"),
        .init(text: "[]", kind: .syntax, column: 1, message: "empty"),
        .init(text: "[ mail ]", kind: .syntax, column: 1, message: "write [mail]"),
        .init(text: #"Append([mail], "x)"#, kind: .syntax, column: 16, message: "unterminated string"),
        .init(text: #"Append([mail], "x\")"#, kind: .syntax, column: 16, message: "unterminated string"),
        .init(text: "Append([mail], 'x')", kind: .syntax, column: 16, message: "double quotes"),
        .init(text: "Append([mail], “x”)", kind: .syntax, column: 16, message: "curly quote"),
        .init(text: "Append([mail],\u{A0}\"x\")", kind: .syntax, column: 15, message: "non-breaking space"),
        .init(text: "mail", kind: .syntax, column: 1, message: "write attributes in square brackets: [mail]"),
        .init(text: "Now", kind: .syntax, column: 1, message: "call it with parentheses: Now()"),
        .init(text: "Append([a], \"x\") [b]", kind: .syntax, column: 18, message: "after a complete expression"),
        .init(text: "(Append([a], \"x\"))", kind: .syntax, column: 1, message: "'(' must follow a function name"),
        .init(text: "CStr(&H)", kind: .syntax, column: 6, message: "hex digits"),
        .init(text: "CStr(&H12345678901234567)", kind: .syntax, column: 6, message: "more than 16 digits"),
        .init(text: "CStr(12abc)", kind: .syntax, column: 8, message: "after a number"),
        .init(text: "CStr(99999999999999999999)", kind: .syntax, column: 6, message: "out of range"),
        .init(text: #"IIF([a]="x" And [b]="y", 1, 2)"#, kind: .syntax, column: 13, message: "'And' is not supported"),
        .init(text: #"IIF([a]="x" or [b]="y", 1, 2)"#, kind: .syntax, column: 13, message: "'or' is not supported"),
        .init(text: #"IIF([a]=="x", 1, 2)"#, kind: .syntax, column: 8, message: "single '='"),
        .init(text: #"IIF([a]!="x", 1, 2)"#, kind: .syntax, column: 8, message: "use '<>'"),
        .init(text: #"IIF([a]="x"="y", 1, 2)"#, kind: .syntax, column: 12, message: "cannot be chained"),
        .init(text: #"Append([a] & "x", "y")"#, kind: .syntax, column: 12, message: "Append or Join"),
        .init(text: "Append([a], \"x\",\n  @)", kind: .syntax, column: 3, message: "found '@'"),
        .init(text: "Tolowr([mail])", kind: .unknownFunction, column: 1, message: "did you mean 'ToLower'?"),
        .init(text: "Join(\" \", Lenght([a]))", kind: .unknownFunction, column: 11, message: "unknown function 'Lenght'"),
        .init(text: "Append([mail])", kind: .arity, column: 1, message: "Append takes 2 arguments, got 1: Append(source, suffix)"),
        .init(text: "Guid(1)", kind: .arity, column: 1, message: "Guid takes 0 arguments, got 1"),
        .init(text: "Join(\",\")", kind: .arity, column: 1, message: "at least 2 arguments"),
        .init(text: "InStr(\"a\", \"b\", 1, 0, 1)", kind: .arity, column: 1, message: "2 to 4 arguments"),
        .init(text: #"FormatDateTime([x], "yyyy", "yyyy")"#, kind: .arity, column: 1, message: "4 arguments"),
        .init(text: #"Append(, "x")"#, kind: .arity, column: 8, message: "argument 1 (source) of Append cannot be empty"),
        .init(text: #"Switch([a], "d", "k")"#, kind: .arity, column: 1, message: "at least 4 arguments"),
        .init(text: #"Switch([a], "d", "k", "v", "k2")"#, kind: .arity, column: 1, message: "key without a value"),
        .init(text: #"Switch([a], "d", , "v")"#, kind: .arity, column: 18, message: "argument 3 (key1) of Switch cannot be empty"),
        .init(text: #"Replace([x], "a", , , , , )"#, kind: .arity, column: 1, message: "Replace needs oldValue with"),
        .init(text: #"Replace([x], "a", "b", , "c", , )"#, kind: .arity, column: 1, message: "Replace needs"),
        .init(text: #"Replace([x], , "(", , "", , )"#, kind: .invalidRegex, column: 16, message: "invalid regular expression"),
        .init(text: #"Replace([x], , "(?<a>x)", "b", "", , )"#, kind: .invalidArgument, column: 27, message: "no group named 'b'"),
        .init(text: "Item([proxyAddresses], 0)", kind: .invalidArgument, column: 24, message: "start at 1"),
        .init(text: "Mid([x], 0, 2)", kind: .invalidArgument, column: 10, message: "start at 1"),
        .init(text: "Mid([x], 1, -2)", kind: .invalidArgument, column: 13, message: "negative"),
        .init(text: #"DateAdd("q", 1, Now())"#, kind: .invalidArgument, column: 9, message: "unknown interval \"q\""),
        .init(text: #"DateDiff("days", Now(), Now())"#, kind: .invalidArgument, column: 10, message: "unknown interval"),
        .init(text: #"InStr("a", "b", 0)"#, kind: .invalidArgument, column: 17, message: "start at 1"),
        .init(text: #"InStr("a", "b", 1, 2)"#, kind: .invalidArgument, column: 20, message: "vbBinaryCompare or vbTextCompare"),
        .init(text: #"FormatDateTime([x], "Sometimes", "yyyy", "yyyy")"#, kind: .invalidArgument, column: 21, message: "dateTimeStyles"),
        .init(text: #"FormatDateTime([x], , "'yyyy", "yyyy")"#, kind: .invalidArgument, column: 23, message: "no closing '"),
        .init(text: #"FormatDateTime([x], , "yyyy", "q")"#, kind: .invalidArgument, column: 31, message: "not a standard format"),
        .init(text: #"ToLower([x], "en_US!")"#, kind: .invalidArgument, column: 14, message: "not a culture name"),
        .init(text: "RandomString(300,0,0,0,0)", kind: .invalidArgument, column: 14, message: "1 to 256"),
        .init(text: "RandomString(8,-1,0,0,0)", kind: .invalidArgument, column: 16, message: "cannot be negative"),
        .init(text: "RandomString(4,2,2,2,0)", kind: .invalidArgument, column: 1, message: "add up to 6"),
        .init(text: "Join(\" \", SelectUniqueValue([a], [b]))", kind: .misplacedFunction, column: 11, message: "whole expression"),
    ]

    @Test(arguments: badExpressions)
    func rejects(_ bad: BadExpression) {
        guard let error = parseError(bad.text) else {
            Issue.record("\(bad.text) parsed")
            return
        }
        #expect(error.kind == bad.kind)
        #expect(error.column == bad.column)
        #expect(error.message.contains(bad.message), "\(error.message)")
        #expect(!error.isEvaluationError)
    }

    @Test func unknownFunctionSuggestions() {
        #expect(parseError("Tolowr([mail])")?.suggestion == "ToLower")
        #expect(parseError("Coalese([a])")?.suggestion == "Coalesce")
        #expect(parseError("Frobnicate([a])")?.suggestion == nil)
        #expect(parseError("Frobnicate([a])")?.message == "unknown function 'Frobnicate'")
    }

    @Test func errorsCoverTheOffendingText() {
        let error = parseError("Tolowr([mail])")
        #expect(error?.span.byteRange == 0..<6)
        #expect(error?.description == "column 1: unknown function 'Tolowr' (did you mean 'ToLower'?)")
        let curly = parseError("Append([mail], “x”)")
        #expect(curly?.span.byteRange == 15..<18)
    }

    @Test func hostileInputFailsFast() {
        let huge = "Append([a], \"" + String(repeating: "x", count: 1 << 20) + "\")"
        #expect(parseError(huge)?.kind == .tooComplex)
        #expect(parseError(huge)?.column == 1)

        let deep = String(repeating: "Not(", count: 10_000) + "[x]" + String(repeating: ")", count: 10_000)
        let error = parseError(deep)
        #expect(error?.kind == .tooComplex)
        #expect(error?.column == 4 * 32 + 1)
        #expect(parseError(deep, limits: .init(maxLength: 1 << 20, maxDepth: 64))?.kind == .tooComplex)

        let justDeepEnough = String(repeating: "Not(", count: 31) + "[x]" + String(repeating: ")", count: 31)
        #expect(parseError(justDeepEnough) == nil)

        let unclosed = String(repeating: "Join(\",\", ", count: 20)
        #expect(parseError(unclosed)?.kind == .syntax)
        #expect(parseError(String(repeating: "[", count: 5000))?.kind == .syntax)
        #expect(parseError(String(repeating: "\"", count: 5001))?.kind == .syntax)
        #expect(parseError("\u{0}")?.kind == .syntax)
    }

    @Test func neverCrashesOnFragments() {
        // Every prefix of a rich expression is either valid or a clean error.
        let text = #"Switch([a], , "1", IIF(DateDiff("d", Now(), CDate([b])) >= -5, Replace([c], , "(?<x>\d)", "x", "", , ), &HF), "é", "e")"#
        var prefix = ""
        for character in text {
            prefix.append(character)
            _ = parseError(prefix)
        }
        #expect(parseError(text) == nil)
    }
}
