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

    /// True if no warning was let through within the period before `now`; then counts this one.
    func shouldWarn(now: ContinuousClock.Instant = .now) -> Bool {
        last.withLock { last in
            if let last, now - last < period { return false }
            last = now
            return true
        }
    }
}
