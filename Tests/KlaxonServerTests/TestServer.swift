import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KlaxonDirectory
import KlaxonServer
import KlaxonTestSupport
import SCIM
import Testing

/// A real server on a random loopback port over a real database (a SQLite file or a PostgreSQL database of the
/// test's own), with two organisations and their tokens.
struct TestServer {
    /// How requests reach the server: the test framework's client, or a connection of a test's own.
    enum Transport: Sendable {
        case framework(any TestClientProtocol)
        case connection(TestClient)
    }

    let transport: Transport
    /// The loopback port the server listens on.
    let port: Int
    let directory: any Directory
    let acme: Organisation
    let acmeToken: String
    let globex: Organisation
    let globexToken: String

    /// Starts the server on `database` (creating the organisations if the database is new) and runs `body` against
    /// it. Each call is another server instance with its own connections to the database.
    static func run(
        on database: ScratchDatabase, configuration: ServerConfiguration = TestServer.configuration,
        _ body: @Sendable (TestServer) async throws -> Void
    ) async throws {
        let directory = try await database.open()
        let acme = try await organisation("acme", in: directory)
        let globex = try await organisation("globex", in: directory)
        let acmeToken = try await directory.issueToken(in: acme.id, label: "test").secret
        let globexToken = try await directory.issueToken(in: globex.id, label: "test").secret
        let app = try KlaxonServer.application(
            directory: directory, configuration: configuration,
            profiles: try ProfileDeriver(defaultPhoneRegion: "GB"))
        try await app.test(.live) { client in
            let port = try #require(client.port)
            try await body(
                TestServer(
                    transport: .framework(client), port: port, directory: directory, acme: acme, acmeToken: acmeToken, globex: globex,
                    globexToken: globexToken))
        }
    }

    /// A loopback server on a free port that asks the directory about every token and hashes passwords cheaply.
    static let configuration = ServerConfiguration(host: "127.0.0.1", port: 0, tokenCacheTTL: .zero, passwordCost: 4)

    private static func organisation(_ slug: String, in directory: any Directory) async throws -> Organisation {
        if let existing = try await directory.organisation(slug: slug) { return existing }
        return try await directory.createOrganisation(slug: slug, name: slug.capitalized)
    }

    /// Starts a server on a fresh database of `backend`.
    static func run(_ backend: TestBackend, _ body: @Sendable (TestServer) async throws -> Void) async throws {
        try await backend.withScratchDatabase { database in try await run(on: database, body) }
    }

    /// Runs `body` with this server reached over a keep-alive connection of its own, so that several of them send
    /// requests at the same time (one connection's requests are answered in turn).
    func onNewConnection<T: Sendable>(_ body: @escaping @Sendable (TestServer) async throws -> T) async throws -> T {
        try await TestClient.withClient(host: "127.0.0.1", port: port) { connection in
            try await body(
                TestServer(
                    transport: .connection(connection), port: port, directory: directory, acme: acme, acmeToken: acmeToken, globex: globex,
                    globexToken: globexToken))
        }
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
        let bytes = body.map { ByteBuffer(string: $0) }
        let (status, fields, buffer): (HTTPResponse.Status, HTTPFields, ByteBuffer)
        switch transport {
        case .framework(let client):
            let response = try await client.execute(uri: uri, method: method, headers: headers, body: bytes)
            (status, fields, buffer) = (response.status, response.headers, response.body)
        case .connection(let connection):
            var headers = headers
            headers[.connection] = "keep-alive"
            let response = try await connection.execute(TestClient.Request(uri, method: method, authority: "localhost", headers: headers, body: bytes))
            (status, fields, buffer) = (response.status, response.headers, response.body ?? ByteBuffer())
        }
        let text = String(buffer: buffer)
        return Reply(status: Int(status.code), headers: fields, text: text, json: try? JSONParser.parse(text))
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
