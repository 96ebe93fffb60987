import Foundation
import PostgresNIO
public import SCIM

/// The backend for several server instances behind a load balancer: the directory in one PostgreSQL database,
/// reached through a pool of connections per instance. Any instance can serve any request, because everything
/// (tokens, organisations, locations, resources, the activity log) lives in the database.
///
/// ```swift
/// let directory = try await PostgresDirectory.open(url: "postgres://klaxon@127.0.0.1:5432/klaxon", poolSize: 16)
/// let acme = try await directory.createOrganisation(slug: "acme", name: "Acme")
/// try await directory.close()
/// ```
public enum PostgresDirectory {
    /// The pool size when none is given: enough for a busy instance, and 100 connections (PostgreSQL's default
    /// limit) still serve six instances.
    public static let defaultPoolSize = 16

    /// Where the database is and how to reach it, as a `postgres://` URL says.
    public struct Configuration: Sendable, Hashable {
        /// How the connection is encrypted, as libpq's `sslmode` says (`verify-ca` and `verify-full` are `require`).
        public enum TLSMode: String, Sendable, Hashable {
            case disable
            /// TLS if the server offers it (the default, as in libpq).
            case prefer
            /// TLS with a certificate the system trusts, or no connection.
            case require
        }

        public var host: String
        public var port: Int
        public var username: String
        public var password: String?
        public var database: String
        public var tls: TLSMode
        /// How many connections this instance keeps open at most.
        public var poolSize: Int
        /// How long a statement may go unanswered (each row is an answer) before PostgreSQL is checked on a
        /// connection of its own; if that gets no answer either, the statement's connection is closed and the work
        /// fails as ``SQLDirectoryError/unavailable(_:)``. Statements take milliseconds, and identity platforms wait
        /// far less than this for an answer.
        public var statementTimeout: Duration = PostgresDirectory.defaultStatementTimeout

        public init(
            host: String, port: Int = 5432, username: String, password: String? = nil, database: String, tls: TLSMode = .prefer,
            poolSize: Int = PostgresDirectory.defaultPoolSize
        ) {
            self.host = host
            self.port = port
            self.username = username
            self.password = password
            self.database = database
            self.tls = tls
            self.poolSize = poolSize
        }

        /// Reads `postgres://user[:password]@host[:port]/database[?sslmode=disable|prefer|require]` (`postgresql://`
        /// too). The port defaults to 5432 and the database to the user's name, as in libpq.
        public init(url text: String, poolSize: Int = PostgresDirectory.defaultPoolSize) throws(SQLDirectoryError) {
            guard PostgresDirectory.isURL(text), let url = URLComponents(string: text) else {
                throw .invalidLocation("'\(text)' is not a PostgreSQL URL; write postgres://user@host:5432/database")
            }
            guard let host = url.host, !host.isEmpty else {
                throw .invalidLocation("the PostgreSQL URL names no host; write postgres://user@host:5432/database")
            }
            guard let username = url.user, !username.isEmpty else {
                throw .invalidLocation("the PostgreSQL URL names no user; write postgres://user@\(host)/database")
            }
            var tls = TLSMode.prefer
            for item in url.queryItems ?? [] {
                guard item.name == "sslmode" else {
                    throw .invalidLocation("the PostgreSQL URL has an unknown parameter '\(item.name)'; only sslmode is understood")
                }
                switch item.value ?? "" {
                case "disable": tls = .disable
                case "allow", "prefer": tls = .prefer
                case "require", "verify-ca", "verify-full": tls = .require
                case let other: throw .invalidLocation("sslmode '\(other)' is not one of disable, prefer, require")
                }
            }
            guard poolSize > 0 else { throw .invalidLocation("the pool needs at least one connection, not \(poolSize)") }
            let database = String(url.path.drop { $0 == "/" })
            self.init(
                host: host, port: url.port ?? 5432, username: username, password: url.password, database: database.isEmpty ? username : database,
                tls: tls, poolSize: poolSize)
        }

        /// The settings of one connection, for the probe ``PostgresDirectory/open(_:schemas:)`` makes first.
        func connection() throws -> PostgresConnection.Configuration {
            let tls: PostgresConnection.Configuration.TLS
            switch self.tls {
            case .disable: tls = .disable
            case .prefer: tls = .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
            case .require: tls = .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
            }
            return PostgresConnection.Configuration(host: host, port: port, username: username, password: password, database: database, tls: tls)
        }

        var client: PostgresClient.Configuration {
            let tls: PostgresClient.Configuration.TLS
            switch self.tls {
            case .disable: tls = .disable
            case .prefer: tls = .prefer(.makeClientConfiguration())
            case .require: tls = .require(.makeClientConfiguration())
            }
            var configuration = PostgresClient.Configuration(
                host: host, port: port, username: username, password: password, database: database, tls: tls)
            // A connection idle for 10 s is closed, and none is checked while idle. The pool sets timers each time a
            // connection goes idle (to close it, and to check it), and a cancelled timer keeps its memory until it
            // would have fired: with the defaults (close after 60 s idle, check after 30 s) a PostgreSQL server
            // grew by about 1.5 KB per request, to 200 MB and more under load, and slowed as the timers piled up.
            // Closed that soon, an idle connection never lives long enough for a firewall to drop it unseen, which is
            // what the check is for; under load, connections are reused long before 10 s.
            configuration.options.maximumConnections = poolSize
            configuration.options.minimumConnections = 0
            configuration.options.connectionIdleTimeout = PostgresDirectory.idleTimeout
            configuration.options.keepAliveBehavior = nil
            return configuration
        }
    }

    /// How long a statement may go unanswered when the configuration says nothing else.
    public static let defaultStatementTimeout = Duration.seconds(30)

    /// How long a pooled connection may sit idle before it is closed; short, since the pool's timer for it lingers
    /// this long after each use.
    static let idleTimeout = Duration.seconds(10)

    /// True for text that names a PostgreSQL database (`postgres://…` or `postgresql://…`) rather than a file.
    public static func isURL(_ text: String) -> Bool {
        text.hasPrefix("postgres://") || text.hasPrefix("postgresql://")
    }

    /// Connects to the database and brings its schema up to date; safe when several instances start at once.
    public static func open(
        url: String, poolSize: Int = defaultPoolSize, statementTimeout: Duration = defaultStatementTimeout, schemas: SchemaRegistry = .standard
    ) async throws -> SQLDirectory {
        var configuration = try Configuration(url: url, poolSize: poolSize)
        configuration.statementTimeout = statementTimeout
        return try await open(configuration, schemas: schemas)
    }

    /// Connects to the database and brings its schema up to date; safe when several instances start at once.
    /// Throws ``SQLDirectoryError/unavailable(_:)`` with PostgreSQL's reason if it cannot.
    public static func open(_ configuration: Configuration, schemas: SchemaRegistry = .standard) async throws -> SQLDirectory {
        do {
            // One connection first, so that a wrong host, password or database name fails at once and says why,
            // rather than after the pool has retried for a minute.
            let probe = try await PostgresConnection.connect(configuration: try configuration.connection(), id: 0, logger: PostgresDatabase.logger)
            try await probe.close()
            let database = PostgresDatabase.connect(
                configuration.client, statementTimeout: configuration.statementTimeout, probe: try configuration.connection())
            let directory = try await SQLDirectory.open(database, schema: PostgresMigrations.schema, schemas: schemas)
            database.armStatementTimeout()
            return directory
        } catch let error as PSQLError {
            let server = "\(configuration.username)@\(configuration.host):\(configuration.port)/\(configuration.database)"
            throw SQLDirectoryError.unavailable("\(server): \(PostgresDatabase.reason(error))")
        }
    }
}
