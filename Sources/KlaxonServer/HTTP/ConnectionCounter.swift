import NIOCore
import Synchronization

/// Counts the server's open connections per client address and refuses one past ``limit``, so that one client
/// cannot take every file descriptor the server has.
///
/// An IPv6 client is counted by its /64 network, the block one host or home is normally given, so it cannot
/// dodge the limit by moving through the addresses of its own network; an IPv4-mapped IPv6 address counts as the
/// IPv4 address.
final class ConnectionCounter: Sendable {
    /// A client address as counted: 4 bytes of IPv4, or the first 8 bytes (the /64) of IPv6.
    struct Address: Hashable, Sendable, CustomStringConvertible {
        private let bytes: [UInt8]

        init?(_ address: SocketAddress) {
            guard let bytes = address.ipBytes else { return nil }
            self.bytes = bytes.count == 4 ? bytes : Array(bytes.prefix(8))
        }

        var description: String {
            bytes.count == 4
                ? bytes.map(String.init).joined(separator: ".")
                : stride(from: 0, to: 8, by: 2).map { String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16) }
                    .joined(separator: ":") + "::/64"
        }
    }

    /// The most connections one address may hold open at once.
    let limit: Int
    private let open = Mutex<[Address: Int]>([:])
    /// A flood of refusals logs one line a minute.
    let warnings = WarningLimiter(every: .seconds(60))

    /// Addresses not counted: trusted proxies, whose connections carry many clients.
    let exempt: TrustedProxies

    init(limit: Int, exempt: TrustedProxies = .none) {
        self.limit = limit
        self.exempt = exempt
    }

    /// The address a connection from `peer` counts against, or nil if it is not counted (a trusted proxy).
    func address(of peer: SocketAddress) -> Address? {
        exempt.trusts(peer) ? nil : Address(peer)
    }

    /// Counts a new connection from `address`; false, counting nothing, if it already holds ``limit``.
    func admit(_ address: Address) -> Bool {
        open.withLock { open in
            let current = open[address, default: 0]
            guard current < limit else { return false }
            open[address] = current + 1
            return true
        }
    }

    /// A connection counted by ``admit(_:)`` has closed.
    func release(_ address: Address) {
        open.withLock { open in
            let remaining = open[address, default: 1] - 1
            open[address] = remaining > 0 ? remaining : nil
        }
    }
}
