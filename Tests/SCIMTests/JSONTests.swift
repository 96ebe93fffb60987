import Testing
@testable import SCIM

@Suite struct JSONTests {
    @Test func parsesAndKeepsOrderAndSpelling() throws {
        let value = try JSONParser.parse(#"{"userName":"bjensen","Active":true,"n":1,"d":1.5,"a":[null,"x"]}"#)
        #expect(value.objectValue?.keys == ["userName", "Active", "n", "d", "a"])
        #expect(value["USERNAME"] == "bjensen")
        #expect(value["active"] == true)
        #expect(value["n"] == .integer(1))
        #expect(value["d"] == .decimal(1.5))
        #expect(JSONWriter.string(from: value) == #"{"userName":"bjensen","Active":true,"n":1,"d":1.5,"a":[null,"x"]}"#)
    }

    @Test func decodesEscapesAndSurrogates() throws {
        let value = try JSONParser.parse(#""a\"b\\c\/\n\u00e9\ud83d\ude00""#)
        #expect(value == .string("a\"b\\c/\né😀"))
        #expect(JSONWriter.string(from: value) == #""a\"b\\c/\né😀""#)
    }

    @Test func writesEscapesBetweenPlainRuns() throws {
        let text = "\u{01}start \"quoted\" back\\slash\ttab\rline\nend\u{1F}é\u{7F}"
        let written = JSONWriter.string(from: .string(text))
        #expect(written == #""\u0001start \"quoted\" back\\slash\ttab\rline\nend\u001fé\#u{7F}""#)
        #expect(try JSONParser.parse(written) == .string(text))
        #expect(JSONWriter.string(from: .string("")) == #""""#)
    }

    @Test(arguments: [
        ("", "empty document"),
        ("{", "expected a member name"),
        (#"{"a":1,}"#, "expected a member name"),
        (#"{"a":1 "b":2}"#, "expected ',' or '}'"),
        (#"{"a":1,"A":2}"#, "duplicate member"),
        ("[1,2", "expected ',' or ']'"),
        ("01", "leading zero"),
        ("1 2", "unexpected text after"),
        (#""abc"#, "unterminated string"),
        (#""\x""#, "invalid escape"),
        (#""\ud83d""#, "unpaired UTF-16 surrogate"),
        ("tru", "invalid literal"),
        ("1e999", "number out of range"),
    ])
    func rejectsMalformedJSON(text: String, message: String) {
        #expect {
            try JSONParser.parse(text)
        } throws: { error in
            (error as? JSONParser.Error)?.message.contains(message) == true
        }
    }

    @Test func reportsLineAndColumn() {
        do {
            _ = try JSONParser.parse("{\n  \"a\": tru\n}")
            Issue.record("expected an error")
        } catch {
            #expect(error.line == 2)
            #expect(error.column == 8)
        }
    }

    @Test func rejectsInvalidUTF8() {
        #expect(throws: JSONParser.Error.self) { try JSONParser.parse([0x22, 0xC3, 0x28, 0x22]) }
    }

    @Test func refusesNULOnlyWhenAskedTo() throws {
        #expect(try JSONParser.parse(#""a\u0000b""#) == .string("a\u{0}b"))
        for text in [#"{"userName":"a\u0000b"}"#, #"{"a\u0000":1}"#, #"["\u0000"]"#] {
            #expect {
                try JSONParser.parse(text, limits: .scimRequest(maxBytes: 1 << 20))
            } throws: { error in
                (error as? JSONParser.Error)?.message.contains("NUL") == true
            }
        }
        do {
            _ = try JSONParser.parse(#"{"a":"xy\u0000"}"#, limits: .scimRequest(maxBytes: 64))
            Issue.record("expected an error")
        } catch {
            #expect(error.column == 9, "the error points at the escape's backslash")
        }
        // Other escapes, and U+0000's neighbours, are still read.
        #expect(try JSONParser.parse(#""\u0001\u00e9""#, limits: .scimRequest(maxBytes: 64)) == .string("\u{1}é"))
    }

    @Test func boundsDepthAndSize() {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(throws: JSONParser.Error.self) { try JSONParser.parse(deep) }
        #expect(throws: Never.self) { try JSONParser.parse(String(repeating: "[", count: 64) + String(repeating: "]", count: 64)) }
        #expect(throws: JSONParser.Error.self) {
            try JSONParser.parse(#""0123456789""#, limits: .init(maxDepth: 64, maxBytes: 8))
        }
    }

    @Test func objectsCompareWithoutOrderOrCase() {
        let a: JSONValue = ["userName": "x", "active": true]
        let b: JSONValue = ["Active": true, "USERNAME": "x"]
        #expect(a == b)
        #expect(a.hashValue == b.hashValue)
        #expect(a != ["userName": "x"])
        #expect(JSONValue.integer(2) == .decimal(2.0))
    }

    @Test func setsMembersInPlace() {
        var object: JSONObject = ["userName": "x", "active": true]
        object["USERNAME"] = "y"
        object["displayName"] = "Y"
        object["active"] = nil
        #expect(object.keys == ["userName", "displayName"])
        #expect(object["username"] == "y")
    }
}

@Suite struct JSONLargeObjectTests {
    // The limit is a guard against quadratic work (minutes for this input), not a speed target.
    @Test(.timeLimit(.minutes(1))) func largeObjectsAreParsedInLinearTimeAndStillRejectRepeatedNames() throws {
        let members = (0..<100_000).map { #""k\#($0)":\#($0)"# }.joined(separator: ",")
        let value = try JSONParser.parse("{" + members + "}", limits: .init(maxDepth: 64, maxBytes: 8 << 20))
        #expect(value.objectValue?.count == 100_000)
        #expect(throws: JSONParser.Error.self) {
            try JSONParser.parse("{" + members + #","K99999":0}"#, limits: .init(maxDepth: 64, maxBytes: 8 << 20))
        }
    }
}
