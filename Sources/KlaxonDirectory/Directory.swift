public import Foundation
public import SCIM

/// Where Klaxon keeps what identity platforms provision: organisations, their tokens and locations, users,
/// groups and memberships, and the activity log. One protocol, several backends (SQLite by default).
///
/// Every method is one transaction: it either happens completely or not at all. Every method that takes an
/// organisation reads and writes only that organisation's rows. Errors that a SCIM client should see are thrown as
/// ``SCIMError`` (404 for an unknown id, 409 `uniqueness`, 412 for a stale version); anything else is a backend
/// failure the server reports as 500.
///
/// ```swift
/// let directory = try await SQLiteDirectory.open(path: "klaxon.sqlite")
/// let org = try await directory.createOrganisation(slug: "acme", name: "Acme")
/// let user = try await directory.createResource(.user, in: org.id, ResourceWrite(object: ["userName": "bjensen"]))
/// ```
public protocol Directory: Sendable {
    // MARK: Organisations

    /// Creates an organisation with its Default location. Throws 409 `uniqueness` if the slug is taken.
    func createOrganisation(slug: String, name: String) async throws -> Organisation
    func organisations() async throws -> [Organisation]
    func organisation(slug: String) async throws -> Organisation?

    // MARK: Tokens

    /// Issues a new random bearer token. Only its hash is stored; the secret is returned once.
    func issueToken(in organisation: Organisation.ID, label: String) async throws -> IssuedToken
    func tokens(in organisation: Organisation.ID) async throws -> [TokenRecord]
    /// Revokes a token; false if the organisation has no such token.
    func revokeToken(_ id: TokenRecord.ID, in organisation: Organisation.ID) async throws -> Bool
    /// Changes a token's label (its secret stays the same); false if the organisation has no such token.
    func renameToken(_ id: TokenRecord.ID, to label: String, in organisation: Organisation.ID) async throws -> Bool
    /// The organisation and token a secret belongs to, or nil. Compares hashes in constant time and records the
    /// token's last use.
    func authenticate(secret: String) async throws -> (Organisation, TokenRecord)?

    // MARK: Locations

    func locations(in organisation: Organisation.ID) async throws -> [Location]
    /// Adds a location; 409 `uniqueness` if the name exists (case-insensitive).
    func addLocation(named name: String, in organisation: Organisation.ID) async throws -> Location
    func renameLocation(_ id: Location.ID, to name: String, in organisation: Organisation.ID) async throws -> Location
    /// Removes a location; users whose profile named it move to the Default location. The Default location cannot
    /// be removed (400 `invalidValue`).
    func removeLocation(_ id: Location.ID, in organisation: Organisation.ID) async throws
    func setDefaultLocation(_ id: Location.ID, in organisation: Organisation.ID) async throws

    // MARK: Resources

    /// Stores a new user or group: assigns `id`, `meta` and version 1. Throws 409 `uniqueness` for a taken
    /// `userName` (case-insensitive) or group `displayName`, and 400 `invalidValue` for a missing `userName` or group
    /// `displayName` or an unknown member id. A group's `members` go to the membership table.
    func createResource(_ kind: ResourceKind, in organisation: Organisation.ID, _ write: ResourceWrite) async throws -> StoredResource
    /// One resource, or nil. `includeMembers: false` skips reading a group's members.
    func resource(_ kind: ResourceKind, id: String, in organisation: Organisation.ID, includeMembers: Bool) async throws -> StoredResource?
    /// Reads a resource, lets `change` compute its new state, and stores that as the next version, all in one
    /// transaction. `ifMatch` is the versions the client may have seen (412 if the resource is at none of them).
    /// `change` sees the group's members only when `includeMembers` is true, and then the written `members` replace
    /// them; otherwise the stored members are kept and any `members` in the write are ignored. If `change` throws,
    /// nothing is stored; if it changes nothing, the resource keeps its version and `lastModified` (RFC 7644 §3.5.2).
    /// Users who join or leave a group, and the members of a renamed group, get a new version: their `groups` changed.
    func updateResource(
        _ kind: ResourceKind, id: String, in organisation: Organisation.ID, ifMatch: ExpectedVersions?, includeMembers: Bool,
        _ change: @Sendable (StoredResource) throws -> ResourceWrite
    ) async throws -> StoredResource
    /// Applies member changes to a group by member id without reading the whole list, then lets `change` update
    /// the rest of the group (e.g. a rename sent in the same PATCH), and stores the next version, unless nothing
    /// changed. `change` sees, and the method returns, the group without `members`. Unknown member ids are 400
    /// `invalidValue`. Users who join or leave get a new version too.
    func updateMembers(
        ofGroup id: String, in organisation: Organisation.ID, ifMatch: ExpectedVersions?, _ members: MembershipPatch,
        _ change: @Sendable (StoredResource) throws -> ResourceWrite
    ) async throws -> StoredResource
    /// Deletes a resource and its memberships (the groups it was in, and a group's members, get a new version); 404 if
    /// there is none, 412 if it is at none of the versions `ifMatch` names.
    func deleteResource(_ kind: ResourceKind, id: String, in organisation: Organisation.ID, ifMatch: ExpectedVersions?) async throws
    /// A page of resources matching a query, with the total count. Filters are pushed down to SQL where they can be.
    /// Throws 400 `invalidFilter` for a filter the schema rejects and 400 `invalidValue` for an unsupported `sortBy`.
    func queryResources(_ kind: ResourceKind, in organisation: Organisation.ID, _ query: ResourceQuery) async throws -> ResourcePage

    // MARK: Activity

    /// Appends entries to the activity log, in order, in one transaction.
    func recordActivity(_ entries: [ActivityEntry]) async throws
    /// The most recent entries, newest first.
    func recentActivity(in organisation: Organisation.ID, limit: Int) async throws -> [ActivityEntry]
    /// Removes the organisation's entries recorded before `cutoff` and returns how many went. Works in bounded
    /// batches, each its own transaction, so that a large backlog never holds the writer for long; if it fails
    /// part-way, the batches already removed stay removed.
    ///
    /// ```swift
    /// let removed = try await directory.pruneActivity(in: acme.id, before: Date().addingTimeInterval(-30 * 86_400))
    /// ```
    func pruneActivity(in organisation: Organisation.ID, before cutoff: Date) async throws -> Int

    // MARK: Profiles

    /// Re-computes the derived profiles of the selected users in one transaction, without changing their SCIM
    /// resources or versions: for a location set by hand, or after a location was added or renamed. `derive` gets
    /// each user and the organisation's locations. Returns how many profiles changed; 404 for an unknown `.user` id.
    func updateProfiles(
        in organisation: Organisation.ID, of selection: ProfileSelection,
        _ derive: @Sendable (StoredResource, [Location]) throws -> KlaxonProfile
    ) async throws -> Int
    /// Users whose synced location matches no defined location (and who have no location set by hand), grouped by
    /// that location, most users first, each group with up to `sample` of its users.
    func unmatchedLocations(in organisation: Organisation.ID, sample: Int) async throws -> [UnmatchedLocation]

    // MARK: Administrators

    /// Creates a Site Administrator; 409 `uniqueness` if the sign-in name is taken on this server (ignoring case),
    /// 400 `invalidValue` if it is empty or has spaces. `passwordHash` nil makes an account for a one-time sign-in.
    func createAdministrator(login: String, passwordHash: String?, in organisation: Organisation.ID) async throws -> Administrator
    func administrators(in organisation: Organisation.ID) async throws -> [Administrator]
    /// The administrator with this sign-in name (ignoring case), in whichever organisation, or nil.
    func administratorCredentials(login: String) async throws -> AdministratorCredentials?
    /// Issues a one-time sign-in code for an administrator, replacing any earlier one. Only its hash is stored.
    func issueSignInCode(forAdministrator id: Administrator.ID, in organisation: Organisation.ID, expires: Date) async throws -> String
    /// The administrator an unused, unexpired one-time code belongs to, or nil. Does not use the code up.
    func signInCode(_ code: String, at date: Date) async throws -> AdministratorCredentials?
    /// Uses a one-time code up and sets the administrator's password, in one transaction; nil (and nothing
    /// changed) if the code is unknown, used or expired.
    func redeemSignInCode(_ code: String, passwordHash: String, at date: Date) async throws -> AdministratorCredentials?
    /// Failed sign-ins for a sign-in name from a client address, or nil.
    func signInFailures(login: String, client: String) async throws -> SignInFailures?
    /// Counts a sign-in attempt as failed before its password is checked, unless `wait`, given the name's tally
    /// from this client address (nil for none), says how long the attempt must still wait: then nothing is counted
    /// and that wait is returned. Tallies are kept per address, so that someone who knows an administrator's
    /// sign-in name cannot lock them out from everywhere else. Check and count are one step, so simultaneous
    /// attempts cannot all pass the check before any is counted; a sign-in that succeeds clears the tally with
    /// ``clearSignInFailures(login:client:)``.
    func claimSignInAttempt(login: String, client: String, at date: Date, wait: (SignInFailures?) -> TimeInterval?) async throws -> TimeInterval?
    /// Clears a name's failures from `client`; with `client` nil, from every address (its password was just set).
    func clearSignInFailures(login: String, client: String?) async throws
    /// Forgets every tally whose last failure was before `cutoff`, in bounded batches; returns how many. Without it
    /// the table keeps a row for every name ever tried from every address.
    ///
    /// ```swift
    /// let forgotten = try await directory.pruneSignInFailures(before: Date().addingTimeInterval(-86_400))
    /// ```
    func pruneSignInFailures(before cutoff: Date) async throws -> Int

    // MARK: Admin sessions

    /// Starts a session (random secret, stored hashed; random anti-forgery token) and records the sign-in, if the
    /// administrator's password hash is still `passwordHash`, the one the sign-in checked; nil if it changed
    /// meanwhile, so that a password reset also shuts out a sign-in with the old password still in progress.
    func createAdminSession(
        for administrator: Administrator.ID, in organisation: Organisation.ID, passwordHash: String?, expires: Date
    ) async throws -> IssuedAdminSession?
    /// The unexpired session a secret belongs to, or nil. Compares hashes in constant time.
    func adminSession(secret: String, at date: Date) async throws -> AdminSession?
    /// Ends a session (sign-out); unknown secrets are ignored.
    func endAdminSession(secret: String) async throws

    /// Reads from the database, to tell that it can be reached; throws if not (PostgreSQL:
    /// ``SQLDirectoryError/unavailable(_:)`` within a few seconds).
    func ping() async throws

    /// Closes connections. Call once, at shutdown.
    func close() async throws
}

extension Directory {
    /// Deletes a resource whatever its version.
    public func deleteResource(_ kind: ResourceKind, id: String, in organisation: Organisation.ID) async throws {
        try await deleteResource(kind, id: id, in: organisation, ifMatch: nil)
    }

    /// Runs `body`, then closes the directory, whether or not `body` threw.
    ///
    /// ```swift
    /// let directory = try await SQLiteDirectory.open(path: "klaxon.sqlite")
    /// let organisations = try await directory.closing { try await directory.organisations() }
    /// ```
    public func closing<T>(after body: () async throws -> T) async throws -> T {
        do {
            let result = try await body()
            try await close()
            return result
        } catch {
            try? await close()
            throw error
        }
    }
}

/// A tenant: its own Endpoint URL (`/scim/v2/{slug}`), tokens, locations, users and groups.
public struct Organisation: Sendable, Hashable, Identifiable {
    public var id: Int64
    /// The URL path segment: lowercase letters, digits and `-`.
    public var slug: String
    public var name: String
    public var created: Date

    public init(id: Int64, slug: String, name: String, created: Date) {
        self.id = id
        self.slug = slug
        self.name = name
        self.created = created
    }
}

/// A bearer token as listed: never its secret.
public struct TokenRecord: Sendable, Hashable, Identifiable {
    public var id: Int64
    public var organisation: Organisation.ID
    public var label: String
    /// The first characters of the secret, so an admin can tell tokens apart.
    public var hint: String
    public var created: Date
    public var lastUsed: Date?
    public var revoked: Date?

    public init(id: Int64, organisation: Organisation.ID, label: String, hint: String, created: Date, lastUsed: Date?, revoked: Date?) {
        self.id = id
        self.organisation = organisation
        self.label = label
        self.hint = hint
        self.created = created
        self.lastUsed = lastUsed
        self.revoked = revoked
    }
}

/// A token just issued: the only time its secret is known.
public struct IssuedToken: Sendable {
    public var record: TokenRecord
    public var secret: String

    public init(record: TokenRecord, secret: String) {
        self.record = record
        self.secret = secret
    }
}

/// A place users are alerted by, such as an office. Each organisation has exactly one Default location.
public struct Location: Sendable, Hashable, Identifiable {
    public var id: Int64
    public var organisation: Organisation.ID
    public var name: String
    public var isDefault: Bool

    public init(id: Int64, organisation: Organisation.ID, name: String, isDefault: Bool) {
        self.id = id
        self.organisation = organisation
        self.name = name
        self.isDefault = isDefault
    }
}

public enum ResourceKind: String, Sendable, Hashable, CaseIterable {
    case user = "User"
    case group = "Group"
}

/// The Klaxon profile derived from a user's SCIM attributes by the profile mapping.
public struct KlaxonProfile: Sendable, Hashable {
    /// The location the identity platform sent, as sent.
    public var syncedLocation: String?
    /// The location in force: one set by hand (``locationChoice``), else the defined location the synced one
    /// matches, else the organisation's Default.
    public var locationID: Location.ID?
    /// The notification phone number in E.164, or nil if none was sent or it is not a valid number.
    public var phoneE164: String?
    /// Why the phone number could not be normalised, for the admin UI.
    public var phoneProblem: String?
    /// A location set by hand; when present, `locationID` is its location.
    public var locationChoice: LocationChoice?

    public init(
        syncedLocation: String? = nil, locationID: Location.ID? = nil, phoneE164: String? = nil, phoneProblem: String? = nil,
        locationChoice: LocationChoice? = nil
    ) {
        self.syncedLocation = syncedLocation
        self.locationID = locationID
        self.phoneE164 = phoneE164
        self.phoneProblem = phoneProblem
        self.locationChoice = locationChoice
    }
}

/// What a write stores: the resource as the client sent it (validated), and for users the derived profile.
/// `id`, `meta`, a group's `members` and a user's `groups` in `object` are not stored as sent: the directory
/// assigns the first two and keeps relations in the membership table.
public struct ResourceWrite: Sendable {
    public var object: JSONObject
    /// For users: nil keeps the stored profile (an empty one on create). Ignored for groups.
    public var profile: KlaxonProfile?
    /// For a user's `profile` worked out from the organisation's locations: how to work it out again.
    public var located: Located?

    /// The locations a profile was worked out from, read before the write, and how to work it out from others.
    /// Inside the write's transaction, which no location change can overtake, the directory reads the locations
    /// again and, if they changed in between, stores `derive(current)` instead: a location added, renamed or
    /// removed meanwhile is not missed.
    public struct Located: Sendable {
        public var locations: [Location]
        public var derive: @Sendable ([Location]) throws -> KlaxonProfile
    }

    public init(object: JSONObject, profile: KlaxonProfile? = nil) {
        self.object = object
        self.profile = profile
    }

    /// A user whose profile is `derive(locations)`, worked out again in the transaction if the locations changed.
    ///
    /// ```swift
    /// let locations = try await directory.locations(in: org)
    /// let write = try ResourceWrite(object: user, locations: locations) { profiles.profile(of: user, locations: $0) }
    /// ```
    public init(object: JSONObject, locations: [Location], derive: @escaping @Sendable ([Location]) throws -> KlaxonProfile) throws {
        self.object = object
        self.profile = try derive(locations)
        self.located = Located(locations: locations, derive: derive)
    }
}

/// A resource as stored. `object` holds `id`, `schemas`, `meta` (with `version`, `created`, `lastModified`,
/// `resourceType`; `location` is added by the server, which knows its URL), for groups read with members `members`
/// (`value`, `display`, `type`), and for users in groups `groups` (`value`, `display`). `profile` is set for users.
public struct StoredResource: Sendable, Hashable {
    public var kind: ResourceKind
    public var id: String
    public var version: Int
    public var object: JSONObject
    public var profile: KlaxonProfile?

    public init(kind: ResourceKind, id: String, version: Int, object: JSONObject, profile: KlaxonProfile?) {
        self.kind = kind
        self.id = id
        self.version = version
        self.object = object
        self.profile = profile
    }
}

/// A list request: filter, sort and 1-based paging (a `startIndex` below 1 counts as 1, a negative `count` as 0;
/// `count` 0 asks for the total alone).
/// `sortBy` may name `userName`, `displayName`, `externalId`, `id`, `meta.created` or `meta.lastModified`;
/// resources without the attribute come last. Without `sortBy`, resources come in creation order.
public struct ResourceQuery: Sendable {
    public var filter: Filter?
    public var sortBy: AttributePath?
    public var descending: Bool
    public var startIndex: Int
    public var count: Int
    public var includeMembers: Bool
    /// The most member references a page of several groups may hold; past it the query fails with 400 `tooMany`.
    /// A page is built whole in memory: forty groups of 100,000 members once took a 3.8 GB answer.
    public var memberBudget = 200_000

    public init(filter: Filter? = nil, sortBy: AttributePath? = nil, descending: Bool = false, startIndex: Int = 1, count: Int = 100, includeMembers: Bool = true) {
        self.filter = filter
        self.sortBy = sortBy
        self.descending = descending
        self.startIndex = startIndex
        self.count = count
        self.includeMembers = includeMembers
    }
}

public struct ResourcePage: Sendable {
    public var totalResults: Int
    public var resources: [StoredResource]

    public init(totalResults: Int, resources: [StoredResource]) {
        self.totalResults = totalResults
        self.resources = resources
    }
}

/// One provisioning request, for the admin's activity view. Never holds a token or a phone number.
public struct ActivityEntry: Sendable, Hashable {
    public var organisation: Organisation.ID
    public var at: Date
    public var method: String
    public var path: String
    public var status: Int
    public var resourceID: String?
    /// The error detail for failed requests.
    public var detail: String?
    /// The client, from `User-Agent` (e.g. "Okta SCIM Client 1.0.0").
    public var client: String?

    /// The most UTF-8 bytes kept of each text: a client may send a 40 KB path or `User-Agent` with every failing
    /// request, and the log must not grow by that much each time.
    public static let maxTextBytes = 512

    /// Texts longer than ``maxTextBytes`` are cut (at a character) and end in "…".
    public init(organisation: Organisation.ID, at: Date, method: String, path: String, status: Int, resourceID: String? = nil, detail: String? = nil, client: String? = nil) {
        self.organisation = organisation
        self.at = at
        self.method = Self.bounded(method)
        self.path = Self.bounded(path)
        self.status = status
        self.resourceID = resourceID.map(Self.bounded)
        self.detail = detail.map(Self.bounded)
        self.client = client.map(Self.bounded)
    }

    private static func bounded(_ text: String) -> String {
        guard text.utf8.count > maxTextBytes else { return text }
        var kept = Substring(text)
        let room = maxTextBytes - "…".utf8.count
        while kept.utf8.count > room { kept = kept.dropLast(max(1, (kept.utf8.count - room) / 4)) }
        return kept + "…"
    }
}
