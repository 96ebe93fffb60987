import SCIM

/// `klaxon.location`: resolves a location name against the organisation's locations in the
/// ``TransformContext``: a known name becomes the organisation's spelling of it; an unknown or missing one
/// becomes the Default location (or, by `unknown`, stays as it was, or null). Without locations in the
/// context the value passes through unchanged, for callers that leave resolution to the server.
struct KlaxonLocationTransformer: Transformer {
    enum Unknown: String { case useDefault = "use-default", keep, null }

    static let id = "klaxon.location"
    static let summary = "Resolves a location name against the organisation's locations; unknown names become the Default location."
    static let parameters = [
        TransformerParameter(
            "unknown", .oneOf(["use-default", "keep", "null"]),
            summary: "what an unknown or missing name becomes (default use-default)")
    ]
    static let transformsNull = true

    let unknown: Unknown

    init(arguments: TransformerArguments) {
        unknown = arguments.string("unknown").flatMap(Unknown.init) ?? .useDefault
    }

    func transform(_ value: JSONValue, context: TransformContext) -> TransformOutcome {
        guard let locations = context.locations else { return .value(value) }
        if let text = value.scalarText, let name = locations.match(text) {
            return .value(.string(name))
        }
        switch unknown {
        case .useDefault: return .value(.string(locations.defaultName))
        case .keep: return .value(value)
        case .null: return .null
        }
    }
}
