import SCIM

/// Translates a SCIM ``Filter`` into a parameterised SQL condition on the `resources` table (alias `r`), as far as
/// the indexed columns reach: `id`, `externalId`, `userName`, `displayName`, `meta.created`, `meta.lastModified`,
/// and the multi-valued `emails` (value, type), `members` (value) and users' `groups` (value), each kept in its
/// own table.
///
/// The translation agrees with ``FilterEvaluator``: strings are stored and compared in one canonical form
/// (``Swift/String/caseFolded`` for case-insensitive attributes, ``Swift/String/canonical`` for case-exact ones),
/// `co`/`sw`/`ew` become the dialect's pattern match with its wildcards escaped (see ``SQLDialect``), `ne` and `not`
/// match resources without the attribute, and every comparison is two-valued so that `NOT` never meets SQL's
/// NULL. When only part of a filter translates, the condition is a superset of the matches (``Translation/isExact``
/// is false) and the caller runs the evaluator on the rows it selects.
///
/// ```swift
/// let translator = SQLFilterTranslator(kind: .user, organisation: 1, schema: users, dialect: .sqlite)
/// let result = translator.translate(try Filter(parsing: #"userName eq "BJensen""#))
/// result.condition?.sql   // "(r.user_name_lc IS NOT NULL AND r.user_name_lc = ?)", binds ["bjensen"]
/// result.isExact          // true
/// ```
struct SQLFilterTranslator {
    struct Translation {
        /// A condition every matching resource meets; nil when nothing could be translated.
        var condition: SQLFragment?
        /// True when the condition selects exactly the matching resources, so SQL can count and page them.
        var isExact: Bool

        static let untranslatable = Translation(condition: nil, isExact: false)
    }

    let kind: ResourceKind
    let organisation: Int
    let schema: ResourceSchema
    let dialect: SQLDialect

    /// The condition for a whole filter.
    func translate(_ filter: Filter) -> Translation {
        translate(filter, in: .resource)
    }

    /// The column to sort by for a `sortBy` path, or nil if sorting by it is not supported.
    func sortColumn(for path: AttributePath) -> String? {
        guard case .column(let column)? = resolve(path), column.sortable else { return nil }
        return column.sql
    }

    // MARK: - Model

    /// A single-valued column: on `resources` (alias `r`) or on a value table (alias `c`).
    private struct Column {
        enum Kind {
            /// Text; case-insensitive columns hold the value lowercased.
            case text(caseExact: Bool)
            /// Seconds since 1970, as ``SCIMDateTime`` reads the stored text.
            case dateTime
        }

        var sql: String
        var kind: Kind
        var sortable = false
        /// Holds only lowercase values (server-assigned ids), so it answers case-exact and case-insensitive
        /// comparisons alike.
        var lowercaseOnly = false
    }

    /// A multi-valued attribute kept in its own table, one row per value, keyed by organisation and owner.
    private struct ValueTable {
        var attribute: String
        var table: String
        /// The column naming the resource a row belongs to.
        var owner: String
        /// Sub-attribute name (lowercased) → column.
        var columns: [String: Column]
        /// True if every value is present (non-empty), so `attribute pr` is "has a row".
        var valuesAlwaysPresent: Bool
    }

    private enum Target {
        case column(Column)
        /// A value table and the sub-attribute compared (nil: the whole value, for `pr`).
        case values(ValueTable, Column?)
    }

    private enum Scope {
        case resource
        /// Inside `attribute[…]`: paths name sub-attributes of one value.
        case element(ValueTable)
    }

    private static let emails = ValueTable(
        attribute: "emails", table: "resource_emails", owner: "resource_id",
        columns: [
            "value": Column(sql: "c.value_lc", kind: .text(caseExact: false)),
            "type": Column(sql: "c.type_lc", kind: .text(caseExact: false)),
        ],
        valuesAlwaysPresent: false)

    private static let members = ValueTable(
        attribute: "members", table: "memberships", owner: "group_id",
        columns: ["value": Column(sql: "c.member_id", kind: .text(caseExact: true))],
        valuesAlwaysPresent: true)

    /// Users' derived `groups`. Group ids are lowercase UUIDs, so they compare correctly either way.
    private static let groups = ValueTable(
        attribute: "groups", table: "memberships", owner: "member_id",
        columns: ["value": Column(sql: "c.group_id", kind: .text(caseExact: false), lowercaseOnly: true)],
        valuesAlwaysPresent: true)

    // MARK: - Translation

    private func translate(_ filter: Filter, in scope: Scope) -> Translation {
        switch filter {
        case .and(let lhs, let rhs):
            let left = translate(lhs, in: scope)
            let right = translate(rhs, in: scope)
            let condition: SQLFragment?
            switch (left.condition, right.condition) {
            case (let a?, let b?): condition = a && b
            case (let a?, nil): condition = a
            case (nil, let b?): condition = b
            case (nil, nil): condition = nil
            }
            return Translation(condition: condition, isExact: left.isExact && right.isExact)
        case .or(let lhs, let rhs):
            let left = translate(lhs, in: scope)
            let right = translate(rhs, in: scope)
            guard let a = left.condition, let b = right.condition else { return .untranslatable }
            return Translation(condition: a || b, isExact: left.isExact && right.isExact)
        case .not(let inner):
            let translated = translate(inner, in: scope)
            guard translated.isExact, let condition = translated.condition else { return .untranslatable }
            return Translation(condition: !condition, isExact: true)
        case .present(let path):
            return exact(present(target(path, in: scope)))
        case .compare(let path, let op, let value):
            return exact(compare(target(path, in: scope), op, value))
        case .valuePath(let path, let inner):
            guard case .resource = scope, case .values(let table, nil)? = resolve(path) else { return .untranslatable }
            let translated = translate(inner, in: .element(table))
            guard let condition = translated.condition else { return .untranslatable }
            return Translation(condition: quantify(condition, over: table), isExact: translated.isExact)
        }
    }

    private func exact(_ condition: SQLFragment?) -> Translation {
        condition.map { Translation(condition: $0, isExact: true) } ?? .untranslatable
    }

    private func target(_ path: AttributePath, in scope: Scope) -> Target? {
        switch scope {
        case .resource:
            return resolve(path)
        case .element(let table):
            guard path.schema == nil, path.subAttribute == nil, let column = table.columns[path.name.lowercased()],
                agreesWithSchema(column, AttributePath(name: table.attribute, subAttribute: path.name))
            else { return nil }
            return .column(column)
        }
    }

    /// What a top-level path names, if it has a column.
    private func resolve(_ path: AttributePath) -> Target? {
        if let urn = path.schema, !urn.equalsIgnoringASCIICase(schema.core.id) { return nil }
        let name = path.name.lowercased()
        let column: Column?
        switch (name, path.subAttribute?.lowercased()) {
        case ("id", nil): column = Column(sql: "r.id", kind: .text(caseExact: true), sortable: true)
        case ("externalid", nil): column = Column(sql: "r.external_id", kind: .text(caseExact: true), sortable: true)
        case ("username", nil) where kind == .user:
            column = Column(sql: "r.user_name_lc", kind: .text(caseExact: false), sortable: true)
        case ("displayname", nil): column = Column(sql: "r.display_name_lc", kind: .text(caseExact: false), sortable: true)
        case ("meta", "created"): column = Column(sql: "r.created_at", kind: .dateTime, sortable: true)
        case ("meta", "lastmodified"): column = Column(sql: "r.last_modified_at", kind: .dateTime, sortable: true)
        case (_, let sub):
            let table: ValueTable
            switch (name, kind) {
            case ("emails", .user): table = Self.emails
            case ("groups", .user): table = Self.groups
            case ("members", .group): table = Self.members
            default: return nil
            }
            guard let sub else { return .values(table, nil) }
            guard let subColumn = table.columns[sub], agreesWithSchema(subColumn, path) else { return nil }
            return .values(table, subColumn)
        }
        guard let column, agreesWithSchema(column, path) else { return nil }
        return .column(column)
    }

    /// A text column only stands in for an attribute compared the way the column stores it.
    private func agreesWithSchema(_ column: Column, _ path: AttributePath) -> Bool {
        guard case .text(let caseExact) = column.kind, let definition = schema.attribute(for: path) else { return true }
        return definition.caseExact == caseExact || column.lowercaseOnly
    }

    /// `path pr`.
    private func present(_ target: Target?) -> SQLFragment? {
        switch target {
        case .column(let column)?: return presence(column)
        case .values(let table, let column?)?: return quantify(presence(column), over: table)
        case .values(let table, nil)?: return table.valuesAlwaysPresent ? quantify(SQLFragment("TRUE"), over: table) : nil
        case nil: return nil
        }
    }

    /// `path op value`, where a multi-valued attribute matches if any value does and `ne` if none equals.
    private func compare(_ target: Target?, _ op: ComparisonOperator, _ value: JSONValue) -> SQLFragment? {
        let column: Column
        let anyValue: (SQLFragment) -> SQLFragment
        switch target {
        case .column(let single)?:
            column = single
            anyValue = { $0 }
        case .values(let table, let sub)?:
            // Without a sub-attribute, a multi-valued complex attribute compares its `value`.
            guard let valueColumn = sub ?? table.columns["value"] else { return nil }
            column = valueColumn
            anyValue = { quantify($0, over: table) }
        case nil:
            return nil
        }
        if value.isNull {
            switch op {
            case .eq: return !anyValue(presence(column))
            case .ne: return anyValue(presence(column))
            default: return nil
            }
        }
        if op == .ne {
            return predicate(column, .eq, value).map { !anyValue($0) }
        }
        return predicate(column, op, value).map(anyValue)
    }

    /// "Has a value": a non-empty string, or any dateTime (the meta dates are always set).
    private func presence(_ column: Column) -> SQLFragment {
        switch column.kind {
        case .text: return SQLFragment("(\(column.sql) IS NOT NULL AND \(column.sql) <> '')")
        case .dateTime: return SQLFragment("TRUE")
        }
    }

    /// A two-valued comparison of one column with one value, or nil if SQL cannot decide it as the evaluator would.
    private func predicate(_ column: Column, _ op: ComparisonOperator, _ value: JSONValue) -> SQLFragment? {
        guard case .string(let text) = value else { return nil }
        switch column.kind {
        case .text(let caseExact):
            let operand = caseExact ? text.canonical : text.caseFolded
            let notNull = "\(column.sql) IS NOT NULL AND \(column.sql)"
            switch op {
            case .ne:
                return nil  // callers negate `eq`, so that a missing value matches
            case .eq, .gt, .ge, .lt, .le:
                return SQLFragment("(\(notNull) \(Self.sqlOperator(op)) ?)", [.text(operand)])
            case .sw:
                // A range rather than a pattern: SQLite connections plan statements without looking at bound values
                // (query planner stability), so only a range keeps a prefix search an index look-up. Columns compare
                // as UTF-8 bytes; U+10FFFF, a noncharacter, is the largest code point.
                return SQLFragment("(\(notNull) >= ? AND \(column.sql) < ?)", [.text(operand), .text(operand + "\u{10FFFF}")])
            case .co, .ew:
                return dialect.patternMatch(column.sql, caseExact: caseExact, operand, leading: true, trailing: op != .ew)
            }
        case .dateTime:
            guard let seconds = SCIMDateTime.seconds(from: text) else { return nil }
            switch op {
            case .eq, .gt, .ge, .lt, .le: return SQLFragment("\(column.sql) \(Self.sqlOperator(op)) ?", [.double(seconds)])
            case .ne, .co, .sw, .ew: return nil
            }
        }
    }

    /// "Some row of the value table, belonging to this resource, meets the condition", as an index look-up.
    private func quantify(_ condition: SQLFragment, over table: ValueTable) -> SQLFragment {
        var fragment = SQLFragment("r.id IN (SELECT c.\(table.owner) FROM \(table.table) c WHERE c.org_id = ? AND ", [.integer(organisation)])
        fragment.append(condition)
        fragment.append(")")
        return fragment
    }

    /// The SQL operator for `eq` and the orderings (`co`, `sw`, `ew` and `ne` are built differently).
    private static func sqlOperator(_ op: ComparisonOperator) -> String {
        switch op {
        case .gt: return ">"
        case .ge: return ">="
        case .lt: return "<"
        case .le: return "<="
        case .eq, .ne, .co, .sw, .ew: return "="
        }
    }
}

extension Filter {
    /// True if any comparison in the filter names this top-level attribute (ignoring case and schema URN).
    func references(attribute name: String) -> Bool {
        switch self {
        case .compare(let path, _, _), .present(let path), .valuePath(let path, _):
            return path.name.equalsIgnoringASCIICase(name)
        case .not(let inner): return inner.references(attribute: name)
        case .and(let lhs, let rhs), .or(let lhs, let rhs):
            return lhs.references(attribute: name) || rhs.references(attribute: name)
        }
    }
}
