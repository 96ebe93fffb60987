import Foundation
@testable import KlaxonSyncEngine
import SCIM
import Testing

/// The streaming Graph export reader: records found and parsed one at a time whatever the chunk size, users
/// before groups, malformed records skipped with their line, broken structure reported with its line.
@Suite struct GraphExportReaderTests {
    /// Reads `text` in chunks of `chunkSize` bytes.
    static func entries(_ text: String, chunkSize: Int = 1 << 16, recordLimit: Int = GraphExportReader.maxRecordBytes) async throws -> [SourceEntry] {
        var reader = try GraphExportReader(file: ChunkedFile(bytes: Array(text.utf8), chunkSize: chunkSize), name: "export.json", recordLimit: recordLimit)
        let entries = try await ReaderTests.drain(&reader)
        #expect(reader.fractionRead == 1)
        return entries
    }

    static func items(_ entries: [SourceEntry]) -> [SourceItem] {
        entries.compactMap { entry in
            if case .item(let item) = entry { return item }
            return nil
        }
    }

    /// The failure reading `text` throws.
    static func failure(_ text: String, chunkSize: Int = 1 << 16) async -> SyncFailure? {
        do {
            _ = try await entries(text, chunkSize: chunkSize)
            return nil
        } catch {
            return error as? SyncFailure
        }
    }

    /// Strings holding brackets, braces, escaped quotes and backslashes, an escaped `]`, nested objects and
    /// arrays, multi-byte characters, CRLF line ends, a byte order mark, and members around `value` to skip.
    static let tricky = "\u{FEFF}" + [
        #"{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#users{\"x\":[1,2]}","#,
        #" "value": ["#,
        #"  {"id":"u-1","userPrincipalName":"a@contoso.com","displayName":"Ann \"[the] {boss}\" Bell","jobTitle":"C:\\dir\\"},"#,
        ##"  {"@odata.type":"#microsoft.graph.group","id":"g-1","displayName":"Ops ] } [ {","members":[{"id":"u-1","nested":{"a":[[],{}]}},"u-2"]},"##,
        #"  {"id":"u-2","userPrincipalName":"b@contoso.com","displayName":"Zoë 🚨 \u005D\u007D","extension":{"list":[{"deep":[1,[2,[3]]]}]},"#,
        #"   "empty":"", "n":-1.5e3, "t":true, "f":false, "z":null}"#,
        #" ],"#,
        #" "@odata.nextLink": null"#,
        "}",
    ].joined(separator: "\r\n")

    @Test(arguments: [1, 2, 3, 5, 7, 16, 64, 1 << 16])
    func chunkBoundariesChangeNothing(chunkSize: Int) async throws {
        let entries = try await Self.entries(Self.tricky, chunkSize: chunkSize)
        let items = Self.items(entries)
        #expect(items.count == entries.count)
        #expect(items.map(\.kind) == [.user, .user, .group])
        #expect(items.map(\.line) == [3, 5, 4])
        #expect(items[0].record["displayName"] == #"Ann "[the] {boss}" Bell"#)
        #expect(items[0].record["jobTitle"] == #"C:\dir\"#)
        #expect(items[0].record["objectId"] == "u-1")
        #expect(items[1].record["displayName"] == "Zoë 🚨 ]}")
        #expect(items[1].record["extension"] == ["list": [["deep": [1, [2, [3]]]]]])
        #expect(items[1].record["n"] == JSONValue.decimal(-1500))
        #expect(items[1].record["z"] == .null)
        #expect(items[2].record["displayName"] == "Ops ] } [ {")
        #expect(items[2].record["members"] == ["u-1", "u-2"])
    }

    /// Many records of different sizes, read in chunks smaller than most of them, come out whole and in order.
    @Test func recordsStraddlingChunks() async throws {
        let users = (0..<500).map { index in
            #"{"id":"u-\#(index)","userPrincipalName":"user\#(index)@contoso.com","pad":"\#(String(repeating: "x", count: index % 97))"}"#
        }
        let text = "[" + users.joined(separator: ",\n") + "]"
        for chunkSize in [13, 100, 4096] {
            let items = Self.items(try await Self.entries(text, chunkSize: chunkSize))
            #expect(items.count == 500)
            #expect(items.map { $0.record["id"]?.stringValue } == (0..<500).map { "u-\($0)" })
            #expect(items.map(\.line) == Array(1...500))
            #expect(items[96].record["pad"]?.stringValue?.count == 96)
        }
    }

    @Test func groupsBeforeUsersAreHeldUntilTheUsersAreOut() async throws {
        let text = #"""
            {"groups": {"value": [{"id":"g-1","displayName":"A"}, {"id":"g-2","displayName":"B"}]},
             "users": [{"id":"u-1"}, {"id":"u-2"}]}
            """#
        let items = Self.items(try await Self.entries(text, chunkSize: 8))
        #expect(items.map(\.kind) == [.user, .user, .group, .group])
        #expect(items.map { $0.record["id"]?.stringValue } == ["u-1", "u-2", "g-1", "g-2"])
    }

    /// Okta's groups say what they are in `type`; its users' `type` is an object.
    @Test func oktaRecordsAreTypedByTheirType() async throws {
        let text = """
            [{"id":"00g1","type":"OKTA_GROUP","profile":{"name":"Ops"}},
             {"id":"00g2","type":"APP_GROUP","profile":{"name":"App"}},
             {"id":"00g3","type":"BUILT_IN","profile":{"name":"Everyone"}},
             {"id":"00u1","status":"ACTIVE","type":{"id":"oty1"},"profile":{"login":"amy@example.com"}}]
            """
        let items = Self.items(try await Self.entries(text))
        #expect(items.map(\.kind) == [.user, .group, .group, .group])
        #expect(items.map { $0.record["id"]?.stringValue } == ["00u1", "00g1", "00g2", "00g3"])
    }

    @Test func malformedRecordsAreSkippedWithTheirLine() async throws {
        let text = """
            {"value": [
              {"id":"u-1"},
              {"id":"u-2", "broken": tru},
              "a string",
              {"id":"u-3",
               "twice":1, "TWICE":2},
              {"id":"u-4", "big":"\(String(repeating: "y", count: 300))"},
              {"id":"u-5"}
            ]}
            """
        let entries = try await Self.entries(text, chunkSize: 16, recordLimit: 200)
        let outcome: [String] = entries.map { entry in
            switch entry {
            case .item(let item): return "\(item.line): \(item.record["id"]?.stringValue ?? "?")"
            case .malformed(let line, let reason): return "\(line): \(reason)"
            }
        }
        #expect(outcome == [
            "2: u-1",
            "3: record 2 is not valid JSON: invalid literal",
            "4: record 3 is string, not an object",
            "6: record 4 is not valid JSON: duplicate member \"TWICE\" (names are case-insensitive)",
            "7: record 5 takes 322 bytes, more than the 200 a record may",
            "8: u-5",
        ])
    }

    @Test(arguments: [
        (#"{"value":[{"id":"u-1"} {"id":"u-2"}]}"#, 1, #"export.json, line 1: expected ',' or ']' after record 1"#),
        ("{\"value\":[\n{\"id\":\"u-1\",\"list\":[1}\n]}", 2, "export.json, line 2: '}' where ']' should close the value"),
        ("[\n{\"id\":\"u-1\"},\n{\"id\":\"u-2\",\"name\":\"cut", 3, "export.json, line 3: the file ends inside a value that starts on line 3"),
        ("[{\"id\":\"u-1\"},\n", 2, "export.json, line 2: the file ends before the export is closed"),
        ("[{\"id\":\"u-1\"}]\n]", 2, "export.json, line 2: unexpected text after the end of the export"),
        (#"{"value":[], "next" 1}"#, 1, #"export.json, line 1: expected ':' after "next""#),
        (#"{value:[]}"#, 1, "export.json, line 1: expected a member name in double quotes"),
        (#"{"value":[],}"#, 1, "export.json, line 1: expected a member name in double quotes"),
        ("[{\"id\":\"u-1\"},]", 1, "export.json, line 1: ']' closes nothing"),
        // Cut off after a bare value: the scanner must not keep an index into bytes it dropped.
        ("[" + (1...40).map(String.init).joined(separator: ",") + ",12345", 1, "export.json, line 1: the file ends before the export is closed"),
        (#"{"value":[{"id":"u-1"},{"id":"u-2"},true"#, 1, "export.json, line 1: the file ends before the export is closed"),
    ] as [(String, Int, String)])
    func brokenStructureStopsWithItsLine(text: String, line: Int, message: String) async throws {
        for chunkSize in [3, 1 << 16] {
            let failure = try #require(await Self.failure(text, chunkSize: chunkSize))
            #expect(failure.message == message)
            #expect(failure.line == line)
            #expect(failure.status == nil)
        }
    }

    @Test(arguments: [
        ("nope", "export.json is not JSON: an export starts with [ or {"),
        ("  \r\n ", "export.json is empty"),
        (#"{"@odata.context":"x","count":2}"#, #"export.json has neither "value" nor "users"/"groups""#),
    ])
    func notAnExport(text: String, message: String) async throws {
        let failure = try #require(await Self.failure(text))
        #expect(failure.message == message)
    }

    /// A file on disk is read in 64 KiB chunks: a few thousand records cross many chunk boundaries.
    @Test func fileOnDisk() async throws {
        let users = (0..<3_000).map { #"{"id":"u-\#($0)","userPrincipalName":"user\#($0)@contoso.com","city":"Leeds [north]"}"# }
        let groups = [##"{"@odata.type":"#microsoft.graph.group","id":"g-1","members":[{"id":"u-0"}]}"##]
        let path = try ReaderTests.file("export.json", #"{"value":["# + (groups + users).joined(separator: ",\r\n") + "]}")
        defer { try? FileManager.default.removeItem(atPath: path) }
        var reader = try GraphExportReader(path: path)
        let items = Self.items(try await ReaderTests.drain(&reader))
        #expect(items.count == 3_001)
        #expect(items.last?.kind == .group)
        #expect(items[2_999].record["id"] == "u-2999")
        #expect(items[2_999].line == 3_001)
        #expect(reader.fractionRead == 1)
    }
}
