public import Foundation

/// A Site Administrator of one organisation: signs in to the admin UI with a sign-in name (usually an email) and a
/// password, or once with a one-time sign-in code. The password is stored as a bcrypt hash made by the server.
///
/// ```swift
/// let admin = try await directory.createAdministrator(login: "ops@example.com", passwordHash: hash, in: org.id)
/// let found = try await directory.administratorCredentials(login: "OPS@example.com")   // same account
/// ```
public struct Administrator: Sendable, Hashable, Identifiable {
    public var id: Int64
    public var organisation: Organisation.ID
    /// What the administrator types to sign in; unique across the server, compared ignoring case.
    public var login: String
    public var created: Date
    public var lastSignIn: Date?
    /// False until a password is set (an account made for a one-time sign-in).
    public var hasPassword: Bool

    public init(id: Int64, organisation: Organisation.ID, login: String, created: Date, lastSignIn: Date?, hasPassword: Bool) {
        self.id = id
        self.organisation = organisation
        self.login = login
        self.created = created
        self.lastSignIn = lastSignIn
        self.hasPassword = hasPassword
    }
}

/// An administrator as sign-in sees it: the account, its organisation and the stored password hash.
public struct AdministratorCredentials: Sendable, Hashable {
    public var administrator: Administrator
    public var organisation: Organisation
    /// The bcrypt hash, or nil if no password has been set yet.
    public var passwordHash: String?

    public init(administrator: Administrator, organisation: Organisation, passwordHash: String?) {
        self.administrator = administrator
        self.organisation = organisation
        self.passwordHash = passwordHash
    }
}

/// A signed-in administrator's session: which organisation it opens, and the token every form must carry.
public struct AdminSession: Sendable, Hashable {
    public var organisation: Organisation
    public var administrator: Administrator
    /// The anti-forgery token of this session's forms (random; compared in constant time).
    public var csrfToken: String
    public var expires: Date

    public init(organisation: Organisation, administrator: Administrator, csrfToken: String, expires: Date) {
        self.organisation = organisation
        self.administrator = administrator
        self.csrfToken = csrfToken
        self.expires = expires
    }
}

/// A session just created: the only time its secret (the cookie's value) is known; only its hash is stored.
public struct IssuedAdminSession: Sendable {
    public var session: AdminSession
    public var secret: String

    public init(session: AdminSession, secret: String) {
        self.session = session
        self.secret = secret
    }
}

/// Failed sign-ins for one sign-in name (whether or not such an account exists) from one client address, not yet
/// followed by a successful one.
public struct SignInFailures: Sendable, Hashable {
    public var count: Int
    public var last: Date

    public init(count: Int, last: Date) {
        self.count = count
        self.last = last
    }
}
