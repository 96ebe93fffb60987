/// The target of a PATCH operation (RFC 7644 §3.5.2): `PATH = attrPath / valuePath [subAttr]`, or a whole
/// extension named by its URN.
///
/// ```swift
/// let users = SchemaRegistry.standard.resourceSchema(for: "User")!
/// let path = try PatchPath(parsing: #"emails[type eq "work"].value"#, in: users)
/// path.attribute        // AttributePath(name: "emails")
/// path.valueFilter      // type eq "work"
/// path.subAttribute     // "value"
/// ```
public struct PatchPath: Sendable, Hashable, CustomStringConvertible {
    /// The attribute the path starts at. Its `subAttribute` is set for `name.givenName`; for a value path
    /// the sub-attribute after the brackets is in ``subAttribute``. Nil when the path is an extension URN alone.
    public var attribute: AttributePath?
    /// The schema URN when the path names a whole extension (`urn:…:enterprise:2.0:User`).
    public var extensionSchema: String?
    /// The filter in brackets, selecting values of a multi-valued attribute; its paths name sub-attributes.
    public var valueFilter: Filter?
    /// The sub-attribute after a value filter (`.value` in `emails[type eq "work"].value`).
    public var subAttribute: String?

    public init(attribute: AttributePath?, extensionSchema: String? = nil, valueFilter: Filter? = nil, subAttribute: String? = nil) {
        self.attribute = attribute
        self.extensionSchema = extensionSchema
        self.valueFilter = valueFilter
        self.subAttribute = subAttribute
    }

    /// Parses a PATCH path. Errors are 400 `invalidPath` (or `invalidFilter` inside the brackets).
    public init(parsing text: String, in resourceSchema: ResourceSchema? = nil) throws(SCIMError) {
        let trimmed = text.trimmingASCIIWhitespace()
        guard !trimmed.isEmpty else { throw .invalidPath("the path is empty") }
        guard trimmed.utf8.count <= FilterParser.Limits.default.maxLength else {
            throw .invalidPath("the path is longer than \(FilterParser.Limits.default.maxLength) bytes")
        }
        if let resourceSchema, let split = resourceSchema.splitKnownURN(trimmed), split.urn.utf8.count == trimmed.utf8.count {
            guard !split.urn.equalsIgnoringASCIICase(resourceSchema.core.id) else {
                throw .invalidPath("'\(trimmed)' names a schema, not an attribute")
            }
            self.init(attribute: nil, extensionSchema: split.urn)
            return
        }
        guard let open = trimmed.firstIndex(of: "[") else {
            guard let path = AttributePath.parse(Substring(trimmed), in: resourceSchema) else {
                throw .invalidPath("'\(trimmed)' is not a valid attribute path")
            }
            self.init(attribute: path)
            return
        }
        guard let close = trimmed.lastIndex(of: "]"), close > open else {
            throw .invalidPath("'\(trimmed)' has '[' without a matching ']'")
        }
        guard let attribute = AttributePath.parse(trimmed[..<open], in: resourceSchema), attribute.subAttribute == nil else {
            throw .invalidPath("'\(trimmed[..<open])' is not a valid attribute before '['")
        }
        // Columns in the filter's error details count from the start of the path as sent.
        let leadingSpace = text.unicodeScalars.prefix { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }.count
        let firstColumn = leadingSpace + trimmed[...open].unicodeScalars.count + 1
        let filter = try FilterParser.parseValueFilter(trimmed[trimmed.index(after: open)..<close], firstColumn: firstColumn)
        let after = trimmed[trimmed.index(after: close)...]
        var subAttribute: String?
        if !after.isEmpty {
            guard after.hasPrefix("."), AttributePath.isAttributeName(after.dropFirst()) else {
                throw .invalidPath("'\(after)' after ']' must be '.' and a sub-attribute name")
            }
            subAttribute = String(after.dropFirst())
        }
        self.init(attribute: attribute, valueFilter: filter, subAttribute: subAttribute)
    }

    public var description: String {
        if let extensionSchema, attribute == nil { return extensionSchema }
        var text = attribute?.description ?? ""
        if let valueFilter { text += "[\(valueFilter)]" }
        if let subAttribute { text += ".\(subAttribute)" }
        return text
    }
}

extension String {
    func trimmingASCIIWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[first...last])
    }
}
