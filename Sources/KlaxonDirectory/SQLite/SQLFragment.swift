import SQLiteNIO

/// A piece of SQL and the values bound to its `?` placeholders, in order.
///
/// The SQL text is only ever assembled from constant pieces; every value travels in `binds`.
///
/// ```swift
/// var query = SQLFragment("SELECT id FROM resources WHERE org_id = ?", [.integer(1)])
/// query.append(" AND user_name_lc = ?", .text("bjensen"))
/// ```
struct SQLFragment: Sendable {
    var sql: String
    var binds: [SQLiteData]

    init(_ sql: String, _ binds: [SQLiteData] = []) {
        self.sql = sql
        self.binds = binds
    }

    mutating func append(_ sql: String, _ binds: SQLiteData...) {
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
}
