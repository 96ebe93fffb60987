import Foundation

/// New resource ids: UUID version 7 (RFC 9562 §5.7), lower-case.
///
/// A version-7 UUID begins with its creation time in milliseconds, so ids made one after another sort together.
/// The directory's primary-key index (and every table keyed by resource id) then grows at its end, touching one
/// page per write instead of a random page per write: fewer pages for each commit to write. The rest is random,
/// so ids stay unguessable; the creation time they reveal is already the resource's `meta.created`.
enum ResourceIdentifier {
    /// A new id, e.g. `019a6f0c-8e2b-7c41-9d3e-5b7f0a1c2d3e`.
    static func make(at date: Date = Date()) -> String {
        var generator = SystemRandomNumberGenerator()
        // 48 bits of milliseconds reach the year 10889; times outside 1970…10889 are clamped to that range.
        let milliseconds = min(Double((1 << 48) - 1), max(0, date.timeIntervalSince1970 * 1000))
        return make(milliseconds: UInt64(milliseconds), random: generator.next(), generator.next())
    }

    /// The id for a time in milliseconds since 1970 and 128 random bits (of which 74 are used).
    static func make(milliseconds: UInt64, random high: UInt64, _ low: UInt64) -> String {
        var bytes = [UInt8](repeating: 0, count: 16)
        for index in 0..<6 {
            bytes[index] = UInt8(truncatingIfNeeded: milliseconds >> (8 * (5 - index)))
        }
        for index in 6..<8 {
            bytes[index] = UInt8(truncatingIfNeeded: high >> (8 * (index - 6)))
        }
        for index in 8..<16 {
            bytes[index] = UInt8(truncatingIfNeeded: low >> (8 * (index - 8)))
        }
        bytes[6] = 0x70 | (bytes[6] & 0x0F)  // version 7
        bytes[8] = 0x80 | (bytes[8] & 0x3F)  // the RFC 9562 variant
        let hex = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(36)
        for (index, byte) in bytes.enumerated() {
            if index == 4 || index == 6 || index == 8 || index == 10 { text.append(UInt8(ascii: "-")) }
            text.append(hex[Int(byte >> 4)])
            text.append(hex[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
