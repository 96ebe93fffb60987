import SCIM
import Testing
@testable import KlaxonMapping

/// One documented example: an expression, the record it reads and the value Entra's documentation gives.
struct DocumentedExample: Sendable, CustomTestStringConvertible {
    var expression: String
    var record: SourceRecord
    var expected: JSONValue

    init(_ expression: String, _ record: SourceRecord, _ expected: JSONValue) {
        self.expression = expression
        self.record = record
        self.expected = expected
    }

    init(_ expression: String, _ expected: JSONValue) {
        self.init(expression, [:], expected)
    }

    var testDescription: String { expression }
}

/// Every function with the examples of Entra's "Reference for writing expressions for attribute mappings".
@Suite struct ExpressionFunctionTests {
    static let documentedExamples: [DocumentedExample] = [
        // Append
        .init(#"Append([userPrincipalName], ".test")"#, ["userPrincipalName": "John.Doe@contoso.com"], "John.Doe@contoso.com.test"),
        // BitAnd
        .init("BitAnd(&HF, &HF7)", 7),
        // CBool
        .init("CBool([attribute1] = [attribute2])", ["attribute1": "x", "attribute2": "x"], true),
        .init("CBool([attribute1] = [attribute2])", ["attribute1": "x", "attribute2": "y"], false),
        // CDate: the UTC equivalent is returned
        .init("CDate([StatusHireDate])", ["StatusHireDate": "2020-03-16-07:00"], "3/16/2020 7:00:00 AM"),
        .init(#"CDate("2021-06-30+08:00")"#, "6/29/2021 4:00:00 PM"),
        .init(#"CDate("2009-06-15T01:45:30-07:00")"#, "6/15/2009 8:45:30 AM"),
        // Coalesce
        .init("Coalesce([mail],[userPrincipalName])", ["userPrincipalName": "John.Doe@contoso.com"], "John.Doe@contoso.com"),
        // ConvertToBase64, ConvertToUTF8Hex
        .init(#"ConvertToBase64("Hello world!")"#, "SABlAGwAbABvACAAdwBvAHIAbABkACEA"),
        .init(#"ConvertToUTF8Hex("Hello world!")"#, "48656C6C6F20776F726C6421"),
        // Count
        .init("Count([proxyAddresses])", ["proxyAddresses": ["SMTP:a@contoso.com", "smtp:b@contoso.com"]], 2),
        // CStr
        .init("CStr([dn])", ["dn": "cn=Joe,dc=contoso,dc=com"], "cn=Joe,dc=contoso,dc=com"),
        // DateAdd
        .init(#"DateAdd("d", 7, CDate([StatusHireDate]))"#, ["StatusHireDate": "2012-03-16-07:00"], "3/23/2012 7:00:00 AM"),
        .init(#"DateAdd("d", -10, CDate([StatusHireDate]))"#, ["StatusHireDate": "2012-03-16-07:00"], "3/6/2012 7:00:00 AM"),
        .init(#"DateAdd("ww", 2, CDate([StatusHireDate]))"#, ["StatusHireDate": "2012-03-16-07:00"], "3/30/2012 7:00:00 AM"),
        .init(#"DateAdd("m", 10, CDate([StatusHireDate]))"#, ["StatusHireDate": "2012-03-16-07:00"], "1/16/2013 7:00:00 AM"),
        .init(#"DateAdd("yyyy", 2, CDate([StatusHireDate]))"#, ["StatusHireDate": "2012-03-16-07:00"], "3/16/2014 7:00:00 AM"),
        // DateDiff
        .init(#"DateDiff("d", CDate("2021-08-18+08:00"), CDate("2021-08-31+08:00"))"#, 13),
        .init(#"DateDiff("d", "8/25/2021 5:41:18 PM", CDate("2012-03-16-07:00"))"#, -3449),
        .init(#"DateDiff("ww", "8/25/2021 5:41:18 PM", CDate("2012-03-16-07:00"))"#, -493),
        .init(#"DateDiff("m", "8/25/2021 5:41:18 PM", CDate("2012-03-16-07:00"))"#, -113),
        .init(#"DateDiff("yyyy", "8/25/2021 5:41:18 PM", CDate("2012-03-16-07:00"))"#, -9),
        .init(#"DateDiff("d", CDate("2021-08-31+08:00"), CDate("2021-08-31+08:00"))"#, 0),
        .init(#"DateDiff("h", CDate("2021-08-24"), CDate("2021-08-25"))"#, 24),
        .init(#"DateDiff("n", CDate("2021-08-24"), CDate("2021-08-25"))"#, 1440),
        .init(#"DateDiff("s", CDate("2021-08-24"), CDate("2021-08-25"))"#, 86400),
        // DateFromNum: January 1, 2012 at 11:00 PM
        .init("DateFromNum(129699324000000000)", "1/1/2012 11:00:00 PM"),
        .init("DateFromNum([lastLogonTimestamp])", ["lastLogonTimestamp": "129699324000000000"], "1/1/2012 11:00:00 PM"),
        // FormatDateTime
        .init(
            #"FormatDateTime([extensionAttribute1], , "yyyyMMddHHmmss.fZ", "yyyy-MM-dd")"#,
            ["extensionAttribute1": "20150123105347.1Z"], "2015-01-23"),
        // IIF, with AND and OR written as nested IIFs
        .init(#"IIF([country]="USA",[country],[department])"#, ["country": "USA", "department": "Sales"], "USA"),
        .init(#"IIF([country]="USA",[country],[department])"#, ["country": "NZ", "department": "Sales"], "Sales"),
        .init(#"IIF([country]="USA",IIF([state]="CA","True","False"),"False")"#, ["country": "USA", "state": "CA"], "True"),
        .init(#"IIF([country]="USA",IIF([state]="CA","True","False"),"False")"#, ["country": "USA", "state": "WA"], "False"),
        .init(#"IIF([country]="USA","True",IIF([state]="CA","True","False"))"#, ["country": "NZ", "state": "CA"], "True"),
        .init(#"Switch([country],[country],"","Other")"#, [:], "Other"),
        .init(#"Switch([country],[country],"","Other")"#, ["country": "NZ"], "NZ"),
        // InStr
        .init(#"InStr("The quick brown fox","quick")"#, 5),
        .init(#"InStr("repEated","e",3,vbBinaryCompare)"#, 7),
        // IsNull, IsNullOrEmpty, IsPresent
        .init("IsNull([displayName])", true),
        .init("IsNull([displayName])", ["displayName": ""], false),
        .init("IsNullOrEmpty([displayName])", ["displayName": ""], true),
        .init("IsNullOrEmpty([displayName])", ["displayName": "x"], false),
        .init(
            "Switch(IsPresent([directManager]),[directManager], IsPresent([skiplevelManager]),[skiplevelManager], IsPresent([director]),[director])",
            ["directManager": "Ann", "director": "Cy"], "Cy"),
        // Item
        .init("Item([proxyAddresses], 1)", ["proxyAddresses": ["SMTP:a@contoso.com", "smtp:b@contoso.com"]], "SMTP:a@contoso.com"),
        // Join: multi-valued sources are expanded
        .init(#"Join(";", [proxyAddresses], "x")"#, ["proxyAddresses": ["a", "b"]], "a;b;x"),
        // Left
        .init(#"Left("John Doe", 3)"#, "Joh"),
        // NormalizeDiacritics
        .init("NormalizeDiacritics([givenName])", ["givenName": "Zoë"], "Zoe"),
        // Not
        .init("Not([IsSoftDeleted])", ["IsSoftDeleted": "True"], false),
        .init("Not([IsSoftDeleted])", ["IsSoftDeleted": "False"], true),
        // Now
        .init("Now()", "7/2/2021 3:33:38 PM"),
        // NumFromDate: Workday's and SuccessFactors' accountExpires examples
        .init(
            #"NumFromDate(Join("", FormatDateTime([ContractEndDate], ,"yyyy-MM-ddzzz", "yyyy-MM-dd"), " 23:59:59-08:00"))"#,
            ["ContractEndDate": "2020-12-31-08:00"], 132_539_615_990_000_000),
        .init(
            #"NumFromDate(Join("",FormatDateTime([endDate], ,"M/d/yyyy hh:mm:ss tt","yyyy-MM-dd")," 23:59:59-08:00"))"#,
            ["endDate": "12/31/2020 12:00:00 AM"], 132_539_615_990_000_000),
        // PCase
        .init("PCase([firstName])", ["firstName": "PABLO GONSALVES (SECOND)"], "Pablo Gonsalves (Second)"),
        .init(#"PCase([lastName]," '-")"#, ["lastName": "PINTO-DE'SILVA"], "Pinto-De'Silva"),
        .init(#"PCase(Join(" ",[firstName],[lastName]))"#, ["firstName": "GREGORY", "lastName": "JAMES"], "Gregory James"),
        // Redact
        .init("Redact([userPrincipalName])", ["userPrincipalName": "a@contoso.com"], "a@contoso.com"),
        .init(#"Redact("StringToBeRedacted")"#, "StringToBeRedacted"),
        // RemoveDuplicates
        .init("RemoveDuplicates([proxyAddresses])", ["proxyAddresses": ["SMTP:a", "smtp:a", "SMTP:a"]], ["SMTP:a", "smtp:a"]),
        // Replace, examples 1 to 6
        .init(
            #"Replace([BusinessTitle],"Product Developer", , , "Software Engineer", , )"#,
            ["BusinessTitle": "Product Developer"], "Software Engineer"),
        .init(#"Replace([UserID],"<username>", , , , , "<username>@contoso.com")"#, ["UserID": "jsmith"], "jsmith@contoso.com"),
        .init(
            #"Replace([telephoneNumber], , "\\+(?<isdCode>\\d* )(?<phoneNumber>\\d{10})", , "${phoneNumber}", , )"#,
            ["telephoneNumber": "+91 9998887777"], "9998887777"),
        .init(#"Replace([mobile], , "[()\\s-]+", , "", , )"#, ["mobile": "+1 (999) 888-7777"], "+19998887777"),
        .init(
            #"Replace([AddressLineData], ,"(?<streetNumber>^\\d*)","streetNumber", "888", , )"#,
            ["AddressLineData": "545 Tremont Street"], "888 Tremont Street"),
        .init(#"Replace([userPrincipalName], , "(?<Suffix>@(.)*)", "Suffix", "", , )"#, ["userPrincipalName": "jsmith@contoso.com"], "jsmith"),
        .init(
            #"Replace([telephoneNumber], , "\\+(?<isdCode>\\d* )(?<phoneNumber>\\d{10})", "phoneNumber" , , [mobile], )"#,
            ["telephoneNumber": "", "mobile": "+91 8887779999"], "8887779999"),
        .init(#"Replace([mailNickname], , "[a-zA-Z_]*", , "", , )"#, ["mailNickname": "john_doe72"], "72"),
        .init(#"Replace([mail], "@contoso.com", , ,"", ,)"#, ["mail": "john.doe@contoso.com"], "john.doe"),
        .init(
            #"Join("", 1000, Replace(ConvertToUTF8Hex([objectId]), , "[a-zA-Z_]*", , "", , ))"#,
            ["objectId": "00aa00aa-bb11-cc22-dd33-44ee44ee44ee"],
            "100030306161303061612626231312636332322646433332343465653434656534346565"),
        // SelectUniqueValue without a uniqueness check takes the first candidate
        .init(
            #"""
            SelectUniqueValue(
                Join("@", NormalizeDiacritics(StripSpaces(Join(".",  [PreferredFirstName], [PreferredLastName]))), "contoso.com"),
                Join("@", NormalizeDiacritics(StripSpaces(Join(".",  Mid([PreferredFirstName], 1, 1), [PreferredLastName]))), "contoso.com"),
                Join("@", NormalizeDiacritics(StripSpaces(Join(".",  Mid([PreferredFirstName], 1, 2), [PreferredLastName]))), "contoso.com")
            )
            """#, ["PreferredFirstName": "John", "PreferredLastName": "Smith"], "John.Smith@contoso.com"),
        // Split
        .init(#"Split([extensionAttribute5], ",")"#, ["extensionAttribute5": "PermissionSetOne, PermissionSetTwo"], ["PermissionSetOne", "PermissionSetTwo"]),
        // StripSpaces
        .init("StripSpaces([displayName])", ["displayName": " John  Doe "], "JohnDoe"),
        // Switch
        .init(
            #"Switch([state], "Australia/Sydney", "NSW", "Australia/Sydney","QLD", "Australia/Brisbane", "SA", "Australia/Adelaide")"#,
            ["state": "QLD"], "Australia/Brisbane"),
        .init(
            #"Switch([state], "Australia/Sydney", "NSW", "Australia/Sydney","QLD", "Australia/Brisbane", "SA", "Australia/Adelaide")"#,
            ["state": "TAS"], "Australia/Sydney"),
        .init(#"Switch(ToLower([statusFlag]), "0", "true", "1", "false", "0")"#, ["statusFlag": "TRUE"], "1"),
        .init(#"Switch([statusFlag], "Default Value", "true", "1", "", "0")"#, [:], "0"),
        .init(#"Switch([IsSoftDeleted], , "False", "True", "True", "False")"#, ["IsSoftDeleted": false], "True"),
        .init(#"Switch([IsSoftDeleted], , "False", "True", "True", "False")"#, ["IsSoftDeleted": true], "False"),
        .init(#"Switch(IsPresent([jobTitle]), "DefaultValue", "True", [jobTitle])"#, [:], "DefaultValue"),
        .init(#"Switch(IsPresent([jobTitle]), "DefaultValue", "True", [jobTitle])"#, ["jobTitle": "Chef"], "Chef"),
        .init(
            #"IgnoreFlowIfNullOrEmpty(Switch([prefix], "", "3443", "Dr.", "3444", "Prof.", "3445", "Prof. Dr."))"#,
            ["prefix": "3444"], "Prof."),
        // ToLower, ToUpper
        .init(
            #"ToLower(Join("@", NormalizeDiacritics(StripSpaces(Join(".",  [PreferredFirstName], [PreferredLastName]))), "contoso.com"))"#,
            ["PreferredFirstName": "John", "PreferredLastName": "Smith"], "john.smith@contoso.com"),
        .init("ToUpper([c])", ["c": "nz"], "NZ"),
        // Word
        .init(#"Word("The quick brown fox",3," ")"#, "brown"),
        .init(#"Word("This,string!has&many separators",3,",!&#")"#, "has"),
        // More examples from the reference's closing section
        .init("Append(Mid([givenName], 1, 3), Mid([surname], 1, 5))", ["givenName": "John", "surname": "Doe"], "JohDoe"),
        .init(#"Join(", ", "", [surname], [givenName])"#, ["givenName": "John", "surname": "Doe"], "Doe, John"),
        .init(#"Join(" ", [givenName], [surname])"#, ["givenName": "John", "surname": "Doe"], "John Doe"),
        // DateDiff inside IIF inside Switch (Workday's accountEnabled example)
        .init(
            #"Switch([Active], , "1", IIF(DateDiff("d", Now(), CDate([StatusHireDate])) > 5, "False", "True"), "0", "False")"#,
            ["Active": "1", "StatusHireDate": "2021-07-05-07:00"], "True"),
        .init(
            #"Switch([Active], , "1", IIF(DateDiff("d", Now(), CDate([StatusHireDate])) > 5, "False", "True"), "0", "False")"#,
            ["Active": "1", "StatusHireDate": "2021-08-05-07:00"], "False"),
    ]

    @Test(arguments: documentedExamples)
    func documentedExample(_ example: DocumentedExample) throws {
        #expect(try evaluate(example.expression, example.record) == .value(example.expected))
    }

    @Test func ignoreFlowIfNullOrEmptyDropsTheAttribute() throws {
        #expect(try evaluate("IgnoreFlowIfNullOrEmpty([department])") == .ignoreFlow)
        #expect(try evaluate("IgnoreFlowIfNullOrEmpty([department])", ["department": ""]) == .ignoreFlow)
        #expect(try evaluate("IgnoreFlowIfNullOrEmpty([department])", ["department": []]) == .ignoreFlow)
        #expect(try evaluate("IgnoreFlowIfNullOrEmpty([department])", ["department": "Sales"]) == .value("Sales"))
        #expect(try evaluate("IgnoreFlowIfNullOrEmpty([department])").value == nil)
        // The prefix matches no key, Switch gives "", and the flow is dropped.
        let personalTitle = #"IgnoreFlowIfNullOrEmpty(Switch([prefix], "", "3443", "Dr.", "3444", "Prof."))"#
        #expect(try evaluate(personalTitle, ["prefix": "9999"]) == .ignoreFlow)
        // Nested anywhere, it still drops the whole attribute.
        #expect(try evaluate(#"Join(" ", "Dr.", IgnoreFlowIfNullOrEmpty([surname]))"#) == .ignoreFlow)
    }

    @Test func inStrComparesTextIgnoringCase() throws {
        #expect(try evaluate(#"InStr("repEated","e",3,vbTextCompare)"#) == .value(4))
        #expect(try evaluate(#"InStr("repEated","E")"#) == .value(4))
        #expect(try evaluate(#"InStr("repEated","x")"#) == .value(0))
        #expect(try evaluate(#"InStr("abc","c",4)"#) == .value(0))
        #expect(try evaluate(#"InStr("abc","",2)"#) == .value(2))
        #expect(try evaluate(#"InStr([missing],"a")"#) == .value(.null))
        #expect(try evaluate(#"InStr("abc","b", , )"#) == .value(2))
    }

    @Test func guidIsARandomVersion4Guid() throws {
        guard case .value(.string(let guid)) = try evaluate("Guid()") else {
            Issue.record("Guid() gave no string")
            return
        }
        #expect(guid.wholeMatch(of: /[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}/) != nil)
        #expect(try evaluate("Guid()") == .value(.string(guid)), "the same seed gives the same GUID")
        let otherSeed = ExpressionContext(now: { 0 }, randomSeed: 8)
        #expect(try evaluate("Guid()", context: otherSeed) != .value(.string(guid)))
        let system = ExpressionContext()
        #expect(try evaluate("Guid()", context: system) != evaluate("Guid()", context: system))
    }

    @Test(arguments: [
        ("RandomString(6,3,0,0,3)", 6, [3, 0, 0, 3], ""),
        (#"RandomString(10,2,2,2,1,"?,")"#, 10, [2, 2, 2, 1], "?,"),
        ("RandomString(256,0,0,0,0)", 256, [0, 0, 0, 0], ""),
    ])
    func randomStringMeetsItsMinimums(expression: String, length: Int, minimums: [Int], avoided: String) throws {
        guard case .value(.string(let text)) = try evaluate(expression) else {
            Issue.record("RandomString gave no string")
            return
        }
        #expect(text.count == length)
        let counts = RandomStringRules.pools.map { pool in text.filter(pool.contains).count }
        for (count, minimum) in zip(counts, minimums) { #expect(count >= minimum) }
        #expect(text.allSatisfy { !avoided.contains($0) })
        #expect(try evaluate(expression) == .value(.string(text)), "the same seed gives the same string")
    }

    @Test func selectUniqueValueAsksTheContext() throws {
        let expression = """
            SelectUniqueValue(Join("@", Join(".", [first], [last]), "contoso.com"),
                Join("@", Join(".", Mid([first], 1, 1), [last]), "contoso.com"),
                Join("@", Join(".", Mid([first], 1, 2), [last]), "contoso.com"))
            """
        let record: SourceRecord = ["first": "John", "last": "Smith"]
        let taken: Set<JSONValue> = ["John.Smith@contoso.com", "J.Smith@contoso.com"]
        let context = ExpressionContext(now: { 0 }) { !taken.contains($0) }
        #expect(try evaluate(expression, record, context: context) == .value("Jo.Smith@contoso.com"))
        let full = ExpressionContext(now: { 0 }) { _ in false }
        let error = try evaluationError(expression, record, context: full)
        #expect(error?.kind == .noUniqueValue)
        #expect(error?.column == 1)
    }

    @Test func appRoleAssignments() throws {
        let record: SourceRecord = [
            "appRoleAssignments": [["value": "Admin", "displayName": "Administrator", "id": "06b07648"], "User"],
        ]
        #expect(try evaluate("SingleAppRoleAssignment([appRoleAssignments])", record) == .value("Admin"))
        #expect(
            try evaluate("AppRoleAssignmentsComplex([appRoleAssignments])", record)
                == .value([
                    ["primary": false, "type": "WindowsAzureActiveDirectoryRole", "display": "Administrator", "value": "Admin"],
                    ["primary": false, "type": "WindowsAzureActiveDirectoryRole", "value": "User"],
                ]))
        #expect(try evaluate("SingleAppRoleAssignment([appRoleAssignments])") == .value(.null))
        #expect(try evaluate("AppRoleAssignmentsComplex([appRoleAssignments])", ["appRoleAssignments": []]) == .value(.null))
        let error = try evaluationError("SingleAppRoleAssignment([appRoleAssignments])", ["appRoleAssignments": [["id": "x"]]])
        #expect(error?.kind == .typeMismatch)
        #expect(error?.column == 25)
    }

    @Test func pCaseDefaultSeparators() throws {
        #expect(try evaluate(#"PCase("o'NEIL-SMITH, mary_ann")"#) == .value("O'neil-Smith, Mary_Ann"))
        #expect(try evaluate(#"PCase("PINTO-DE'SILVA", "")"#) == .value("Pinto-De'silva"))
        #expect(try evaluate("PCase([x])") == .value(.null))
    }

    @Test func changeCaseWithACulture() throws {
        #expect(try evaluate(#"ToUpper("istanbul", "tr-TR")"#) == .value("İSTANBUL"))
        #expect(try evaluate(#"ToLower("DIŞ", "tr-TR")"#) == .value("dış"))
        #expect(try evaluate(#"ToLower("DIŞ", "en-US")"#) == .value("diş"))
        #expect(try evaluate(#"ToLower("ABC", )"#) == .value("abc"))
        let error = try evaluationError("ToLower([x], [culture])", ["x": "A", "culture": "not a culture"])
        #expect(error?.kind == .invalidValue)
        #expect(error?.column == 14)
    }

    @Test func normalizeDiacriticsFollowsEntrasTable() throws {
        let expected: [(String, String)] = [
            ("Åsa Øberg-Æsir", "Asa OEberg-AEsir"),
            ("Łukasz Straße", "Lukasz Strasse"),
            ("Ñuñez İpek ısık", "Nunez Ipek isik"),
            // Decomposed input (e + combining diaeresis) and the doc's multi-mark sequences.
            ("Zoe\u{308} e\u{30A}\u{304} u\u{307}\u{304}", "Zoe e u"),
            // Not in Entra's table: kept as they are.
            ("ŷ œ đ 北京", "ŷ œ đ 北京"),
        ]
        for (input, output) in expected {
            #expect(try evaluate("NormalizeDiacritics([x])", ["x": .string(input)]) == .value(.string(output)))
        }
    }

    @Test func textFunctionsOnEdgeValues() throws {
        #expect(try evaluate(#"Left("John", 0)"#) == .value(""))
        #expect(try evaluate(#"Left("John", -1)"#) == .value("John"))
        #expect(try evaluate(#"Left("John", 10)"#) == .value("John"))
        #expect(try evaluate("Left([missing], 2)") == .value(""))
        #expect(try evaluate(#"Mid("John", 3, 10)"#) == .value("hn"))
        #expect(try evaluate(#"Mid("John", 9, 1)"#) == .value(""))
        #expect(try evaluate(#"Mid("Émile", 1, 1)"#) == .value("É"))
        #expect(try evaluate(#"Word("a b", 0, " ")"#) == .value(""))
        #expect(try evaluate(#"Word("a b", 3, " ")"#) == .value(""))
        #expect(try evaluate(#"Word([missing], 1, " ")"#) == .value(""))
        #expect(try evaluate(#"Split("a;;b", ";")"#) == .value(["a", "", "b"]))
        #expect(try evaluate(#"Split("a;b", "")"#) == .value(["a;b"]))
        #expect(try evaluate(#"Item(Split("a,b,c", ","), 3)"#) == .value("c"))
        #expect(try evaluate(#"Item(Split("a,b,c", ","), 4)"#) == .value(.null))
        #expect(try evaluate(#"Item("only", 1)"#) == .value("only"))
        #expect(try evaluate(#"ConvertToBase64("é")"#) == .value("6QA="))
        #expect(try evaluate(#"ConvertToUTF8Hex("é")"#) == .value("C3A9"))
        #expect(try evaluate(#"Count([missing])"#) == .value(0))
        #expect(try evaluate(#"Count("one")"#) == .value(1))
        #expect(try evaluate("BitAnd(6, [x])") == .value(.null))
        #expect(try evaluate(#"BitAnd("12", 10)"#) == .value(8))
    }

    @Test func replaceSubstitutions() throws {
        #expect(try evaluate(#"Replace("2021-06-30", , "(\d+)-(\d+)-(\d+)", , "$3/$2/$1 $$ ${9} $&", , )"#) == .value("30/06/2021 $ ${9} 2021-06-30"))
        // A pattern from an attribute is compiled when evaluated.
        #expect(try evaluate("Replace([x], , [pattern], , \"-\", , )", ["x": "a1b22", "pattern": "\\d+"]) == .value("a-b-"))
        let error = try evaluationError("Replace([x], , [pattern], , \"-\", , )", ["x": "a", "pattern": "("])
        #expect(error?.kind == .invalidValue)
        #expect(error?.column == 16)
        // The replacement attribute is only used when the source has no value.
        let fallback = #"Replace([telephoneNumber], , "(?<n>\d{4})$", "n", , [mobile], )"#
        #expect(try evaluate(fallback, ["telephoneNumber": "+1 555", "mobile": "+1 2345"]) == .value("+1 555"))
        #expect(try evaluate(fallback, ["mobile": "+1 2345"]) == .value("2345"))
        #expect(try evaluate(fallback, ["mobile": "none"]) == .value(.null))
        #expect(try evaluate(#"Replace([x], "a", , , "b", , )"#) == .value(.null))
        #expect(try evaluate(#"Replace("xax", [old], , , "b", , )"#) == .value("xax"))
    }
}
