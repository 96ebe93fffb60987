import Foundation
import KlaxonDirectory
import Logging
import ServiceLifecycle

/// Removes what the directory keeps only for a while, when the server starts and then every `interval`: each
/// organisation's activity entries older than `retentionDays` (unless it is nil), and failed sign-in tallies whose
/// last failure is older than ``signInMemory`` (so a name tried once from an address is not remembered for ever).
/// The directory removes them in bounded batches, so a large backlog does not hold up provisioning writes. A failure
/// is logged and tried again at the next run.
///
/// ```swift
/// let pruner = RetentionPruner(directory: directory, retentionDays: 30, logger: logger)
/// let group = ServiceGroup(services: [pruner], logger: logger)
/// ```
struct RetentionPruner: Service {
    let directory: any Directory
    /// Activity entries older than this many days are removed (at least 1); nil keeps them all.
    let retentionDays: Int?
    let interval: Duration
    let logger: Logger

    init(directory: any Directory, retentionDays: Int?, interval: Duration = .seconds(3600), logger: Logger) {
        self.directory = directory
        self.retentionDays = retentionDays.map { max(1, $0) }
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

    /// How long failed sign-ins at a name from an address are remembered after the last one: far longer than the
    /// longest wait they impose (``SignInThrottle/ceiling``).
    static let signInMemory: TimeInterval = 86_400

    /// Removes every organisation's entries older than the retention period, and the sign-in tallies past
    /// ``signInMemory``, as of `now`.
    func prune(now: Date) async {
        do {
            let forgotten = try await directory.pruneSignInFailures(before: now.addingTimeInterval(-Self.signInMemory))
            if forgotten > 0 { logger.info("forgot old failed sign-ins", metadata: ["tallies": "\(forgotten)"]) }
        } catch {
            logger.warning("could not prune failed sign-ins", metadata: ["error": "\(error)"])
        }
        guard let retentionDays else { return }
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
