/// The checks the mapping linter runs, each with a stable id (`KSL020`), a kebab-case name and a default
/// severity. Ids never change meaning, so tools and suppressions can rely on them.
///
/// ```swift
/// LintRule.unknownSourceAttribute.id        // "KSL020"
/// LintRule.unknownSourceAttribute.name      // "unknown-source-attribute"
/// LintRule(id: "KSL034")                    // .volatileOnUpdate
/// ```
public enum LintRule: String, Sendable, Hashable, CaseIterable {
    case yamlSyntax = "KSL001"
    case duplicateKey = "KSL002"
    case noAnchorsOrAliases = "KSL003"
    case inputLimits = "KSL004"
    case ambiguousScalar = "KSL005"
    case unknownKey = "KSL010"
    case missingRequiredKey = "KSL011"
    case invalidEnumValue = "KSL012"
    case invalidValue = "KSL013"
    case unknownSourceAttribute = "KSL020"
    case unknownTargetAttribute = "KSL021"
    case extensionURN = "KSL022"
    case duplicateTarget = "KSL023"
    case readOnlyTarget = "KSL024"
    case matching = "KSL025"
    case typeMismatch = "KSL026"
    case expressionSyntax = "KSL030"
    case unknownFunction = "KSL031"
    case functionArity = "KSL032"
    case entraCompatibility = "KSL033"
    case volatileOnUpdate = "KSL034"
    case invalidRegex = "KSL035"
    case unknownTransformer = "KSL040"
    case transformerArguments = "KSL041"
    case scopeClause = "KSL050"
    case defaultCreateOnly = "KSL060"
    case failingExample = "KSL070"
    case invalidSuppression = "KSL080"
    case unusedSuppression = "KSL081"

    /// The rule with this id (`KSL020`, either case), if there is one.
    public init?(id: String) {
        self.init(rawValue: id.uppercased())
    }

    /// `KSL020`.
    public var id: String { rawValue }

    /// `unknown-source-attribute`.
    public var name: String {
        switch self {
        case .yamlSyntax: return "yaml-syntax"
        case .duplicateKey: return "duplicate-key"
        case .noAnchorsOrAliases: return "no-anchors-or-aliases"
        case .inputLimits: return "input-limits"
        case .ambiguousScalar: return "ambiguous-scalar"
        case .unknownKey: return "unknown-key"
        case .missingRequiredKey: return "missing-required-key"
        case .invalidEnumValue: return "invalid-enum-value"
        case .invalidValue: return "invalid-value"
        case .unknownSourceAttribute: return "unknown-source-attribute"
        case .unknownTargetAttribute: return "unknown-target-attribute"
        case .extensionURN: return "extension-urn"
        case .duplicateTarget: return "duplicate-target"
        case .readOnlyTarget: return "read-only-target"
        case .matching: return "matching"
        case .typeMismatch: return "type-mismatch"
        case .expressionSyntax: return "expression-syntax"
        case .unknownFunction: return "unknown-function"
        case .functionArity: return "function-arity"
        case .entraCompatibility: return "entra-compat"
        case .volatileOnUpdate: return "volatile-on-update"
        case .invalidRegex: return "invalid-regex"
        case .unknownTransformer: return "unknown-transformer"
        case .transformerArguments: return "transformer-arguments"
        case .scopeClause: return "scope-clause"
        case .defaultCreateOnly: return "default-create-only"
        case .failingExample: return "failing-example"
        case .invalidSuppression: return "invalid-suppression"
        case .unusedSuppression: return "unused-suppression"
        }
    }

    /// The severity the rule reports with.
    public var severity: Diagnostic.Severity {
        switch self {
        case .ambiguousScalar, .entraCompatibility, .volatileOnUpdate, .invalidSuppression, .unusedSuppression: return .warning
        case .defaultCreateOnly: return .info
        default: return .error
        }
    }

    /// One sentence saying what the rule checks, for SARIF's `rules[]` and `--help`-style listings.
    public var summary: String {
        switch self {
        case .yamlSyntax: return "The file is well-formed UTF-8 YAML with a single document whose root is a mapping."
        case .duplicateKey: return "No mapping repeats a key."
        case .noAnchorsOrAliases: return "No anchors, aliases or merge keys (they allow exponential alias bombs)."
        case .inputLimits: return "The file stays within the size, nesting and mapping-count limits."
        case .ambiguousScalar: return "Plain scalars that YAML 1.1 reads as booleans, numbers or null are quoted where text is meant."
        case .unknownKey: return "Every key is one the mapping-file schema defines."
        case .missingRequiredKey: return "Every required key is present."
        case .invalidEnumValue: return "Keys with a fixed set of values use one of them."
        case .invalidValue: return "Values have the shape their key expects (a list, a mapping, a positive integer, …)."
        case .unknownSourceAttribute: return "Source attributes exist in the source system's catalogue or are declared."
        case .unknownTargetAttribute: return "Target paths name attributes of the target resource's schemas or declared attributes."
        case .extensionURN: return "Extension URNs are well formed and listed in target.schemas."
        case .duplicateTarget: return "No two mappings of one object write the same target."
        case .readOnlyTarget: return "No mapping writes a read-only attribute (id, meta, groups, …)."
        case .matching: return "Each object mapping has matching attributes with distinct precedences and stable values."
        case .typeMismatch: return "Constant and default values fit the target attribute's type."
        case .expressionSyntax: return "Expressions parse."
        case .unknownFunction: return "Expressions call only functions Entra ID defines, spelt as Entra spells them."
        case .functionArity: return "Functions get the number and shape of arguments they take."
        case .entraCompatibility: return "Expressions avoid constructs Entra ID evaluates differently than documented."
        case .volatileOnUpdate: return "Guid(), Now() and RandomString() are not used in mappings applied on every sync."
        case .invalidRegex: return "Regular expressions compile."
        case .unknownTransformer: return "Transformers are registered."
        case .transformerArguments: return "Transformer arguments match the transformer's declared parameters."
        case .scopeClause: return "Scoping clauses give each operator the value it needs, on a single-valued attribute."
        case .defaultCreateOnly: return "A short-form default on an always-applied mapping is only used when objects are created."
        case .failingExample: return "The file's examples produce the targets they expect."
        case .invalidSuppression: return "# klaxon-lint directives use a known action and name known rules that can be suppressed."
        case .unusedSuppression: return "Every # klaxon-lint suppression suppresses a problem."
        }
    }

    /// False for the rules a `# klaxon-lint` directive cannot turn off: those that stop the file being read
    /// at all (syntax, duplicate keys, anchors, limits) and those about the directives themselves.
    public var isSuppressible: Bool {
        switch self {
        case .yamlSyntax, .duplicateKey, .noAnchorsOrAliases, .inputLimits, .invalidSuppression, .unusedSuppression:
            return false
        default: return true
        }
    }
}
