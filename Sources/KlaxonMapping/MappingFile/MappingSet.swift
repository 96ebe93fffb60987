import SCIM

/// A value read from a mapping file, with where it was written: for diagnostics that point at it.
public struct Located<Value: Sendable>: Sendable {
    public var value: Value
    public var location: FileLocation
    /// The place in the document, e.g. `objectMappings[0].mappings[3].target`.
    public var path: String

    public init(_ value: Value, at location: FileLocation, path: String) {
        self.value = value
        self.location = location
        self.path = path
    }
}

extension Located: Equatable where Value: Equatable {}
extension Located: Hashable where Value: Hashable {}

/// A literal from the file (a constant, a default, an argument): its JSON value by YAML's rules, and the text
/// as written when it was a scalar, so that a plain `NO` or `010` can still be the string it looks like when
/// the target is a string.
public struct LiteralValue: Sendable, Hashable {
    public var json: JSONValue
    /// The scalar's text as written; nil for lists and mappings.
    public var scalarText: String?

    public init(_ json: JSONValue, scalarText: String? = nil) {
        self.json = json
        self.scalarText = scalarText
    }
}

/// A mapping file (`Mappings/*.yaml`): how objects of one source system become SCIM resources, in the shape
/// of Entra ID's attribute mappings. ``MappingFileReader`` reads it; ``MappingEngine`` runs it.
///
/// ```yaml
/// apiVersion: klaxon.sync/v1
/// kind: MappingSet
/// source: { system: entra-id }
/// target: { schemas: [urn:ietf:params:scim:schemas:core:2.0:User] }
/// objectMappings:
///   - name: users
///     source: { object: user }
///     target: { resource: User }
///     mappings:
///       - { target: userName, type: direct, source: userPrincipalName, match: { precedence: 1 } }
/// ```
public struct MappingSet: Sendable {
    /// The file as it was named when read.
    public var file: String
    public var apiVersion: Located<String>
    public var name: String?
    public var summary: String?
    /// The source system, whose attribute catalogue source names are checked against (`entra-id`, `okta`,
    /// `scim`, `custom`).
    public var sourceSystem: Located<String>
    /// The schema URNs this file may write.
    public var targetSchemas: [Located<String>]
    public var objectMappings: [ObjectMapping]
    public var examples: [MappingExample]

    /// The object mapping with this name (ignoring case).
    public func objectMapping(named name: String) -> ObjectMapping? {
        objectMappings.first { $0.name.value.equalsIgnoringASCIICase(name) }
    }
}

/// One object mapping, Entra's "Provision Microsoft Entra ID Users": which source objects become which
/// resources, which are in scope, and how each target attribute gets its value.
public struct ObjectMapping: Sendable {
    /// Entra's "Target Object Actions", with `disable` for deactivating rather than deleting.
    public enum Action: String, Sendable, Hashable, CaseIterable {
        case create, update, delete, disable
    }

    public var name: Located<String>
    public var enabled: Bool
    /// The source object type (`user`, `group`; for `scim`, `User` or `Group`).
    public var sourceObject: Located<String>
    /// Source attributes declared in the file, in addition to the source system's catalogue.
    public var sourceAttributes: [Located<String>]
    /// The SCIM resource type written (`User`, `Group`).
    public var targetResource: Located<String>
    /// Custom target attributes, Entra's "Edit attribute list".
    public var targetAttributes: [TargetAttributeDeclaration]
    /// What the sync engine may do to target objects. Empty for a mapping that only derives values (the
    /// server's profile mapping), which then needs no matching attribute.
    public var actions: [Action]
    /// Scoping filters: a record is in scope if every clause of any filter holds. No filters: all in scope.
    public var scope: [ScopeFilter]
    public var mappings: [AttributeMapping]
    public var location: FileLocation
    public var path: String
}

/// A custom target attribute declared in the file: a full extension URN path and its characteristics.
public struct TargetAttributeDeclaration: Sendable {
    /// `urn:ietf:params:scim:schemas:extension:<Name>:2.0:<Resource>:<attribute>`.
    public var name: Located<String>
    public var type: SchemaAttribute.DataType
    public var required: Bool
    public var multiValued: Bool
    public var caseExact: Bool
    public var mutability: SchemaAttribute.Mutability
    public var description: String
    public var path: String
}

/// One scoping filter: its clauses must all hold.
public struct ScopeFilter: Sendable {
    public var title: String?
    public var clauses: [ScopeClause]
    public var location: FileLocation
    public var path: String
}

/// `attribute operator value`, as in Entra's scoping filter clauses.
public struct ScopeClause: Sendable {
    public var attribute: Located<String>
    public var `operator`: Located<ScopeOperator>
    public var value: Located<String>?
    public var location: FileLocation
    public var path: String
}

/// Entra ID's scoping operators, spelt in SCREAMING_SNAKE_CASE (`&` and `!&` as `EXISTS_IN`, `NOT_EXISTS_IN`,
/// since `&` starts a YAML anchor). A null or empty attribute fails every clause except `IS_NULL`.
public enum ScopeOperator: String, Sendable, Hashable, CaseIterable {
    case equals = "EQUALS"
    case notEquals = "NOT_EQUALS"
    case isTrue = "IS_TRUE"
    case isFalse = "IS_FALSE"
    case isNull = "IS_NULL"
    case isNotNull = "IS_NOT_NULL"
    case regexMatch = "REGEX_MATCH"
    case notRegexMatch = "NOT_REGEX_MATCH"
    case greaterThan = "GREATER_THAN"
    case greaterThanOrEquals = "GREATER_THAN_OR_EQUALS"
    case endsWith = "ENDS_WITH"
    case includes = "INCLUDES"
    /// Entra's `&`: the attribute's value occurs in the clause's value.
    case existsIn = "EXISTS_IN"
    /// Entra's `!&`: the attribute's value does not occur in the clause's value.
    case notExistsIn = "NOT_EXISTS_IN"

    /// Reads an operator as written in the file or in Entra's portal: `IS_TRUE`, `IS TRUE`, `Greater_Than`,
    /// `&`, `!&`.
    public init?(spelling: String) {
        switch spelling {
        case "&": self = .existsIn
        case "!&": self = .notExistsIn
        default: self.init(rawValue: String(spelling.uppercased().map { $0 == " " ? "_" : $0 }))
        }
    }

    /// True if the clause needs a `value`.
    public var takesValue: Bool {
        switch self {
        case .isTrue, .isFalse, .isNull, .isNotNull: return false
        default: return true
        }
    }
}

/// One attribute mapping, Entra's "Edit Attribute": where a target attribute's value comes from and when it
/// is written.
public struct AttributeMapping: Sendable {
    /// Entra's "Mapping type".
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// The value of a source attribute.
        case direct
        /// A fixed value.
        case constant
        /// An Entra expression.
        case expression
        /// No value: only the default is written, when the object is created.
        case none
    }

    /// Entra's "Apply this mapping".
    public enum Apply: String, Sendable, Hashable, CaseIterable {
        case always
        case onCreate = "on-create"
    }

    /// What a null value does: leave the target alone (Entra's outbound behaviour) or clear it.
    public enum NullHandling: String, Sendable, Hashable, CaseIterable {
        case skip, clear
    }

    /// Entra's "Default value if null": used when the value is null. The short form applies only when the
    /// object is created, as in Entra; `{ value: …, apply: always }` applies on updates too.
    public struct Default: Sendable {
        public var value: Located<LiteralValue>
        public var appliesAlways: Bool
        public var isLongForm: Bool
    }

    public var target: Located<String>
    public var kind: Located<Kind>
    public var source: Located<String>?
    public var value: Located<LiteralValue>?
    public var expression: Located<String>?
    /// Where each character of the expression is in the file, to point inside it.
    var expressionPositions: ScalarPositions?
    public var defaultValue: Default?
    public var apply: Located<Apply>
    /// "Match objects using this attribute" with its "Matching precedence" (1 is tried first).
    public var matchPrecedence: Located<Int>?
    public var onNull: NullHandling
    /// The value must not appear in logs.
    public var redact: Bool
    public var transforms: [TransformStep]
    public var location: FileLocation
    public var path: String
}

/// One step of a `transform` chain: a registered transformer and its arguments.
public struct TransformStep: Sendable {
    public struct Argument: Sendable {
        public var name: Located<String>
        public var value: Located<LiteralValue>
    }

    /// The transformer's id, e.g. `phone.e164`.
    public var id: Located<String>
    public var arguments: [Argument]
    public var location: FileLocation
    public var path: String
}

/// An example in the file: a source record and the resource it must map to. The linter runs every example.
public struct MappingExample: Sendable {
    public var name: Located<String>
    /// The object mapping it exercises; the file's first when not given.
    public var object: Located<String>?
    public var mode: MappingMode
    public var context: TransformContext
    public var source: JSONObject
    /// The resource expected (its `schemas` is compared only if given here).
    public var expect: Located<JSONObject>?
    /// False if the record must fall out of scope.
    public var inScope: Bool
    public var location: FileLocation
    public var path: String
}
