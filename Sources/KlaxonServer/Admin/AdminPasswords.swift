import HummingbirdBcrypt
import NIOPosix
import Synchronization

/// Hashes and checks Site Administrators' passwords with bcrypt, off the request threads (bcrypt is slow on purpose).
///
/// A check for an account that does not exist, or has no password yet, still runs bcrypt against a stand-in hash,
/// so the time taken does not tell whether the account exists.
///
/// ```swift
/// let passwords = AdminPasswords(cost: 12)
/// let hash = try await passwords.hash("correct horse battery")
/// try await passwords.verify("correct horse battery", against: hash)   // true
/// ```
public final class AdminPasswords: Sendable {
    /// The cost used unless configured otherwise: 2^12 rounds.
    public static let defaultCost: UInt8 = 12
    /// The shortest password accepted.
    public static let minimumLength = 12

    public let cost: UInt8
    private let standIn = Mutex<String?>(nil)

    /// `cost` is clamped to bcrypt's range, 4...31.
    public init(cost: UInt8 = AdminPasswords.defaultCost) {
        self.cost = min(max(cost, 4), 31)
    }

    public func hash(_ password: String) async throws -> String {
        let cost = self.cost
        return try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    /// True if `password` matches `hash`; false for a nil hash, after the same work.
    public func verify(_ password: String, against hash: String?) async throws -> Bool {
        let stored: String
        if let hash {
            stored = hash
        } else if let cached = standIn.withLock({ $0 }) {
            stored = cached
        } else {
            let made = try await self.hash(String(decoding: (0..<24).map { _ in UInt8.random(in: 97...122) }, as: UTF8.self))
            standIn.withLock { $0 = $0 ?? made }
            stored = made
        }
        let matches = try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: stored) }
        return matches && hash != nil
    }

    /// The longest password accepted, in UTF-8 bytes: bcrypt ignores every byte after the 72nd, so a longer one
    /// would let in anyone who knows its beginning.
    public static let maximumBytes = 72

    /// Why a new password cannot be used, or nil if it can.
    public static func problem(with password: String, confirmation: String) -> String? {
        if password.count < minimumLength { return "The password needs at least \(minimumLength) characters." }
        if password.utf8.count > maximumBytes {
            return "The password can have at most \(maximumBytes) bytes: 72 unaccented letters, digits or punctuation, fewer with other characters."
        }
        if password != confirmation { return "The two passwords differ. Type the same password twice." }
        return nil
    }
}
