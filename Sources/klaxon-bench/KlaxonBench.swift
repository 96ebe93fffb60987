import ArgumentParser

/// `klaxon-bench`: throughput benchmarks that print figures. Build and run in release:
/// `swift run -c release klaxon-bench core`.
@main
struct KlaxonBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "klaxon-bench",
        abstract: "Measure Klaxon Sync's throughput and print the figures.",
        subcommands: [
            CoreBenchmark.self, SCIMBenchmark.self, MappingBenchmarkCommand.self, SyncBenchmark.self, BenchmarkReport.self,
            CeilingServer.self,
        ]
    )
}
