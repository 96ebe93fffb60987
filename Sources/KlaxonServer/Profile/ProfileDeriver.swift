public import KlaxonDirectory
import KlaxonMapping
public import SCIM

/// Derives a user's Klaxon profile from the SCIM user as stored: the location in force and the notification
/// phone number in E.164. The SCIM resource itself keeps the values exactly as the identity platform sent them.
///
/// This is the one place the derivation lives; the mapping framework replaces it with `Mappings/klaxon-profile.yaml`.
public struct ProfileDeriver: Sendable {
    private let phones: PhoneNumberNormalizer

    /// `defaultPhoneRegion` (ISO 3166-1 alpha-2, e.g. `GB`) reads numbers written without a country code.
    public init(defaultPhoneRegion: String?) throws {
        self.phones = try PhoneNumberNormalizer(defaultRegion: defaultPhoneRegion)
    }

    /// The profile of `user` given the organisation's locations: a location that matches a defined one
    /// (ignoring case and surrounding spaces) is used, anything else — unknown or missing — gives the Default.
    public func profile(of user: JSONObject, locations: [Location]) -> KlaxonProfile {
        let klaxon = user[SchemaURN.klaxonUser]
        let synced = klaxon?["location"]?.stringValue
        let wanted = synced?.trimmingSpaces().lowercased()
        let match = wanted.flatMap { name in locations.first { $0.name.lowercased() == name } }
        let location = match ?? locations.first(where: \.isDefault)

        var profile = KlaxonProfile(syncedLocation: synced, locationID: location?.id)
        if let phone = klaxon?["notificationPhoneNumber"]?.stringValue, !phone.trimmingSpaces().isEmpty {
            switch phones.e164(phone) {
            case .success(let number): profile.phoneE164 = number
            case .failure(let problem): profile.phoneProblem = problem.description
            }
        }
        return profile
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
