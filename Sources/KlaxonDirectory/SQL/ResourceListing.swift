import SCIM

/// A list request turned into SQL: the filter's translatable part, the order and the page.
///
/// When the whole filter and the sort translate, SQL selects, counts and pages (``pageStatement``). Otherwise SQL
/// narrows the candidates (``candidateStatement``) and a ``MatchCollector`` runs the ``FilterEvaluator`` on each
/// row as it is read, keeping only the page (with a sort SQL cannot do, the first `startIndex + count` in order).
struct ResourceListing {
    let kind: ResourceKind
    let evaluator: FilterEvaluator?
    /// True when SQL alone decides which resources match, and in what order.
    let isExact: Bool
    /// The order, when SQL has no column for the sort attribute; `descending` applies to it.
    let memorySort: SortKey?
    /// How far into an in-memory sort a page may reach: the collector holds `startIndex + count` resources, so a
    /// deeper page is refused rather than letting one request hold a whole directory.
    static let memorySortWindow = 10_000
    let descending: Bool
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
        self.descending = query.descending
        let translator = SQLFilterTranslator(kind: kind, organisation: organisation, schema: schema, dialect: dialect)
        var filtered = SQLFragment(" FROM resources r WHERE r.org_id = ? AND r.kind = \(kind.sqlLiteral)", [.integer(organisation)])
        var isExact = true
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
        }
        self.filtered = filtered
        if let sortBy = query.sortBy, let column = translator.sortColumn(for: sortBy) {
            let direction = query.descending ? "DESC" : "ASC"
            order = " ORDER BY \(column) \(direction) NULLS LAST, r.seq \(direction)"
            memorySort = nil
        } else if let sortBy = query.sortBy {
            memorySort = try SortKey(sortBy, schema: schema)
            guard offset <= Self.memorySortWindow - min(count, Self.memorySortWindow) else {
                throw .invalidValue(
                    "sorting by '\(sortBy)' reaches only the first \(Self.memorySortWindow) resources; narrow the filter, or sort by "
                        + "\(kind == .user ? "userName, " : "")displayName, externalId, id, meta.created or meta.lastModified to page further")
            }
            order = " ORDER BY r.seq"
            isExact = false
        } else {
            order = " ORDER BY r.seq"
            memorySort = nil
        }
        self.isExact = isExact
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
        let members = kind == .group
            && (includeMembers || evaluator?.filter.references(attribute: "members") == true || memorySort?.readsMembers == true)
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
    private var matches: [StoredResource] = []
    /// With an in-memory sort: matches that may still be among the first `offset + count`, with their sort value
    /// and their place in the read (the tiebreak). Pruned to that many whenever it holds twice as many, so memory
    /// stays bounded by the page, not by the number of matches.
    private var ranked: [Ranked] = []
    private(set) var failure: (any Error)?

    private struct Ranked {
        var key: SortKey.Value?
        var index: Int
        var resource: StoredResource
    }

    /// The requested page.
    var page: [StoredResource] {
        guard listing.memorySort != nil else { return matches }
        return prune(ranked).dropFirst(listing.offset).map(\.resource)
    }

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
            if let sort = listing.memorySort {
                guard listing.offset + listing.count > 0 else { return }
                let key = sort.value(of: record.resource.object)
                if !listing.includeMembers { record.members = nil }
                ranked.append(Ranked(key: key, index: index, resource: record.resource))
                if ranked.count >= 2 * (listing.offset + listing.count) { ranked = prune(ranked) }
                return
            }
            guard index >= listing.offset, index - listing.offset < listing.count else { return }
            if !listing.includeMembers { record.members = nil }
            matches.append(record.resource)
        } catch {
            failure = error
        }
    }

    /// The first `offset + count` of `candidates` in order: by value in the requested direction, resources with no
    /// value last either way, ties in the order SQL would give (creation order, reversed when descending).
    private func prune(_ candidates: [Ranked]) -> [Ranked] {
        let descending = listing.descending
        let sorted = candidates.sorted { a, b in
            switch (a.key, b.key) {
            case (let x?, let y?) where x != y: return descending ? x > y : x < y
            case (_?, nil): return true
            case (nil, _?): return false
            default: return descending ? a.index > b.index : a.index < b.index
            }
        }
        return Array(sorted.prefix(listing.offset + listing.count))
    }
}
