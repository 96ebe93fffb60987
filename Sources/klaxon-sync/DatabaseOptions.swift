import ArgumentParser
import Foundation
import KlaxonDirectory

/// `--database`, `--database-pool-size` and `--database-timeout`, shared by every command that opens the directory.
struct DatabaseOptions: ParsableArguments {
    /// Read when `--database` is not given, so a deployment can keep the database password out of the command line.
    static let environmentVariable = "KLAXON_DATABASE_URL"
    static let defaultPath = "klaxon.sqlite"
    static let defaultSQLiteReaders = 4

    @Option(
        name: .long,
        help: ArgumentHelp(
            """
            The SQLite database file (created on first use), or postgres://user@host:port/database for a PostgreSQL database that several instances share. Default: $\(environmentVariable), else \(defaultPath).
            """,
            valueName: "path-or-url"))
    var database: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Connections to the database at most: PostgreSQL connections (default \(PostgresDirectory.defaultPoolSize)), or SQLite readers (default \(defaultSQLiteReaders)).",
            valueName: "n"))
    var databasePoolSize: Int?

    @Option(
        name: .long,
        help: ArgumentHelp(
            """
            PostgreSQL only: seconds a statement may go unanswered before the server checks PostgreSQL on a connection of its own; if that is not answered either, the statement's connection is closed and the request answered 503, so that a database host that went silent does not hold requests for the quarter of an hour TCP takes to give up. A statement waiting for a lock on a server that answers waits on. Default: \(Int(PostgresDirectory.defaultStatementTimeout.components.seconds)).
            """,
            valueName: "seconds"))
    var databaseTimeout: Int?

    func validate() throws {
        if let databasePoolSize, databasePoolSize < 1 {
            throw ValidationError("--database-pool-size must be at least 1, not \(databasePoolSize).")
        }
        if let databaseTimeout {
            guard databaseTimeout >= 1 else { throw ValidationError("--database-timeout must be at least 1 second, not \(databaseTimeout).") }
            guard PostgresDirectory.isURL(location) else {
                throw ValidationError("--database-timeout is for a PostgreSQL database; a SQLite file has no network to go silent.")
            }
        }
        if PostgresDirectory.isURL(location) {
            do {
                _ = try PostgresDirectory.Configuration(url: location)
            } catch {
                throw ValidationError("\(error)")
            }
        }
    }

    /// The file or URL in force.
    var location: String {
        database ?? ProcessInfo.processInfo.environment[Self.environmentVariable].flatMap { $0.isEmpty ? nil : $0 } ?? Self.defaultPath
    }

    func open() async throws -> any Directory {
        if PostgresDirectory.isURL(location) {
            return try await PostgresDirectory.open(
                url: location, poolSize: databasePoolSize ?? PostgresDirectory.defaultPoolSize,
                statementTimeout: databaseTimeout.map { .seconds($0) } ?? PostgresDirectory.defaultStatementTimeout)
        }
        return try await SQLiteDirectory.open(path: location, readers: databasePoolSize ?? Self.defaultSQLiteReaders)
    }
}

/// `--org`, for commands that act on one organisation.
struct OrganisationOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The organisation's slug, as in its Endpoint URL (see 'klaxon-sync org list').", valueName: "slug"))
    var org: String = "default"

    func resolve(in directory: any Directory) async throws -> Organisation {
        guard let organisation = try await directory.organisation(slug: org) else {
            throw CommandFailure("No organisation '\(org)'. List them with 'klaxon-sync org list', or create one with 'klaxon-sync org create \(org)'.")
        }
        return organisation
    }
}

/// Runs `body` with an open directory and closes it afterwards, whether or not `body` throws.
func withDirectory<T: Sendable>(_ options: DatabaseOptions, _ body: (any Directory) async throws -> T) async throws -> T {
    let directory = try await options.open()
    return try await directory.closing { try await body(directory) }
}

/// A failure while a command runs (not a mistake in its arguments): printed as "Error: …" without the usage text.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
