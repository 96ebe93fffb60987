/// The transformers a mapping file may name in `use:`, by id.
///
/// ```swift
/// var registry = TransformerRegistry.standard      // text.*, phone.e164, klaxon.location, lookup, date.format
/// registry.register(AcmeBadgeNumber.self)          // an integrator's own
/// let engine = try MappingEngine.load(contentsOf: "Mappings/acme.yaml", transformers: registry)
/// ```
public struct TransformerRegistry: Sendable {
    private var types: [String: any Transformer.Type] = [:]

    /// A registry with no transformers.
    public init() {}

    /// The built-in transformers.
    public static let standard: TransformerRegistry = {
        var registry = TransformerRegistry()
        for type: any Transformer.Type in [
            TrimTransformer.self, CaseTransformer.self, ReplaceTransformer.self, NormalizeDiacriticsTransformer.self,
            PhoneE164Transformer.self, KlaxonLocationTransformer.self, LookupTransformer.self, DateFormatTransformer.self,
        ] {
            registry.register(type)
        }
        return registry
    }()

    /// Adds a transformer, replacing any registered under the same id.
    public mutating func register(_ type: any Transformer.Type) {
        types[type.id] = type
    }

    /// The transformer registered under this id.
    public func transformer(id: String) -> (any Transformer.Type)? {
        types[id]
    }

    /// Every registered id, sorted.
    public var ids: [String] { types.keys.sorted() }
}
