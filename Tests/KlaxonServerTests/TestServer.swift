import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KlaxonDirectory
import KlaxonServer
import SCIM
import Testing

/// A real server on a random loopback port over a real SQLite file, with two organisations and their tokens.
struct TestServer {
    let client: any TestClientProtocol
    let directory: any Directory
    let acme: Organisation
    let acmeToken: String
    let globex: Organisation
    let globexToken: String

    /// A fresh database file in a temporary folder, removed afterwards.
    static func withDatabase<T>(_ body: (String) async throws -> T) async throws -> T {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("klaxon-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        return try await body(folder.appendingPathComponent("klaxon.sqlite").path)
    }

    /// Starts the server on `path` (creating the organisations if the database is new) and runs `body` against it.
    static func run(path: String, _ body: @Sendable (TestServer) async throws -> Void) async throws {
        let directory = try await SQLiteDirectory.open(path: path)
        let acme = try await organisation("acme", in: directory)
        let globex = try await organisation("globex", in: directory)
        let acmeToken = try await directory.issueToken(in: acme.id, label: "test").secret
        let globexToken = try await directory.issueToken(in: globex.id, label: "test").secret
        let app = try KlaxonServer.application(
            directory: directory, configuration: ServerConfiguration(host: "127.0.0.1", port: 0, tokenCacheTTL: .zero, passwordCost: 4),
            profiles: try ProfileDeriver(defaultPhoneRegion: "GB"))
        try await app.test(.live) { client in
            try await body(
                TestServer(
                    client: client, directory: directory, acme: acme, acmeToken: acmeToken, globex: globex, globexToken: globexToken))
        }
    }

    private static func organisation(_ slug: String, in directory: any Directory) async throws -> Organisation {
        if let existing = try await directory.organisation(slug: slug) { return existing }
        return try await directory.createOrganisation(slug: slug, name: slug.capitalized)
    }

    /// Starts a server on a fresh database.
    static func run(_ body: @Sendable (TestServer) async throws -> Void) async throws {
        try await withDatabase { path in try await run(path: path, body) }
    }

    struct Reply {
        var status: Int
        var headers: HTTPFields
        var text: String
        var json: JSONValue?

        subscript(key: String) -> JSONValue? { json?[key] }

        /// The RFC 7644 error fields, checked for shape.
        func expectError(_ status: Int, _ scimType: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) {
            #expect(self.status == status, "expected \(status), got \(self.status): \(text)", sourceLocation: sourceLocation)
            #expect(headers[.contentType]?.hasPrefix("application/scim+json") == true, sourceLocation: sourceLocation)
            #expect(json?["schemas"] == [.string(SchemaURN.error)], sourceLocation: sourceLocation)
            #expect(json?["status"] == .string(String(status)), sourceLocation: sourceLocation)
            if let scimType {
                #expect(json?["scimType"] == .string(scimType), sourceLocation: sourceLocation)
            }
        }
    }

    /// Sends a request to `/scim/v2/acme<path>` (or another organisation's) with a bearer token.
    @discardableResult
    func scim(
        _ method: HTTPRequest.Method, _ path: String, _ body: String? = nil, org: String = "acme", token: String? = nil,
        headers extra: HTTPFields = [:]
    ) async throws -> Reply {
        var headers = extra
        if headers[.authorization] == nil {
            headers[.authorization] = "Bearer \(token ?? (org == "globex" ? globexToken : acmeToken))"
        }
        if body != nil, headers[.contentType] == nil { headers[.contentType] = "application/scim+json" }
        return try await raw(method, "/scim/v2/\(org)\(path)", body, headers: headers)
    }

    func raw(_ method: HTTPRequest.Method, _ uri: String, _ body: String? = nil, headers: HTTPFields = [:]) async throws -> Reply {
        let response = try await client.execute(
            uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
        let text = String(buffer: response.body)
        return Reply(status: Int(response.status.code), headers: response.headers, text: text, json: try? JSONParser.parse(text))
    }

    /// Creates a user and returns its id.
    func createUser(_ userName: String, extra: String = "", org: String = "acme") async throws -> String {
        let reply = try await scim(
            .post, "/Users", #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"\#(userName)","active":true\#(extra)}"#,
            org: org)
        #expect(reply.status == 201, "\(reply.text)")
        return try #require(reply["id"]?.stringValue)
    }
}
