import ArgumentParser
import Foundation
import KlaxonSyncEngine
import SCIM

/// `klaxon-sync sync`: one synchronisation run from a source file into a SCIM 2.0 endpoint.
struct SyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Synchronise users and groups from an Entra ID (Graph) JSON export, a CSV or LDIF file, or another SCIM 2.0 endpoint into a SCIM 2.0 endpoint.",
        discussion: "Exits non-zero if any record failed; the summary and --report list each failure with its reason."
    )

    @Option(help: "The mapping file, e.g. Mappings/entra-id.yaml.")
    var mapping: String

    @Option(help: "The source file, or the URL of a SCIM 2.0 endpoint to read (with --source-token).")
    var source: String

    @Option(help: "The bearer token for a SCIM source.")
    var sourceToken: String?

    @Option(help: "json, csv, ldif or scim (default: scim for an http(s) URL, else from the file's extension).")
    var sourceFormat: String?

    @Option(help: "The SCIM endpoint, e.g. https://klaxon.example/scim/v2/acme.")
    var target: String

    @Option(help: "The endpoint's bearer token.")
    var token: String

    @Option(help: "A state file: makes the next run incremental (created if missing).")
    var state: String?

    @Option(help: "Write the report as JSON to this file.")
    var report: String?

    @Option(help: "Requests in flight at once.")
    var concurrency: Int = 8

    @Flag(help: "Read the target but send nothing; print the requests that would be sent.")
    var dryRun = false

    func validate() throws {
        guard target.hasPrefix("http://") || target.hasPrefix("https://") else {
            throw ValidationError("--target must be an http(s) URL")
        }
        if let sourceFormat, SourceFormat(rawValue: sourceFormat.lowercased()) == nil {
            throw ValidationError("--source-format must be json, csv, ldif or scim")
        }
        guard concurrency > 0 else { throw ValidationError("--concurrency must be at least 1") }
    }

    func run() async throws {
        let format = try SourceFormat.resolve(source: source, format: sourceFormat)
        if format == .scim, sourceToken == nil { throw ValidationError("a SCIM source needs --source-token") }
        let client = SCIMClient(baseURL: target, token: token, concurrency: concurrency)
        // A SCIM source is read a page at a time while the run goes on, so its client lives as long as the run.
        let sourceClient = format == .scim ? SCIMClient(baseURL: source, token: sourceToken ?? "", concurrency: 1) : nil
        let outcome: SyncReport
        do {
            let engine = try SyncEngine(mappingFile: mapping, client: client, dryRun: dryRun, concurrency: concurrency)
            var reader: any SourceReader
            if let sourceClient {
                reader = SCIMSourceReader(client: sourceClient)
            } else {
                reader = try format.reader(path: source, kind: engine.users == nil ? .group : .user)
            }
            var current = try state.map { path throws(SyncFailure) in try SyncState.load(path: path) } ?? SyncState()
            outcome = await engine.run(&reader, state: &current)
            if let state, !dryRun { try current.save(path: state) }
            try await client.shutdown()
            try await sourceClient?.shutdown()
        } catch {
            try? await client.shutdown()
            try? await sourceClient?.shutdown()
            throw error
        }
        for line in outcome.planned { print(line) }
        print(outcome.summary)
        if let report {
            try Data(JSONWriter.bytes(from: outcome.json)).write(to: URL(fileURLWithPath: report), options: .atomic)
        }
        if outcome.failed > 0 { throw ExitCode(1) }
    }
}
