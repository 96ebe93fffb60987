import Foundation
import SCIM

extension SQLDirectory {
    /// Marks admin session secrets, so they are never mistaken for bearer tokens.
    static let sessionPrefix = "klxs_"
    /// Marks one-time sign-in codes.
    static let signInCodePrefix = "klxc_"

    /// The administrator and organisation columns every administrator query selects, from `administrators a` and
    /// `organisations o`.
    private static let administratorColumns =
        "a.org_id, a.id, a.login, a.password_hash, a.created, a.last_sign_in, o.slug, o.name, o.created AS org_created"

    // MARK: Administrators

    public func createAdministrator(login: String, passwordHash: String?, in organisation: Organisation.ID) async throws -> Administrator {
        let org = Int(organisation)
        let login = try Self.validLogin(login)
        let created = Timestamp.now()
        let taken = SCIMError.uniqueness("an administrator signs in as '\(login)' already")
        return try await database.transaction { db in
            try await lockOrganisation(org, on: db)
            guard try await db.rows(SQLFragment("SELECT 1 FROM administrators WHERE login_lc = ?", [.text(login.caseFolded)])).isEmpty else {
                throw taken
            }
            let inserted = try await Self.claiming("administrators_login", or: taken) {
                try await db.rows(
                SQLFragment(
                    """
                    INSERT INTO administrators (org_id, id, login, login_lc, password_hash, created) \
                    VALUES (?, (SELECT coalesce(max(id), 0) + 1 FROM administrators WHERE org_id = ?), ?, ?, ?, ?) RETURNING id
                    """,
                    [
                        .integer(org), .integer(org), .text(login), .text(login.caseFolded), .text(orNull: passwordHash),
                        .double(created.seconds),
                    ]))
            }
            return Administrator(
                id: Int64(try Self.returnedID(inserted)), organisation: organisation, login: login, created: created.date, lastSignIn: nil,
                hasPassword: passwordHash != nil)
        }
    }

    public func administrators(in organisation: Organisation.ID) async throws -> [Administrator] {
        try await database.read { db in
            try await db.rows(
                SQLFragment(
                    "SELECT \(Self.administratorColumns) FROM administrators a JOIN organisations o ON o.id = a.org_id WHERE a.org_id = ? ORDER BY a.id",
                    [.integer(Int(organisation))])
            ).map { try Self.credentials($0).administrator }
        }
    }

    public func administratorCredentials(login: String) async throws -> AdministratorCredentials? {
        let key = login.trimmingCharacters(in: .whitespacesAndNewlines).caseFolded
        return try await database.read { db in
            try await db.rows(
                SQLFragment(
                    "SELECT \(Self.administratorColumns) FROM administrators a JOIN organisations o ON o.id = a.org_id WHERE a.login_lc = ?",
                    [.text(key)])
            ).first.map(Self.credentials)
        }
    }

    public func issueSignInCode(forAdministrator id: Administrator.ID, in organisation: Organisation.ID, expires: Date) async throws -> String {
        let code = TokenHasher.newSecret(prefix: Self.signInCodePrefix)
        let updated = try await database.autocommit { db in
            try await db.rows(
                SQLFragment(
                    "UPDATE administrators SET code_hash = ?, code_expires = ? WHERE org_id = ? AND id = ? RETURNING id",
                    [.text(TokenHasher.hash(code)), .double(expires.timeIntervalSince1970), .integer(Int(organisation)), .integer(Int(id))]))
        }
        guard !updated.isEmpty else { throw SCIMError.notFound("administrator \(id) does not exist") }
        return code
    }

    public func signInCode(_ code: String, at date: Date) async throws -> AdministratorCredentials? {
        let statement = Self.selectByCode(code)
        let rows = try await database.read { db in try await db.rows(statement) }
        return try Self.validCode(rows, code, at: date)
    }

    public func redeemSignInCode(_ code: String, passwordHash: String, at date: Date) async throws -> AdministratorCredentials? {
        // Locked until the code is used up, so that two instances redeeming it at once cannot both succeed.
        var statement = Self.selectByCode(code)
        statement.append(dialect.locking(.update, of: "a"))
        return try await database.transaction { [statement] db in
            guard var credentials = try Self.validCode(try await db.rows(statement), code, at: date) else { return nil }
            let account: [SQLValue] = [.integer(Int(credentials.organisation.id)), .integer(Int(credentials.administrator.id))]
            try await db.execute(
                SQLFragment(
                    "UPDATE administrators SET password_hash = ?, code_hash = NULL, code_expires = NULL WHERE org_id = ? AND id = ?",
                    [.text(passwordHash)] + account))
            // A new password ends every session of the old one: a reset is how a leaked password or session is shut out.
            try await db.execute(SQLFragment("DELETE FROM admin_sessions WHERE org_id = ? AND admin_id = ?", account))
            credentials.passwordHash = passwordHash
            credentials.administrator.hasPassword = true
            return credentials
        }
    }

    private static func selectByCode(_ code: String) -> SQLFragment {
        SQLFragment(
            """
            SELECT \(administratorColumns), a.code_hash, a.code_expires FROM administrators a JOIN organisations o ON o.id = a.org_id \
            WHERE a.code_hash = ?
            """,
            [.text(TokenHasher.hash(code))])
    }

    /// The administrator of the first row if its code is the one given and has not expired.
    private static func validCode(_ rows: [SQLRow], _ code: String, at date: Date) throws -> AdministratorCredentials? {
        guard let row = rows.first, let stored = row.optionalText("code_hash"), TokenHasher.constantTimeEquals(stored, TokenHasher.hash(code)),
            let expires = row.optionalDouble("code_expires"), expires > date.timeIntervalSince1970
        else { return nil }
        return try credentials(row)
    }

    // MARK: Failed sign-ins

    public func signInFailures(login: String, client: String) async throws -> SignInFailures? {
        let key = Self.signInKey(login)
        return try await database.read { db in
            try await db.rows(
                SQLFragment(
                    "SELECT failures, last_failure FROM sign_in_failures WHERE login_lc = ? AND client = ? AND failures > 0",
                    [.text(key), .text(client)])
            ).first.map(Self.failures)
        }
    }

    public func claimSignInAttempt(
        login: String, client: String, at date: Date, wait: (SignInFailures?) -> TimeInterval?
    ) async throws -> TimeInterval? {
        let key = Self.signInKey(login)
        let at = SQLValue.double(date.timeIntervalSince1970)
        let lock = dialect.locking(.update, of: "sign_in_failures")
        return try await database.transaction { db in
            // The row exists before it is read, so that PostgreSQL can lock it: attempts at one name from one address
            // take turns here (SQLite's one writer already makes them).
            try await db.execute(
                SQLFragment(
                    "INSERT INTO sign_in_failures (login_lc, client, failures, last_failure) VALUES (?, ?, 0, ?) "
                        + "ON CONFLICT (login_lc, client) DO NOTHING",
                    [.text(key), .text(client), at]))
            let rows = try await db.rows(
                SQLFragment(
                    "SELECT failures, last_failure FROM sign_in_failures WHERE login_lc = ? AND client = ?" + lock,
                    [.text(key), .text(client)]))
            let failures = try rows.first.map(Self.failures)
            if let remaining = wait(failures?.count == 0 ? nil : failures) { return remaining }
            try await db.execute(
                SQLFragment(
                    "UPDATE sign_in_failures SET failures = failures + 1, last_failure = ? WHERE login_lc = ? AND client = ?",
                    [at, .text(key), .text(client)]))
            return nil
        }
    }

    public func clearSignInFailures(login: String, client: String?) async throws {
        let key = Self.signInKey(login)
        try await database.autocommit { db in
            if let client {
                try await db.execute(SQLFragment("DELETE FROM sign_in_failures WHERE login_lc = ? AND client = ?", [.text(key), .text(client)]))
            } else {
                try await db.execute(SQLFragment("DELETE FROM sign_in_failures WHERE login_lc = ?", [.text(key)]))
            }
        }
    }

    public func pruneSignInFailures(before cutoff: Date) async throws -> Int {
        try await pruneSignInFailures(before: cutoff, batchSize: Self.signInPruneBatch)
    }

    /// How many sign-in tallies one pruning transaction removes at most.
    static let signInPruneBatch = 5000

    /// ``pruneSignInFailures(before:)`` in batches of `batchSize` tallies.
    func pruneSignInFailures(before cutoff: Date, batchSize: Int) async throws -> Int {
        let size = max(1, batchSize)
        let before = SQLValue.double(cutoff.timeIntervalSince1970)
        // The outer condition again: on PostgreSQL a tally that a failure updates while the DELETE waits for its row
        // is read anew, and kept (READ COMMITTED re-checks only the outer WHERE).
        let batch = SQLFragment(
            """
            DELETE FROM sign_in_failures WHERE last_failure < ? AND (login_lc, client) IN \
            (SELECT login_lc, client FROM sign_in_failures WHERE last_failure < ? LIMIT ?) RETURNING login_lc
            """,
            [before, before, .integer(size)])
        return try await deleteInBatches(batch, size: size)
    }

    /// A sign-in name as tallied: trimmed and case-folded, as administrators' names are matched.
    private static func signInKey(_ login: String) -> String {
        login.trimmingCharacters(in: .whitespacesAndNewlines).caseFolded
    }

    private static func failures(_ row: SQLRow) throws -> SignInFailures {
        SignInFailures(count: try row.integer("failures"), last: Date(timeIntervalSince1970: try row.double("last_failure")))
    }

    // MARK: Sessions

    public func createAdminSession(
        for administrator: Administrator.ID, in organisation: Organisation.ID, passwordHash: String?, expires: Date
    ) async throws -> IssuedAdminSession? {
        let org = Int(organisation)
        let secret = TokenHasher.newSecret(prefix: Self.sessionPrefix)
        let csrf = TokenHasher.newSecret(prefix: "")
        let now = Timestamp.now()
        return try await database.transaction { db in
            let rows = try await db.rows(
                SQLFragment(
                    "SELECT \(Self.administratorColumns) FROM administrators a JOIN organisations o ON o.id = a.org_id WHERE a.org_id = ? AND a.id = ?"
                        + dialect.locking(.update, of: "a"),
                    [.integer(org), .integer(Int(administrator))]))
            guard let row = rows.first else { throw SCIMError.notFound("administrator \(administrator) does not exist") }
            var credentials = try Self.credentials(row)
            // Locked: a reset either committed before this read (and is seen here) or waits, and then ends this session.
            guard credentials.passwordHash == passwordHash else { return nil }
            try await db.execute(SQLFragment("DELETE FROM admin_sessions WHERE org_id = ? AND expires <= ?", [.integer(org), .double(now.seconds)]))
            try await db.execute(
                SQLFragment(
                    "INSERT INTO admin_sessions (org_id, hash, admin_id, csrf, created, expires) VALUES (?, ?, ?, ?, ?, ?)",
                    [
                        .integer(org), .text(TokenHasher.hash(secret)), .integer(Int(administrator)), .text(csrf), .double(now.seconds),
                        .double(expires.timeIntervalSince1970),
                    ]))
            try await db.execute(
                SQLFragment(
                    "UPDATE administrators SET last_sign_in = ? WHERE org_id = ? AND id = ?", [.double(now.seconds), .integer(org), .integer(Int(administrator))]))
            credentials.administrator.lastSignIn = now.date
            let session = AdminSession(organisation: credentials.organisation, administrator: credentials.administrator, csrfToken: csrf, expires: expires)
            return IssuedAdminSession(session: session, secret: secret)
        }
    }

    public func adminSession(secret: String, at date: Date) async throws -> AdminSession? {
        let hash = TokenHasher.hash(secret)
        let rows = try await database.read { db in
            try await db.rows(
                SQLFragment(
                    """
                    SELECT \(Self.administratorColumns), s.hash, s.csrf, s.expires FROM admin_sessions s \
                    JOIN administrators a ON a.org_id = s.org_id AND a.id = s.admin_id JOIN organisations o ON o.id = s.org_id \
                    WHERE s.hash = ?
                    """,
                    [.text(hash)]))
        }
        // The index found the row; the constant-time comparison is what decides.
        guard let row = rows.first, TokenHasher.constantTimeEquals(try row.text("hash"), hash) else { return nil }
        let expires = try row.double("expires")
        guard expires > date.timeIntervalSince1970 else { return nil }
        let credentials = try Self.credentials(row)
        return AdminSession(
            organisation: credentials.organisation, administrator: credentials.administrator, csrfToken: try row.text("csrf"),
            expires: Date(timeIntervalSince1970: expires))
    }

    public func endAdminSession(secret: String) async throws {
        try await database.autocommit { db in
            try await db.execute(SQLFragment("DELETE FROM admin_sessions WHERE hash = ?", [.text(TokenHasher.hash(secret))]))
        }
    }

    // MARK: Helpers

    private static func credentials(_ row: SQLRow) throws -> AdministratorCredentials {
        let passwordHash = row.optionalText("password_hash")
        let administrator = Administrator(
            id: Int64(try row.integer("id")), organisation: Int64(try row.integer("org_id")), login: try row.text("login"),
            created: Date(timeIntervalSince1970: try row.double("created")),
            lastSignIn: row.optionalDouble("last_sign_in").map(Date.init(timeIntervalSince1970:)), hasPassword: passwordHash != nil)
        let organisation = Organisation(
            id: administrator.organisation, slug: try row.text("slug"), name: try row.text("name"),
            created: Date(timeIntervalSince1970: try row.double("org_created")))
        return AdministratorCredentials(administrator: administrator, organisation: organisation, passwordHash: passwordHash)
    }

    /// Sign-in names are what administrators type: 1 to 254 characters without spaces, usually an email.
    private static func validLogin(_ login: String) throws(SCIMError) -> String {
        let trimmed = login.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...254).contains(trimmed.count), !trimmed.contains(where: \.isWhitespace) else {
            throw .invalidValue("'\(login)' is not a valid sign-in name: use 1 to 254 characters without spaces, e.g. an email address")
        }
        try checkPrintable(trimmed, as: "a sign-in name")
        return trimmed
    }
}
