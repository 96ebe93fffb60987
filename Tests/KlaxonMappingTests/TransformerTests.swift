import SCIM
import Testing
@testable import KlaxonMapping

@Suite struct TransformerTests {
    /// Creates a built-in from arguments as a mapping file would give them, and transforms one value.
    private func run(_ id: String, _ value: JSONValue, context: TransformContext = TransformContext()) throws -> TransformOutcome {
        try run(id, [], value, context: context)
    }

    private func run(
        _ id: String, _ arguments: [(String, LiteralValue)], _ value: JSONValue, context: TransformContext = TransformContext()
    ) throws -> TransformOutcome {
        let type = try #require(TransformerRegistry.standard.transformer(id: id))
        let validated = try TransformerArguments.validated(arguments.map { (name: $0.0, value: $0.1) }, for: type).get()
        return try type.init(arguments: validated).transform(value, context: context)
    }

    private func text(_ string: String) -> LiteralValue { LiteralValue(.string(string), scalarText: string) }

    @Test func theStandardRegistryHasTheBuiltIns() {
        #expect(TransformerRegistry.standard.ids == [
            "date.format", "klaxon.location", "lookup", "phone.e164", "text.case", "text.normalizeDiacritics",
            "text.replace", "text.trim",
        ])
        #expect(TransformerRegistry().ids.isEmpty)
    }

    @Test func trimRemovesWhiteSpaceIncludingNonBreakingSpaces() throws {
        #expect(try run("text.trim", .string("\u{00A0} Leeds \n")) == .value("Leeds"))
        #expect(try run("text.trim", ["  a ", " b"]) == .value(["a", "b"]))
        #expect(try run("text.trim", 42) == .value(42))
    }

    @Test(arguments: [("lower", "ZOË Hart", "zoë hart"), ("upper", "Zoë hart", "ZOË HART"), ("title", "zoë o'HARA-smith", "Zoë O'hara-Smith")])
    func caseChangesLetterCase(_ target: String, _ input: String, _ output: String) throws {
        #expect(try run("text.case", [("to", text(target))], .string(input)) == .value(.string(output)))
    }

    @Test func replaceReplacesTextOrPatterns() throws {
        #expect(try run("text.replace", [("find", text("@contoso.onmicrosoft.com")), ("replacement", text("@contoso.com"))], "a@contoso.onmicrosoft.com") == .value("a@contoso.com"))
        #expect(try run("text.replace", [("find", text("[^0-9+]")), ("regex", LiteralValue(true))], "+44 (0)20 7946-0958") == .value("+4402079460958"))
    }

    @Test func replaceRejectsAnInvalidPattern() throws {
        let type = try #require(TransformerRegistry.standard.transformer(id: "text.replace"))
        #expect(throws: TransformerError.self) {
            try type.init(arguments: TransformerArguments(["find": "[a-z", "regex": true]))
        }
    }

    @Test(arguments: [("Zoë", "Zoe"), ("Łódź", "Lodz"), ("Straße", "Strasse"), ("Ærøskøbing", "AEroskobing"), ("Ångström", "Angstrom"), ("plain", "plain")])
    func normalizeDiacriticsGivesPlainLetters(_ input: String, _ output: String) throws {
        #expect(try run("text.normalizeDiacritics", .string(input)) == .value(.string(output)))
    }

    @Test func lookupTranslatesThroughItsTable() throws {
        let table = LiteralValue(["Active": "true", "Terminated": "false"])
        #expect(try run("lookup", [("table", table)], "Active") == .value("true"))
        #expect(try run("lookup", [("table", table)], "Unknown") == .value("Unknown"))
        #expect(try run("lookup", [("table", table), ("default", text("false"))], "Unknown") == .value("false"))
        #expect(try run("lookup", [("table", table), ("ignoreCase", LiteralValue(true))], "TERMINATED") == .value("false"))
        #expect(try run("lookup", [("table", table), ("onMissing", text("skip-attribute"))], "x") == .skipAttribute)
        #expect(try run("lookup", [("table", table), ("onMissing", text("null"))], "x") == .null)
    }

    @Test func lookupNeedsADefaultForOnMissingDefault() throws {
        let type = try #require(TransformerRegistry.standard.transformer(id: "lookup"))
        #expect {
            try type.init(arguments: TransformerArguments(["table": ["a": "b"], "onMissing": "default"]))
        } throws: { ($0 as? TransformerError)?.argument == "onMissing" }
        #expect {
            try type.init(arguments: TransformerArguments(["table": ["A": "1", "a": "2"], "ignoreCase": true]))
        } throws: { ($0 as? TransformerError)?.argument == "table" }
    }

    @Test(arguments: [
        ("M/d/yyyy", "iso8601", "3/1/2024", "2024-03-01T00:00:00Z"),
        ("M/d/yyyy h:mm:ss tt", "iso8601", "3/1/2024 1:05:09 PM", "2024-03-01T13:05:09Z"),
        ("M/d/yyyy h:mm:ss tt", "iso8601", "12/31/1999 12:00:00 AM", "1999-12-31T00:00:00Z"),
        ("iso8601", "dd.MM.yyyy", "2024-03-01T23:30:00-02:00", "02.03.2024"),
        ("yyyyMMdd", "yyyy-MM-dd", "20240229", "2024-02-29"),
        ("iso8601", "M/d/yyyy h:mm:ss tt", "1969-07-20T20:17:40Z", "7/20/1969 8:17:40 PM"),
    ])
    func dateFormatConvertsBetweenPatterns(_ from: String, _ to: String, _ input: String, _ output: String) throws {
        #expect(try run("date.format", [("from", text(from)), ("to", text(to))], .string(input)) == .value(.string(output)))
    }

    @Test func dateFormatRejectsImpossibleDatesAndBadPatterns() throws {
        #expect(try run("date.format", [("from", text("yyyyMMdd")), ("to", text("iso8601"))], "20230229") == .null)
        #expect(try run("date.format", [("to", text("iso8601")), ("onInvalid", text("keep"))], "soon") == .value("soon"))
        #expect(try run("date.format", [("to", text("iso8601")), ("onInvalid", text("skip-attribute"))], "soon") == .skipAttribute)
        let type = try #require(TransformerRegistry.standard.transformer(id: "date.format"))
        #expect {
            try type.init(arguments: TransformerArguments(["to": "yyyy-QQ"]))
        } throws: { ($0 as? TransformerError)?.argument == "to" }
    }

    @Test func phoneNumbersBecomeE164() throws {
        #expect(try run("phone.e164", [("defaultRegion", text("GB"))], "020 7946 0958") == .value("+442079460958"))
        #expect(try run("phone.e164", [("defaultRegion", text("GB"))], ["020 7946 0958", "nope"]) == .value(["+442079460958"]))
        #expect(try run("phone.e164", [("defaultRegion", text("GB"))], "12") == .skipAttribute)
        #expect(try run("phone.e164", [("defaultRegion", text("GB")), ("onInvalid", text("keep"))], "12") == .value("12"))
        #expect(try run("phone.e164", [("defaultRegion", text("GB")), ("onInvalid", text("null"))], "12") == .null)
        #expect(throws: TransformerError.self) {
            try run("phone.e164", [("defaultRegion", text("GB")), ("onInvalid", text("error"))], "12")
        }
    }

    @Test func phoneNumbersWithoutARegionUseTheContexts() throws {
        let context = TransformContext(values: ["defaultRegion": "US"])
        #expect(try run("phone.e164", [], "(425) 555-0100", context: context) == .value("+14255550100"))
        #expect(try run("phone.e164", [], "+44 20 7946 0958") == .value("+442079460958"))
    }

    @Test func aNorwegianRegionStaysText() throws {
        // A plain NO in YAML is the boolean false; text parameters keep the text as written.
        let region = LiteralValue(.bool(false), scalarText: "NO")
        #expect(try run("phone.e164", [("defaultRegion", region)], "22 12 34 56") == .value("+4722123456"))
    }

    @Test func locationsResolveAgainstTheOrganisations() throws {
        let context = TransformContext(locations: KlaxonLocations(names: ["Leeds", "New York"], defaultName: "Default"))
        #expect(try run("klaxon.location", .string(" new  YORK"), context: context) == .value("New York"))
        #expect(try run("klaxon.location", "Atlantis", context: context) == .value("Default"))
        #expect(try run("klaxon.location", .null, context: context) == .value("Default"))
        #expect(try run("klaxon.location", [("unknown", text("keep"))], "Atlantis", context: context) == .value("Atlantis"))
        #expect(try run("klaxon.location", [("unknown", text("null"))], "Atlantis", context: context) == .null)
        #expect(try run("klaxon.location", "Atlantis") == .value("Atlantis"))
    }

    @Test func argumentsAreCheckedAgainstTheDeclaredParameters() throws {
        let type = try #require(TransformerRegistry.standard.transformer(id: "lookup"))
        let result = TransformerArguments.validated(
            [(name: "tabel", value: LiteralValue(["a": "b"])), (name: "ignoreCase", value: LiteralValue("yes", scalarText: "yes"))],
            for: type)
        guard case .failure(let list) = result else {
            Issue.record("expected problems")
            return
        }
        #expect(list.problems.map(\.argument) == ["tabel", "ignoreCase", nil])
        #expect(list.problems.map(\.suggestion) == ["table", nil, nil])
        #expect(list.problems[1].message == "lookup argument \"ignoreCase\" must be true or false, not \"yes\"")
        #expect(list.problems[2].message == "lookup needs the argument \"table\" (the value → replacement table)")
    }
}
