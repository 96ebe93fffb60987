import KlaxonDirectory
import ServiceLifecycle

/// Closes the directory's connections when the application shuts down gracefully.
struct DirectoryCloser: Service {
    let directory: any Directory

    func run() async throws {
        try? await gracefulShutdown()
        try await directory.close()
    }
}
