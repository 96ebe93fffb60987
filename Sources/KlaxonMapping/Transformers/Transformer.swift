import SCIM

/// A step of a mapping's `transform` chain: a pure function from one value to a value, null, or "leave this
/// attribute out", configured once from the arguments in the mapping file.
///
/// Built-in transformers (`text.trim`, `phone.e164`, `klaxon.location`, …) use this same seam, so an
/// integrator's transformer is written, registered and linted exactly like them:
///
/// ```swift
/// struct Initials: Transformer {
///     static let id = "acme.initials"
///     static let summary = "The first letter of each word."
///     static let parameters = [TransformerParameter("separator", .string, summary: "Put between initials.")]
///
///     let separator: String
///     init(arguments: TransformerArguments) throws(TransformerError) {
///         separator = arguments.string("separator") ?? ""
///     }
///     func transform(_ value: JSONValue, context: TransformContext) throws(TransformerError) -> TransformOutcome {
///         guard case .string(let text) = value else { return .value(value) }
///         return .value(.string(text.split(separator: " ").compactMap { $0.first.map(String.init) }.joined(separator: separator)))
///     }
/// }
///
/// var registry = TransformerRegistry.standard
/// registry.register(Initials.self)
/// ```
///
/// The linter checks a step's `with:` arguments against ``parameters`` and then creates the transformer with
/// ``init(arguments:)`` (which may reject combinations of arguments); it never calls ``transform(_:context:)``.
public protocol Transformer: Sendable {
    /// The id a mapping file names in `use:`, e.g. `phone.e164`. Dotted, lower camel case.
    static var id: String { get }
    /// One sentence saying what the transformer does.
    static var summary: String { get }
    /// The arguments `with:` may give.
    static var parameters: [TransformerParameter] { get }
    /// Whether ``transform(_:context:)`` is called for a null value. When false (the default), null passes
    /// through untouched.
    static var transformsNull: Bool { get }

    /// Creates the transformer from arguments already checked against ``parameters``.
    init(arguments: TransformerArguments) throws(TransformerError)

    /// Transforms one value: a string, a number, a boolean, a list (for multi-valued sources) or null.
    func transform(_ value: JSONValue, context: TransformContext) throws(TransformerError) -> TransformOutcome
}

extension Transformer {
    public static var transformsNull: Bool { false }
}

/// What a transformer gives back.
public enum TransformOutcome: Sendable, Hashable {
    /// The new value (`.value(.null)` is the same as ``null``).
    case value(JSONValue)
    /// No value: the mapping's default applies, if it has one.
    case null
    /// Leave the target attribute out of this flow altogether, as Entra's `IgnoreFlowIfNullOrEmpty` does.
    case skipAttribute
}

/// Why a transformer could not be created or could not transform a value. `argument` names the argument at
/// fault, so the linter can point at it.
public struct TransformerError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public var argument: String?

    public init(_ message: String, argument: String? = nil) {
        self.message = message
        self.argument = argument
    }

    public var description: String { message }
}

/// One argument a transformer accepts.
public struct TransformerParameter: Sendable, Hashable {
    /// The shapes an argument can have.
    public indirect enum Kind: Sendable, Hashable, CustomStringConvertible {
        case string
        case boolean
        case integer
        /// One of these words.
        case oneOf([String])
        /// A list of text values.
        case stringList
        /// A mapping of text to text, such as a lookup table.
        case stringMap

        public var description: String {
            switch self {
            case .string: return "text"
            case .boolean: return "true or false"
            case .integer: return "a whole number"
            case .oneOf(let words): return "one of \(words.joined(separator: ", "))"
            case .stringList: return "a list of text values"
            case .stringMap: return "a mapping of text to text"
            }
        }
    }

    public var name: String
    public var kind: Kind
    public var required: Bool
    public var summary: String

    public init(_ name: String, _ kind: Kind, required: Bool = false, summary: String) {
        self.name = name
        self.kind = kind
        self.required = required
        self.summary = summary
    }
}

/// A transformer's arguments, checked against its declared parameters: each value has the shape its
/// parameter declares, so the typed accessors below return nil only for an argument that was not given.
public struct TransformerArguments: Sendable {
    public let values: JSONObject

    /// Arguments given in code; they are not checked. Mapping files go through ``validated(_:for:)``.
    public init(_ values: JSONObject = [:]) {
        self.values = values
    }

    public func string(_ name: String) -> String? { values[name]?.stringValue }
    public func bool(_ name: String) -> Bool? { values[name]?.boolValue }
    public func integer(_ name: String) -> Int? { values[name]?.intValue }
    public func strings(_ name: String) -> [String]? { values[name]?.arrayValue?.compactMap(\.stringValue) }

    /// A text-to-text mapping, in the order written.
    public func stringMap(_ name: String) -> [(key: String, value: String)]? {
        values[name]?.objectValue?.members.compactMap { member in member.value.stringValue.map { (member.key, $0) } }
    }

    /// One problem with the arguments of a `transform` step.
    public struct Problem: Sendable, Hashable {
        /// The argument at fault; nil for a missing one (reported at the step).
        public var argument: String?
        public var message: String
        /// A parameter name the argument was probably meant to be.
        public var suggestion: String?
    }

    /// Checks the arguments a mapping file gives against a transformer's parameters: unknown names (with a
    /// suggestion), missing required ones, and values of the wrong shape. Plain scalars keep their text for
    /// text parameters, so `defaultRegion: NO` is Norway, not `false`.
    public static func validated(
        _ arguments: [(name: String, value: LiteralValue)], for type: any Transformer.Type
    ) -> Result<TransformerArguments, ProblemList> {
        var problems: [Problem] = []
        var members: [JSONObject.Member] = []
        let parameters = type.parameters
        for (name, value) in arguments {
            guard let parameter = parameters.first(where: { $0.name == name }) else {
                let suggestion = NameSuggester.suggestion(for: name, among: parameters.map(\.name))
                let known = parameters.isEmpty ? "it takes no arguments" : "its parameters are \(parameters.map(\.name).joined(separator: ", "))"
                problems.append(
                    Problem(
                        argument: name,
                        message: "\(type.id) has no parameter \"\(name)\"" + (suggestion.map { " (did you mean \"\($0)\"?)" } ?? "; \(known)"),
                        suggestion: suggestion))
                continue
            }
            if let converted = convert(value, to: parameter.kind) {
                members.append(JSONObject.Member(key: name, value: converted))
            } else {
                problems.append(
                    Problem(
                        argument: name,
                        message: "\(type.id) argument \"\(name)\" must be \(parameter.kind), not \(describe(value.json))"))
            }
        }
        for parameter in parameters where parameter.required && !arguments.contains(where: { $0.name == parameter.name }) {
            problems.append(
                Problem(argument: nil, message: "\(type.id) needs the argument \"\(parameter.name)\" (\(parameter.summary))"))
        }
        guard problems.isEmpty else { return .failure(ProblemList(problems: problems)) }
        return .success(TransformerArguments(JSONObject(members)))
    }

    /// The problems found by ``validated(_:for:)``.
    public struct ProblemList: Error, Sendable, Hashable {
        public var problems: [Problem]
    }

    private static func convert(_ value: LiteralValue, to kind: TransformerParameter.Kind) -> JSONValue? {
        switch kind {
        case .string:
            if case .string = value.json { return value.json }
            guard let text = value.scalarText, value.json != .null else { return nil }
            return .string(text)
        case .boolean:
            if case .bool = value.json { return value.json }
            return nil
        case .integer:
            if case .integer = value.json { return value.json }
            return nil
        case .oneOf(let words):
            let text = value.scalarText ?? value.json.stringValue
            guard let text, words.contains(text) else { return nil }
            return .string(text)
        case .stringList:
            guard case .array(let items) = value.json else { return nil }
            let texts = items.compactMap(\.scalarText)
            return texts.count == items.count ? .array(texts.map(JSONValue.string)) : nil
        case .stringMap:
            guard case .object(let object) = value.json else { return nil }
            var members: [JSONObject.Member] = []
            for member in object.members {
                guard let text = member.value.scalarText else { return nil }
                members.append(JSONObject.Member(key: member.key, value: .string(text)))
            }
            return .object(JSONObject(members))
        }
    }

    private static func describe(_ value: JSONValue) -> String {
        switch value {
        case .string(let text): return "\"\(text)\""
        case .array: return "a list"
        case .object: return "a mapping"
        case .null: return "an empty value"
        default: return value.description
        }
    }
}

/// What transformers may know beyond the value: the organisation's locations, and any values an integrator
/// supplies for their own transformers.
///
/// ```swift
/// let context = TransformContext(locations: KlaxonLocations(names: ["Leeds", "London"], defaultName: "Default"))
/// ```
public struct TransformContext: Sendable {
    /// The organisation's locations, for `klaxon.location`. Nil when the caller has none (the sync engine,
    /// whose target server resolves locations itself).
    public var locations: KlaxonLocations?
    /// Free-form values for integrators' transformers.
    public var values: JSONObject

    public init(locations: KlaxonLocations? = nil, values: JSONObject = [:]) {
        self.locations = locations
        self.values = values
    }
}

/// An organisation's Klaxon locations: names looked up ignoring case and surrounding or repeated white
/// space, and the Default location that unknown names resolve to.
///
/// ```swift
/// let locations = KlaxonLocations(names: ["Leeds", "New York"], defaultName: "Default")
/// locations.resolve(" new  york ")   // "New York"
/// locations.resolve("Atlantis")      // "Default"
/// ```
public struct KlaxonLocations: Sendable, Hashable {
    public let names: [String]
    public let defaultName: String
    private let byFoldedName: [String: String]

    public init(names: [String], defaultName: String) {
        self.names = names
        self.defaultName = defaultName
        var byFoldedName: [String: String] = [:]
        for name in names + [defaultName] where byFoldedName[Self.fold(name)] == nil {
            byFoldedName[Self.fold(name)] = name
        }
        self.byFoldedName = byFoldedName
    }

    /// The location's name as the organisation spells it, or nil if it has no such location.
    public func match(_ name: String) -> String? {
        byFoldedName[Self.fold(name)]
    }

    /// The location's name as the organisation spells it, or the Default location's.
    public func resolve(_ name: String?) -> String {
        name.flatMap(match) ?? defaultName
    }

    private static func fold(_ name: String) -> String {
        KlaxonLocationName.matchKey(name)
    }
}
