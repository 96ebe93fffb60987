import Foundation
import KlaxonDirectory
import Logging
import ServiceLifecycle

/// Keeps the activity log to its retention period: when the server starts and then every `interval`, removes each
/// organisation's entries older than `retentionDays`. The directory removes them in bounded batches, so a large
/// backlog does not hold up provisioning writes. A failure is logged and tried again at the next run.
///
/// ```swift
/// let pruner = ActivityPruner(directory: directory, retentionDays: 30, logger: logger)
/// let group = ServiceGroup(services: [pruner], logger: logger)
/// ```
struct ActivityPruner: Service {
    let directory: any Directory
    /// Entries older than this many days are removed; at least 1.
    let retentionDays: Int
    let interval: Duration
    let logger: Logger

    init(directory: any Directory, retentionDays: Int, interval: Duration = .seconds(3600), logger: Logger) {
        self.directory = directory
        self.retentionDays = max(1, retentionDays)
        self.interval = interval
        self.logger = logger
    }

    func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            await prune(now: Date())
            // Only the wait is cut short at shutdown: a batch under way finishes, so no transaction is abandoned.
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }

    /// Removes every organisation's entries older than the retention period, as of `now`.
    func prune(now: Date) async {
        let cutoff = now.addingTimeInterval(-Double(retentionDays) * 86_400)
        let organisations: [Organisation]
        do {
            organisations = try await directory.organisations()
        } catch {
            logger.warning("could not prune the activity log", metadata: ["error": "\(error)"])
            return
        }
        for organisation in organisations where !Task.isShuttingDownGracefully {
            do {
                let removed = try await directory.pruneActivity(in: organisation.id, before: cutoff)
                if removed > 0 {
                    logger.info("pruned the activity log", metadata: ["organisation": "\(organisation.slug)", "entries": "\(removed)"])
                }
            } catch {
                logger.warning(
                    "could not prune the activity log", metadata: ["organisation": "\(organisation.slug)", "error": "\(error)"])
            }
        }
    }
}
