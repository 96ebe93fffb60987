public import Foundation
public import KlaxonDirectory
import KlaxonMapping
public import SCIM

/// Derives a user's Klaxon profile from the SCIM user as stored: the location in force and the notification
/// phone number in E.164. The SCIM resource itself keeps the values exactly as the identity platform sent them.
///
/// The derivation is a mapping file, `klaxon-profile.yaml` (compiled into the binary; `Mappings/` links to it), run
/// by the same engine and transformers as every other mapping: `klaxon.location` resolves the synced location
/// against the organisation's locations, `phone.e164` normalises the number. What stays here is the rule for
/// locations set by hand, which depends on the stored profile rather than on the user: a choice made by an
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
    private let engine: MappingEngine
    private let defaultPhoneRegion: String?
    /// Only to say why a number could not be normalised, for the admin UI; the mapping decides the number.
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
        self.defaultPhoneRegion = phones.defaultRegion
        let contents = MappingFileReader.read(bytes: PackageResources.klaxon_profile_yaml, file: "klaxon-profile.yaml")
        guard let mappingSet = contents.mappingSet else {
            throw MappingError(.invalidFile, "klaxon-profile.yaml cannot be read", diagnostics: contents.diagnostics)
        }
        self.engine = try MappingEngine(mappingSet: mappingSet)
    }

    /// The profile of `user` given the organisation's locations: a location set by hand in `previous` if it still
    /// applies, else the defined location the synced one matches (see ``KlaxonDirectory/Location/matchKey(_:)``),
    /// else — unknown or missing — the Default.
    public func profile(of user: JSONObject, locations: [Location], previous: KlaxonProfile? = nil) -> KlaxonProfile {
        let klaxon = user[SchemaURN.klaxonUser]
        let synced = klaxon?["location"]?.stringValue
        let known = Self.klaxonLocations(locations)
        var values: JSONObject = [:]
        if let defaultPhoneRegion { values["defaultRegion"] = .string(defaultPhoneRegion) }
        let derived = (try? engine.map(record: user, context: TransformContext(locations: known, values: values)))?.resource[SchemaURN.klaxonUser]
        let resolved = derived?["location"]?.stringValue
        let location = locations.first { $0.name == resolved } ?? locations.first(where: \.isDefault)

        var profile = KlaxonProfile(syncedLocation: synced, locationID: location?.id)
        if let choice = previous?.locationChoice, Self.sameLocation(choice.syncedLocation, synced),
            locations.contains(where: { $0.id == choice.locationID })
        {
            profile.locationChoice = choice
            profile.locationID = choice.locationID
        }
        profile.phoneE164 = derived?["notificationPhoneNumber"]?.stringValue
        if profile.phoneE164 == nil, let phone = klaxon?["notificationPhoneNumber"]?.stringValue, !phone.trimmingSpaces().isEmpty,
            case .failure(let problem) = phones.e164(phone)
        {
            profile.phoneProblem = problem.description
        }
        return profile
    }

    /// `user`'s stored profile with its location worked out again from `locations`, after they changed. The phone
    /// number does not depend on them and keeps its stored form, so this gives the same answer whatever phone region
    /// the caller (a server, or the admin command line) was given.
    public func relocating(_ user: StoredResource, locations: [Location]) -> KlaxonProfile {
        var profile = self.profile(of: user.object, locations: locations, previous: user.profile)
        profile.phoneE164 = user.profile?.phoneE164
        profile.phoneProblem = user.profile?.phoneProblem
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
        return Self.klaxonLocations(locations).match(synced) == nil ? .unmatched(synced: synced) : .matched(synced: synced)
    }

    /// The organisation's locations as the `klaxon.location` transformer sees them.
    private static func klaxonLocations(_ locations: [Location]) -> KlaxonLocations {
        KlaxonLocations(
            names: locations.filter { !$0.isDefault }.map(\.name), defaultName: locations.first(where: \.isDefault)?.name ?? "")
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
