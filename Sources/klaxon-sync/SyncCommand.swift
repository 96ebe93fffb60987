import ArgumentParser
import Foundation
import KlaxonSyncEngine
import SCIM

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `klaxon-sync sync`: one synchronisation run from a source file into a SCIM 2.0 endpoint.
struct SyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Synchronise users and groups from an Entra ID (Graph) JSON export, a CSV or LDIF file, or another SCIM 2.0 endpoint into a SCIM 2.0 endpoint.",
        discussion: """
            Exits non-zero if any record failed; the summary and --report list each failure with its reason. \
            Progress goes to standard error: a bar redrawn in place on a terminal, a line every 10% of the source \
            (or 10 s) otherwise. With --notify-webhook, a run that failed or could not run is POSTed there as JSON.
            """
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

    @Option(help: "POST a JSON summary here when a run has a failure or cannot run (never tokens or phone numbers).")
    var notifyWebhook: String?

    @Flag(help: "Read the target but send nothing; print the requests that would be sent.")
    var dryRun = false

    @Flag(help: "Print no progress on standard error.")
    var noProgress = false

    func validate() throws {
        guard target.hasPrefix("http://") || target.hasPrefix("https://") else {
            throw ValidationError("--target must be an http(s) URL")
        }
        if let notifyWebhook, !(notifyWebhook.hasPrefix("http://") || notifyWebhook.hasPrefix("https://")) {
            throw ValidationError("--notify-webhook must be an http(s) URL")
        }
        if let sourceFormat, SourceFormat(rawValue: sourceFormat.lowercased()) == nil {
            throw ValidationError("--source-format must be json, csv, ldif or scim")
        }
        guard concurrency > 0 else { throw ValidationError("--concurrency must be at least 1") }
    }

    func run() async throws {
        let started = Date()
        var outcome: SyncReport?
        do {
            let (result, unsavedState) = try await synchronise()
            outcome = result
            for line in result.planned { print(line) }
            print(result.summary)
            if let report {
                try Data(JSONWriter.bytes(from: result.json)).write(to: URL(fileURLWithPath: report), options: .atomic)
            }
            // Reported after the summary and the report, so a run that wrote to the target is never unaccounted for.
            if let unsavedState { throw unsavedState }
        } catch {
            await notify(SyncRunSummary(startedAt: started, source: source, target: target, dryRun: dryRun, report: outcome, error: "\(error)"))
            throw error
        }
        guard let outcome else { return }
        await notify(SyncRunSummary(startedAt: started, source: source, target: target, dryRun: dryRun, report: outcome))
        if outcome.failed > 0 { throw ExitCode(1) }
    }

    /// Reads the source, runs the engine with progress on standard error, and saves the state; a state that
    /// could not be saved is returned beside the run's report rather than thrown over it.
    private func synchronise() async throws -> (SyncReport, unsavedState: SyncFailure?) {
        let format = try SourceFormat.resolve(source: source, format: sourceFormat)
        if format == .scim, sourceToken == nil { throw ValidationError("a SCIM source needs --source-token") }
        let client = SCIMClient(baseURL: target, token: token, concurrency: concurrency)
        // A SCIM source is read a page at a time while the run goes on, so its client lives as long as the run.
        let sourceClient = format == .scim ? SCIMClient(baseURL: source, token: sourceToken ?? "", concurrency: 1) : nil
        do {
            let engine = try SyncEngine(mappingFile: mapping, client: client, dryRun: dryRun, concurrency: concurrency)
            var current = try state.map { path throws(SyncFailure) in try SyncState.load(path: path) } ?? SyncState()
            var reader: any SourceReader
            if let sourceClient {
                reader = SCIMSourceReader(client: sourceClient)
            } else {
                reader = try format.reader(path: source, kind: engine.users == nil ? .group : .user)
            }
            var display = ProgressDisplay(enabled: !noProgress)
            let outcome = await engine.run(&reader, state: &current) { display.show($0) }
            display.finish()
            var unsaved: SyncFailure?
            if let state, !dryRun {
                do throws(SyncFailure) {
                    try current.save(path: state)
                } catch {
                    unsaved = SyncFailure("the run finished, but its state could not be saved (the next run starts from the last saved state): \(error.message)")
                }
            }
            try await client.shutdown()
            try await sourceClient?.shutdown()
            return (outcome, unsaved)
        } catch {
            try? await client.shutdown()
            try? await sourceClient?.shutdown()
            throw error
        }
    }

    /// Tells the webhook about a run that failed; a webhook that cannot be told is reported, and changes
    /// nothing else.
    private func notify(_ summary: SyncRunSummary) async {
        guard let notifyWebhook else { return }
        do {
            try await WebhookNotifier(url: notifyWebhook).notifyIfFailed(summary)
        } catch {
            FileHandle.standardError.write(Data("klaxon-sync sync: could not notify the webhook: \(error)\n".utf8))
        }
    }
}

/// Progress on standard error: the bar redrawn in place on a terminal, plain lines otherwise.
struct ProgressDisplay {
    private let enabled: Bool
    private let terminal: Bool
    private var throttle: ProgressThrottle
    private var last: SyncProgress?
    private var lastDrawn: SyncProgress?

    init(enabled: Bool) {
        self.enabled = enabled
        terminal = isatty(STDERR_FILENO) != 0
        throttle = ProgressThrottle(terminal: terminal)
    }

    mutating func show(_ progress: SyncProgress) {
        guard enabled else { return }
        last = progress
        guard throttle.shouldDraw(progress) else { return }
        draw(progress)
    }

    /// Draws the last state once more and ends the bar's line.
    mutating func finish() {
        guard enabled, let last else { return }
        if last != lastDrawn { draw(last) }
        if terminal { write("\n") }
    }

    private mutating func draw(_ progress: SyncProgress) {
        lastDrawn = progress
        if terminal {
            write("\r" + ProgressRenderer.bar(progress, width: Self.columns() - 1) + "\u{1B}[K")
        } else {
            write(ProgressRenderer.line(progress) + "\n")
        }
    }

    private func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    /// The terminal's width, 80 if it cannot be told.
    private static func columns() -> Int {
        var size = winsize()
        guard ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return 80 }
        return Int(size.ws_col)
    }
}
