/// Finds the name someone probably meant: for "did you mean …" in parse errors and lint messages.
///
/// A candidate that differs only in ASCII case wins; otherwise the closest candidate by edit distance (a swap
/// of two neighbouring letters counting as one edit, so `tpye` finds `type`), when that distance is at most 2
/// and less than half the candidate's length (so short names do not attract noise).
///
/// ```swift
/// NameSuggester.suggestion(for: "moble", among: ["mobile", "mail"])   // "mobile"
/// NameSuggester.suggestion(for: "tolower", among: ["ToLower"])        // "ToLower"
/// ```
public enum NameSuggester {
    public static func suggestion(for name: String, among candidates: some Sequence<String>) -> String? {
        let typed = Array(asciiLowercased(name).utf8)
        var best: (candidate: String, distance: Int)?
        for candidate in candidates {
            let wanted = Array(asciiLowercased(candidate).utf8)
            if wanted == typed { return candidate }
            let limit = min(2, (wanted.count - 1) / 2)
            guard abs(wanted.count - typed.count) <= limit else { continue }
            let distance = editDistance(typed, wanted)
            if distance <= limit, distance < (best?.distance ?? Int.max) {
                best = (candidate, distance)
            }
        }
        return best?.candidate
    }

    /// Levenshtein distance over bytes with adjacent transpositions (optimal string alignment), keeping the
    /// two previous rows.
    static func editDistance(_ a: [UInt8], _ b: [UInt8]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var beforePrevious = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                current[j] = min(substitution, previous[j] + 1, current[j - 1] + 1)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    current[j] = min(current[j], beforePrevious[j - 2] + 1)
                }
            }
            (beforePrevious, previous, current) = (previous, current, beforePrevious)
        }
        return previous[b.count]
    }
}

/// The string with ASCII letters lowercased and everything else untouched: the folding SCIM uses for names
/// (``Swift/String/equalsIgnoringASCIICase(_:)``), so lookups agree with `JSONObject`'s.
func asciiLowercased(_ text: String) -> String {
    let utf8 = text.utf8
    guard utf8.contains(where: { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }) else { return text }
    return String(unsafeUninitializedCapacity: utf8.count) { buffer in
        var count = 0
        for byte in utf8 {
            buffer[count] = byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
            count += 1
        }
        return count
    }
}
