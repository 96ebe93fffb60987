import KlaxonDirectory
import Logging
import ServiceLifecycle

/// Writes the activity log off the request path: requests enqueue entries, and this service stores them
/// in order. Entries still queued at shutdown are written before it returns.
public struct ActivityRecorder: Service {
    private let directory: any Directory
    private let stream: AsyncStream<ActivityEntry>
    private let continuation: AsyncStream<ActivityEntry>.Continuation
    private let logger: Logger

    public init(directory: any Directory, logger: Logger) {
        self.directory = directory
        self.logger = logger
        (stream, continuation) = AsyncStream.makeStream(of: ActivityEntry.self, bufferingPolicy: .bufferingNewest(10_000))
    }

    /// Queues an entry; never waits.
    public func record(_ entry: ActivityEntry) {
        continuation.yield(entry)
    }

    public func run() async throws {
        await withGracefulShutdownHandler {
            for await entry in stream {
                do {
                    try await directory.recordActivity(entry)
                } catch {
                    logger.warning("could not record activity", metadata: ["error": "\(error)"])
                }
            }
        } onGracefulShutdown: {
            continuation.finish()
        }
    }
}
