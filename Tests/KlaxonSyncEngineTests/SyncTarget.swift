import Foundation
import Hummingbird
import HummingbirdTesting
import KlaxonDirectory
import KlaxonServer
import KlaxonSyncEngine
import NIOHTTP1
import SCIM
import Testing

/// The real server over a fresh SQLite file on a random loopback port, with one organisation, and a
/// `SCIMClient` for its endpoint.
struct SyncTarget {
    let baseURL: String
    let token: String
    let client: SCIMClient
    let folder: URL
    /// A second organisation on the same server, to read from as a SCIM source.
    let sourceURL: String
    let sourceToken: String

    /// Starts the server (knowing `registry`'s schemas) and runs `body` against it; everything is removed afterwards.
    static func run(registry: SchemaRegistry = .standard, _ body: @Sendable (SyncTarget) async throws -> Void) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("klaxon-sync-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let directory = try await SQLiteDirectory.open(path: folder.appendingPathComponent("klaxon.sqlite").path, schemas: registry)
        let acme = try await directory.createOrganisation(slug: "acme", name: "Acme")
        let token = try await directory.issueToken(in: acme.id, label: "sync").secret
        let globex = try await directory.createOrganisation(slug: "globex", name: "Globex")
        let sourceToken = try await directory.issueToken(in: globex.id, label: "source").secret
        let app = try KlaxonServer.application(
            directory: directory,
            configuration: ServerConfiguration(host: "127.0.0.1", port: 0, tokenCacheTTL: .zero, passwordCost: 4),
            profiles: try ProfileDeriver(defaultPhoneRegion: "GB"), registry: registry)
        try await app.test(.live) { testClient in
            let port = try #require(testClient.port)
            let baseURL = "http://127.0.0.1:\(port)/scim/v2/acme"
            let client = SCIMClient(baseURL: baseURL, token: token, concurrency: 4)
            do {
                try await body(
                    SyncTarget(
                        baseURL: baseURL, token: token, client: client, folder: folder,
                        sourceURL: "http://127.0.0.1:\(port)/scim/v2/globex", sourceToken: sourceToken))
                try await client.shutdown()
            } catch {
                try? await client.shutdown()
                throw error
            }
        }
    }

    /// Writes a file in the test's folder and returns its path.
    func file(_ name: String, _ text: String) throws -> String {
        let path = folder.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Runs the engine over a source file with the state at `state.json` (none if `withState` is false).
    func sync(
        mapping: String, source: String, format: SourceFormat, dryRun: Bool = false, client: SCIMClient? = nil, withState: Bool = true
    ) async throws -> SyncReport {
        var reader = try format.reader(path: source)
        return try await sync(mapping: mapping, reader: &reader, dryRun: dryRun, client: client, withState: withState)
    }

    /// Runs the engine over a reader with the state at `state.json` (none if `withState` is false).
    func sync(
        mapping: String, reader: inout some SourceReader, dryRun: Bool = false, client: SCIMClient? = nil, withState: Bool = true
    ) async throws -> SyncReport {
        let engine = try SyncEngine(mappingFile: mapping, client: client ?? self.client, dryRun: dryRun, concurrency: 4)
        var state = withState ? try SyncState.load(path: statePath) : SyncState()
        let report = await engine.run(&reader, state: &state)
        if withState { try state.save(path: statePath) }
        return report
    }

    /// Where ``sync(mapping:reader:dryRun:client:withState:)`` keeps the state.
    var statePath: String { folder.appendingPathComponent("state.json").path }

    /// The one resource of `endpoint` whose filter matches.
    func only(_ endpoint: String, _ filter: String) async throws -> JSONValue {
        let encoded = filter.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? filter
        let reply = try await client.send(.GET, "\(endpoint)?filter=\(encoded)")
        #expect(reply.status == 200)
        let resources = reply.body?["Resources"]?.arrayValue ?? []
        #expect(resources.count == 1, "\(filter): \(resources.count) found")
        return try #require(resources.first)
    }

    func user(_ userName: String) async throws -> JSONValue {
        try await only("/Users", "userName eq \"\(userName)\"")
    }

    func group(_ displayName: String) async throws -> JSONValue {
        try await only("/Groups", "displayName eq \"\(displayName)\"")
    }

    /// Every resource of an endpoint.
    func all(_ endpoint: String) async throws -> [JSONValue] {
        let reply = try await client.send(.GET, "\(endpoint)?count=1000")
        return reply.body?["Resources"]?.arrayValue ?? []
    }
}

/// The repository root, for the shipped mapping files.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

func shippedMapping(_ name: String) -> String {
    repositoryRoot.appendingPathComponent("Mappings/\(name)").path
}
