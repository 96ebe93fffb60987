import Foundation
import PackagePlugin

/// `swift package lint-mappings [--format text|json|sarif|github] [PATH…]`: lints the package's mapping files
/// (`Mappings/` unless paths are given) with `klaxon-sync lint`, the same linter the command line runs, and
/// fails with its exit code (1 for errors, 2 for unreadable input).
@main
struct LintMappings: CommandPlugin {
    func performCommand(context: PluginContext, arguments: [String]) async throws {
        var extractor = ArgumentExtractor(arguments)
        let format = extractor.extractOption(named: "format").last
        var paths = extractor.remainingArguments
        if paths.isEmpty {
            paths = [context.package.directoryURL.appending(path: "Mappings").path(percentEncoded: false)]
        }
        var toolArguments = ["lint"]
        if let format { toolArguments += ["--format", format] }
        toolArguments += paths

        let process = Process()
        process.executableURL = try context.tool(named: "klaxon-sync").url
        process.arguments = toolArguments
        try process.run()
        process.waitUntilExit()
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            Diagnostics.error("mapping lint failed (klaxon-sync lint exited with \(process.terminationStatus))")
            exit(process.terminationStatus == 0 ? 1 : process.terminationStatus)
        }
    }
}
