import Synchronization

/// The one writer connection to a SQLite file, shared by write transactions that take turns on it and commit in
/// groups.
///
/// SQLite allows one writer per file, so concurrent write transactions queue anyway. A transaction that finishes
/// while others wait does not commit: it leaves the transaction open and hands the connection to the next, and
/// the last of the group commits for all of them. A transaction that joins an open group runs under a savepoint,
/// so one that fails rolls back only its own statements. Every caller returns only after the commit that holds its
/// changes, so nothing is reported written before it is. A commit writes each page the group changed to the WAL
/// once — the pages that sixteen inserts share go out once, not sixteen times — and that write is most of what a
/// small transaction costs.
///
/// With no other write waiting, a transaction begins, runs and commits on its own, exactly as without grouping.
///
/// ```swift
/// let writer = GroupCommitWriter(try SQLiteConnection.open(path: path))
/// let id = try await writer.transaction { db in try await db.query("INSERT … RETURNING id", binds) }
/// ```
final class GroupCommitWriter: Sendable {
    /// The most transactions one commit holds: bounds how long the first of a group waits for the last.
    static let groupLimit = 32

    /// How a member of a group learns its fate.
    private enum Outcome: Sendable {
        case committed
        case failed(any Error)
        /// Nobody was waiting to extend the group: the member commits it.
        case commitIt
    }

    /// An open transaction and the members whose changes it holds, waiting for its commit.
    private struct Group: Sendable {
        var members: [CheckedContinuation<Outcome, Never>] = []

        func settle(_ result: Result<Void, any Error>) {
            for member in members {
                switch result {
                case .success: member.resume(returning: .committed)
                case .failure(let error): member.resume(returning: .failed(error))
                }
            }
        }
    }

    /// The connection and, when the previous holder left it open, the group in progress.
    private struct Turn: Sendable {
        var connection: SQLiteConnection
        var group: Group?
    }

    private enum Waiter {
        case transaction(CheckedContinuation<Turn, Never>)
        /// `close()`, waiting for the connection to come back idle.
        case closer(CheckedContinuation<SQLiteConnection, Never>)
    }

    private struct State {
        var idle: SQLiteConnection?
        var waiters: [Waiter] = []
        var closing = false
    }

    private let state: Mutex<State>

    init(_ connection: SQLiteConnection) {
        state = Mutex(State(idle: connection))
    }

    /// Runs `body` as one write transaction, alone or in a group; returns once its changes are committed and
    /// rethrows, with nothing of it written, if `body` throws.
    func transaction<T>(_ body: (SQLiteConnection) async throws -> T) async throws -> T {
        let turn = try await take()
        let connection = turn.connection
        var group = turn.group
        let outcome: Result<T, any Error>
        if group != nil {
            outcome = await Self.runJoined(body, on: connection)
        } else {
            do {
                try await connection.query("BEGIN IMMEDIATE")
            } catch {
                pass(connection)
                throw error
            }
            outcome = await Self.runFirst(body, on: connection)
            if case .success = outcome { group = Group() }
        }
        guard let open = group else {
            pass(connection)
            return try outcome.get()
        }
        if !connection.isInTransaction {
            // SQLite rolled the whole transaction back (it does on some I/O errors): the group's changes are gone.
            let error = outcome.failure ?? SQLiteError(code: 0, message: "the transaction was rolled back")
            open.settle(.failure(error))
            pass(connection)
            return try outcome.get()
        }
        switch outcome {
        case .success(let value):
            let fate = await withCheckedContinuation { (member: CheckedContinuation<Outcome, Never>) in
                var extended = open
                extended.members.append(member)
                if !handOver(connection, extended) { member.resume(returning: .commitIt) }
            }
            switch fate {
            case .committed: return value
            case .failed(let error): throw error
            case .commitIt:
                try await commit(open, on: connection)
                return value
            }
        case .failure(let error):
            if !handOver(connection, open) {
                try? await commit(open, on: connection)
            }
            throw error
        }
    }

    /// Waits for running work to finish, then returns the connection for closing. Later calls throw
    /// ``SQLDirectoryError/closed``; transactions already waiting are still run.
    func drain() async -> SQLiteConnection? {
        let alreadyClosing = state.withLock { state in
            defer { state.closing = true }
            return state.closing
        }
        guard !alreadyClosing else { return nil }
        return await withCheckedContinuation { continuation in
            let idle: SQLiteConnection? = state.withLock { state in
                if let connection = state.idle {
                    state.idle = nil
                    return connection
                }
                state.waiters.append(.closer(continuation))
                return nil
            }
            if let idle { continuation.resume(returning: idle) }
        }
    }

    /// The first transaction of a group runs bare: if it fails, it rolls back the whole (so far its own) transaction.
    private static func runFirst<T>(_ body: (SQLiteConnection) async throws -> T, on connection: SQLiteConnection) async -> Result<T, any Error> {
        do {
            return .success(try await body(connection))
        } catch {
            _ = try? await connection.query("ROLLBACK")
            return .failure(error)
        }
    }

    /// A transaction joining a group runs under a savepoint, so that its failure undoes only its own statements.
    private static func runJoined<T>(_ body: (SQLiteConnection) async throws -> T, on connection: SQLiteConnection) async -> Result<T, any Error> {
        do {
            try await connection.query("SAVEPOINT member")
            let value = try await body(connection)
            try await connection.query("RELEASE member")
            return .success(value)
        } catch {
            if connection.isInTransaction {
                _ = try? await connection.query("ROLLBACK TO member")
                _ = try? await connection.query("RELEASE member")
            }
            return .failure(error)
        }
    }

    /// Commits `group` (rolling back if the commit fails), tells its members, and passes the connection on.
    private func commit(_ group: Group, on connection: SQLiteConnection) async throws {
        let result: Result<Void, any Error>
        do {
            try await connection.query("COMMIT")
            result = .success(())
        } catch {
            _ = try? await connection.query("ROLLBACK")
            result = .failure(error)
        }
        group.settle(result)
        pass(connection)
        try result.get()
    }

    /// Gives the connection with its open transaction to the next waiting transaction; false if there is none or
    /// the group is full, and the caller must commit.
    private func handOver(_ connection: SQLiteConnection, _ group: Group) -> Bool {
        let next: CheckedContinuation<Turn, Never>? = state.withLock { state in
            guard group.members.count < Self.groupLimit, case .transaction(let next)? = state.waiters.first else { return nil }
            state.waiters.removeFirst()
            return next
        }
        next?.resume(returning: Turn(connection: connection, group: group))
        return next != nil
    }

    /// Gives the connection, with no transaction open, to the next waiter, or leaves it idle.
    private func pass(_ connection: SQLiteConnection) {
        let next: Waiter? = state.withLock { state in
            guard !state.waiters.isEmpty else {
                state.idle = connection
                return nil
            }
            return state.waiters.removeFirst()
        }
        switch next {
        case .transaction(let waiter): waiter.resume(returning: Turn(connection: connection, group: nil))
        case .closer(let waiter): waiter.resume(returning: connection)
        case nil: break
        }
    }

    private enum Take {
        case ready(SQLiteConnection)
        case wait
        case closed
    }

    private func take() async throws -> Turn {
        let attempt: Take = state.withLock { state in
            if state.closing { return .closed }
            guard let connection = state.idle else { return .wait }
            state.idle = nil
            return .ready(connection)
        }
        switch attempt {
        case .ready(let connection): return Turn(connection: connection, group: nil)
        case .closed: throw SQLDirectoryError.closed
        case .wait:
            return await withCheckedContinuation { continuation in
                let handed: SQLiteConnection? = state.withLock { state in
                    // The connection may have come back between the first look and now.
                    if let connection = state.idle {
                        state.idle = nil
                        return connection
                    }
                    state.waiters.append(.transaction(continuation))
                    return nil
                }
                if let handed { continuation.resume(returning: Turn(connection: handed, group: nil)) }
            }
        }
    }
}

extension Result {
    fileprivate var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
