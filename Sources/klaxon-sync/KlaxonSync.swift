import ArgumentParser

/// The `klaxon-sync` command line. Each subcommand is a small type that wires the library modules together.
@main
struct KlaxonSync: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "klaxon-sync",
        abstract: "Provision Klaxon's users and groups over SCIM 2.0 from Entra ID, Okta or a directory export.",
        version: "0.1.0",
        subcommands: [
            ServeCommand.self, SyncCommand.self, LintCommand.self, MapCommand.self, OrgCommand.self, TokenCommand.self,
            LocationCommand.self, AdminCommand.self,
        ]
    )
}
