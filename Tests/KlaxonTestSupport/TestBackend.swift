import Foundation
public import KlaxonDirectory
public import Logging
public import PostgresNIO

/// The backends the directory and server suites run on: SQLite always, and PostgreSQL when
/// `KLAXON_TEST_POSTGRES_URL` names a server on which each test may create a database of its own (`.ci/run`
/// starts one).
///
/// ```swift
/// @Test(arguments: TestBackend.available)
/// func createsUsers(backend: TestBackend) async throws {
///     try await backend.withDirectory { directory in … }
/// }
/// ```
public enum TestBackend: String, Sendable, CaseIterable, CustomStringConvertible {
    case sqlite
    case postgres

    /// The environment variable with the PostgreSQL server's URL, e.g. `postgres://postgres@127.0.0.1:54329/postgres`.
    public static let postgresURLVariable = "KLAXON_TEST_POSTGRES_URL"

    /// The PostgreSQL server to create test databases on, if one was given.
    public static var postgresURL: String? {
        ProcessInfo.processInfo.environment[postgresURLVariable].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// SQLite, and PostgreSQL if a server was given.
    public static var available: [TestBackend] {
        postgresURL == nil ? [.sqlite] : [.sqlite, .postgres]
    }

    public var description: String { rawValue }

    /// Runs `body` with a new, empty database of this backend, removed when `body` returns.
    public func withScratchDatabase<T>(_ body: (ScratchDatabase) async throws -> T) async throws -> T {
        switch self {
        case .sqlite:
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("klaxon-test-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            return try await body(ScratchDatabase(backend: self, location: folder.appendingPathComponent("klaxon.sqlite").path))
        case .postgres:
            guard let server = Self.postgresURL else { throw ScratchDatabase.Unavailable() }
            let name = "klaxon_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
            try await ScratchDatabase.administer(server, "CREATE DATABASE \(name)")
            do {
                let result = try await body(ScratchDatabase(backend: self, location: try ScratchDatabase.url(server, database: name)))
                try await ScratchDatabase.administer(server, "DROP DATABASE \(name) WITH (FORCE)")
                return result
            } catch {
                try? await ScratchDatabase.administer(server, "DROP DATABASE \(name) WITH (FORCE)")
                throw error
            }
        }
    }

    /// Runs `body` with a directory on a new database, closed and removed when `body` returns.
    public func withDirectory<T>(_ body: (SQLDirectory) async throws -> T) async throws -> T {
        try await withScratchDatabase { database in
            let directory = try await database.open()
            return try await directory.closing { try await body(directory) }
        }
    }
}

/// A database made for one test: a SQLite file or a PostgreSQL database of its own.
public struct ScratchDatabase: Sendable {
    struct Unavailable: Error, CustomStringConvertible {
        var description: String { "\(TestBackend.postgresURLVariable) is not set" }
    }

    public let backend: TestBackend
    /// The file path or `postgres://` URL, as `klaxon-sync --database` takes it.
    public private(set) var location: String

    /// How long a PostgreSQL statement may go unanswered in the directories ``open(poolSize:)`` opens.
    public var statementTimeout = PostgresDirectory.defaultStatementTimeout

    /// Opens a directory on the database, as a server instance would; each call is another instance.
    public func open(poolSize: Int = 4) async throws -> SQLDirectory {
        switch backend {
        case .sqlite: return try await SQLiteDirectory.open(path: location, readers: poolSize)
        case .postgres: return try await PostgresDirectory.open(url: location, poolSize: poolSize, statementTimeout: statementTimeout)
        }
    }

    /// The same database, with PostgreSQL statements left unanswered for `limit` failing as unavailable.
    public func answering(within limit: Duration) -> ScratchDatabase {
        var database = self
        database.statementTimeout = limit
        return database
    }

    /// The same database reached through `proxy` (PostgreSQL; a SQLite file is returned as it is).
    public func through(_ proxy: TCPProxy) throws -> ScratchDatabase {
        guard backend == .postgres, var components = URLComponents(string: location) else { return self }
        components.host = "127.0.0.1"
        components.port = proxy.port
        guard let url = components.string else { throw SQLDirectoryError.invalidLocation(location) }
        var database = self
        database.location = url
        return database
    }

    /// The PostgreSQL server's host and port.
    public var server: (host: String, port: Int)? {
        guard backend == .postgres, let components = URLComponents(string: location), let host = components.host else { return nil }
        return (host, components.port ?? 5432)
    }

    /// The server URL with another database in its path.
    static func url(_ server: String, database: String) throws -> String {
        guard var components = URLComponents(string: server) else { throw SQLDirectoryError.invalidLocation(server) }
        components.path = "/" + database
        guard let url = components.string else { throw SQLDirectoryError.invalidLocation(server) }
        return url
    }

    /// A connection of its own to the PostgreSQL database `url` names, outside any pool: for a test that needs to hold
    /// a transaction open, or to close a connection under the code it tests.
    public static func connect(_ url: String) async throws -> PostgresConnection {
        let target = try PostgresDirectory.Configuration(url: url)
        let configuration = PostgresConnection.Configuration(
            host: target.host, port: target.port, username: target.username, password: target.password, database: target.database,
            tls: .disable)
        return try await PostgresConnection.connect(configuration: configuration, id: 1, logger: logger)
    }

    /// Logs nothing: what the tests' own connections do is asserted, not logged.
    public static let logger = Logger(label: "klaxon.test.postgres", factory: { _ in SwiftLogNoOpLogHandler() })

    /// Runs one statement that cannot run in a transaction (`CREATE DATABASE`) on the server's own database.
    static func administer(_ server: String, _ statement: String) async throws {
        let connection = try await connect(server)
        do {
            try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
            try await connection.close()
        } catch {
            try? await connection.close()
            throw error
        }
    }
}
