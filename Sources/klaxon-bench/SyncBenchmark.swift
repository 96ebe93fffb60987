import ArgumentParser
import Foundation
import KlaxonSyncEngine

/// `klaxon-bench sync`: generates an Entra-style export, synchronises it into a server through
/// Mappings/entra-id.yaml, changes a fraction of the users and synchronises again, and prints both times.
struct SyncBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Time an initial and an incremental `klaxon-sync sync` run against a SCIM server.",
        discussion: """
            Writes an export of --users users (bench-sync-<i>@contoso.com) and --groups groups of 100 members to a \
            temporary folder, runs the sync engine with a fresh state file, then changes --changed of the users \
            (a new mobile number) and runs again. Before that, with --stream-records, it writes an export of that \
            many users, reads it through GraphExportReader without syncing, and prints the process's peak resident \
            size, which the streaming reader keeps flat however large the file. Start a server on an empty database first, e.g. \
            `klaxon-sync serve --database /tmp/bench.sqlite`, and point --url at its Endpoint URL.
            """
    )

    @Option(help: "The SCIM endpoint, e.g. http://127.0.0.1:8080/scim/v2/default")
    var url: String

    @Option(help: "The bearer token.")
    var token: String

    @Option(help: "The mapping file.")
    var mapping: String = "Mappings/entra-id.yaml"

    @Option(help: "Users in the export.")
    var users: Int = 100_000

    @Option(help: "Groups in the export.")
    var groups: Int = 1_000

    @Option(help: "The fraction of users changed for the incremental run.")
    var changed: Double = 0.01

    @Option(help: "Requests in flight.")
    var concurrency: Int = 16

    @Option(help: "Users in the export read first, alone, to measure the JSON reader's peak memory (0: skip).")
    var streamRecords: Int = 1_000_000

    func validate() throws {
        let host = URL(string: url)?.host ?? ""
        guard ["127.0.0.1", "localhost", "::1", "[::1]"].contains(host) || host.hasPrefix("127.") else {
            throw ValidationError("--url must be a loopback address; got '\(host)'.")
        }
        guard users > 0, groups >= 0, (0...1).contains(changed), concurrency > 0 else {
            throw ValidationError("--users and --concurrency must be positive, --changed between 0 and 1.")
        }
    }

    func run() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("klaxon-bench-sync-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let export = folder.appendingPathComponent("export.json").path
        let statePath = folder.appendingPathComponent("state.json").path
        let every = changed > 0 ? max(1, Int((1 / changed).rounded())) : Int.max

        if streamRecords > 0 { try await measureReader(folder: folder) }
        try write(export, changedEvery: nil)
        let initial = try await timedRun(export: export, statePath: statePath)
        print("initial     \(String(format: "%7.2f", initial.seconds)) s  \(initial.report.summary)")
        try write(export, changedEvery: every)
        let incremental = try await timedRun(export: export, statePath: statePath)
        print("incremental \(String(format: "%7.2f", incremental.seconds)) s  \(incremental.report.summary)")
    }

    private func timedRun(export: String, statePath: String) async throws -> (seconds: Double, report: SyncReport) {
        let start = ContinuousClock.now
        let client = SCIMClient(baseURL: url, token: token, concurrency: concurrency)
        let engine = try SyncEngine(mappingFile: mapping, client: client, concurrency: concurrency)
        var reader = try GraphExportReader(path: export)
        var state = try SyncState.load(path: statePath)
        let report = await engine.run(&reader, state: &state)
        try state.save(path: statePath)
        try await client.shutdown()
        return ((ContinuousClock.now - start).seconds, report)
    }

    /// Writes an export of `streamRecords` users a chunk at a time, reads it back through the streaming reader,
    /// and prints the peak resident size before and after: the first measure in the process, so the peak is
    /// the reader's.
    private func measureReader(folder: URL) async throws {
        let path = folder.appendingPathComponent("stream.json").path
        guard FileManager.default.createFile(atPath: path, contents: nil), let file = FileHandle(forWritingAtPath: path) else {
            throw ValidationError("cannot write \(path)")
        }
        var text = #"{"value":["#
        for index in 0..<streamRecords {
            text += Self.user(index, mobile: "07911 1\(String(format: "%05d", index % 100_000))")
            text += index == streamRecords - 1 ? "]}" : ",\n"
            if text.utf8.count >= 1 << 20 {
                file.write(Data(text.utf8))
                text = ""
            }
        }
        file.write(Data(text.utf8))
        try file.close()
        let size = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? 0
        let before = Self.peakResidentBytes()
        let start = ContinuousClock.now
        var reader = try GraphExportReader(path: path)
        var users = 0
        while let entry = try await reader.next() {
            if case .item = entry { users += 1 }
        }
        let seconds = (ContinuousClock.now - start).seconds
        let after = Self.peakResidentBytes()
        try FileManager.default.removeItem(atPath: path)
        print(
            "reader      \(String(format: "%7.2f", seconds)) s  \(users) records from a \(size >> 20) MB export; "
                + "peak resident size \(before >> 20) MB before reading, \(after >> 20) MB after")
    }

    /// The process's peak resident size so far, in bytes (getrusage; Linux reports KiB, macOS bytes).
    private static func peakResidentBytes() -> Int {
        var usage = rusage()
        #if os(Linux)
            getrusage(RUSAGE_SELF.rawValue, &usage)
            return Int(usage.ru_maxrss) * 1024
        #else
            getrusage(RUSAGE_SELF, &usage)
            return Int(usage.ru_maxrss)
        #endif
    }

    /// One user of the export.
    private static func user(_ index: Int, mobile: String) -> String {
        #"""
        {"id":"u-\#(index)","userPrincipalName":"bench-sync-\#(index)@contoso.com","accountEnabled":true,"displayName":"User \#(index)",\#
        "givenName":"User","surname":"\#(index)","mail":"bench-sync-\#(index)@contoso.com","mailNickname":"bench-sync-\#(index)",\#
        "jobTitle":"Engineer","city":"Leeds","department":"Operations","mobile":"\#(mobile)"}
        """#
    }

    /// The export; with `changedEvery`, every n-th user has a new mobile number.
    private func write(_ path: String, changedEvery: Int?) throws {
        var text = #"{"value":["#
        text.reserveCapacity(users * 400)
        for index in 0..<users {
            let mobile = changedEvery.map { index % $0 == 0 } == true ? "07700 9\(String(format: "%05d", index % 100_000))" : "07911 1\(String(format: "%05d", index % 100_000))"
            text += Self.user(index, mobile: mobile) + ","
        }
        for index in 0..<groups {
            let members = (0..<min(100, users)).map { #""u-\#((index * 100 + $0) % users)""# }.joined(separator: ",")
            text += ##"{"@odata.type":"#microsoft.graph.group","id":"g-\##(index)","displayName":"Bench group \##(index)","members":[\##(members)]},"##
        }
        if text.hasSuffix(",") { text.removeLast() }
        text += "]}"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }
}
