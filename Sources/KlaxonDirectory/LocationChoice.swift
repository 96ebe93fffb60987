public import Foundation
import SCIM

/// A location set by hand for one user, by an administrator or by the user. It stays in force through later syncs
/// until the identity platform sends a location other than ``syncedLocation`` for that user.
///
/// ```swift
/// let choice = LocationChoice(locationID: leeds.id, source: .administrator, syncedLocation: "London", at: Date())
/// ```
public struct LocationChoice: Sendable, Hashable {
    public enum Source: String, Sendable, Hashable {
        case administrator
        case user
    }

    public var locationID: Location.ID
    public var source: Source
    /// The location the identity platform had sent when the choice was made (nil if none).
    public var syncedLocation: String?
    public var at: Date

    public init(locationID: Location.ID, source: Source, syncedLocation: String?, at: Date) {
        self.locationID = locationID
        self.source = source
        self.syncedLocation = syncedLocation
        self.at = at
    }
}

/// Which users' profiles ``Directory/updateProfiles(in:of:_:)`` re-computes.
public enum ProfileSelection: Sendable, Hashable {
    /// One user.
    case user(id: String)
    /// Users whose synced location has one of these names (compared by ``Location/matchKey(_:)``), or whose
    /// location in force is one of these ids.
    case locations(named: Set<String>, ids: Set<Location.ID>)
}

/// A location name identity platforms send that no defined location matches, with the users who have it.
public struct UnmatchedLocation: Sendable, Hashable {
    /// The name as one of the users has it (trimmed).
    public var name: String
    public var userCount: Int
    /// The first few of those users, in creation order.
    public var sample: [StoredResource]

    public init(name: String, userCount: Int, sample: [StoredResource]) {
        self.name = name
        self.userCount = userCount
        self.sample = sample
    }
}

extension Location {
    /// The form location names are matched in (``KlaxonLocationName/matchKey(_:)``): " leeds" matches "Leeds" and
    /// "Zu\u{308}rich" matches "ZÜRICH".
    public static func matchKey(_ name: String) -> String {
        KlaxonLocationName.matchKey(name)
    }
}
