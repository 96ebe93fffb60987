import Foundation
import KlaxonDirectory

/// How repeated failed sign-ins are slowed down. Failures are tallied in the directory (so every server instance
/// sees them) per sign-in name and client address (names of accounts that do not exist are tallied alike): the first
/// few cost nothing, then an attempt must wait 5 seconds after the last failure, and each further failure doubles
/// that, up to a ceiling.
///
/// Per address, so that someone who knows an administrator's sign-in name slows down only their own guesses, not the
/// administrator signing in from elsewhere. Guessing from many addresses, or one password tried against many names,
/// is left to the password rules (12 characters at least) and bcrypt's cost: a tally over all names from one address
/// would, behind a proxy (where every client has its address), let one stranger lock every administrator out.
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
