import SCIM

/// A list request turned into SQL: the filter's translatable part, the order and the page.
///
/// When the whole filter translates, SQL selects, counts and pages (``pageStatement``). Otherwise SQL narrows
/// the candidates (``candidateStatement``) and a ``MatchCollector`` runs the ``FilterEvaluator`` on each row as
/// it is read, keeping only the page.
struct ResourceListing {
    let kind: ResourceKind
    let evaluator: FilterEvaluator?
    /// True when SQL alone decides which resources match.
    let isExact: Bool
    let offset: Int
    let count: Int
    let includeMembers: Bool
    let dialect: SQLDialect
    /// `FROM resources r WHERE …` with the organisation, kind and translated filter.
    private let filtered: SQLFragment
    private let order: String

    /// Validates the filter against the schema (400 `invalidFilter`) and the sort attribute (400 `invalidValue`).
    init(kind: ResourceKind, organisation: Int, query: ResourceQuery, schema: ResourceSchema, dialect: SQLDialect) throws(SCIMError) {
        self.kind = kind
        self.dialect = dialect
        self.offset = max(query.startIndex, 1) - 1
        self.count = max(query.count, 0)
        self.includeMembers = query.includeMembers
        let translator = SQLFilterTranslator(kind: kind, organisation: organisation, schema: schema, dialect: dialect)
        var filtered = SQLFragment(" FROM resources r WHERE r.org_id = ? AND r.kind = \(kind.sqlLiteral)", [.integer(organisation)])
        if let filter = query.filter {
            evaluator = try FilterEvaluator(filter, for: schema)
            let translation = translator.translate(filter)
            isExact = translation.isExact
            if let condition = translation.condition {
                filtered.append(" AND (")
                filtered.append(condition)
                filtered.append(")")
            }
        } else {
            evaluator = nil
            isExact = true
        }
        self.filtered = filtered
        if let sortBy = query.sortBy {
            guard let column = translator.sortColumn(for: sortBy) else {
                throw .invalidValue(
                    "sorting by '\(sortBy)' is not supported; sort by \(kind == .user ? "userName, " : "")displayName, externalId, id, meta.created or meta.lastModified")
            }
            let direction = query.descending ? "DESC" : "ASC"
            order = " ORDER BY \(column) \(direction) NULLS LAST, r.seq \(direction)"
        } else {
            order = " ORDER BY r.seq"
        }
    }

    /// The page's rows, each with the total number of matches in a `total` column (one statement, one state).
    var pageStatement: SQLFragment {
        var statement = SQLFragment("SELECT \(ResourceRecord.columns), \(ResourceRecord.relations(for: kind, members: kind == .group && includeMembers, dialect: dialect)), ")
        statement.append("(SELECT count(*)")
        statement.append(filtered)
        statement.append(") AS total")
        statement.append(filtered)
        statement.append(order)
        statement.append(" LIMIT ? OFFSET ?", .integer(count), .integer(offset))
        return statement
    }

    /// The number of matches, in a `total` column.
    var countStatement: SQLFragment {
        var statement = SQLFragment("SELECT count(*) AS total")
        statement.append(filtered)
        return statement
    }

    /// Every row the translated part of the filter admits, in order, with the relations the filter may name.
    var candidateStatement: SQLFragment {
        let members = kind == .group && (includeMembers || evaluator?.filter.references(attribute: "members") == true)
        var statement = SQLFragment("SELECT \(ResourceRecord.columns), \(ResourceRecord.relations(for: kind, members: members, dialect: dialect))")
        statement.append(filtered)
        statement.append(order)
        return statement
    }
}

/// Runs the evaluator on candidate rows as the database hands them over, keeping the count and the requested page.
///
/// `@unchecked Sendable`: the connection hands rows to ``consume(_:)`` one at a time while the query runs, and the
/// owner reads the results only after the query has returned, so no two accesses overlap.
final class MatchCollector: @unchecked Sendable {
    private let listing: ResourceListing
    private(set) var total = 0
    private(set) var page: [StoredResource] = []
    private(set) var failure: (any Error)?

    init(_ listing: ResourceListing) {
        self.listing = listing
    }

    func consume(_ row: SQLRow) {
        guard failure == nil else { return }
        do {
            var record = try ResourceRecord(row: row)
            if let evaluator = listing.evaluator, !evaluator.matches(record.resource.object) { return }
            let index = total
            total += 1
            guard index >= listing.offset, index - listing.offset < listing.count else { return }
            if !listing.includeMembers { record.members = nil }
            page.append(record.resource)
        } catch {
            failure = error
        }
    }
}
