import KlaxonDirectory
import Logging
import ServiceLifecycle
import Synchronization

/// Writes the activity log off the request path: requests append entries to a buffer, and this service stores
/// whatever has accumulated in one transaction, so a burst of provisioning requests costs a few writes rather
/// than one each. Entries still buffered at shutdown are written before it returns.
public final class ActivityRecorder: Service {
    private let directory: any Directory
    private let logger: Logger
    private let buffer = Mutex<[ActivityEntry]>([])
    /// Wakes the writer; at most one wake-up is pending, however many entries arrive.
    private let wakeUps: AsyncStream<Void>
    private let wake: AsyncStream<Void>.Continuation
    /// Beyond this many unwritten entries, new ones are dropped (and counted in the log) rather than held.
    private static let capacity = 10_000

    public init(directory: any Directory, logger: Logger) {
        self.directory = directory
        self.logger = logger
        (wakeUps, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Queues an entry; never waits.
    public func record(_ entry: ActivityEntry) {
        let accepted = buffer.withLock { entries in
            guard entries.count < Self.capacity else { return false }
            entries.append(entry)
            return true
        }
        if accepted {
            wake.yield()
        } else {
            logger.warning("activity log is falling behind; an entry was dropped")
        }
    }

    public func run() async throws {
        await withGracefulShutdownHandler {
            for await _ in wakeUps {
                await flush()
            }
            await flush()
        } onGracefulShutdown: {
            self.wake.finish()
        }
    }

    private func flush() async {
        let entries = buffer.withLock { entries in
            defer { entries.removeAll(keepingCapacity: true) }
            return entries
        }
        guard !entries.isEmpty else { return }
        do {
            try await directory.recordActivity(entries)
        } catch {
            logger.warning("could not record activity", metadata: ["entries": "\(entries.count)", "error": "\(error)"])
        }
    }
}
