import ArgumentParser
import Foundation
import KlaxonDirectory

struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Create, list, rename and revoke an organisation's bearer tokens.",
        subcommands: [Create.self, List.self, Rename.self, Revoke.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a token. Its secret is shown once; only a hash is stored.")

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var organisation: OrganisationOption

        @Option(help: "A label that says where the token is used, e.g. 'Entra ID production'.")
        var label: String = ""

        func run() async throws {
            let issued = try await withDirectory(database) { directory in
                let org = try await organisation.resolve(in: directory)
                return try await directory.issueToken(in: org.id, label: label)
            }
            print("Token: \(issued.secret)")
            print("Token id \(issued.record.id). It is shown once: store it in the identity platform now.")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List tokens with their label and last use (never their secret).")

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var organisation: OrganisationOption

        func run() async throws {
            let tokens = try await withDirectory(database) { directory in
                try await directory.tokens(in: try await organisation.resolve(in: directory).id)
            }
            print("id\thint\tlabel\tcreated\tlast used\tstatus")
            for token in tokens {
                let lastUsed = token.lastUsed.map { $0.formatted(.iso8601) } ?? "never"
                let status = token.revoked.map { "revoked \($0.formatted(.iso8601))" } ?? "active"
                print("\(token.id)\t\(token.hint)…\t\(token.label)\t\(token.created.formatted(.iso8601))\t\(lastUsed)\t\(status)")
            }
        }
    }

    struct Rename: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Change a token's label; the token itself keeps working.")

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var organisation: OrganisationOption

        @Argument(help: "The token id from 'klaxon-sync token list'.")
        var id: Int64

        @Argument(help: "The new label, e.g. 'Entra ID production'.")
        var newLabel: String

        func run() async throws {
            let label = newLabel.trimmingCharacters(in: .whitespacesAndNewlines)
            let renamed = try await withDirectory(database) { directory in
                try await directory.renameToken(id, to: label, in: try await organisation.resolve(in: directory).id)
            }
            guard renamed else { throw CommandFailure("No token \(id) in organisation '\(organisation.org)'. See 'klaxon-sync token list'.") }
            print("Token \(id) is now labelled '\(label)'.")
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a token; clients using it get 401 within seconds.")

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var organisation: OrganisationOption

        @Argument(help: "The token id from 'klaxon-sync token list'.")
        var id: Int64

        func run() async throws {
            let revoked = try await withDirectory(database) { directory in
                try await directory.revokeToken(id, in: try await organisation.resolve(in: directory).id)
            }
            guard revoked else { throw CommandFailure("No token \(id) in organisation '\(organisation.org)'. See 'klaxon-sync token list'.") }
            print("Revoked token \(id).")
        }
    }
}
