/// A value bound to a placeholder, in a form every backend can bind.
enum SQLValue: Sendable, Hashable {
    case integer(Int)
    case double(Double)
    case text(String)
    case null

    /// `.text(value)`, or `.null` for nil.
    static func text(orNull value: String?) -> SQLValue {
        value.map(SQLValue.text) ?? .null
    }
}

/// A piece of SQL and the values bound to its `?` placeholders, in order. Backends whose placeholders look
/// different (`$1`, `$2`, … on PostgreSQL) renumber them when the statement runs (see ``SQLDialect``).
///
/// The SQL text is only ever assembled from constant pieces; every value travels in `binds`.
///
/// ```swift
/// var query = SQLFragment("SELECT id FROM resources WHERE org_id = ?", [.integer(1)])
/// query.append(" AND user_name_lc = ?", .text("bjensen"))
/// ```
struct SQLFragment: Sendable {
    var sql: String
    var binds: [SQLValue]

    init(_ sql: String, _ binds: [SQLValue] = []) {
        self.sql = sql
        self.binds = binds
    }

    mutating func append(_ sql: String, _ binds: SQLValue...) {
        self.sql += sql
        self.binds += binds
    }

    mutating func append(_ other: SQLFragment) {
        sql += other.sql
        binds += other.binds
    }

    /// `(lhs) AND (rhs)`.
    static func && (lhs: SQLFragment, rhs: SQLFragment) -> SQLFragment {
        SQLFragment("(\(lhs.sql)) AND (\(rhs.sql))", lhs.binds + rhs.binds)
    }

    /// `(lhs) OR (rhs)`.
    static func || (lhs: SQLFragment, rhs: SQLFragment) -> SQLFragment {
        SQLFragment("(\(lhs.sql)) OR (\(rhs.sql))", lhs.binds + rhs.binds)
    }

    /// `NOT (fragment)`.
    static prefix func ! (fragment: SQLFragment) -> SQLFragment {
        SQLFragment("NOT (\(fragment.sql))", fragment.binds)
    }

    /// `?, ?, …` for `count` values, for `IN (…)` lists.
    static func placeholders(_ count: Int) -> String {
        Array(repeating: "?", count: count).joined(separator: ", ")
    }

    /// `(?, ?, …), (?, ?, …), …`: `rows` rows of `columns` values, for multi-row `INSERT`s.
    static func rows(_ rows: Int, of columns: Int) -> String {
        Array(repeating: "(\(placeholders(columns)))", count: rows).joined(separator: ", ")
    }
}

extension ResourceKind {
    /// The kind as an SQL string literal (`'User'`), written into statements rather than bound, so the planner can
    /// use the partial index `WHERE kind = 'Group'` in a statement prepared once (connections run with SQLite's
    /// query planner stability guarantee, which plans without looking at bound values).
    /// The text comes from this enum's constant raw values only.
    var sqlLiteral: String {
        switch self {
        case .user: return "'User'"
        case .group: return "'Group'"
        }
    }
}
