import Foundation
import HTTPTypes
import Hummingbird
import KlaxonDirectory
import SCIM

/// Configuration › Synchronisation: the Endpoint URL, tokens, the sync status and the provisioning activity.
extension AdminRoutes {
    struct SynchronisationModel {
        let csrf: String
        let organisation: String
        let endpoint: String
        let newToken: NewToken?
        /// Why the last form was refused, if it was.
        let error: String?
        let hasTokens: Bool
        let tokens: [TokenRow]
        let users: String
        let groups: String
        let lastRequest: String
        let errorCount: Bool
        let errorSummary: String
        let hasActivity: Bool
        let activity: [ActivityRow]
        let emptyActivity: String
        let attributes: [CopyField]
    }

    struct NewToken {
        let label: String
        let secret: String
    }

    struct TokenRow {
        let id: Int64
        /// The label to show: "(no label)" when it is empty.
        let label: String
        /// The label as stored, for the rename field.
        let storedLabel: String
        let hint: String
        let created: String
        let createdISO: String
        let lastUsed: String
        let status: String
        let active: Bool
    }

    struct ActivityRow {
        let time: String
        let iso: String
        let method: String
        let path: String
        let status: Int
        let isError: Bool
        let detail: String?
        let client: String?
        let userLink: String?
    }

    struct ActivityModel {
        let errorsOnly: Bool
        let hasActivity: Bool
        let activity: [ActivityRow]
        let emptyActivity: String
    }

    struct CopyField {
        let id: String
        let label: String
        let value: String
    }

    /// How many recent requests the status panel counts errors in, and how many rows it shows.
    static let statusWindow = 100
    static let activityRows = 10

    /// The Klaxon extension's attributes, as Entra ID (full name) and Okta (namespace and external name) take them.
    static let attributeFields = [
        CopyField(id: "attribute-location", label: "Location (Entra ID)", value: "\(SchemaURN.klaxonUser):location"),
        CopyField(
            id: "attribute-phone", label: "Notification phone number (Entra ID)", value: "\(SchemaURN.klaxonUser):notificationPhoneNumber"),
        CopyField(id: "attribute-namespace", label: "External namespace (Okta)", value: SchemaURN.klaxonUser),
    ]

    func synchronisation(_ request: Request, _ context: AdminRequestContext) async throws -> Response {
        try await synchronisationPage(request, context.requireSession(), newToken: nil, status: .ok)
    }

    func createToken(_ request: Request, _ context: AdminRequestContext) async throws -> Response {
        let session = try context.requireSession()
        let label = String(context.form.trimmed("label").prefix(100))
        let issued: IssuedToken
        do {
            issued = try await directory.issueToken(in: session.organisation.id, label: label)
        } catch let error as SCIMError where error.status != .notFound {
            return try await synchronisationPage(request, session, error: error.detail, status: .init(code: error.status.rawValue))
        }
        // Shown in this response only: the page is not cached, and reloading it later shows the hint alone.
        let shownLabel = issued.record.label.isEmpty ? "without a label" : issued.record.label
        return try await synchronisationPage(request, session, newToken: NewToken(label: shownLabel, secret: issued.secret), status: .created)
    }

    func renameToken(_ request: Request, _ context: AdminRequestContext) async throws -> Response {
        let session = try context.requireSession()
        let id = try numericID(context)
        let label = String(context.form.trimmed("label").prefix(100))
        do {
            guard try await directory.renameToken(id, to: label, in: session.organisation.id) else { throw AdminError.notFound }
        } catch let error as SCIMError where error.status != .notFound {
            return try await synchronisationPage(request, session, error: error.detail, status: .init(code: error.status.rawValue))
        }
        return AdminViews.redirect(
            "/admin/synchronisation", notice: label.isEmpty ? "Token \(id) no longer has a label." : "Token \(id) is now labelled \(label).")
    }

    func revokeToken(_ context: AdminRequestContext) async throws -> Response {
        let session = try context.requireSession()
        let id = try numericID(context)
        guard try await directory.revokeToken(id, in: session.organisation.id) else { throw AdminError.notFound }
        tokens.forget(token: id)
        return AdminViews.redirect(
            "/admin/synchronisation",
            notice: "Token \(id) is revoked. Clients using it are refused now (by other instances of the server within a few seconds).")
    }

    func activity(_ request: Request, _ context: AdminRequestContext) async throws -> Response {
        let session = try context.requireSession()
        let errorsOnly = AdminForm(query: request.uri.query)["errors"] == "only"
        var entries = try await directory.recentActivity(in: session.organisation.id, limit: 500)
        if errorsOnly { entries = entries.filter { $0.status >= 400 } }
        let rows = entries.prefix(200).map(Self.activityRow)
        let model = ActivityModel(
            errorsOnly: errorsOnly, hasActivity: !rows.isEmpty, activity: Array(rows),
            emptyActivity: errorsOnly ? "No failed requests among the recent ones." : "No provisioning requests yet.")
        return views.page("activity", title: "Activity", model: model, session: session, current: "activity", request: request)
    }

    private func synchronisationPage(
        _ request: Request, _ session: AdminSession, newToken: NewToken? = nil, error: String? = nil, status: HTTPResponse.Status
    ) async throws -> Response {
        let org = session.organisation.id
        let tokens = try await directory.tokens(in: org)
        let users = try await directory.queryResources(.user, in: org, ResourceQuery(count: 0)).totalResults
        let groups = try await directory.queryResources(.group, in: org, ResourceQuery(count: 0, includeMembers: false)).totalResults
        let recent = try await directory.recentActivity(in: org, limit: Self.statusWindow)
        let errors = recent.filter { $0.status >= 400 }.count
        let lastUse = tokens.compactMap { token in token.lastUsed.map { (token, $0) } }.max { $0.1 < $1.1 }
        let now = Date()
        let model = SynchronisationModel(
            csrf: session.csrfToken, organisation: session.organisation.name,
            endpoint: "\(rootURL(request))/scim/v2/\(session.organisation.slug)", newToken: newToken, error: error,
            hasTokens: !tokens.isEmpty,
            tokens: tokens.reversed().map { token in
                TokenRow(
                    id: token.id, label: token.label.isEmpty ? "(no label)" : token.label, storedLabel: token.label, hint: token.hint,
                    created: AdminDates.text(token.created), createdISO: AdminDates.iso(token.created),
                    lastUsed: token.lastUsed.map { AdminDates.relative($0, now: now) } ?? "never",
                    status: token.revoked.map { "Revoked \(AdminDates.text($0))" } ?? "Active", active: token.revoked == nil)
            },
            users: String(users), groups: String(groups),
            lastRequest: lastUse.map { "\(AdminDates.relative($0.1, now: now)), with “\($0.0.label.isEmpty ? $0.0.hint + "…" : $0.0.label)”" }
                ?? "none yet",
            errorCount: errors > 0,
            errorSummary: recent.isEmpty ? "none yet" : errors == 0 ? "none in the last \(Self.count(recent.count, "change"))" : "\(errors) of the last \(recent.count)",
            hasActivity: !recent.isEmpty, activity: recent.prefix(Self.activityRows).map(Self.activityRow),
            emptyActivity: "No provisioning requests yet. Once an identity platform connects, its changes and any errors appear here.",
            attributes: Self.attributeFields)
        return views.page(
            "synchronisation", title: "Synchronisation", model: model, session: session, current: "synchronisation", request: request,
            status: status)
    }

    static func activityRow(_ entry: ActivityEntry) -> ActivityRow {
        let isUser = entry.path.contains("/Users/") || entry.path.hasSuffix("/Users")
        return ActivityRow(
            time: AdminDates.text(entry.at), iso: AdminDates.iso(entry.at), method: entry.method, path: entry.path, status: entry.status,
            isError: entry.status >= 400, detail: entry.detail, client: entry.client,
            userLink: isUser && entry.method != "DELETE" && entry.status < 400 ? entry.resourceID.map { "/admin/users/\($0)" } : nil)
    }
}
