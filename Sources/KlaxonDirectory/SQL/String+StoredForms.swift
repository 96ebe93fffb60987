import Foundation

extension String {
    /// The form case-insensitive columns store and compare: lowercased, then in Unicode Normalization Form C.
    ///
    /// ``FilterEvaluator`` compares lowercased Swift strings, and Swift's `==` treats canonically equivalent
    /// strings (`é` and `e` + U+0301) as equal; SQLite and PostgreSQL (its columns are `COLLATE "C"`) compare
    /// bytes. Storing and querying one canonical form makes the two agree.
    var caseFolded: String { lowercased().canonical }

    /// The form case-exact columns store and compare: Unicode Normalization Form C, for the same reason.
    ///
    /// ASCII text is its own normal form and is returned as it is: nearly every userName and email is ASCII, and
    /// Foundation's normalisation was the largest single cost of storing a user.
    var canonical: String {
        utf8.allSatisfy { $0 < 0x80 } ? self : precomposedStringWithCanonicalMapping
    }

    /// The text with each U+0000 replaced by U+FFFD, for text that is recorded or looked up rather than validated
    /// (activity details, admin form fields): PostgreSQL cannot hold U+0000 in text, not even to compare it.
    package var replacingNUL: String {
        guard utf8.contains(0) else { return self }
        return String(String.UnicodeScalarView(unicodeScalars.map { $0 == "\u{0}" ? "\u{FFFD}" : $0 }))
    }
}
