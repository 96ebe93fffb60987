import Synchronization

/// Lets a warning that a flood of events would repeat (refused connections, an unreachable database) be logged at
/// most once per period.
///
/// ```swift
/// let warnings = WarningLimiter(every: .seconds(60))
/// if warnings.shouldWarn() { logger.warning("…") }
/// ```
final class WarningLimiter: Sendable {
    private let period: Duration
    private let last = Mutex<ContinuousClock.Instant?>(nil)

    init(every period: Duration) {
        self.period = period
    }

    /// The warning that requests fail because the database cannot be reached: an outage fails every request
    /// alike, SCIM and admin pages, and one line every few seconds says so.
    static let unreachableDatabase = WarningLimiter(every: .seconds(10))

    /// True if no warning was let through within the period before `now`; then counts this one.
    func shouldWarn(now: ContinuousClock.Instant = .now) -> Bool {
        last.withLock { last in
            if let last, now - last < period { return false }
            last = now
            return true
        }
    }
}
