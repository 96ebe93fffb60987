import Foundation
import HTTPTypes
import Hummingbird
import KlaxonDirectory
import SCIM

/// Locations: list, add, rename, remove, choose the Default, and the synced locations that match none.
extension AdminRoutes {
    struct LocationsModel {
        let csrf: String
        let error: String?
        let locations: [LocationRow]
        let hasUnmatched: Bool
        let unmatched: [UnmatchedRow]
    }

    struct LocationRow {
        let id: Int64
        let name: String
        let isDefault: Bool
    }

    struct UnmatchedRow {
        let name: String
        let userCount: String
        let sample: [UserLink]
        let more: Int?
    }

    struct UserLink {
        let id: String
        let userName: String
        let last: Bool
    }

    /// How many users each unmatched location lists by name.
    static let unmatchedSample = 5

    func locationsPage(_ request: Request, _ context: AdminRequestContext) async throws -> Response {
        try await locationsPage(request, context.requireSession(), error: nil, status: .ok)
    }

    func addLocation(_ request: Request, _ context: AdminRequestContext) async throws -> Response {
        let session = try context.requireSession()
        let org = session.organisation.id
        let location: Location
        do {
            location = try await directory.addLocation(named: context.form.trimmed("name"), in: org)
        } catch let error as SCIMError where error.status != .notFound {
            return try await locationsPage(request, session, error: error.detail, status: .init(code: error.status.rawValue))
        }
        let moved = try await rederive(org, named: [location.name], at: [])
        return AdminViews.redirect("/admin/locations", notice: "Added \(location.name). \(Self.count(moved, "user")) moved to it.")
    }

    func renameLocation(_ request: Request, _ context: AdminRequestContext) async throws -> Response {
        let session = try context.requireSession()
        let org = session.organisation.id
        let id = try numericID(context)
        guard let old = try await directory.locations(in: org).first(where: { $0.id == id }) else { throw AdminError.notFound }
        let renamed: Location
        do {
            renamed = try await directory.renameLocation(id, to: context.form.trimmed("name"), in: org)
        } catch let error as SCIMError where error.status != .notFound {
            return try await locationsPage(request, session, error: error.detail, status: .init(code: error.status.rawValue))
        }
        // Users matched by the old name no longer match; users sending the new name now do.
        let moved = try await rederive(org, named: [old.name, renamed.name], at: [id])
        return AdminViews.redirect(
            "/admin/locations", notice: "Renamed \(old.name) to \(renamed.name). \(Self.count(moved, "user")) changed location.")
    }

    func removeLocation(_ request: Request, _ context: AdminRequestContext) async throws -> Response {
        let session = try context.requireSession()
        let org = session.organisation.id
        let id = try numericID(context)
        guard let location = try await directory.locations(in: org).first(where: { $0.id == id }) else { throw AdminError.notFound }
        do {
            try await directory.removeLocation(id, in: org)
        } catch let error as SCIMError where error.status != .notFound {
            return try await locationsPage(request, session, error: error.detail, status: .init(code: error.status.rawValue))
        }
        return AdminViews.redirect("/admin/locations", notice: "Removed \(location.name). Its users are now at the Default location.")
    }

    func setDefaultLocation(_ context: AdminRequestContext) async throws -> Response {
        let session = try context.requireSession()
        let org = session.organisation.id
        let id = try numericID(context)
        let locations = try await directory.locations(in: org)
        guard let location = locations.first(where: { $0.id == id }) else { throw AdminError.notFound }
        try await directory.setDefaultLocation(id, in: org)
        // Users at the old Default because their location matched none follow the Default.
        let previous = Set(locations.filter(\.isDefault).map(\.id))
        let moved = try await rederive(org, named: [], at: previous)
        return AdminViews.redirect(
            "/admin/locations", notice: "\(location.name) is now the Default location. \(Self.count(moved, "user")) moved to it.")
    }

    private func locationsPage(_ request: Request, _ session: AdminSession, error: String?, status: HTTPResponse.Status) async throws -> Response {
        let org = session.organisation.id
        let locations = try await directory.locations(in: org)
        let unmatched = try await directory.unmatchedLocations(in: org, sample: Self.unmatchedSample)
        let model = LocationsModel(
            csrf: session.csrfToken, error: error,
            locations: locations.map { LocationRow(id: $0.id, name: $0.name, isDefault: $0.isDefault) },
            hasUnmatched: !unmatched.isEmpty,
            unmatched: unmatched.map { group in
                UnmatchedRow(
                    name: group.name, userCount: Self.count(group.userCount, "user"),
                    sample: group.sample.enumerated().map { index, user in
                        UserLink(id: user.id, userName: user.object["userName"]?.stringValue ?? user.id, last: index == group.sample.count - 1)
                    },
                    more: group.userCount > group.sample.count ? group.userCount - group.sample.count : nil)
            })
        return views.page("locations", title: "Locations", model: model, session: session, current: "locations", request: request, status: status)
    }
}
