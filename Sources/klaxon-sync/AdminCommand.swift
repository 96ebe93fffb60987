import ArgumentParser
import Foundation
import KlaxonDirectory
import KlaxonServer

struct AdminCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "admin",
        abstract: "Manage Site Administrators, who sign in to the admin UI (/admin) of their organisation.",
        subcommands: [Create.self, Link.self, List.self]
    )

    /// How long a one-time sign-in link works.
    static let linkLifetime: TimeInterval = 7 * 86_400

    /// `--url`, for the links these commands print.
    struct URLOption: ParsableArguments {
        @Option(help: ArgumentHelp("The server's URL, for the sign-in link.", valueName: "url"))
        var url: String = "http://127.0.0.1:8080"

        func signInLink(_ code: String) -> String {
            "\(url.hasSuffix("/") ? String(url.dropLast()) : url)/admin/welcome?code=\(code)"
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a Site Administrator.",
            discussion: """
                With --password-stdin the password is read from standard input (one line). Otherwise a one-time \
                sign-in link is printed, where the administrator chooses a password.
                """)
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var organisation: OrganisationOption
        @OptionGroup var link: URLOption
        @Argument(help: "The sign-in name, usually an email address; unique on this server.") var login: String
        @Flag(help: "Read the password from standard input instead of printing a one-time sign-in link.") var passwordStdin = false

        func run() async throws {
            var hash: String?
            if passwordStdin {
                let password = readLine(strippingNewline: true) ?? ""
                if let problem = AdminPasswords.problem(with: password, confirmation: password) { throw ValidationError(problem) }
                hash = try await AdminPasswords().hash(password)
            }
            let (administrator, code) = try await withDirectory(database) { directory in
                let org = try await organisation.resolve(in: directory)
                let administrator = try await directory.createAdministrator(login: login, passwordHash: hash, in: org.id)
                let code: String? = hash != nil ? nil : try await directory.issueSignInCode(
                    forAdministrator: administrator.id, in: org.id, expires: Date().addingTimeInterval(AdminCommand.linkLifetime))
                return (administrator, code)
            }
            print("Created Site Administrator '\(administrator.login)' of '\(organisation.org)'.")
            if let code {
                print("One-time sign-in: \(link.signInLink(code))")
                print("(Works once, for 7 days: open it to choose a password.)")
            }
        }
    }

    struct Link: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a new one-time sign-in link for an administrator (e.g. a forgotten password).")
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var link: URLOption
        @Argument(help: "The administrator's sign-in name.") var login: String

        func run() async throws {
            let code = try await withDirectory(database) { directory in
                guard let credentials = try await directory.administratorCredentials(login: login) else {
                    throw CommandFailure("No administrator signs in as '\(login)'. See 'klaxon-sync admin list'.")
                }
                return try await directory.issueSignInCode(
                    forAdministrator: credentials.administrator.id, in: credentials.organisation.id,
                    expires: Date().addingTimeInterval(AdminCommand.linkLifetime))
            }
            print("One-time sign-in: \(link.signInLink(code))")
            print("(Works once, for 7 days; the current password keeps working until a new one is chosen.)")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List an organisation's Site Administrators.")
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var organisation: OrganisationOption

        func run() async throws {
            let administrators = try await withDirectory(database) { directory in
                try await directory.administrators(in: try await organisation.resolve(in: directory).id)
            }
            print("login\tcreated\tlast sign-in\tpassword")
            for administrator in administrators {
                let lastSignIn = administrator.lastSignIn.map { $0.formatted(.iso8601) } ?? "never"
                print("\(administrator.login)\t\(administrator.created.formatted(.iso8601))\t\(lastSignIn)\t\(administrator.hasPassword ? "set" : "not set")")
            }
        }
    }
}
