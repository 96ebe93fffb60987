import Foundation
import HTTPTypes
import Hummingbird
import KlaxonDirectory
import SCIM

/// Users and groups: search, paging, and a user's synced values beside the Klaxon profile.
extension AdminRoutes {
    struct ListModel {
        let heading: String
        let path: String
        let noun: String
        let placeholder: String
        let query: String
        let summary: String
        let columns: [String]
        let firstColumn: String
        let hasRows: Bool
        let rows: [ListRow]
        let paging: Paging?
    }

    struct ListRow {
        let name: String
        let link: String?
        let disabled: Bool
        let cells: [Cell]
    }

    struct Cell {
        let label: String
        let value: String
    }

    /// A labelled value that may be missing.
    struct Field {
        let label: String
        let value: String?
    }

    struct Paging {
        let page: Int
        let pages: Int
        let previous: String?
        let next: String?
    }

    struct UserModel {
        let csrf: String
        let id: String
        let userName: String
        let active: Bool
        let error: String?
        let synced: [Field]
        let location: String
        let locationReason: String
        let phone: String?
        let phoneProblem: String?
        let groups: [String]
        let chosen: Bool
        let locations: [LocationOption]
        let json: String
    }

    struct LocationOption {
        let id: Int64
        let name: String
        let selected: Bool
    }

    static let pageSize = 25

    func usersPage(_ request: Request, _ context: AdminRequestContext) async throws -> Response {
        let session = try context.requireSession()
        let parameters = AdminForm(query: request.uri.query)
        let search = String(parameters.trimmed("q").prefix(200))
        let filter = search.isEmpty ? nil : Self.anyOf(
            [
                .compare(AttributePath(name: "userName"), .co, .string(search)),
                .compare(AttributePath(name: "displayName"), .co, .string(search)),
                .compare(AttributePath(name: "emails", subAttribute: "value"), .co, .string(search)),
                .compare(AttributePath(name: "externalId"), .eq, .string(search)),
            ])
        let (page, result) = try await listPage(.user, session, filter: filter, sortBy: "userName", parameters: parameters)
        let names = Dictionary(uniqueKeysWithValues: try await directory.locations(in: session.organisation.id).map { ($0.id, $0.name) })
        let rows = result.resources.map { user in
            let active = user.object["active"]?.boolValue ?? true
            return ListRow(
                name: user.object["userName"]?.stringValue ?? user.id, link: "/admin/users/\(user.id)", disabled: !active,
                cells: [
                    Cell(label: "Display name", value: user.object["displayName"]?.stringValue ?? ""),
                    Cell(label: "Email", value: Self.primaryEmail(user.object) ?? ""),
                    Cell(label: "Location", value: user.profile?.locationID.flatMap { names[$0] } ?? ""),
                    Cell(label: "Status", value: active ? "Active" : "Disabled"),
                ])
        }
        let model = ListModel(
            heading: "Users", path: "/admin/users", noun: "users", placeholder: "userName, name or email", query: search,
            summary: Self.summary(result.totalResults, "user", search: search), columns: ["User name", "Display name", "Email", "Location", "Status"],
            firstColumn: "User name", hasRows: !rows.isEmpty, rows: rows,
            paging: Self.paging(page: page, total: result.totalResults, path: "/admin/users", search: search))
        return views.page("users", title: "Users", model: model, session: session, current: "users", request: request)
    }

    func groupsPage(_ request: Request, _ context: AdminRequestContext) async throws -> Response {
        let session = try context.requireSession()
        let parameters = AdminForm(query: request.uri.query)
        let search = String(parameters.trimmed("q").prefix(200))
        let filter = search.isEmpty ? nil : Self.anyOf(
            [
                .compare(AttributePath(name: "displayName"), .co, .string(search)),
                .compare(AttributePath(name: "externalId"), .eq, .string(search)),
            ])
        let (page, result) = try await listPage(.group, session, filter: filter, sortBy: "displayName", parameters: parameters)
        let rows = result.resources.map { group in
            ListRow(
                name: group.object["displayName"]?.stringValue ?? group.id, link: nil, disabled: false,
                cells: [
                    Cell(label: "External ID", value: group.object["externalId"]?.stringValue ?? ""),
                    Cell(label: "Last changed", value: group.object["meta"]?["lastModified"]?.stringValue ?? ""),
                ])
        }
        let model = ListModel(
            heading: "Groups", path: "/admin/groups", noun: "groups", placeholder: "group name", query: search,
            summary: Self.summary(result.totalResults, "group", search: search), columns: ["Name", "External ID", "Last changed"],
            firstColumn: "Name", hasRows: !rows.isEmpty, rows: rows,
            paging: Self.paging(page: page, total: result.totalResults, path: "/admin/groups", search: search))
        return views.page("users", title: "Groups", model: model, session: session, current: "groups", request: request)
    }

    func userPage(_ request: Request, _ context: AdminRequestContext) async throws -> Response {
        try await userPage(request, context.requireSession(), id: context.parameters.get("id") ?? "", error: nil, status: .ok)
    }

    func setUserLocation(_ request: Request, _ context: AdminRequestContext) async throws -> Response {
        let session = try context.requireSession()
        let id = context.parameters.get("id") ?? ""
        let field = context.form.trimmed("location")
        let choice: Location.ID?
        if field.isEmpty {
            choice = nil
        } else if let number = Int64(field) {
            choice = number
        } else {
            return try await userPage(request, session, id: id, error: "Choose a location from the list.", status: .badRequest)
        }
        let profiles = self.profiles
        let now = Date()
        do {
            _ = try await directory.updateProfiles(in: session.organisation.id, of: .user(id: id)) { user, locations in
                try profiles.choosing(choice, by: .administrator, for: user, locations: locations, at: now)
            }
        } catch let error as SCIMError where error.status != .notFound {
            return try await userPage(request, session, id: id, error: error.detail, status: .init(code: error.status.rawValue))
        }
        let notice = choice == nil ? "The location follows the identity platform again." : "Location saved."
        return AdminViews.redirect("/admin/users/\(id)", notice: notice)
    }

    private func userPage(_ request: Request, _ session: AdminSession, id: String, error: String?, status: HTTPResponse.Status) async throws -> Response {
        let org = session.organisation.id
        guard let user = try await directory.resource(.user, id: id, in: org, includeMembers: false) else { throw AdminError.notFound }
        let locations = try await directory.locations(in: org)
        let profile = user.profile ?? KlaxonProfile()
        let names = Dictionary(uniqueKeysWithValues: locations.map { ($0.id, $0.name) })
        let klaxon = user.object[SchemaURN.klaxonUser]
        let active = user.object["active"]?.boolValue ?? true
        let name = user.object["name"]?["formatted"]?.stringValue
            ?? [user.object["name"]?["givenName"]?.stringValue, user.object["name"]?["familyName"]?.stringValue].compactMap { $0 }
            .joined(separator: " ")
        var json = user.object
        json.removeValue(forKey: "meta")
        let model = UserModel(
            csrf: session.csrfToken, id: user.id, userName: user.object["userName"]?.stringValue ?? user.id, active: active, error: error,
            synced: [
                Cell(label: "User name", value: user.object["userName"]?.stringValue ?? ""),
                Cell(label: "Display name", value: user.object["displayName"]?.stringValue ?? ""),
                Cell(label: "Name", value: name),
                Cell(label: "Email", value: Self.primaryEmail(user.object) ?? ""),
                Cell(label: "External ID", value: user.object["externalId"]?.stringValue ?? ""),
                Cell(label: "Active", value: user.object["active"].map { $0.boolValue == false ? "false" : "true" } ?? ""),
                Cell(label: "Location", value: klaxon?["location"]?.stringValue ?? ""),
                Cell(label: "Notification phone number", value: klaxon?["notificationPhoneNumber"]?.stringValue ?? ""),
                Cell(label: "Last changed", value: user.object["meta"]?["lastModified"]?.stringValue ?? ""),
            ].map { Field(label: $0.label, value: $0.value.isEmpty ? nil : $0.value) },
            location: profile.locationID.flatMap { names[$0] } ?? "none",
            locationReason: Self.explain(profiles.reason(for: profile, locations: locations), names: names),
            phone: profile.phoneE164, phoneProblem: profile.phoneProblem,
            groups: (user.object["groups"]?.arrayValue ?? []).compactMap { $0["display"]?.stringValue ?? $0["value"]?.stringValue },
            chosen: profile.locationChoice != nil,
            locations: locations.map { LocationOption(id: $0.id, name: $0.name, selected: $0.id == profile.locationChoice?.locationID) },
            json: JSONWriter.string(from: .object(json)))
        return views.page("user", title: user.object["userName"]?.stringValue ?? "User", model: model, session: session, current: "users", request: request, status: status)
    }

    // MARK: Helpers

    private func listPage(
        _ kind: ResourceKind, _ session: AdminSession, filter: Filter?, sortBy: String, parameters: AdminForm
    ) async throws -> (Int, ResourcePage) {
        // Bounded above too: a page number near Int.max would overflow the start index and stop the server.
        let page = min(max(1, Int(parameters.trimmed("page")) ?? 1), Int.max / Self.pageSize)
        let query = ResourceQuery(
            filter: filter, sortBy: AttributePath(name: sortBy), startIndex: (page - 1) * Self.pageSize + 1, count: Self.pageSize,
            includeMembers: false)
        return (page, try await directory.queryResources(kind, in: session.organisation.id, query))
    }

    static func anyOf(_ filters: [Filter]) -> Filter? {
        guard let first = filters.first else { return nil }
        return filters.dropFirst().reduce(first) { .or($0, $1) }
    }

    static func primaryEmail(_ object: JSONObject) -> String? {
        let emails = object["emails"]?.arrayValue ?? []
        let primary = emails.first { $0["primary"]?.boolValue == true } ?? emails.first
        return primary?["value"]?.stringValue
    }

    static func summary(_ total: Int, _ noun: String, search: String) -> String {
        search.isEmpty ? "\(count(total, noun)) provisioned." : "\(count(total, noun)) match “\(search)”."
    }

    static func paging(page: Int, total: Int, path: String, search: String) -> Paging? {
        let pages = max(1, (total + pageSize - 1) / pageSize)
        guard pages > 1 || page > 1 else { return nil }
        func link(_ number: Int) -> String {
            var query = "page=\(number)"
            if !search.isEmpty {
                let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
                query = "q=\(search.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")&" + query
            }
            return "\(path)?\(query)"
        }
        return Paging(
            page: page, pages: pages, previous: page > 1 ? link(min(page - 1, pages)) : nil, next: page < pages ? link(page + 1) : nil)
    }

    /// Why the location in force is what it is, in a sentence.
    static func explain(_ reason: ProfileDeriver.LocationReason, names: [Location.ID: String]) -> String {
        switch reason {
        case .chosen(let choice):
            let who = choice.source == .administrator ? "an administrator" : "the user"
            let basis = choice.syncedLocation.map { "“\($0)”" } ?? "no location"
            return "Set by \(who) on \(AdminDates.text(choice.at)). It stays until the identity platform sends a location other than \(basis)."
        case .matched(let synced):
            return "The identity platform sends “\(synced)”, which matches this location."
        case .unmatched(let synced):
            return "The identity platform sends “\(synced)”, which matches no location, so the Default applies. Add it on the Locations page."
        case .notSynced:
            return "The identity platform sends no location, so the Default applies."
        }
    }
}
