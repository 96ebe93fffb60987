import ArgumentParser
import KlaxonDirectory

/// `--database`, shared by every command that opens the directory.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The SQLite database file; created on first use.", valueName: "path"))
    var database: String = "klaxon.sqlite"

    func open() async throws -> any Directory {
        try await SQLiteDirectory.open(path: database)
    }
}

/// `--org`, for commands that act on one organisation.
struct OrganisationOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The organisation's slug, as in its Endpoint URL (see 'klaxon-sync org list').", valueName: "slug"))
    var org: String = "default"

    func resolve(in directory: any Directory) async throws -> Organisation {
        guard let organisation = try await directory.organisation(slug: org) else {
            throw ValidationError("No organisation '\(org)'. List them with 'klaxon-sync org list', or create one with 'klaxon-sync org create \(org)'.")
        }
        return organisation
    }
}

/// Runs `body` with an open directory and closes it afterwards, whether or not `body` throws.
func withDirectory<T: Sendable>(_ options: DatabaseOptions, _ body: (any Directory) async throws -> T) async throws -> T {
    let directory = try await options.open()
    do {
        let result = try await body(directory)
        try await directory.close()
        return result
    } catch {
        try? await directory.close()
        throw error
    }
}
