/// The schema URNs this service knows by default.
public enum SchemaURN {
    public static let user = "urn:ietf:params:scim:schemas:core:2.0:User"
    public static let group = "urn:ietf:params:scim:schemas:core:2.0:Group"
    public static let enterpriseUser = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
    /// Klaxon's extension: `location` and `notificationPhoneNumber`.
    public static let klaxonUser = "urn:ietf:params:scim:schemas:extension:klaxon:2.0:User"
    /// The schema Entra ID lists on every group it creates. It defines nothing; it is accepted and ignored.
    public static let entraGroup = "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"
    public static let listResponse = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
    public static let patchOp = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
    public static let searchRequest = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"
    public static let bulkRequest = "urn:ietf:params:scim:api:messages:2.0:BulkRequest"
    public static let bulkResponse = "urn:ietf:params:scim:api:messages:2.0:BulkResponse"
    public static let error = "urn:ietf:params:scim:api:messages:2.0:Error"
    public static let serviceProviderConfig = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
}

extension SchemaAttribute {
    /// `id`, `externalId` and `meta`: the attributes every resource has (RFC 7643 §3.1).
    public static let common: [SchemaAttribute] = [
        SchemaAttribute(
            name: "id", type: .string, description: "Unique identifier for the SCIM resource, issued by the service provider.",
            caseExact: true, mutability: .readOnly, returned: .always, uniqueness: .server),
        SchemaAttribute(
            name: "externalId", type: .string, description: "Identifier of the resource as defined by the provisioning client.",
            caseExact: true),
        SchemaAttribute(
            name: "meta", type: .complex, description: "Resource metadata.", mutability: .readOnly,
            subAttributes: [
                SchemaAttribute(name: "resourceType", type: .string, description: "The name of the resource type.", caseExact: true, mutability: .readOnly),
                SchemaAttribute(name: "created", type: .dateTime, description: "When the resource was added.", mutability: .readOnly),
                SchemaAttribute(name: "lastModified", type: .dateTime, description: "When the resource was last changed.", mutability: .readOnly),
                SchemaAttribute(name: "location", type: .reference, description: "The URI of the resource.", caseExact: true, mutability: .readOnly, referenceTypes: ["uri"]),
                SchemaAttribute(name: "version", type: .string, description: "The version (ETag) of the resource.", caseExact: true, mutability: .readOnly),
            ]),
    ]

    /// `value`, `display`, `type` and `primary`: the sub-attributes of most multi-valued attributes.
    static func multiValuedSubAttributes(
        valueType: DataType = .string, valueDescription: String, types: [String], referenceTypes: [String] = []
    ) -> [SchemaAttribute] {
        [
            SchemaAttribute(name: "value", type: valueType, description: valueDescription, referenceTypes: referenceTypes),
            SchemaAttribute(name: "display", type: .string, description: "A human-readable name, primarily used for display purposes."),
            SchemaAttribute(name: "type", type: .string, description: "A label indicating the attribute's function.", canonicalValues: types),
            SchemaAttribute(name: "primary", type: .boolean, description: "Whether this is the primary value."),
        ]
    }
}

extension Schema {
    /// The core User schema (RFC 7643 §4.1).
    public static let user = Schema(
        id: SchemaURN.user, name: "User", description: "User Account",
        attributes: [
            SchemaAttribute(
                name: "userName", type: .string, description: "Unique identifier for the User, used to sign in.",
                required: true, uniqueness: .server),
            SchemaAttribute(
                name: "name", type: .complex, description: "The components of the user's real name.",
                subAttributes: [
                    SchemaAttribute(name: "formatted", type: .string, description: "The full name, formatted for display."),
                    SchemaAttribute(name: "familyName", type: .string, description: "The family name."),
                    SchemaAttribute(name: "givenName", type: .string, description: "The given name."),
                    SchemaAttribute(name: "middleName", type: .string, description: "The middle name(s)."),
                    SchemaAttribute(name: "honorificPrefix", type: .string, description: "The honorific prefix(es), e.g. 'Ms.'."),
                    SchemaAttribute(name: "honorificSuffix", type: .string, description: "The honorific suffix(es), e.g. 'III'."),
                ]),
            SchemaAttribute(name: "displayName", type: .string, description: "The name of the User, suitable for display."),
            SchemaAttribute(name: "nickName", type: .string, description: "The casual way to address the user."),
            SchemaAttribute(name: "profileUrl", type: .reference, description: "A URI of the user's online profile.", referenceTypes: ["external"]),
            SchemaAttribute(name: "title", type: .string, description: "The user's title, such as 'Vice President'."),
            SchemaAttribute(name: "userType", type: .string, description: "The relationship between the organization and the user."),
            SchemaAttribute(name: "preferredLanguage", type: .string, description: "The user's preferred written or spoken language."),
            SchemaAttribute(name: "locale", type: .string, description: "The user's default location for localization."),
            SchemaAttribute(name: "timezone", type: .string, description: "The user's time zone in IANA format."),
            SchemaAttribute(name: "active", type: .boolean, description: "The user's administrative status."),
            SchemaAttribute(
                name: "password", type: .string, description: "The user's cleartext password; never returned.",
                mutability: .writeOnly, returned: .never),
            SchemaAttribute(
                name: "emails", type: .complex, multiValued: true, description: "Email addresses for the user.",
                subAttributes: SchemaAttribute.multiValuedSubAttributes(valueDescription: "Email address.", types: ["work", "home", "other"])),
            SchemaAttribute(
                name: "phoneNumbers", type: .complex, multiValued: true, description: "Phone numbers for the user.",
                subAttributes: SchemaAttribute.multiValuedSubAttributes(
                    valueDescription: "Phone number.", types: ["work", "home", "mobile", "fax", "pager", "other"])),
            SchemaAttribute(
                name: "ims", type: .complex, multiValued: true, description: "Instant messaging addresses for the user.",
                subAttributes: SchemaAttribute.multiValuedSubAttributes(
                    valueDescription: "Instant messaging address.", types: ["aim", "gtalk", "icq", "xmpp", "msn", "skype", "qq", "yahoo"])),
            SchemaAttribute(
                name: "photos", type: .complex, multiValued: true, description: "URLs of photos of the user.",
                subAttributes: SchemaAttribute.multiValuedSubAttributes(
                    valueType: .reference, valueDescription: "URL of a photo of the user.", types: ["photo", "thumbnail"],
                    referenceTypes: ["external"])),
            SchemaAttribute(
                name: "addresses", type: .complex, multiValued: true, description: "A physical mailing address for this user.",
                subAttributes: [
                    SchemaAttribute(name: "formatted", type: .string, description: "The full mailing address, formatted for display."),
                    SchemaAttribute(name: "streetAddress", type: .string, description: "The street address."),
                    SchemaAttribute(name: "locality", type: .string, description: "The city or locality."),
                    SchemaAttribute(name: "region", type: .string, description: "The state or region."),
                    SchemaAttribute(name: "postalCode", type: .string, description: "The zip code or postal code."),
                    SchemaAttribute(name: "country", type: .string, description: "The country name (ISO 3166-1 alpha-2)."),
                    SchemaAttribute(name: "type", type: .string, description: "A label indicating the address's function.", canonicalValues: ["work", "home", "other"]),
                    SchemaAttribute(name: "primary", type: .boolean, description: "Whether this is the primary address."),
                ]),
            SchemaAttribute(
                name: "groups", type: .complex, multiValued: true, description: "The groups the user belongs to.",
                mutability: .readOnly,
                subAttributes: [
                    SchemaAttribute(name: "value", type: .string, description: "The identifier of the group.", mutability: .readOnly),
                    SchemaAttribute(name: "$ref", type: .reference, description: "The URI of the group.", mutability: .readOnly, referenceTypes: ["User", "Group"]),
                    SchemaAttribute(name: "display", type: .string, description: "The group's display name.", mutability: .readOnly),
                    SchemaAttribute(name: "type", type: .string, description: "Direct or indirect membership.", mutability: .readOnly, canonicalValues: ["direct", "indirect"]),
                ]),
            SchemaAttribute(
                name: "entitlements", type: .complex, multiValued: true, description: "Entitlements of the user.",
                subAttributes: SchemaAttribute.multiValuedSubAttributes(valueDescription: "The value of an entitlement.", types: [])),
            SchemaAttribute(
                name: "roles", type: .complex, multiValued: true, description: "Roles of the user.",
                subAttributes: SchemaAttribute.multiValuedSubAttributes(valueDescription: "The value of a role.", types: [])),
            SchemaAttribute(
                name: "x509Certificates", type: .complex, multiValued: true, description: "Certificates issued to the user.",
                subAttributes: SchemaAttribute.multiValuedSubAttributes(valueType: .binary, valueDescription: "The value of an X.509 certificate.", types: [])),
        ])

    /// The core Group schema (RFC 7643 §4.2).
    public static let group = Schema(
        id: SchemaURN.group, name: "Group", description: "Group",
        attributes: [
            SchemaAttribute(
                name: "displayName", type: .string, description: "A human-readable name for the Group, unique in the organisation.",
                required: true, uniqueness: .server),
            SchemaAttribute(
                name: "members", type: .complex, multiValued: true, description: "A list of members of the Group.",
                subAttributes: [
                    SchemaAttribute(name: "value", type: .string, description: "Identifier of the member.", caseExact: true, mutability: .immutable),
                    SchemaAttribute(name: "$ref", type: .reference, description: "The URI of the member.", mutability: .immutable, referenceTypes: ["User", "Group"]),
                    SchemaAttribute(name: "display", type: .string, description: "The member's display name.", mutability: .immutable),
                    SchemaAttribute(name: "type", type: .string, description: "The type of the member.", mutability: .immutable, canonicalValues: ["User", "Group"]),
                ]),
        ])

    /// The Enterprise User extension (RFC 7643 §4.3).
    public static let enterpriseUser = Schema(
        id: SchemaURN.enterpriseUser, name: "EnterpriseUser", description: "Enterprise User",
        attributes: [
            SchemaAttribute(name: "employeeNumber", type: .string, description: "Numeric or alphanumeric identifier assigned to a person."),
            SchemaAttribute(name: "costCenter", type: .string, description: "Identifies the name of a cost center."),
            SchemaAttribute(name: "organization", type: .string, description: "Identifies the name of an organization."),
            SchemaAttribute(name: "division", type: .string, description: "Identifies the name of a division."),
            SchemaAttribute(name: "department", type: .string, description: "Identifies the name of a department."),
            SchemaAttribute(
                name: "manager", type: .complex, description: "The user's manager.",
                subAttributes: [
                    SchemaAttribute(name: "value", type: .string, description: "The id of the manager's User resource."),
                    SchemaAttribute(name: "$ref", type: .reference, description: "The URI of the manager's User resource.", referenceTypes: ["User"]),
                    SchemaAttribute(name: "displayName", type: .string, description: "The manager's display name.", mutability: .readOnly),
                ]),
        ])

    /// Klaxon's user extension: where the user is, and the number Klaxon alerts them on.
    public static let klaxonUser = Schema(
        id: SchemaURN.klaxonUser, name: "KlaxonUser", description: "Klaxon alerting profile",
        attributes: [
            SchemaAttribute(
                name: "location", type: .string,
                description: "The user's location; a name Klaxon does not define resolves to the organisation's Default location."),
            SchemaAttribute(
                name: "notificationPhoneNumber", type: .string,
                description: "The phone number Klaxon sends alerts to; stored as sent and normalised to E.164 for delivery."),
        ])
}

extension ResourceType {
    public static let user = ResourceType(
        id: "User", name: "User", endpoint: "/Users", description: "User Account", schema: SchemaURN.user,
        schemaExtensions: [
            Extension(schema: SchemaURN.enterpriseUser, required: false),
            Extension(schema: SchemaURN.klaxonUser, required: false),
        ])

    public static let group = ResourceType(
        id: "Group", name: "Group", endpoint: "/Groups", description: "Group", schema: SchemaURN.group, schemaExtensions: [])
}
