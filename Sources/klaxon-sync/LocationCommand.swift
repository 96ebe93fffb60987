import ArgumentParser
import KlaxonDirectory

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
            let location = try await withDirectory(database) { directory in
                try await directory.addLocation(named: name, in: try await organisation.resolve(in: directory).id)
            }
            print("Added location \(location.id): \(location.name)")
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
            let location = try await withDirectory(database) { directory in
                try await directory.renameLocation(id, to: name, in: try await organisation.resolve(in: directory).id)
            }
            print("Renamed location \(location.id) to \(location.name)")
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
            try await withDirectory(database) { directory in
                try await directory.setDefaultLocation(id, in: try await organisation.resolve(in: directory).id)
            }
            print("Location \(id) is now the Default.")
        }
    }
}
