import ArgumentParser
import Foundation
import Hummingbird
import KlaxonDirectory
import KlaxonServer
import Logging
import SCIM

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the SCIM 2.0 server that Entra ID, Okta and other clients provision Klaxon through.",
        discussion: """
            On an empty database it creates the default organisation, its Default location, a token and a Site \
            Administrator ('admin'), and prints the Endpoint URL and Token to paste into Entra ID (Provisioning > Admin \
            Credentials: Tenant URL and Secret Token) or Okta (SCIM connector base URL and API token), the admin UI's \
            URL and a one-time sign-in link.
            """
    )

    @OptionGroup var database: DatabaseOptions

    @Option(help: "The address to listen on. Use 0.0.0.0 or :: to accept connections from other machines.")
    var host: String = "127.0.0.1"

    @Option(help: "The port to listen on; 0 picks a free one.")
    var port: Int = 8080

    @Option(help: ArgumentHelp("The URL clients use to reach this server, if it differs (a proxy or load balancer).", valueName: "url"))
    var publicURL: String?

    @Option(help: ArgumentHelp("The region for phone numbers written without a country code (ISO 3166-1, e.g. GB, US).", valueName: "code"))
    var phoneRegion: String?

    @Option(help: ArgumentHelp("How many days the activity log keeps entries (pruned at start and hourly); 0 keeps them all.", valueName: "days"))
    var activityRetentionDays: Int = 30

    @Option(help: ArgumentHelp(
        "How long a connection may stay open with no request arriving (or with one stalled half-sent), or with an answer the client does not read, before it is closed; 0 never closes it.",
        valueName: "seconds"))
    var idleTimeout: Double = 75

    @Option(help: ArgumentHelp(
        "How long a request may take to arrive whole (head and body) from its first byte before its connection is closed; 0 sets no limit.",
        valueName: "seconds"))
    var requestTimeout: Double = 30

    @Option(help: ArgumentHelp(
        "The most connections one client address (an IPv6 client's /64) may hold open at once; 0 sets no limit. Trusted proxies are not counted.",
        valueName: "count"))
    var maxConnectionsPerAddress: Int = 256

    @Option(
        name: .customLong("trusted-proxy"),
        help: ArgumentHelp(
            "A load balancer or reverse proxy in front of the server that appends the client's address to X-Forwarded-For, as an address or CIDR range holding only proxies (repeat for several, e.g. --trusted-proxy 10.0.3.7): that header then names the client for sign-in limits, and the proxy's connections are not held to --max-connections-per-address.",
            valueName: "address"))
    var trustedProxies: [String] = []

    @Option(help: "Log level: trace, debug (adds one line per request), info, notice, warning, error.")
    var logLevel: Logger.Level = .info

    @Option(help: "Log lines on standard error: text (logfmt, key=value) or json (one object per line, for log shippers).")
    var logFormat: KlaxonLogHandler.Format = .text

    func validate() throws {
        guard activityRetentionDays >= 0 else { throw ValidationError("--activity-retention-days must be 0 (keep everything) or more") }
        guard idleTimeout == 0 || (0.001...86_400).contains(idleTimeout) else {
            throw ValidationError("--idle-timeout must be 0 (never close) or between 0.001 and 86400 seconds")
        }
        guard requestTimeout == 0 || (0.001...86_400).contains(requestTimeout) else {
            throw ValidationError("--request-timeout must be 0 (no limit) or between 0.001 and 86400 seconds")
        }
        guard maxConnectionsPerAddress >= 0 else {
            throw ValidationError("--max-connections-per-address must be 0 (no limit) or more")
        }
        do {
            _ = try TrustedProxies(trustedProxies)
        } catch {
            throw ValidationError("--trusted-proxy \(error)")
        }
    }

    func run() async throws {
        let format = logFormat
        LoggingSystem.bootstrap { label in KlaxonLogHandler(label: label, format: format) }
        let directory = try await database.open()
        let firstRun = try await FirstRun.prepare(directory)
        let configuration = ServerConfiguration(
            host: host, port: port, publicURL: publicURL, activityRetentionDays: activityRetentionDays,
            idleTimeout: .milliseconds(Int64(idleTimeout * 1000)), requestTimeout: .milliseconds(Int64(requestTimeout * 1000)),
            maxConnectionsPerAddress: maxConnectionsPerAddress, trustedProxies: try TrustedProxies(trustedProxies))
        let profiles = try ProfileDeriver(defaultPhoneRegion: phoneRegion)
        var logger = Logger(label: "klaxon-sync")
        logger.logLevel = logLevel
        let app = try KlaxonServer.application(
            directory: directory, configuration: configuration, profiles: profiles, logger: logger
        ) { boundPort in
            var running = configuration
            running.port = boundPort
            FirstRun.announce(firstRun, root: running.rootURL)
        }
        try await app.runService()
    }
}

/// What `serve` sets up on an empty database, and what it prints.
enum FirstRun {
    struct Setup: Sendable {
        var organisations: [Organisation]
        var token: IssuedToken?
        /// The one-time sign-in code of the first administrator.
        var signInCode: String?
    }

    /// The sign-in name of the administrator the first `serve` creates.
    static let administratorLogin = "admin"

    static func prepare(_ directory: any Directory) async throws -> Setup {
        var organisations = try await directory.organisations()
        guard organisations.isEmpty else { return Setup(organisations: organisations, token: nil) }
        let organisation: Organisation
        do {
            organisation = try await directory.createOrganisation(slug: "default", name: "Default organisation")
        } catch let error as SCIMError where error.status == .conflict {
            // Another instance on the same database is setting it up at this moment; it prints the token.
            return Setup(organisations: try await directory.organisations(), token: nil)
        }
        organisations = [organisation]
        let token = try await directory.issueToken(in: organisation.id, label: "Created by the first 'serve'")
        let administrator = try await directory.createAdministrator(login: administratorLogin, passwordHash: nil, in: organisation.id)
        let code = try await directory.issueSignInCode(
            forAdministrator: administrator.id, in: organisation.id, expires: Date().addingTimeInterval(AdminCommand.linkLifetime))
        return Setup(organisations: organisations, token: token, signInCode: code)
    }

    /// Prints what to paste into the identity platform. Written unbuffered, so a script reading the output sees
    /// it while the server runs.
    static func announce(_ setup: Setup, root: String) {
        var lines = ["Klaxon Sync is running. Configuration > Synchronisation:"]
        for organisation in setup.organisations {
            lines.append("Endpoint URL: \(root)/scim/v2/\(organisation.slug)")
        }
        if let token = setup.token {
            lines.append("Token: \(token.secret)")
            lines.append("(The token is shown once. Paste it as the Secret Token; create more with 'klaxon-sync token create'.)")
        } else {
            lines.append("Tokens are shown only when created: 'klaxon-sync token create --org <slug>'.")
        }
        lines.append("Admin UI: \(root)/admin/")
        if let code = setup.signInCode {
            lines.append("One-time sign-in: \(root)/admin/welcome?code=\(code)")
            lines.append("(Signs in as '\(administratorLogin)' once, for 7 days: choose a password there. Add administrators with 'klaxon-sync admin create'.)")
        }
        FileHandle.standardOutput.write(Data((lines.joined(separator: "\n") + "\n").utf8))
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
extension KlaxonLogHandler.Format: ExpressibleByArgument {}
