/// An entity tag (RFC 7232 §2.3) as SCIM uses it for resource versions (RFC 7644 §3.14): Klaxon makes a weak
/// tag from a resource's version number, `W/"3"`, and sends it as the `ETag` header and as `meta.version`.
///
/// ```swift
/// ETag(version: 3).description                                        // W/"3"
/// try ETag.Condition(header: #"W/"2", W/"3""#).matches(version: 3)    // true
/// try ETag.Condition(header: "*").matches(version: 7)                 // true
/// ```
public struct ETag: Sendable, Hashable, CustomStringConvertible {
    /// The opaque tag, without quotes.
    public var tag: String
    public var isWeak: Bool

    public init(tag: String, isWeak: Bool) {
        self.tag = tag
        self.isWeak = isWeak
    }

    /// The weak tag of a resource version.
    public init(version: Int) {
        self.init(tag: String(version), isWeak: true)
    }

    /// Parses a single entity tag such as `W/"3"` or `"3"` (a bare `3` is accepted too). 400 `invalidSyntax` otherwise.
    public init(parsing text: String) throws(SCIMError) {
        let tags = try Self.parseList(text)
        guard tags.count == 1, let only = tags.first else {
            throw .invalidSyntax("'\(text)' is not a single entity tag such as W/\"3\"")
        }
        self = only
    }

    /// The resource version this tag stands for, if it is one of Klaxon's.
    public var version: Int? { Int(tag) }

    /// The tag as HTTP writes it: `W/"3"`.
    public var description: String { "\(isWeak ? "W/" : "")\"\(tag)\"" }

    /// The value of an `If-Match` or `If-None-Match` header: `*` or a list of entity tags.
    public enum Condition: Sendable, Hashable {
        /// `*`: any current version.
        case any
        case tags([ETag])

        /// Parses a header value: `*`, or comma-separated tags, weak or strong, e.g. `W/"2", "3"`.
        /// Throws 400 `invalidSyntax` for an empty value or a malformed tag.
        public init(header: String) throws(SCIMError) {
            if header.trimmingASCIIWhitespace() == "*" {
                self = .any
            } else {
                self = .tags(try ETag.parseList(header))
            }
        }

        /// True if a resource at this version satisfies the condition: `*` always does, a list does when one of
        /// its tags names the version. Tags compare weakly (the `W/` prefix is ignored), as Klaxon's tags are weak.
        /// For `If-Match`, a false result means 412; for `If-None-Match`, a true one means 304 (GET) or 412.
        public func matches(version: Int) -> Bool {
            switch self {
            case .any: return true
            case .tags(let tags): return tags.contains { $0.version == version }
            }
        }
    }

    /// Parses `#entity-tag` (RFC 7232): tags separated by commas and optional spaces; empty elements are skipped.
    private static func parseList(_ text: String) throws(SCIMError) -> [ETag] {
        var tags: [ETag] = []
        var rest = Substring(text)
        func isSeparator(_ character: Character) -> Bool { character == "," || character == " " || character == "\t" }
        while true {
            rest = rest.drop(while: isSeparator)
            guard !rest.isEmpty else { break }
            var isWeak = false
            if rest.hasPrefix("W/") || rest.hasPrefix("w/") {
                isWeak = true
                rest = rest.dropFirst(2)
            }
            let tag: Substring
            if rest.first == "\"" {
                let body = rest.dropFirst()
                guard let close = body.firstIndex(of: "\"") else {
                    throw .invalidSyntax("'\(text)' has an entity tag without its closing quote")
                }
                tag = body[..<close]
                rest = body[body.index(after: close)...]
                guard rest.isEmpty || isSeparator(rest.first ?? ",") else {
                    throw .invalidSyntax("'\(text)' has text after an entity tag; separate tags with commas")
                }
            } else {
                tag = rest.prefix { !isSeparator($0) }
                rest = rest.dropFirst(tag.count)
                guard !tag.isEmpty, !tag.contains("\""), tag != "*" else {
                    throw .invalidSyntax("'\(text)' is not a list of entity tags such as W/\"3\"")
                }
            }
            tags.append(ETag(tag: String(tag), isWeak: isWeak))
        }
        guard !tags.isEmpty else { throw .invalidSyntax("the entity tag list is empty; send * or tags such as W/\"3\"") }
        return tags
    }
}
