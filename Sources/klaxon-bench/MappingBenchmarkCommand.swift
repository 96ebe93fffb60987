import ArgumentParser
import Foundation
import KlaxonMapping

/// Records mapped per second through a mapping file, beside a hand-written Swift mapping in the same run.
struct MappingBenchmarkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mapping",
        abstract: "Records/s through Mappings/entra-id.yaml next to a hand-written Swift mapping (run in release)."
    )

    @Option(help: "The mapping file.")
    var mapping: String = "Mappings/entra-id.yaml"

    @Option(help: "Seconds per measurement.")
    var seconds: Double = 2

    func run() throws {
        let result = try MappingBenchmark.run(mappingFile: mapping, seconds: seconds)
        print("mapping engine   \(format(result.engineRecordsPerSecond)) records/s   (\(mapping), one core)")
        print("hand-written     \(format(result.handWrittenRecordsPerSecond)) records/s")
        print("engine / hand-written = \(String(format: "%.2f", result.ratio))")
    }
}
