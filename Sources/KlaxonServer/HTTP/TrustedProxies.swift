import HTTPTypes
import NIOCore

/// The proxies (load balancers, reverse proxies) whose `X-Forwarded-For` header the server believes, as addresses
/// or CIDR ranges. Behind one, every connection comes from the proxy; the client is the right-most address in
/// `X-Forwarded-For` that is not itself a trusted proxy (each proxy appends the address it was reached from, and only
/// the part written by proxies we trust can be believed). A connection from any other address is its own client,
/// whatever header it sends, so the header cannot be used to dodge a sign-in tally. Connections from a trusted proxy
/// are not held to the per-address connection limit: they carry many clients. Name only the proxies themselves (a
/// range that holds clients lets them write their own entries), and only proxies that append to the header.
///
/// ```swift
/// let proxies = try TrustedProxies(["10.0.3.0/28", "::1"])
/// proxies.client(peer: try SocketAddress(ipAddress: "10.0.3.5", port: 4000), forwardedFor: ["198.51.100.7, 10.0.3.9"])
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

    /// Trusts each address (`10.0.0.5`, `::1`) or CIDR range (`10.0.0.0/8`, `fd00::/8`). An IPv4 range written
    /// as IPv6 (`::ffff:10.0.0.0/104`) counts its prefix in IPv6 bits, as written.
    public init(_ specifications: [String]) throws(InvalidRange) {
        self.ranges = try specifications.map { text throws(InvalidRange) in
            let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
            guard !parts[0].contains("%"), let bytes = Self.bytes(of: String(parts[0])) else { throw InvalidRange(text: text) }
            guard parts.count == 2 else { return Range(bytes: bytes, prefixLength: bytes.count * 8) }
            // The prefix counts bits of the address as written; an IPv4-mapped IPv6 address keeps its last 32.
            let writtenBits = parts[0].contains(":") ? 128 : 32
            let unkept = writtenBits - bytes.count * 8
            guard (1...3).contains(parts[1].count), parts[1].allSatisfy({ $0.isASCII && $0.isNumber }), let length = Int(parts[1]),
                (unkept...writtenBits).contains(length)
            else { throw InvalidRange(text: text) }
            return Range(bytes: bytes, prefixLength: length - unkept)
        }
    }

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
        var read = 0
        // From the right, splitting no further than needed: the left part of a long header is the client's own.
        for line in forwardedFor.reversed() {
            var rest = Substring(line)
            while true {
                let comma = rest.lastIndex(of: ",")
                let entry = comma.map { rest[rest.index(after: $0)...] } ?? rest
                read += 1
                guard read <= Self.maximumEntries, let address = Self.forwardedAddress(entry) else { return client }
                client = address
                guard trusts(address) else { return client }
                guard let comma else { break }
                rest = rest[..<comma]
            }
        }
        return client
    }

    /// How many `X-Forwarded-For` entries are read at most: more trusted proxies in a row than any deployment has.
    static let maximumEntries = 20

    /// The client's address as sign-in tallies count it (``ConnectionCounter/Address``: IPv4, or an IPv6 /64), from
    /// the connection's `peer` and the request's `X-Forwarded-For` values; "" when the connection has no address.
    func clientAddress(peer: SocketAddress?, forwardedFor: [String]) -> String {
        guard let peer else { return "" }
        return ConnectionCounter.Address(client(peer: peer, forwardedFor: forwardedFor))?.description ?? ""
    }

    /// An `X-Forwarded-For` entry: an address, possibly with a port (`192.0.2.1:4711`, `[2001:db8::1]:4711`), as
    /// some proxies write it. Nothing else: no zone (`%eth0`), nothing around it.
    static func forwardedAddress(_ entry: Substring) -> SocketAddress? {
        let trimmed = String(entry).trimmingSpaces()
        var text = Substring(trimmed)
        guard !text.contains("%") else { return nil }
        if text.hasPrefix("[") {
            guard let end = text.firstIndex(of: "]"), isPort(text[text.index(after: end)...]) else { return nil }
            text = text[text.index(after: text.startIndex)..<end]
        } else if text.filter({ $0 == ":" }).count == 1, let colon = text.firstIndex(of: ":") {
            guard isPort(text[colon...]) else { return nil }
            text = text[..<colon]
        }
        return try? SocketAddress(ipAddress: String(text), port: 0)
    }

    /// Nothing, or `:` and a port number.
    private static func isPort(_ text: Substring) -> Bool {
        text.isEmpty || (text.first == ":" && (2...6).contains(text.count) && text.dropFirst().allSatisfy { $0.isASCII && $0.isNumber })
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
