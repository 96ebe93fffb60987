import Foundation
import KlaxonDirectory

/// How repeated failed sign-ins are slowed down. The tally is kept per sign-in name in the directory (so every
/// server instance sees it, and names of accounts that do not exist are tallied alike): the first few failures cost
/// nothing, then an attempt must wait 5 seconds after the last failure, and each further failure doubles that, up to
/// a ceiling.
///
/// ```swift
/// SignInThrottle().wait(after: SignInFailures(count: 6, last: date), now: date)   // 10 seconds
/// ```
struct SignInThrottle: Sendable {
    /// Failures allowed before waiting starts.
    var freeAttempts = 5
    var ceiling: TimeInterval = 15 * 60
    /// The wait after the first failure past the free ones.
    var firstWait: TimeInterval = 5

    /// How long until the next attempt may be checked, or nil if it may be now.
    func wait(after failures: SignInFailures?, now: Date) -> TimeInterval? {
        guard let failures, failures.count >= freeAttempts else { return nil }
        let exponent = min(failures.count - freeAttempts + 1, 20)
        let delay = min(ceiling, firstWait * pow(2, Double(exponent - 1)))
        let remaining = failures.last.addingTimeInterval(delay).timeIntervalSince(now)
        return remaining > 0 ? remaining : nil
    }
}
