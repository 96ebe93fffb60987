import ArgumentParser
import Foundation
import NIOCore
import NIOHTTP1
import SCIM

/// Drives any SCIM 2.0 base URL over loopback and prints requests/s and p50/p99 latency per operation.
struct SCIMBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scim",
        abstract: "Load a SCIM server with users and measure get-by-id, filter eq, create, PATCH and add-one-member.",
        discussion: """
            Seeds the server up to --users users named bench-<i>@example.com (reusing those that exist), a group \
            holding all of them, then runs each operation for --seconds with --concurrency workers. Point it only at \
            a server on this machine: it creates and changes resources. --ceiling-url measures a bare route first. \
            Give --url more than once to spread the requests over several instances that share one database.
            """
    )

    @Option(name: .customLong("url"), help: "The SCIM base URL, e.g. http://127.0.0.1:8080/scim/v2/default; repeat it for several instances.")
    var urls: [String]

    @Option(help: "The bearer token.")
    var token: String?

    @Option(help: "How many users the directory holds during the measurements.")
    var users: Int = 10_000

    @Option(help: "Seconds per measurement.")
    var seconds: Double = 5

    @Option(help: "Concurrent requests.")
    var concurrency: Int = 16

    @Option(help: "A bare route to measure as the ceiling, e.g. http://127.0.0.1:9090/ping")
    var ceilingURL: String?

    @Option(help: "A name for this server in the output.")
    var label: String = "server"

    /// The operations a run can measure.
    enum Operation: String, CaseIterable, ExpressibleByArgument {
        case get, filter, create, patch, members
    }

    @Option(
        name: .customLong("operation"),
        help: ArgumentHelp(
            "Measure only this operation (repeat for several): get, filter, create, patch or members. Default: all.",
            discussion: "Handy with a profiler attached to the server."))
    var operations: [Operation] = Operation.allCases

    @Flag(help: "Skip the group membership measurement (for servers without PATCH on groups).")
    var skipMembers = false

    @Option(help: ArgumentHelp("Append the figures to this file as tab-separated lines, for 'klaxon-bench report'.", valueName: "file"))
    var results: String?

    @Option(
        name: .customLong("server-pid"),
        help: "The server's process id (repeat it for several instances): adds the servers' CPU time per request, which a busy machine distorts far less than req/s.")
    var serverPIDs: [Int32] = []

    @Option(help: "The ceiling server's process id, for its CPU time per request.")
    var ceilingPID: Int32?

    func validate() throws {
        guard !urls.isEmpty else { throw ValidationError("Give the server's SCIM base URL with --url.") }
        for url in urls + [ceilingURL].compactMap({ $0 }) {
            let host = URL(string: url)?.host ?? ""
            guard ["127.0.0.1", "localhost", "::1", "[::1]"].contains(host) || host.hasPrefix("127.") else {
                throw ValidationError("URLs must be loopback addresses (127.0.0.1, localhost or [::1]); got '\(host)'.")
            }
        }
    }

    func run() async throws {
        let load = try LoadGenerator(bases: urls, token: token, concurrency: concurrency)
        var rows: [(String, LoadGenerator.Result, Double?, Double?)] = []
        /// Runs one measurement and notes the CPU time the processes `pids`, and this load generator, spent on it.
        func row(_ name: String, pids: [Int32], _ run: () async -> LoadGenerator.Result) async {
            let before = ProcessCPU.seconds(pids)
            let ownBefore = ProcessCPU.seconds(getpid())
            let result = await run()
            let after = ProcessCPU.seconds(pids)
            let ownAfter = ProcessCPU.seconds(getpid())
            let requests = Double(max(1, result.requests))
            let perRequest = before.flatMap { start in after.map { ($0 - start) / requests } }
            let ownPerRequest = ownBefore.flatMap { start in ownAfter.map { ($0 - start) / requests } }
            rows.append((name, result, perRequest, ownPerRequest))
        }

        if let ceilingURL {
            let ceiling = try LoadGenerator(bases: [ceilingURL], token: nil, concurrency: concurrency)
            await row("ceiling (bare route)", pids: ceilingPID.map { [$0] } ?? []) {
                await ceiling.run(seconds: seconds) { _ in .init(method: .GET, path: "") }
            }
        }

        let ids = try await seed(load)
        log("\(label): \(ids.count) users ready")
        let idList = ids
        if operations.contains(.get) {
            await row("get-by-id", pids: serverPIDs) { await load.run(seconds: seconds) { _ in
                .init(method: .GET, path: "/Users/\(idList.randomElement()!)")
            } }
        }
        let userCount = users
        if operations.contains(.filter) {
            await row("filter userName eq", pids: serverPIDs) { await load.run(seconds: seconds) { _ in
                let filter = #"userName eq "bench-\#(Int.random(in: 0..<userCount))@example.com""#
                return .init(method: .GET, path: "/Users?filter=\(filter.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)")
            } }
        }
        let runID = UInt32.random(in: 0...UInt32.max)
        if operations.contains(.create) {
            await row("create", pids: serverPIDs) { await load.run(seconds: seconds) { index in
                .init(method: .POST, path: "/Users", body: Self.userBody("new-\(runID)-\(index)@example.com"))
            } }
        }
        if operations.contains(.patch) {
            await row("PATCH replace", pids: serverPIDs) { await load.run(seconds: seconds) { index in
                .init(
                    method: .PATCH, path: "/Users/\(idList.randomElement()!)",
                    body: #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"displayName","value":"Renamed \#(index)"}]}"#)
            } }
        }
        if operations.contains(.members), !skipMembers {
            let (group, spare) = try await largeGroup(load, members: idList, runID: runID)
            await row("add one member (\(idList.count)-member group)", pids: serverPIDs) { await load.run(seconds: seconds, limit: spare.count) { index in
                .init(
                    method: .PATCH, path: "/Groups/\(group)",
                    body: #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"members","value":[{"value":"\#(spare[index])"}]}]}"#)
            } }
        }
        let instances = urls.count == 1 ? "" : ", requests spread over \(urls.count) instances"
        print("\n\(label) at \(users) users, \(concurrency) concurrent, \(seconds)s each\(instances)")
        print(
            "operation".padding(toLength: 40, withPad: " ", startingAt: 0)
                + "     req/s    p50 ms    p99 ms  failed  server CPU µs/req  load CPU µs/req")
        for (name, result, cpu, ownCPU) in rows {
            print(
                name.padding(toLength: 40, withPad: " ", startingAt: 0) + pad(String(format: "%.0f", result.rate), 10)
                    + pad(String(format: "%.2f", result.percentile(0.5) * 1000), 10) + pad(String(format: "%.2f", result.percentile(0.99) * 1000), 10)
                    + pad("\(result.failures)", 8) + pad(cpu.map { String(format: "%.0f", $0 * 1e6) } ?? "-", 18)
                    + pad(ownCPU.map { String(format: "%.0f", $0 * 1e6) } ?? "-", 17))
        }
        if let results {
            let lines = rows.map { name, result, _, _ in
                [label, name, String(format: "%.0f", result.rate), String(format: "%.2f", result.percentile(0.5) * 1000),
                 String(format: "%.2f", result.percentile(0.99) * 1000), "\(result.failures)"].joined(separator: "\t") + "\n"
            }
            try BenchmarkReport.append(lines.joined(), to: results)
        }
    }

    static func userBody(_ userName: String) -> String {
        #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"\#(userName)","active":true,"name":{"givenName":"Bench","familyName":"User"},"emails":[{"type":"work","primary":true,"value":"\#(userName)"}]}"#
    }

    /// Creates the missing bench users and returns all their ids, in order.
    private func seed(_ load: LoadGenerator) async throws -> [String] {
        var ids: [String] = []
        var start = 1
        while true {
            let page = try await load.execute(.init(method: .GET, path: "/Users?startIndex=\(start)&count=1000&attributes=userName"))
            guard page.status == 200, let json = try? JSONParser.parse(page.body.readableBytesView) else {
                throw ValidationError("listing users failed with status \(page.status)")
            }
            let resources = json["Resources"]?.arrayValue ?? []
            ids += resources.compactMap { resource in
                resource["userName"]?.stringValue?.hasPrefix("bench-") == true ? resource["id"]?.stringValue : nil
            }
            if resources.isEmpty { break }
            start += resources.count
        }
        let existing = ids.count
        guard existing < users else { return Array(ids.prefix(users)) }
        let missing = users - existing
        let began = ContinuousClock.now
        _ = await load.run(seconds: 3600, limit: missing) { index in
            .init(method: .POST, path: "/Users", body: Self.userBody("bench-\(existing + index)@example.com"))
        }
        log("seeded \(missing) users in \(String(format: "%.1f", (ContinuousClock.now - began).seconds))s")
        return try await seed(load)
    }

    /// A group holding all `members`, plus spare users to add one at a time.
    private func largeGroup(_ load: LoadGenerator, members: [String], runID: UInt32) async throws -> (String, [String]) {
        let created = try await load.execute(
            .init(method: .POST, path: "/Groups", body: #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"bench-group-\#(runID)"}"#))
        guard created.status == 201, let group = (try? JSONParser.parse(created.body.readableBytesView))?["id"]?.stringValue else {
            throw ValidationError("creating the group failed with status \(created.status)")
        }
        let batches = stride(from: 0, to: members.count, by: 1000).map { Array(members[$0..<min($0 + 1000, members.count)]) }
        for batch in batches {
            let values = batch.map { #"{"value":"\#($0)"}"# }.joined(separator: ",")
            let reply = try await load.execute(
                .init(
                    method: .PATCH, path: "/Groups/\(group)",
                    body: #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"members","value":[\#(values)]}]}"#))
            guard reply.status < 300 else { throw ValidationError("adding members failed with status \(reply.status)") }
        }
        let spareCount = 2000
        _ = await load.run(seconds: 3600, limit: spareCount) { index in
            .init(method: .POST, path: "/Users", body: Self.userBody("spare-\(runID)-\(index)@example.com"))
        }
        var spare: [String] = []
        let filter = #"userName sw "spare-\#(runID)-""#.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        var start = 1
        while spare.count < spareCount {
            let page = try await load.execute(.init(method: .GET, path: "/Users?filter=\(filter)&startIndex=\(start)&count=1000&attributes=id"))
            let resources = (try? JSONParser.parse(page.body.readableBytesView))?["Resources"]?.arrayValue ?? []
            if resources.isEmpty { break }
            spare += resources.compactMap { $0["id"]?.stringValue }
            start += resources.count
        }
        log("group of \(members.count) members ready; \(spare.count) spare users")
        return (group, spare)
    }
}

func pad(_ text: String, _ width: Int) -> String {
    String(repeating: " ", count: max(0, width - text.count)) + text
}

func log(_ message: String) {
    FileHandle.standardError.write(Data("\(message)\n".utf8))
}

/// CPU time (user + system) processes have used, from `/proc/<pid>/stat` (Linux).
enum ProcessCPU {
    /// The total of several processes; nil if there are none or one cannot be read.
    static func seconds(_ pids: [Int32]) -> Double? {
        guard !pids.isEmpty else { return nil }
        var total = 0.0
        for pid in pids {
            guard let seconds = seconds(pid) else { return nil }
            total += seconds
        }
        return total
    }

    static func seconds(_ pid: Int32) -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = text.lastIndex(of: ")")
        else { return nil }
        // Fields after the command name: state is field 3, utime 14, stime 15.
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}
