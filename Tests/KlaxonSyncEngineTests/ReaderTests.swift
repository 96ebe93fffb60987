import Foundation
@testable import KlaxonSyncEngine
import SCIM
import Testing

/// The source readers on their own: what they yield for well-formed and malformed input.
@Suite struct ReaderTests {
    static func file(_ name: String, _ text: String) throws -> String {
        try file(name, bytes: Array(text.utf8))
    }

    static func file(_ name: String, bytes: [UInt8]) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("\(UUID().uuidString)-\(name)").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    static func drain(_ reader: inout some SourceReader) async throws -> [SourceEntry] {
        var entries: [SourceEntry] = []
        while let entry = try await reader.next() { entries.append(entry) }
        return entries
    }

    @Test(arguments: [
        ("a,b\n1,2\n", [["a": "1", "b": "2"]]),
        ("a,b\r\n\"x,y\",\"say \"\"hi\"\"\"\r\n", [["a": "x,y", "b": "say \"hi\""]]),
        ("a,b\n\"two\nlines\",\n\n3,4", [["a": "two\nlines"], ["a": "3", "b": "4"]]),
        // What PowerShell's Export-Csv -Encoding UTF8 writes: a byte-order mark, then quoted names.
        ("\u{FEFF}\"login\",\"title\"\r\n\"a1\",Dev\r\n", [["login": "a1", "title": "Dev"]]),
    ] as [(String, [JSONObject])])
    func csvRows(text: String, expected: [JSONObject]) async throws {
        var reader = try CSVReader(path: try Self.file("rows.csv", text))
        let records = try await Self.drain(&reader).compactMap { entry -> JSONObject? in
            if case .item(let item) = entry { return item.record }
            return nil
        }
        #expect(records == expected)
    }

    @Test(arguments: [
        ("a,b\n1,2,3\n", 2, "3 fields where the header has 2"),
        ("a,b\n1,\"open\n", 2, "a quoted field is not closed"),
        ("a,b\nx\"y,2\n", 2, "a quote inside an unquoted field (column 2)"),
    ])
    func csvMalformed(text: String, line: Int, reason: String) async throws {
        var reader = try CSVReader(path: try Self.file("bad.csv", text))
        let entries = try await Self.drain(&reader)
        guard case .malformed(let badLine, let badReason)? = entries.first else {
            Issue.record("expected a malformed row, got \(entries)")
            return
        }
        #expect(badLine == line)
        #expect(badReason == reason)
    }

    /// What the CSV reader says of a row, or a header, that is not UTF-8.
    static let notUTF8 =
        "is not UTF-8: the file must be UTF-8 (convert it with e.g. iconv -f latin1 -t utf-8 in.csv > out.csv)"

    @Test func csvRowsThatAreNotUTF8AreMalformed() async throws {
        // Latin-1: é is 0xE9, ë 0xEB; the quoted field spans two lines, so the next row is on line 4.
        let latin1 = Array("login,title\nzo".utf8) + [0xEB] + Array(",\"D".utf8) + [0xE9] + Array("v\nOps\"\namy,Dev\n".utf8)
        var reader = try CSVReader(path: try Self.file("latin1.csv", bytes: latin1))
        let entries = try await Self.drain(&reader)
        guard entries.count == 2, case .malformed(let line, let reason) = entries[0], case .item(let amy) = entries[1] else {
            Issue.record("unexpected: \(entries)")
            return
        }
        #expect(line == 2)
        #expect(reason == "the row \(Self.notUTF8)")
        #expect(amy.line == 4)
        #expect(amy.record == ["login": "amy", "title": "Dev"])
    }

    @Test func aCSVHeaderThatIsNotUTF8FailsTheRead() throws {
        let path = try Self.file("latin1.csv", bytes: Array("login,r".utf8) + [0xF4] + Array("le\namy,Dev\n".utf8))
        #expect(throws: SyncFailure("\(path): the header row \(Self.notUTF8)")) { try CSVReader(path: path) }
    }

    @Test func graphExportPutsUsersFirstAndReducesMembers() async throws {
        let export = #"""
            {"value":[
              {"@odata.type":"#microsoft.graph.group","id":"g-1","displayName":"Ops","members":[{"id":"u-1"},"u-2"]},
              {"id":"u-1","userPrincipalName":"a@contoso.com"},
              7
            ]}
            """#
        var reader = try GraphExportReader(bytes: Array(export.utf8))
        let entries = try await Self.drain(&reader)
        #expect(entries.count == 3)
        guard case .item(let user) = entries[0], case .malformed(let line, _) = entries[1], case .item(let group) = entries[2] else {
            Issue.record("unexpected order: \(entries)")
            return
        }
        #expect(user.kind == .user)
        #expect(user.line == 3)
        #expect(line == 4, "the line of the record, not its position")
        #expect(group.kind == .group)
        #expect(group.line == 2)
        #expect(group.record["members"] == ["u-1", "u-2"])
    }


    @Test func ldifMultiValuedAndChangeRecords() async throws {
        let text = """
            dn: cn=a,dc=x
            objectClass: person
            mail: a@x
            mail: b@x

            dn: cn=b,dc=x
            changetype: delete
            """
        var reader = try LDIFReader(path: try Self.file("x.ldif", text))
        let entries = try await Self.drain(&reader)
        guard case .item(let item) = entries.first, case .malformed(let line, let reason) = entries.last else {
            Issue.record("unexpected: \(entries)")
            return
        }
        #expect(item.record["mail"] == ["a@x", "b@x"])
        #expect(item.record["dn"] == "cn=a,dc=x")
        #expect(line == 7)
        #expect(reason == "change records are not read, only content records")
    }

    @Test func ldifBinaryValuesKeepTheirBase64() async throws {
        // objectGUID and objectSid as ldifde writes them: base64 of bytes that are not UTF-8 (objectSid folded).
        let text = """
            dn: cn=Zoe,dc=x
            cn:: Wm/DqyBIYXJ0
            objectGUID:: 1MOyoQAAAECAAAAAAAD/nw==
            objectSid:: AQUAAAAAAAUVAAAA3PTcO4M9K0aC
             i6YoAAIAAA==
            groupSid:: AQIAAAAAAAUgAAAAIAIAAA==

            dn: cn=b,dc=x
            cn:: not base64!!
            """
        var reader = try LDIFReader(path: try Self.file("ad.ldif", text))
        let entries = try await Self.drain(&reader)
        guard entries.count == 2, case .item(let item) = entries[0], case .malformed(let line, let reason) = entries[1] else {
            Issue.record("unexpected: \(entries)")
            return
        }
        #expect(item.record["cn"] == "Zoë Hart")
        #expect(item.record["objectGUID"] == "1MOyoQAAAECAAAAAAAD/nw==")
        #expect(item.record["objectSid"] == "AQUAAAAAAAUVAAAA3PTcO4M9K0aCi6YoAAIAAA==")
        #expect(item.record["groupSid"] == "AQIAAAAAAAUgAAAAIAIAAA==", "S-1-5-32-544: valid UTF-8, but control characters, not text")
        #expect(line == 9)
        #expect(reason == "cn has a value that is not base64")
    }

    @Test func ldifLinesThatAreNotUTF8MakeTheirRecordMalformed() async throws {
        let latin1 = Array("dn: cn=zoe,dc=x\ncn: Zo".utf8) + [0xE9] + Array("\nsn: Hart\n\ndn: cn=sam,dc=x\ncn: Sam\n".utf8)
        var reader = try LDIFReader(path: try Self.file("latin1.ldif", bytes: latin1))
        let entries = try await Self.drain(&reader)
        guard entries.count == 2, case .malformed(let line, let reason) = entries[0], case .item(let sam) = entries[1] else {
            Issue.record("unexpected: \(entries)")
            return
        }
        #expect(line == 2)
        #expect(reason.hasPrefix("the line is not UTF-8"))
        #expect(sam.record["cn"] == "Sam")
    }

    @Test func ldifFoldedCommentsAreDroppedWhole() async throws {
        let text = """
            # an export header long enough
             to be folded
            dn: cn=amy,dc=x
            cn: Amy
            # a note long enough that the exporter
              folded it onto a second line
            description: Nurse
            """
        var reader = try LDIFReader(path: try Self.file("c.ldif", text))
        let entries = try await Self.drain(&reader)
        guard entries.count == 1, case .item(let item) = entries[0] else {
            Issue.record("unexpected: \(entries)")
            return
        }
        #expect(item.record == ["dn": "cn=amy,dc=x", "cn": "Amy", "description": "Nurse"])
    }

    @Test(arguments: ["\u{FEFF}version: 1\n\ndn: uid=a,dc=x\nuid: a\n", "\u{FEFF}dn: uid=a,dc=x\nuid: a\n"])
    func ldifByteOrderMarkIsSkipped(text: String) async throws {
        var reader = try LDIFReader(path: try Self.file("bom.ldif", text))
        let entries = try await Self.drain(&reader)
        guard entries.count == 1, case .item(let item) = entries[0] else {
            Issue.record("unexpected: \(entries)")
            return
        }
        #expect(item.record == ["dn": "uid=a,dc=x", "uid": "a"])
    }
}

/// The PATCH operations computed from a mapped and an existing resource.
@Suite struct ResourceDiffTests {
    @Test func onlyDifferencesAreSent() {
        let existing: JSONObject = [
            "userName": "zoe", "active": true, "name": ["givenName": "Zoë", "familyName": "Hart"],
            "phoneNumbers": [["type": "work", "value": "1"], ["type": "mobile", "value": "2"]],
            "urn:ietf:params:scim:schemas:extension:klaxon:2.0:User": ["location": "Leeds"],
        ]
        let desired: JSONObject = [
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "zoe", "active": false,
            "name": ["givenName": "Zoë", "familyName": "Hartley"], "phoneNumbers": [["type": "mobile", "value": "3"]],
            "urn:ietf:params:scim:schemas:extension:klaxon:2.0:User": ["location": "Leeds"],
        ]
        let operations = ResourceDiff.operations(desired: desired, existing: existing, cleared: ["title"])
        #expect(operations == [
            ["op": "replace", "path": "active", "value": false],
            ["op": "replace", "path": "name.familyName", "value": "Hartley"],
            ["op": "replace", "path": "phoneNumbers", "value": [["type": "work", "value": "1"], ["type": "mobile", "value": "3"]]],
            ["op": "remove", "path": "title"],
        ])
        #expect(ResourceDiff.operations(desired: existing, existing: existing).isEmpty)
    }

    @Test func membershipIsMinimal() {
        let operations = ResourceDiff.membershipOperations(desired: ["a", "c", "d"], existing: ["a", "b", "c"])
        #expect(operations == [
            ["op": "add", "path": "members", "value": [["value": "d"]]],
            ["op": "remove", "path": #"members[value eq "b"]"#],
        ])
    }
}

/// Which reader a source gets: `--source-format` checked against the source, or what the source implies.
@Suite struct SourceFormatTests {
    @Test(arguments: [
        ("export.json", nil, SourceFormat.json),
        ("people.CSV", nil, .csv),
        ("dir.ldf", nil, .ldif),
        ("https://old.example/scim/v2", nil, .scim),
        ("HTTP://127.0.0.1:8080/scim/v2/acme", nil, .scim),
        ("https://old.example/scim/v2", "scim", .scim),
        ("https://old.example/scim/v2", "SCIM", .scim),
        ("export.txt", "json", .json),
        ("export", "ldif", .ldif),
    ] as [(String, String?, SourceFormat)])
    func resolved(source: String, format: String?, expected: SourceFormat) throws {
        #expect(try SourceFormat.resolve(source: source, format: format) == expected)
    }

    @Test(arguments: [
        ("export.txt", nil, "cannot tell the format of export.txt from its extension; give --source-format"),
        ("export.json", "xml", "the source format must be one of json, csv, ldif, scim, not xml"),
        ("export.json", "scim", "a scim source is an http(s) URL, not export.json"),
        ("https://old.example/scim/v2", "json", "a json source is a file; an http(s) URL is read as scim"),
    ] as [(String, String?, String)])
    func refused(source: String, format: String?, message: String) {
        #expect(throws: SyncFailure(message)) { try SourceFormat.resolve(source: source, format: format) }
    }

    @Test func aSCIMEndpointIsNotAFile() {
        #expect(throws: SyncFailure("https://old.example/scim/v2 is a SCIM endpoint: read it with SCIMSourceReader")) {
            try SourceFormat.scim.reader(path: "https://old.example/scim/v2")
        }
    }
}
