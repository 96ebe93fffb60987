public import Foundation
public import KlaxonDirectory
import KlaxonMapping
public import SCIM

/// Derives a user's Klaxon profile from the SCIM user as stored: the location in force and the notification
/// phone number in E.164. The SCIM resource itself keeps the values exactly as the identity platform sent them.
///
/// This is the one place the derivation lives, including the rule for locations set by hand: a choice made by an
/// administrator or by the user stays in force through later syncs until the identity platform sends a different
/// location for that user (compared ignoring case and surrounding spaces); then the synced location applies again.
///
/// ```swift
/// let deriver = try ProfileDeriver(defaultPhoneRegion: "GB")
/// var profile = deriver.profile(of: user.object, locations: locations, previous: user.profile)
/// profile = try deriver.choosing(leeds.id, by: .administrator, for: user, locations: locations, at: Date())
/// deriver.reason(for: profile, locations: locations)   // .chosen(…)
/// ```
public struct ProfileDeriver: Sendable {
    private let phones: PhoneNumberNormalizer

    /// Why a user's location in force is what it is, for the admin UI.
    public enum LocationReason: Sendable, Hashable {
        /// Set by hand; stands until the identity platform sends a location other than the choice's `syncedLocation`.
        case chosen(LocationChoice)
        /// The synced location matches a defined location.
        case matched(synced: String)
        /// The synced location matches no defined location, so the Default applies.
        case unmatched(synced: String)
        /// No location was synced, so the Default applies.
        case notSynced
    }

    /// `defaultPhoneRegion` (ISO 3166-1 alpha-2, e.g. `GB`) reads numbers written without a country code.
    public init(defaultPhoneRegion: String?) throws {
        self.phones = try PhoneNumberNormalizer(defaultRegion: defaultPhoneRegion)
    }

    /// The profile of `user` given the organisation's locations: a location set by hand in `previous` if it still
    /// applies, else the defined location the synced one matches (see ``KlaxonDirectory/Location/matchKey(_:)``),
    /// else — unknown or missing — the Default.
    public func profile(of user: JSONObject, locations: [Location], previous: KlaxonProfile? = nil) -> KlaxonProfile {
        let klaxon = user[SchemaURN.klaxonUser]
        let synced = klaxon?["location"]?.stringValue
        let location = Self.match(synced, in: locations) ?? locations.first(where: \.isDefault)

        var profile = KlaxonProfile(syncedLocation: synced, locationID: location?.id)
        if let choice = previous?.locationChoice, Self.sameLocation(choice.syncedLocation, synced),
            locations.contains(where: { $0.id == choice.locationID })
        {
            profile.locationChoice = choice
            profile.locationID = choice.locationID
        }
        if let phone = klaxon?["notificationPhoneNumber"]?.stringValue, !phone.trimmingSpaces().isEmpty {
            switch phones.e164(phone) {
            case .success(let number): profile.phoneE164 = number
            case .failure(let problem): profile.phoneProblem = problem.description
            }
        }
        return profile
    }

    /// The profile of `user` with its location set by hand to `location`, or — for nil — following the identity
    /// platform again. 400 `invalidValue` if the organisation has no such location.
    public func choosing(
        _ location: Location.ID?, by source: LocationChoice.Source, for user: StoredResource, locations: [Location], at date: Date
    ) throws(SCIMError) -> KlaxonProfile {
        var profile = self.profile(of: user.object, locations: locations)
        guard let location else { return profile }
        guard locations.contains(where: { $0.id == location }) else {
            throw .invalidValue("location \(location) does not exist in this organisation")
        }
        profile.locationChoice = LocationChoice(locationID: location, source: source, syncedLocation: profile.syncedLocation, at: date)
        profile.locationID = location
        return profile
    }

    /// Why `profile`'s location is the one in force.
    public func reason(for profile: KlaxonProfile, locations: [Location]) -> LocationReason {
        if let choice = profile.locationChoice { return .chosen(choice) }
        guard let synced = profile.syncedLocation, !synced.trimmingSpaces().isEmpty else { return .notSynced }
        return Self.match(synced, in: locations) == nil ? .unmatched(synced: synced) : .matched(synced: synced)
    }

    private static func match(_ synced: String?, in locations: [Location]) -> Location? {
        guard let synced else { return nil }
        let wanted = Location.matchKey(synced)
        return locations.first { Location.matchKey($0.name) == wanted }
    }

    /// Whether two synced locations name the same place: both missing or empty, or equal by match key.
    private static func sameLocation(_ lhs: String?, _ rhs: String?) -> Bool {
        Location.matchKey(lhs ?? "") == Location.matchKey(rhs ?? "")
    }
}

extension String {
    func trimmingSpaces() -> String {
        var view = Substring(self)
        while let first = view.first, first.isWhitespace { view.removeFirst() }
        while let last = view.last, last.isWhitespace { view.removeLast() }
        return String(view)
    }
}
