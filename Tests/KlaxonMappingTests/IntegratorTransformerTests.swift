import Foundation
import SCIM
import Testing
import KlaxonMapping  // deliberately not @testable: an integrator has only the public API

/// A transformer written the way an integrator writes one, outside the module: Acme's badge numbers are
/// the employee number padded to a width, with a site prefix.
struct AcmeBadgeNumber: Transformer {
    static let id = "acme.badge"
    static let summary = "Acme badge number: a site prefix and the employee number padded with zeros."
    static let parameters = [
        TransformerParameter("site", .oneOf(["LDS", "MAN", "NYC"]), required: true, summary: "the site prefix"),
        TransformerParameter("width", .integer, summary: "digits after the prefix (default 6)"),
    ]

    let site: String
    let width: Int

    init(arguments: TransformerArguments) throws(TransformerError) {
        site = arguments.string("site") ?? ""
        width = arguments.integer("width") ?? 6
        guard (1...12).contains(width) else { throw TransformerError("width must be 1 to 12", argument: "width") }
    }

    func transform(_ value: JSONValue, context: TransformContext) throws(TransformerError) -> TransformOutcome {
        guard let digits = value.stringValue ?? value.intValue.map(String.init), !digits.isEmpty else { return .skipAttribute }
        guard digits.allSatisfy(\.isNumber), digits.count <= width else {
            throw TransformerError("\"\(digits)\" is not an employee number of at most \(width) digits")
        }
        return .value(.string(site + String(repeating: "0", count: width - digits.count) + digits))
    }
}

@Suite struct IntegratorTransformerTests {
    static let file = """
        apiVersion: klaxon.sync/v1
        kind: MappingSet
        source: { system: custom }
        target: { schemas: [urn:ietf:params:scim:schemas:core:2.0:User, urn:ietf:params:scim:schemas:extension:enterprise:2.0:User] }
        objectMappings:
          - name: staff
            source: { object: person, attributes: [Login, Number] }
            target: { resource: User }
            mappings:
              - { target: userName, type: direct, source: Login, match: { precedence: 1 } }
              - target: urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber
                type: direct
                source: Number
                transform:
                  - use: acme.badge
                    with: { site: LDS, width: 5 }
        examples:
          - name: a badge
            source: { Login: kim, Number: 42 }
            expect:
              userName: kim
              urn:ietf:params:scim:schemas:extension:enterprise:2.0:User: { employeeNumber: LDS00042 }

        """

    private var registry: TransformerRegistry {
        var registry = TransformerRegistry.standard
        registry.register(AcmeBadgeNumber.self)
        return registry
    }

    @Test func isRegisteredAndUsedFromYAML() throws {
        let contents = MappingFileReader.read(text: Self.file, file: "acme.yaml")
        let mappingSet = try #require(contents.mappingSet)
        let engine = try MappingEngine(mappingSet: mappingSet, transformers: registry)
        let mapped = try engine.map(record: ["Login": "kim", "Number": "731"])
        #expect(mapped.resource[SchemaURN.enterpriseUser]?["employeeNumber"] == "LDS00731")
    }

    @Test func lintKnowsItsParametersAndRunsTheExample() {
        var options = LintOptions()
        options.transformers = registry
        #expect(MappingLinter.lint(text: Self.file, file: "acme.yaml", options: options).isEmpty)

        let wrong = Self.file.replacingOccurrences(of: "{ site: LDS, width: 5 }", with: "{ site: LEEDS, width: 99 }")
        let diagnostics = MappingLinter.lint(text: wrong, file: "acme.yaml", options: options)
        #expect(diagnostics.map(\.rule) == [.transformerArguments])
        #expect(diagnostics.first?.location == FileLocation(line: 16, column: 27, length: 5))
        #expect(diagnostics.first?.message == "acme.badge argument \"site\" must be one of LDS, MAN, NYC, not \"LEEDS\"")

        let tooWide = Self.file.replacingOccurrences(of: "width: 5", with: "width: 99")
        let initFailure = MappingLinter.lint(text: tooWide, file: "acme.yaml", options: options)
        #expect(initFailure.map(\.message) == ["acme.badge: width must be 1 to 12"])
        #expect(initFailure.first?.location == FileLocation(line: 16, column: 39, length: 2))
    }

    @Test func withoutRegistrationItIsAnUnknownTransformer() {
        let diagnostics = MappingLinter.lint(text: Self.file, file: "acme.yaml")
        #expect(diagnostics.map(\.rule) == [.unknownTransformer])
        #expect(diagnostics.first?.location == FileLocation(line: 15, column: 18, length: 10))
    }

    @Test func itsErrorsFailTheRecord() throws {
        let mappingSet = try #require(MappingFileReader.read(text: Self.file, file: "acme.yaml").mappingSet)
        let engine = try MappingEngine(mappingSet: mappingSet, transformers: registry)
        #expect {
            try engine.map(record: ["Login": "kim", "Number": "1234567"])
        } throws: { error in
            guard let error = error as? MappingError else { return false }
            return error.kind == .invalidRecord
                && error.target == "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber"
                && error.scimError.status == .badRequest && error.scimError.scimType == .invalidValue
        }
    }
}
