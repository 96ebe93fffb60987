import ArgumentParser
import Foundation

/// Prints the figures that `klaxon-bench scim --results FILE` collected from several servers side by side, each
/// as requests/s and as a share of the bare-route ceiling measured in the same run.
struct BenchmarkReport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Print the figures of several 'scim --results' runs side by side, as ratios of the ceiling.",
        discussion: """
            Each line of the file is label, operation, req/s, p50 ms, p99 ms and failures, tab-separated. The \
            ceiling is the first 'ceiling (bare route)' line; every other figure is shown as req/s, its ratio to \
            the ceiling, and p99 latency.
            """
    )

    static let ceilingOperation = "ceiling (bare route)"

    @Argument(help: "The file the 'scim' runs appended to.")
    var file: String

    struct Row {
        var label: String
        var operation: String
        var rate: Double
        var p99: String
        var failures: String
    }

    func run() throws {
        let rows = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n").compactMap { line -> Row? in
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard fields.count == 6, let rate = Double(fields[2]) else { return nil }
            return Row(label: fields[0], operation: fields[1], rate: rate, p99: fields[4], failures: fields[5])
        }
        guard let ceiling = rows.first(where: { $0.operation == Self.ceilingOperation }) else {
            throw ValidationError("\(file) has no '\(Self.ceilingOperation)' line: run 'scim' once with --ceiling-url.")
        }
        print(Self.render(rows, ceiling: ceiling.rate))
    }

    /// The table: one line per operation, one column per label, in the order they first appear.
    static func render(_ rows: [Row], ceiling: Double) -> String {
        var labels: [String] = []
        var operations: [String] = []
        var cells: [String: String] = [:]
        for row in rows where row.operation != ceilingOperation {
            if !labels.contains(row.label) { labels.append(row.label) }
            if !operations.contains(row.operation) { operations.append(row.operation) }
            let failed = row.failures == "0" ? "" : " (\(row.failures) failed)"
            cells[row.label + "\t" + row.operation] = String(format: "%6.0f  %.3f  ", row.rate, row.rate / ceiling) + row.p99 + " ms" + failed
        }
        let width = (labels + cells.values).map(\.count).max() ?? 0
        func column(_ text: String) -> String { " | " + text.padding(toLength: width, withPad: " ", startingAt: 0) }
        var lines = [
            String(format: "Ceiling (bare Hummingbird route, same run): %.0f req/s. Each cell: req/s, share of the ceiling, p99.", ceiling),
            "operation".padding(toLength: 40, withPad: " ", startingAt: 0) + labels.map(column).joined(),
        ]
        for operation in operations {
            lines.append(
                operation.padding(toLength: 40, withPad: " ", startingAt: 0)
                    + labels.map { column(cells[$0 + "\t" + operation] ?? "-") }.joined())
        }
        return lines.joined(separator: "\n")
    }

    /// Appends text to the file, creating it if needed.
    static func append(_ text: String, to path: String) throws {
        if !FileManager.default.fileExists(atPath: path) {
            guard FileManager.default.createFile(atPath: path, contents: nil) else { throw ValidationError("cannot create \(path)") }
        }
        guard let handle = FileHandle(forWritingAtPath: path) else { throw ValidationError("cannot write to \(path)") }
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(text.utf8))
    }
}
