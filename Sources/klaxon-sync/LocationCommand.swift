import ArgumentParser
import KlaxonDirectory
import KlaxonServer

struct LocationCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "location",
        abstract: "Manage an organisation's locations. A user whose location matches none gets the Default one.",
        subcommands: [Add.self, List.self, Rename.self, Remove.self, SetDefault.self]
    )

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Define a location, e.g. 'Leeds'.")
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var organisation: OrganisationOption
        @Argument(help: "The location's name, as identity platforms send it (matched ignoring case).") var name: String

        func run() async throws {
            let (location, moved) = try await withDirectory(database) { directory in
                let org = try await organisation.resolve(in: directory).id
                let location = try await directory.addLocation(named: name, in: org)
                return (location, try await directory.relocateUsers(in: org, named: [location.name], at: [], profiles: try relocator()))
            }
            print("Added location \(location.id): \(location.name). \(users(moved)) moved to it.")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List locations; the Default is marked.")
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var organisation: OrganisationOption

        func run() async throws {
            let locations = try await withDirectory(database) { directory in
                try await directory.locations(in: try await organisation.resolve(in: directory).id)
            }
            for location in locations {
                print("\(location.id)\t\(location.name)\(location.isDefault ? "\t(default)" : "")")
            }
        }
    }

    struct Rename: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Rename a location.")
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var organisation: OrganisationOption
        @Argument(help: "The location id from 'klaxon-sync location list'.") var id: Int64
        @Argument(help: "The new name.") var name: String

        func run() async throws {
            let (location, moved) = try await withDirectory(database) { directory in
                let org = try await organisation.resolve(in: directory).id
                let old = try await directory.locations(in: org).first { $0.id == id }
                let location = try await directory.renameLocation(id, to: name, in: org)
                // Users matched by the old name no longer match; users sending the new name now do.
                let names = Set([old?.name, location.name].compactMap { $0 })
                return (location, try await directory.relocateUsers(in: org, named: names, at: [id], profiles: try relocator()))
            }
            print("Renamed location \(location.id) to \(location.name). \(users(moved)) changed location.")
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a location; its users fall back to the Default.")
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var organisation: OrganisationOption
        @Argument(help: "The location id from 'klaxon-sync location list'.") var id: Int64

        func run() async throws {
            try await withDirectory(database) { directory in
                try await directory.removeLocation(id, in: try await organisation.resolve(in: directory).id)
            }
            print("Removed location \(id).")
        }
    }

    struct SetDefault: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "set-default", abstract: "Make a location the Default.")
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var organisation: OrganisationOption
        @Argument(help: "The location id from 'klaxon-sync location list'.") var id: Int64

        func run() async throws {
            let moved = try await withDirectory(database) { directory in
                let org = try await organisation.resolve(in: directory).id
                let previous = Set(try await directory.locations(in: org).filter(\.isDefault).map(\.id))
                try await directory.setDefaultLocation(id, in: org)
                // Users at the old Default because their location matched none follow the Default.
                return try await directory.relocateUsers(in: org, named: [], at: previous, profiles: try relocator())
            }
            print("Location \(id) is now the Default. \(users(moved)) moved to it.")
        }
    }
}

/// Works users' locations out again after a location change. The phone region does not matter: only the location
/// is worked out again (``KlaxonServer/ProfileDeriver/relocating(_:locations:)``).
private func relocator() throws -> ProfileDeriver {
    try ProfileDeriver(defaultPhoneRegion: nil)
}

/// "1 user" or "3 users".
private func users(_ count: Int) -> String {
    "\(count) user\(count == 1 ? "" : "s")"
}
