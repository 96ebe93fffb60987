/// What differs between the SQL that SQLite and PostgreSQL speak, kept in one place so that one filter
/// translator and one ``SQLDirectory`` serve both backends.
///
/// Everything else is written once in SQL both accept (`ON CONFLICT DO NOTHING`, `RETURNING`, `NULLS LAST`,
/// `TRUE`), with strings folded by Swift before they reach either database (see ``Swift/String/caseFolded``).
///
/// ```swift
/// SQLDialect.postgres.statement("SELECT 1 WHERE a = ? AND b = '?'")   // "SELECT 1 WHERE a = $1 AND b = '?'"
/// SQLDialect.sqlite.patternMatch("r.external_id", caseExact: true, "a*b", leading: false, trailing: true)
/// // "(r.external_id IS NOT NULL AND r.external_id GLOB ?)", binds ["a[*]b*"]
/// ```
enum SQLDialect: Sendable {
    case sqlite
    case postgres

    /// How strongly a `SELECT` locks the rows it reads, until the transaction ends (PostgreSQL only: SQLite has one
    /// writer at a time, which is lock enough).
    enum RowLock {
        /// The rows will be changed, though not their keys: other writers of these rows wait.
        case update
        /// The rows must go on existing: their deletion waits, other readers and updaters do not.
        case keyShare
        /// The rows must not change: their updaters wait, other sharers do not.
        case share
    }

    /// A number that orders rows by creation.
    enum Numbering {
        /// `resources.seq` for a new resource of this organisation and kind.
        case resource(organisation: Int, kind: ResourceKind)
        /// `activity.seq` for a new entry of this organisation.
        case activity(organisation: Int)
    }

    /// The statement text as the backend expects it: `?` placeholders on SQLite, `$1`, `$2`, … on PostgreSQL.
    /// A `?` inside a quoted literal or identifier is left alone.
    func statement(_ sql: String) -> String {
        guard self == .postgres else { return sql }
        var output: [UInt8] = []
        output.reserveCapacity(sql.utf8.count + 16)
        var quote: UInt8?
        var number = 0
        for byte in sql.utf8 {
            if let open = quote {
                if byte == open { quote = nil }
                output.append(byte)
            } else if byte == UInt8(ascii: "'") || byte == UInt8(ascii: "\"") {
                quote = byte
                output.append(byte)
            } else if byte == UInt8(ascii: "?") {
                number += 1
                output.append(UInt8(ascii: "$"))
                output.append(contentsOf: String(number).utf8)
            } else {
                output.append(byte)
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// A `co`/`sw`/`ew` comparison of a text column with `operand`, which is matched literally: `%`, `_`, `*` and
    /// the like in it are not wildcards. Case-insensitive columns hold folded text and `operand` is folded too, so
    /// only case-exact columns need a case-sensitive operator: SQLite's `LIKE` ignores ASCII case, so they use `GLOB`.
    func patternMatch(_ column: String, caseExact: Bool, _ operand: String, leading: Bool, trailing: Bool) -> SQLFragment {
        let notNull = "\(column) IS NOT NULL AND \(column)"
        if self == .sqlite && caseExact {
            return SQLFragment("(\(notNull) GLOB ?)", [.text(Self.globPattern(operand, leading: leading, trailing: trailing))])
        }
        return SQLFragment(#"(\#(notNull) LIKE ? ESCAPE '\')"#, [.text(Self.likePattern(operand, leading: leading, trailing: trailing))])
    }

    /// A scalar subquery giving, as JSON text, an array with one array of `elements` per row `source` selects, in
    /// `order`; `[]` when it selects none. `source` starts at `FROM`.
    func jsonRows(_ elements: [String], order: String, _ source: String) -> String {
        let list = elements.joined(separator: ", ")
        switch self {
        case .sqlite: return "(SELECT json_group_array(json_array(\(list)) ORDER BY \(order)) \(source))"
        case .postgres: return "(SELECT coalesce(json_agg(json_build_array(\(list)) ORDER BY \(order)), '[]')::text \(source))"
        }
    }

    /// The clause that ends a `SELECT` reading rows of `table` (its alias, if it has one) under `lock`.
    func locking(_ lock: RowLock, of table: String) -> String {
        switch (self, lock) {
        case (.sqlite, _): return ""
        case (.postgres, .update): return " FOR NO KEY UPDATE OF \(table)"
        case (.postgres, .keyShare): return " FOR KEY SHARE OF \(table)"
        case (.postgres, .share): return " FOR SHARE OF \(table)"
        }
    }

    /// The value of the next number. SQLite counts per organisation under its single writer; PostgreSQL, where
    /// instances insert at the same moment, draws from a sequence (gaps are harmless: only the order matters).
    func next(_ numbering: Numbering) -> SQLFragment {
        switch (self, numbering) {
        case (.sqlite, .resource(let organisation, let kind)):
            return SQLFragment(
                "(SELECT coalesce(max(seq), 0) + 1 FROM resources WHERE org_id = ? AND kind = \(kind.sqlLiteral))", [.integer(organisation)])
        case (.sqlite, .activity(let organisation)):
            return SQLFragment("(SELECT coalesce(max(seq), 0) + 1 FROM activity WHERE org_id = ?)", [.integer(organisation)])
        case (.postgres, .resource):
            return SQLFragment("nextval('resource_numbers')")
        case (.postgres, .activity):
            return SQLFragment("nextval('activity_numbers')")
        }
    }

    /// A `LIKE … ESCAPE '\'` pattern matching `text` literally, with `%` added where the operator allows more.
    static func likePattern(_ text: String, leading: Bool, trailing: Bool) -> String {
        var pattern = leading ? "%" : ""
        for character in text {
            if character == "\\" || character == "%" || character == "_" { pattern.append("\\") }
            pattern.append(character)
        }
        if trailing { pattern.append("%") }
        return pattern
    }

    /// A case-sensitive `GLOB` pattern matching `text` literally, with `*` added where the operator allows more.
    static func globPattern(_ text: String, leading: Bool, trailing: Bool) -> String {
        var pattern = leading ? "*" : ""
        for character in text {
            switch character {
            case "*": pattern += "[*]"
            case "?": pattern += "[?]"
            case "[": pattern += "[[]"
            default: pattern.append(character)
            }
        }
        if trailing { pattern.append("*") }
        return pattern
    }
}
