public import KlaxonDirectory

extension Directory {
    /// Moves the users a location change concerns — those synced to one of `names`, or at one of the locations
    /// `ids` — to the location now in force for them, and says how many moved. Run it after adding, renaming or
    /// making Default a location (removing one moves its users itself).
    ///
    /// ```swift
    /// let leeds = try await directory.addLocation(named: "Leeds", in: org)
    /// let moved = try await directory.relocateUsers(in: org, named: [leeds.name], at: [], profiles: profiles)
    /// ```
    public func relocateUsers(
        in organisation: Organisation.ID, named names: Set<String>, at ids: Set<Location.ID>, profiles: ProfileDeriver
    ) async throws -> Int {
        try await updateProfiles(in: organisation, of: .locations(named: names, ids: ids)) { user, locations in
            profiles.relocating(user, locations: locations)
        }
    }
}
