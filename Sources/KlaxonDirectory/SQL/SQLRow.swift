/// A result row as both backends hand it to the directory: column names and values, in select order.
///
/// ```swift
/// let row = SQLRow(names: ["id", "slug"], values: [.integer(1), .text("acme")])
/// try row.integer("id")   // 1
/// ```
struct SQLRow: Sendable {
    var names: [String]
    var values: [SQLValue]

    /// The value of the named column; nil if the row has no such column.
    func value(_ name: String) -> SQLValue? {
        names.firstIndex(of: name).map { values[$0] }
    }

    func text(_ name: String) throws -> String {
        guard case .text(let text)? = value(name) else { throw SQLDirectoryError.corrupt("column \(name) is not text") }
        return text
    }

    func optionalText(_ name: String) -> String? {
        guard case .text(let text)? = value(name) else { return nil }
        return text
    }

    func integer(_ name: String) throws -> Int {
        guard let value = optionalInteger(name) else { throw SQLDirectoryError.corrupt("column \(name) is not an integer") }
        return value
    }

    func optionalInteger(_ name: String) -> Int? {
        guard case .integer(let value)? = value(name) else { return nil }
        return value
    }

    func double(_ name: String) throws -> Double {
        guard let value = optionalDouble(name) else { throw SQLDirectoryError.corrupt("column \(name) is not a number") }
        return value
    }

    func optionalDouble(_ name: String) -> Double? {
        switch value(name) {
        case .double(let value)?: return value
        case .integer(let value)?: return Double(value)
        default: return nil
        }
    }
}

/// Failures of a SQL directory itself (not of the request): the server reports them as 500.
public enum SQLDirectoryError: Error, Equatable, CustomStringConvertible {
    /// The directory has been closed.
    case closed
    /// A stored row could not be read back.
    case corrupt(String)
    /// The database location cannot be used, e.g. a malformed `postgres://` URL.
    case invalidLocation(String)
    /// The database could not be opened: unreachable, refused the login, or does not exist.
    case unavailable(String)
    /// A write transaction was begun inside another on the same database, which would wait for the outer one
    /// forever. A programming error: run the inner work on the outer transaction's connection.
    case nestedTransaction
    /// A newer release of Klaxon Sync has migrated the database past the schema versions this one knows.
    case newerSchema(found: Int, known: Int)

    public var description: String {
        switch self {
        case .closed: return "the directory's database connections are closed"
        case .corrupt(let detail): return "the directory's database holds an unreadable row: \(detail)"
        case .invalidLocation(let detail): return detail
        case .unavailable(let detail): return "the directory's database cannot be reached: \(detail)"
        case .nestedTransaction: return "a write transaction was begun inside another on the same database"
        case .newerSchema(let found, let known):
            return "the database's schema is version \(found), newer than this klaxon-sync knows (\(known)): run the release that migrated it, or a later one"
        }
    }
}

/// A transaction found it would have to lock rows out of the order every writer keeps, which could deadlock; it
/// is rolled back and tried again, as PostgreSQL's own deadlock and serialization failures are.
struct SQLLockOrderConflict: Error {}

/// A statement broke a unique index or constraint, which a concurrent transaction claimed first. The directory
/// turns it into 409 `uniqueness` for the constraints a client can run into.
struct SQLUniqueViolation: Error {
    /// The index or constraint, e.g. `resources_user_name`.
    var constraint: String
}
