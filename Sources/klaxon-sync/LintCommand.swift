import ArgumentParser
import AsyncHTTPClient
import Foundation
import KlaxonMapping
import NIOCore
import NIOHTTP1
import SCIM

struct LintCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lint",
        abstract: "Check mapping files and report every problem with file:line:column.",
        discussion: """
            Each problem is printed as 'file:line:column: severity: message [rule]' with the source line and a caret, \
            and a 'did you mean' where a name is close to a known one. Exit status: 0 clean (warnings allowed unless \
            --strict), 1 problems found, 2 unreadable input or a bad option.

            A '# klaxon-lint disable-next-line KSL012' comment suppresses the next line's problems (also 'disable' … \
            'enable' for a region and 'disable-file'; no rule ids means every rule). Suppressed problems are not shown \
            and do not fail the lint; JSON and SARIF keep them, marked suppressed.

            Examples:
              klaxon-sync lint                                  # every file in Mappings/
              klaxon-sync lint Mappings/entra-id.yaml --format sarif > lint.sarif
              klaxon-sync lint --format github                  # annotations in a GitHub Actions job
              klaxon-sync lint --schemas http://127.0.0.1:8080/scim/v2/default --token "$TOKEN"
            """
    )

    @Argument(help: "Mapping files or folders (default: Mappings).")
    var paths: [String] = []

    @Option(help: "Output format: text, json, sarif or github (Actions workflow commands).")
    var format: LintFormat = .text

    @Flag(help: "Treat warnings as errors.")
    var strict = false

    @Option(help: ArgumentHelp("Check targets against this SCIM server's /Schemas instead of Klaxon's built-in schemas.", valueName: "base-url"))
    var schemas: String?

    @Option(help: "The bearer token for --schemas.")
    var token: String?

    func run() async throws {
        var options = LintOptions(strict: strict)
        if let schemas {
            do {
                try options.useServerSchemas(try await Self.fetchSchemas(baseURL: schemas, token: token))
            } catch {
                FileHandle.standardError.write(Data("klaxon-sync lint: could not read \(schemas)/Schemas: \(error)\n".utf8))
                throw ExitCode(2)
            }
        }
        let report = MappingLinter.lint(paths: paths.isEmpty ? ["Mappings"] : paths, format: format, options: options)
        if !report.output.isEmpty {
            print(report.output, terminator: report.output.hasSuffix("\n") ? "" : "\n")
        }
        if report.exitCode != 0 { throw ExitCode(report.exitCode) }
    }

    static func fetchSchemas(baseURL: String, token: String?) async throws -> JSONValue {
        var request = HTTPClientRequest(url: (baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL) + "/Schemas")
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 8 << 20)
        guard response.status.code == 200 else { throw CommandFailure("the server answered \(response.status.code)") }
        return try JSONParser.parse(body.readableBytesView)
    }
}

extension LintFormat: ExpressibleByArgument {}
