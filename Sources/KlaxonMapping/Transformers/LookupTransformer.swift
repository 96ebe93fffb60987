import SCIM

/// `lookup`: translates values through a table, e.g. HR department codes to names or `Active`/`Terminated`
/// to `true`/`false`. A value missing from the table is kept, replaced by `default`, made null, or leaves the
/// attribute out, as `onMissing` says (default: `default` if one is given, else `keep`).
struct LookupTransformer: Transformer {
    enum OnMissing: String { case keep, `default`, null, skipAttribute = "skip-attribute" }

    static let id = "lookup"
    static let summary = "Translates a value through a table of text to text."
    static let parameters = [
        TransformerParameter("table", .stringMap, required: true, summary: "the value → replacement table"),
        TransformerParameter("default", .string, summary: "the replacement for values not in the table"),
        TransformerParameter("ignoreCase", .boolean, summary: "look values up ignoring case (default false)"),
        TransformerParameter(
            "onMissing", .oneOf(["keep", "default", "null", "skip-attribute"]),
            summary: "what a value missing from the table becomes"),
    ]

    let table: [String: String]
    let ignoreCase: Bool
    let defaultValue: String?
    let onMissing: OnMissing

    init(arguments: TransformerArguments) throws(TransformerError) {
        ignoreCase = arguments.bool("ignoreCase") ?? false
        defaultValue = arguments.string("default")
        var table: [String: String] = [:]
        for (key, value) in arguments.stringMap("table") ?? [] {
            let folded = ignoreCase ? key.lowercased() : key
            guard table[folded] == nil else {
                throw TransformerError("the lookup table has \"\(key)\" twice\(ignoreCase ? " (ignoring case)" : "")", argument: "table")
            }
            table[folded] = value
        }
        self.table = table
        onMissing = arguments.string("onMissing").flatMap(OnMissing.init) ?? (defaultValue == nil ? .keep : .default)
        if onMissing == .default, defaultValue == nil {
            throw TransformerError("onMissing: default needs a \"default\" value", argument: "onMissing")
        }
    }

    func transform(_ value: JSONValue, context: TransformContext) -> TransformOutcome {
        if case .array(let items) = value {
            return .value(.array(items.compactMap { item in
                if case .value(let replaced) = lookUp(item) { return replaced }
                return nil
            }))
        }
        return lookUp(value)
    }

    private func lookUp(_ value: JSONValue) -> TransformOutcome {
        guard let text = value.scalarText else { return .value(value) }
        if let replacement = table[ignoreCase ? text.lowercased() : text] {
            return .value(.string(replacement))
        }
        switch onMissing {
        case .keep: return .value(value)
        case .default: return .value(defaultValue.map(JSONValue.string) ?? .null)
        case .null: return .null
        case .skipAttribute: return .skipAttribute
        }
    }
}
