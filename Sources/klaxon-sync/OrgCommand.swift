import ArgumentParser
import KlaxonDirectory

struct OrgCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "org",
        abstract: "Create and list organisations; each has its own Endpoint URL, tokens, locations, users and groups.",
        subcommands: [Create.self, List.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an organisation with a Default location.")

        @OptionGroup var database: DatabaseOptions

        @Argument(help: "The slug used in the Endpoint URL (/scim/v2/<slug>): lowercase letters, digits and '-'.")
        var slug: String

        @Option(help: "A display name; defaults to the slug.")
        var name: String?

        func validate() throws {
            guard !slug.isEmpty, slug.count <= 63,
                slug.allSatisfy({ ($0 >= "a" && $0 <= "z") || ($0 >= "0" && $0 <= "9") || $0 == "-" }),
                slug.first != "-", slug.last != "-"
            else {
                throw ValidationError("'\(slug)' is not a valid slug: use 1–63 lowercase letters, digits and '-', e.g. 'acme-uk'.")
            }
        }

        func run() async throws {
            let organisation = try await withDirectory(database) { try await $0.createOrganisation(slug: slug, name: name ?? slug) }
            print("Created organisation '\(organisation.slug)' (\(organisation.name)) with a Default location.")
            print("Next: klaxon-sync token create --org \(organisation.slug)")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List organisations.")

        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let organisations = try await withDirectory(database) { try await $0.organisations() }
            for organisation in organisations {
                print("\(organisation.slug)\t\(organisation.name)")
            }
        }
    }
}
