import Foundation

/// How Klaxon decides that two location names name the same place: ignoring case, surrounding and repeated
/// white space, and Unicode spelling (NFC). The directory, the `klaxon.location` transformer and the admin UI all
/// compare through this one key.
public enum KlaxonLocationName {
    /// `"  New   York "` → `"new york"`.
    public static func matchKey(_ name: String) -> String {
        name.lowercased().split(whereSeparator: \.isWhitespace).joined(separator: " ").precomposedStringWithCanonicalMapping
    }
}
