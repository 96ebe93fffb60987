/// A reference to an attribute: `userName`, `name.givenName`, or a full URN path such as
/// `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value` (RFC 7644 §3.10).
///
/// URNs contain dots and colons themselves (`…:2.0:User`), so a path is matched against the longest known
/// schema URN first; an unknown URN is split at its last `:`.
///
/// ```swift
/// let users = SchemaRegistry.standard.resourceSchema(for: "User")!
/// let path = try AttributePath(parsing: "urn:ietf:params:scim:schemas:extension:klaxon:2.0:User:location", in: users)
/// path.schema   // "urn:ietf:params:scim:schemas:extension:klaxon:2.0:User"
/// path.name     // "location"
/// ```
public struct AttributePath: Sendable, Hashable, CustomStringConvertible {
    /// The schema URN, if the path named one. The core schema's URN is kept too, so a path prints as written.
    public var schema: String?
    /// The top-level attribute name; inside a value filter (`emails[type eq "work"]`) the sub-attribute name.
    public var name: String
    public var subAttribute: String?

    public init(schema: String? = nil, name: String, subAttribute: String? = nil) {
        self.schema = schema
        self.name = name
        self.subAttribute = subAttribute
    }

    /// Parses an attribute path. With a resource schema, known URNs (and their canonical spelling) are used.
    public init(parsing text: String, in resourceSchema: ResourceSchema? = nil) throws(SCIMError) {
        guard let path = Self.parse(Substring(text), in: resourceSchema) else {
            throw .invalidPath("'\(text)' is not a valid attribute path")
        }
        self = path
    }

    /// The path as SCIM writes it.
    public var description: String {
        var text = schema.map { "\($0):" } ?? ""
        text += name
        if let subAttribute { text += ".\(subAttribute)" }
        return text
    }

    static func parse(_ text: Substring, in resourceSchema: ResourceSchema?) -> AttributePath? {
        var schema: String?
        var rest = text
        if let resourceSchema, let split = resourceSchema.splitKnownURN(String(text)) {
            schema = split.urn
            rest = split.rest
        } else if String(text).hasPrefixIgnoringASCIICase("urn:") {
            guard let colon = text.lastIndex(of: ":") else { return nil }
            schema = String(text[..<colon])
            rest = text[text.index(after: colon)...]
            guard let urn = schema, Schema.isValidURN(urn) else { return nil }
        }
        let parts = rest.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 1 || parts.count == 2, parts.allSatisfy(isAttributeName) else { return nil }
        return AttributePath(schema: schema, name: String(parts[0]), subAttribute: parts.count == 2 ? String(parts[1]) : nil)
    }

    /// ATTRNAME = ALPHA *(nameChar), nameChar = "-" / "_" / DIGIT / ALPHA (RFC 7643 §2.1), plus `$ref`.
    static func isAttributeName(_ text: Substring) -> Bool {
        if String(text).equalsIgnoringASCIICase("$ref") { return true }
        guard let first = text.utf8.first, isAlpha(first) else { return false }
        return text.utf8.allSatisfy { isAlpha($0) || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") }
    }

    private static func isAlpha(_ byte: UInt8) -> Bool {
        (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z")
    }
}
