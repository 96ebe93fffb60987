import Crypto
import Foundation

/// Makes bearer-token secrets and the SHA-256 hashes stored in their place, and compares hashes in constant time.
///
/// ```swift
/// let secret = TokenHasher.newSecret()          // "klx_" + 43 base64url characters (32 random bytes)
/// let stored = TokenHasher.hash(secret)         // 64 hex digits; the secret itself is never stored
/// TokenHasher.constantTimeEquals(TokenHasher.hash(secret), stored)   // true
/// ```
public enum TokenHasher {
    /// Marks a string as a Klaxon token, so secret scanners and people can recognise it.
    static let prefix = "klx_"
    /// How many characters of a secret are kept as its hint: the prefix and six random characters.
    static let hintLength = prefix.count + 6

    /// A new secret: 32 bytes from the system's cryptographically secure generator, base64url without padding,
    /// after `prefix` (admin sessions and sign-in codes use their own, so they are never mistaken for tokens).
    static func newSecret(prefix: String = prefix) -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let base64url = Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        return prefix + base64url
    }

    /// The first characters of a secret, shown to admins so they can tell tokens apart.
    static func hint(of secret: String) -> String {
        String(secret.prefix(hintLength))
    }

    /// The SHA-256 digest of the secret's UTF-8 bytes, as lowercase hex.
    static func hash(_ secret: String) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var hex: [UInt8] = []
        hex.reserveCapacity(64)
        for byte in SHA256.hash(data: Array(secret.utf8)) {
            hex.append(digits[Int(byte >> 4)])
            hex.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: hex, as: UTF8.self)
    }

    /// True if both strings have the same bytes, taking the same time wherever they differ.
    public static func constantTimeEquals(_ lhs: String, _ rhs: String) -> Bool {
        let lhs = Array(lhs.utf8)
        let rhs = Array(rhs.utf8)
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for index in lhs.indices {
            difference |= lhs[index] ^ rhs[index]
        }
        return difference == 0
    }
}
