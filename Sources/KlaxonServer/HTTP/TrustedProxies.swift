import HTTPTypes
public import NIOCore

/// The proxies (load balancers, reverse proxies) whose `X-Forwarded-For` header the server believes, as addresses
/// or CIDR ranges. Behind one, every connection comes from the proxy; the client is the right-most address in
/// `X-Forwarded-For` that is not itself a trusted proxy (each proxy appends the address it was reached from, and only
/// the part written by proxies we trust can be believed). A connection from any other address is its own client,
/// whatever header it sends, so the header cannot be used to dodge a sign-in tally. Connections from a trusted proxy
/// are not held to the per-address connection limit: they carry many clients.
///
/// ```swift
/// let proxies = try TrustedProxies(["10.0.0.0/8", "::1"])
/// proxies.client(peer: try SocketAddress(ipAddress: "10.0.0.5", port: 4000), forwardedFor: ["198.51.100.7, 10.0.0.9"])
/// // 198.51.100.7
/// ```
public struct TrustedProxies: Sendable, Hashable {
    /// One range: the addresses whose first `prefixLength` bits are those of `bytes` (4 bytes for IPv4, 16 for IPv6).
    struct Range: Sendable, Hashable {
        let bytes: [UInt8]
        let prefixLength: Int

        func contains(_ address: [UInt8]) -> Bool {
            guard address.count == bytes.count else { return false }
            var remaining = prefixLength
            for (mine, theirs) in zip(bytes, address) where remaining > 0 {
                let mask: UInt8 = remaining >= 8 ? 0xff : ~(0xff >> UInt8(remaining))
                guard mine & mask == theirs & mask else { return false }
                remaining -= 8
            }
            return true
        }
    }

    /// A range that is neither an IP address nor a CIDR range.
    public struct InvalidRange: Error, CustomStringConvertible {
        public let text: String
        public var description: String {
            "'\(text)' is not an IP address or CIDR range (e.g. 10.0.0.5, 10.0.0.0/8, fd00::/8)"
        }
    }

    let ranges: [Range]

    /// No proxy is trusted: every connection is its own client.
    public static let none = TrustedProxies(ranges: [])

    private init(ranges: [Range]) {
        self.ranges = ranges
    }

    /// Trusts each address (`10.0.0.5`, `::1`) or CIDR range (`10.0.0.0/8`, `fd00::/8`).
    public init(_ specifications: [String]) throws(InvalidRange) {
        self.ranges = try specifications.map { text throws(InvalidRange) in
            let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
            guard let bytes = Self.bytes(of: String(parts[0])) else { throw InvalidRange(text: text) }
            guard parts.count == 2 else { return Range(bytes: bytes, prefixLength: bytes.count * 8) }
            guard parts[1].allSatisfy(\.isASCII), let length = Int(parts[1]), (0...bytes.count * 8).contains(length) else {
                throw InvalidRange(text: text)
            }
            return Range(bytes: bytes, prefixLength: length)
        }
    }

    public var isEmpty: Bool { ranges.isEmpty }

    /// Whether `address` is one of the trusted proxies.
    func trusts(_ address: SocketAddress) -> Bool {
        guard !ranges.isEmpty, let bytes = address.ipBytes else { return false }
        return ranges.contains { $0.contains(bytes) }
    }

    /// The client's address: `peer`, unless it is a trusted proxy; then the right-most address of `forwardedFor`
    /// (the `X-Forwarded-For` values, in order) that is not a trusted proxy. Walking left stops at an entry that is
    /// not an address, so the last address read (a trusted proxy's) is the client then, as it is when every entry
    /// is trusted.
    func client(peer: SocketAddress, forwardedFor: [String]) -> SocketAddress {
        guard trusts(peer) else { return peer }
        var client = peer
        for entry in forwardedFor.flatMap({ $0.split(separator: ",") }).reversed() {
            guard let address = Self.forwardedAddress(entry) else { break }
            client = address
            guard trusts(address) else { break }
        }
        return client
    }

    /// The client's address as sign-in tallies count it (``ConnectionCounter/Address``: IPv4, or an IPv6 /64), from
    /// the connection's `peer` and the request's `X-Forwarded-For` values; "" when the connection has no address.
    func clientAddress(peer: SocketAddress?, forwardedFor: [String]) -> String {
        guard let peer else { return "" }
        return ConnectionCounter.Address(client(peer: peer, forwardedFor: forwardedFor))?.description ?? ""
    }

    /// An `X-Forwarded-For` entry: an address, possibly with a port (`192.0.2.1:4711`, `[2001:db8::1]:4711`), as
    /// some proxies write it.
    static func forwardedAddress(_ entry: Substring) -> SocketAddress? {
        let trimmed = String(entry).trimmingSpaces()
        var text = Substring(trimmed)
        if text.hasPrefix("[") {
            guard let end = text.firstIndex(of: "]") else { return nil }
            text = text[text.index(after: text.startIndex)..<end]
        } else if text.filter({ $0 == ":" }).count == 1, let colon = text.firstIndex(of: ":") {
            text = text[..<colon]
        }
        return try? SocketAddress(ipAddress: String(text), port: 0)
    }

    private static func bytes(of text: String) -> [UInt8]? {
        (try? SocketAddress(ipAddress: text, port: 0))?.ipBytes
    }
}

extension SocketAddress {
    /// The IP address's bytes: 4 for IPv4 (and for an IPv4 address mapped into IPv6, `::ffff:192.0.2.1`, as a
    /// dual-stack socket reports IPv4 clients), 16 for IPv6; nil for a Unix socket.
    var ipBytes: [UInt8]? {
        // The address bytes as laid out in `sockaddr_in` (after family and port) and `sockaddr_in6` (after family,
        // port and flow label).
        let raw = withSockAddr { pointer, size in Array(UnsafeRawBufferPointer(start: pointer, count: size)) }
        switch self {
        case .v4 where raw.count >= 8:
            return Array(raw[4..<8])
        case .v6 where raw.count >= 24:
            let all = raw[8..<24]
            let mappedPrefix: [UInt8] = Array(repeating: 0, count: 10) + [0xff, 0xff]
            return all.starts(with: mappedPrefix) ? Array(all.suffix(4)) : Array(all)
        default:
            return nil
        }
    }
}

extension HTTPField.Name {
    static let xForwardedFor = Self("X-Forwarded-For")!
}
