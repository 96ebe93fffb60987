import ArgumentParser
import Foundation
import KlaxonMapping
import SCIM

struct MapCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "map",
        abstract: "Preview the SCIM payload a mapping file produces for one source record.",
        discussion: """
            Example:
              klaxon-sync map --mapping Mappings/entra-id.yaml \\
                --record '{"userPrincipalName":"ada@contoso.com","city":"Leeds","mobile":"+44 7911 123456","accountEnabled":true}'
            """
    )

    @Option(help: "The mapping file.")
    var mapping: String

    @Option(help: "The source record as a JSON object, or @file to read it from a file.")
    var record: String

    @Option(help: "Which object mapping to use (users, groups); the first one by default.")
    var object: String?

    @Option(help: "create or update: attributes with 'apply: on-create' appear only on create.")
    var mode: MappingMode = .create

    func run() throws {
        let text = record.hasPrefix("@") ? try String(contentsOfFile: String(record.dropFirst()), encoding: .utf8) : record
        let parsed: JSONValue
        do {
            parsed = try JSONParser.parse(text)
        } catch {
            throw ValidationError("--record is not valid JSON: \(error)")
        }
        guard let source = parsed.objectValue else { throw ValidationError("--record must be a JSON object, e.g. '{\"city\":\"Leeds\"}'") }
        let engine = try MappingEngine.load(contentsOf: mapping, object: object)
        let mapped = try engine.map(record: source, mode: mode)
        guard mapped.isInScope else {
            print("The record is out of the mapping's scope: nothing would be provisioned (an existing match would be disabled).")
            return
        }
        print(JSONPretty.string(.object(mapped.resource)))
    }
}

extension MappingMode: ExpressibleByArgument {}

/// Indented JSON for people to read.
enum JSONPretty {
    static func string(_ value: JSONValue, indent: String = "") -> String {
        let inner = indent + "  "
        switch value {
        case .array(let items) where !items.isEmpty:
            return "[\n" + items.map { inner + string($0, indent: inner) }.joined(separator: ",\n") + "\n\(indent)]"
        case .object(let object) where !object.isEmpty:
            let members = object.members.map { inner + JSONWriter.string(from: .string($0.key)) + ": " + string($0.value, indent: inner) }
            return "{\n" + members.joined(separator: ",\n") + "\n\(indent)}"
        default:
            return JSONWriter.string(from: value)
        }
    }
}
