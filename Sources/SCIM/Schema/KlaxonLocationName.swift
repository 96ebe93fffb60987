import Foundation

/// How Klaxon decides that two location names name the same place: ignoring case, surrounding and repeated
/// white space, and Unicode spelling (NFC). The directory, the `klaxon.location` transformer and the admin UI all
/// compare through this one key.
public enum KlaxonLocationName {
    /// `"  New   York "` → `"new york"`.
    public static func matchKey(_ name: String) -> String {
        if let ascii = asciiMatchKey(name) { return ascii }
        return name.lowercased().split(whereSeparator: \.isWhitespace).joined(separator: " ").precomposedStringWithCanonicalMapping
    }

    /// The same key for an ASCII name without Unicode normalisation, which is an identity on ASCII and costs more
    /// than the rest: the key is computed for every user a server provisions. Nil for a name that is not ASCII.
    static func asciiMatchKey(_ name: String) -> String? {
        var key: [UInt8] = []
        key.reserveCapacity(name.utf8.count)
        var pendingSpace = false
        for byte in name.utf8 {
            guard byte < 0x80 else { return nil }
            if byte == 0x20 || (0x09...0x0D).contains(byte) {
                pendingSpace = !key.isEmpty
                continue
            }
            if pendingSpace {
                key.append(0x20)
                pendingSpace = false
            }
            key.append((0x41...0x5A).contains(byte) ? byte | 0x20 : byte)
        }
        return String(decoding: key, as: UTF8.self)
    }
}
