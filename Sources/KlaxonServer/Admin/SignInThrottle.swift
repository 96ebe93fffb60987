import Foundation
import KlaxonDirectory

/// How repeated failed sign-ins are slowed down. Failures are tallied in the directory (so every server instance
/// sees them) per sign-in name and client address (names of accounts that do not exist are tallied alike), and per
/// address over all names: the first few failures cost nothing, then an attempt must wait 5 seconds after the last
/// failure, and each further failure doubles that, up to a ceiling.
///
/// Per address, so that someone who knows an administrator's sign-in name slows down only their own guesses, not
/// the administrator signing in from elsewhere; over all names, so that one password tried against many names is
/// slowed down too. Guessing from many addresses at once is left to the password rules (12 characters at least)
/// and bcrypt's cost.
///
/// ```swift
/// SignInThrottle().wait(after: SignInTally(name: SignInFailures(count: 6, last: date), client: nil), now: date)   // 10 seconds
/// ```
struct SignInThrottle: Sendable {
    /// Failures of one name from one address allowed before waiting starts.
    var freeAttempts = 5
    /// Failures from one address over all names allowed before waiting starts.
    var freeAttemptsPerClient = 20
    var ceiling: TimeInterval = 15 * 60
    /// The wait after the first failure past the free ones.
    var firstWait: TimeInterval = 5

    /// How long until the next attempt may be checked, or nil if it may be now.
    func wait(after tally: SignInTally, now: Date) -> TimeInterval? {
        let waits = [wait(after: tally.name, free: freeAttempts, now: now), wait(after: tally.client, free: freeAttemptsPerClient, now: now)]
        return waits.compactMap { $0 }.max()
    }

    private func wait(after failures: SignInFailures?, free: Int, now: Date) -> TimeInterval? {
        guard let failures, failures.count >= free else { return nil }
        let exponent = min(failures.count - free + 1, 20)
        let delay = min(ceiling, firstWait * pow(2, Double(exponent - 1)))
        let remaining = failures.last.addingTimeInterval(delay).timeIntervalSince(now)
        return remaining > 0 ? remaining : nil
    }
}
