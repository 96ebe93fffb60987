import Testing
@testable import SCIM

@Suite struct DiscoveryTests {
    static let base = "https://klaxon.example/scim/v2/acme"
    static let acme = "urn:ietf:params:scim:schemas:extension:acme:2.0:User"

    /// Every value in the document, at any depth.
    static func allValues(_ value: JSONValue) -> [JSONValue] {
        switch value {
        case .array(let items): return [value] + items.flatMap(allValues)
        case .object(let object): return [value] + object.members.flatMap { allValues($0.value) }
        default: return [value]
        }
    }

    static func registryWithAcme() throws -> SchemaRegistry {
        var registry = SchemaRegistry.standard
        try registry.declareExtension(
            Schema(id: acme, name: "AcmeUser", description: "Acme badge data", attributes: [SchemaAttribute(name: "badge", type: .string)]),
            on: "User")
        return registry
    }

    // MARK: /ServiceProviderConfig

    /// What Okta's SPEC test reads: each feature's `supported`, the bulk and filter limits, and the first
    /// authentication scheme's `type` and `description`.
    @Test func serviceProviderConfigHasWhatOktaChecks() throws {
        let config = ServiceProviderConfig(bulk: .init(maxOperations: 500, maxPayloadSize: 2_097_152), list: .init(maxResults: 200))
        let json = config.json(baseURL: Self.base)
        #expect(json["schemas"] == [.string(SchemaURN.serviceProviderConfig)])
        #expect(json["patch"] == ["supported": true])
        #expect(json["bulk"] == ["supported": true, "maxOperations": 500, "maxPayloadSize": 2_097_152])
        #expect(json["filter"] == ["supported": true, "maxResults": 200])
        #expect(json["changePassword"] == ["supported": false])
        #expect(json["sort"] == ["supported": true])
        #expect(json["etag"] == ["supported": true])
        let scheme = try #require(json["authenticationSchemes"]?.arrayValue?.first)
        #expect(scheme["type"] == "oauthbearertoken")
        #expect(scheme["name"] == "OAuth Bearer Token")
        #expect(scheme["description"]?.stringValue?.isEmpty == false)
        #expect(scheme["specUri"] == "https://www.rfc-editor.org/info/rfc6750")
        #expect(scheme["primary"] == true)
        #expect(json["meta"] == ["resourceType": "ServiceProviderConfig", "location": .string("\(Self.base)/ServiceProviderConfig")])
        #expect(json["documentationUri"] == nil)
        #expect(!Self.allValues(json).contains(.null))
    }

    @Test func withoutBulkTheLimitsAreZero() {
        let json = ServiceProviderConfig(patchSupported: false, changePasswordSupported: true).json()
        #expect(json["bulk"] == ["supported": false, "maxOperations": 0, "maxPayloadSize": 0])
        #expect(json["filter"]?["maxResults"] == .integer(ListQuery.Limits.default.maxResults))
        #expect(json["patch"] == ["supported": false])
        #expect(json["changePassword"] == ["supported": true])
        #expect(json["meta"] == ["resourceType": "ServiceProviderConfig"])
    }

    // MARK: /Schemas

    @Test func schemasListTheKlaxonExtension() throws {
        let json = ListResponse.schemas(of: .standard, baseURL: Self.base).json
        #expect(json["totalResults"] == 4)
        #expect(json["itemsPerPage"] == 4)
        let resources = try #require(json["Resources"]?.arrayValue)
        #expect(resources.map { $0["id"] } == [
            .string(SchemaURN.user), .string(SchemaURN.group), .string(SchemaURN.enterpriseUser), .string(SchemaURN.klaxonUser),
        ])
        let klaxon = try #require(resources.first { $0["id"] == .string(SchemaURN.klaxonUser) })
        let attributes = try #require(klaxon["attributes"]?.arrayValue)
        #expect(attributes.map { $0["name"] } == ["location", "notificationPhoneNumber"])
        for attribute in attributes {
            #expect(attribute["type"] == "string")
            #expect(attribute["mutability"] == "readWrite")
            #expect(attribute["multiValued"] == false)
            #expect(attribute["required"] == false)
            #expect(attribute["returned"] == "default")
        }
        #expect(klaxon["meta"]?["location"] == .string("\(Self.base)/Schemas/\(SchemaURN.klaxonUser)"))
        #expect(!Self.allValues(json).contains(.null))
    }

    // MARK: /ResourceTypes

    @Test func resourceTypesListTheExtensionsAsOptional() throws {
        let json = ListResponse.resourceTypes(of: .standard, baseURL: Self.base).json
        #expect(json["totalResults"] == 2)
        let resources = try #require(json["Resources"]?.arrayValue)
        let user = try #require(resources.first { $0["id"] == "User" })
        #expect(user["endpoint"] == "/Users")
        #expect(user["schema"] == .string(SchemaURN.user))
        #expect(user["schemaExtensions"] == [
            ["schema": .string(SchemaURN.enterpriseUser), "required": false],
            ["schema": .string(SchemaURN.klaxonUser), "required": false],
        ])
        #expect(user["meta"]?["location"] == .string("\(Self.base)/ResourceTypes/User"))
        let group = try #require(resources.first { $0["id"] == "Group" })
        #expect(group["schemaExtensions"] == [])
        #expect(!Self.allValues(json).contains(.null))
    }

    @Test func aCustomExtensionDeclaredAtRunTimeAppearsInBoth() throws {
        let registry = try Self.registryWithAcme()
        let schemas = ListResponse.schemas(of: registry).json
        #expect(schemas["totalResults"] == 5)
        let acme = try #require(schemas["Resources"]?.arrayValue?.first { $0["id"] == .string(Self.acme) })
        #expect(acme["attributes"]?.arrayValue?.first?["name"] == "badge")
        #expect(acme["meta"] == ["resourceType": "Schema"])

        let types = ListResponse.resourceTypes(of: registry).json
        let user = try #require(types["Resources"]?.arrayValue?.first { $0["id"] == "User" })
        #expect(user["schemaExtensions"]?.arrayValue?.last == ["schema": .string(Self.acme), "required": false])
    }
}
