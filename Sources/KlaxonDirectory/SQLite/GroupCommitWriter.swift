import Synchronization
import VaporCSQLite

/// The one writer connection to a SQLite file, shared by write transactions that take turns on it and commit in
/// groups.
///
/// SQLite allows one writer per file, so concurrent write transactions queue anyway. A transaction that finishes
/// while others wait does not commit: it leaves the transaction open and hands the connection to the next, and
/// the last of the group commits for all of them. A transaction that joins an open group runs under a savepoint,
/// so one that fails rolls back only its own statements. Every caller, failed or not, returns only after its
/// group's commit, so nothing is reported written before it is, and no error rests on rows never committed. A
/// commit writes each page the group changed to the WAL once — the pages that sixteen inserts share go out once,
/// not sixteen times — and that write is most of what a small transaction costs.
///
/// With no other write waiting, a transaction begins, runs and commits on its own, exactly as without grouping.
///
/// ```swift
/// let writer = GroupCommitWriter(try SQLiteConnection.open(path: path))
/// let id = try await writer.transaction { db in try await db.query("INSERT … RETURNING id", binds) }
/// ```
final class GroupCommitWriter: Sendable {
    /// The most transactions (failed ones included) one commit holds: bounds how long the first of a group waits
    /// for the last.
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
        case transaction(CheckedContinuation<Turn?, Never>)
        /// `close()`, waiting for the connection to come back idle.
        case closer(CheckedContinuation<SQLiteConnection, Never>)
    }

    private struct State {
        var idle: SQLiteConnection?
        var waiters: [Waiter] = []
        var closing = false
    }

    private let state: Mutex<State>
    private let commits = Atomic(0)

    init(_ connection: SQLiteConnection) {
        state = Mutex(State(idle: connection))
    }

    /// Runs `body` as one write transaction, alone or in a group; returns once its changes are committed and
    /// rethrows, with nothing of it written, if `body` throws.
    func transaction<T>(_ body: (SQLiteConnection) async throws -> T) async throws -> T {
        let turn = try await take()
        let connection = turn.connection
        let outcome: Result<T, any Error>
        let open: Group
        if let group = turn.group {
            open = group
            outcome = await Self.runJoined(body, on: connection)
        } else {
            do {
                try await connection.query("BEGIN IMMEDIATE")
            } catch {
                pass(connection)
                throw error
            }
            outcome = await Self.runFirst(body, on: connection)
            guard case .success = outcome else {
                // Alone in its transaction, which its rollback ended.
                pass(connection)
                return try outcome.get()
            }
            open = Group()
        }
        guard connection.isInTransaction else {
            // SQLite rolled the whole transaction back (it does on some I/O errors): the group's changes are gone.
            var lost: any Error = SQLiteError(code: SQLITE_ABORT, message: "the transaction was rolled back")
            if case .failure(let error) = outcome { lost = error }
            open.settle(.failure(lost))
            pass(connection)
            throw lost
        }
        // A member that failed waits for the commit too: its answer (a 409, a 412) may rest on rows an earlier
        // member wrote, which only the commit makes real.
        let fate = await withCheckedContinuation { (member: CheckedContinuation<Outcome, Never>) in
            var extended = open
            extended.members.append(member)
            if !handOver(connection, extended) { member.resume(returning: .commitIt) }
        }
        switch fate {
        case .committed:
            return try outcome.get()
        case .failed(let error):
            throw error
        case .commitIt:
            try await commit(open, on: connection)
            return try outcome.get()
        }
    }

    /// How many commits this writer has made, each holding one or more transactions (for tests and diagnostics).
    var commitCount: Int { commits.load(ordering: .relaxed) }

    /// How many callers are waiting for the connection (for tests and diagnostics).
    var waitingCount: Int { state.withLock { $0.waiters.count } }

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
                do {
                    try await connection.query("ROLLBACK TO member")
                    try await connection.query("RELEASE member")
                } catch {
                    // Its statements could not be undone alone: undo the whole group rather than commit them.
                    _ = try? await connection.query("ROLLBACK")
                }
            }
            return .failure(error)
        }
    }

    /// Commits `group` (rolling back if the commit fails), tells its members, and passes the connection on.
    private func commit(_ group: Group, on connection: SQLiteConnection) async throws {
        let result: Result<Void, any Error>
        do {
            try await connection.query("COMMIT")
            commits.add(1, ordering: .relaxed)
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
        let next: CheckedContinuation<Turn?, Never>? = state.withLock { state in
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

    private func take() async throws -> Turn {
        let turn: Turn?
        if let ready = claim(orQueue: nil) {
            turn = ready
        } else {
            turn = await withCheckedContinuation { continuation in
                // The connection may have come back, or closing begun, since the first look.
                if let ready = claim(orQueue: continuation) { continuation.resume(returning: ready) }
            }
        }
        guard let turn else { throw SQLDirectoryError.closed }
        return turn
    }

    /// The idle connection (a turn), `.some(nil)` once closing has begun, or nil when the caller must wait, in
    /// which case `continuation` (if given) is queued under the same lock that checked for closing.
    private func claim(orQueue continuation: CheckedContinuation<Turn?, Never>?) -> Turn?? {
        state.withLock { state in
            if state.closing { return .some(nil) }
            if let connection = state.idle {
                state.idle = nil
                return Turn(connection: connection, group: nil)
            }
            if let continuation { state.waiters.append(.transaction(continuation)) }
            return nil
        }
    }
}
