import SCIM

/// The attributes a source system's objects have, so that the linter can catch `moble` for `mobile` and the
/// engine can resolve every source name once, at load.
///
/// `entra-id` and `okta` list their user and group attributes (Okta's as paths into its API records, such as
/// `profile.login`); `scim` reads stored SCIM resources, whose attributes are the schemas' (paths such as
/// `name.givenName` or an extension URN); `custom` has none, so a file for it declares every attribute in
/// `source.attributes` (an HR export's columns, say).
///
/// ```swift
/// SourceCatalogue.named("entra-id")?.attribute(named: "MOBILE", of: "user")?.name   // "mobile"
/// ```
public struct SourceCatalogue: Sendable {
    /// One attribute of a source object.
    public struct Attribute: Sendable, Hashable {
        public var name: String
        public var type: SchemaAttribute.DataType
        public var multiValued: Bool

        public init(_ name: String, _ type: SchemaAttribute.DataType = .string, multiValued: Bool = false) {
            self.name = name
            self.type = type
            self.multiValued = multiValued
        }
    }

    /// The system's name, as `source.system` gives it.
    public let system: String
    /// Object type → its attributes. Empty for `scim` (the schemas say) and `custom` (the file says).
    public let objects: [String: [Attribute]]
    /// True for `scim`: source names are SCIM attribute paths of the object's resource type.
    public let isSCIM: Bool
    /// True for `custom`: any object type, attributes all declared.
    public let isCustom: Bool

    /// The object types a file may name in `source.object`.
    public var objectTypes: [String] {
        if isSCIM { return ["User", "Group"] }
        return objects.keys.sorted()
    }

    /// The attribute with this name (ignoring case) of an object type. Entra's directory-extension
    /// attributes (`extension_<app id>_<name>`) are accepted for `entra-id` users and groups.
    public func attribute(named name: String, of object: String) -> Attribute? {
        guard let attributes = objects.first(where: { $0.key.equalsIgnoringASCIICase(object) })?.value else { return nil }
        if let attribute = attributes.first(where: { $0.name.equalsIgnoringASCIICase(name) }) { return attribute }
        if system == "entra-id", Self.isDirectoryExtension(name) { return Attribute(name) }
        return nil
    }

    /// The built-in catalogues.
    public static let builtIn: [SourceCatalogue] = [entraID, okta, scim, custom]

    /// The built-in catalogue for a `source.system` value.
    public static func named(_ system: String) -> SourceCatalogue? {
        builtIn.first { $0.system == system }
    }

    /// `extension_` + a 32-hex-digit application id + `_` + a name.
    static func isDirectoryExtension(_ name: String) -> Bool {
        let parts = name.split(separator: "_", maxSplits: 2, omittingEmptySubsequences: false)
        return parts.count == 3 && parts[0] == "extension" && parts[1].count == 32
            && parts[1].allSatisfy(\.isHexDigit) && !parts[2].isEmpty
    }

    /// Microsoft Entra ID users and groups, as Entra's provisioning service names their attributes.
    public static let entraID = SourceCatalogue(
        system: "entra-id",
        objects: [
            "user": [
                Attribute("accountEnabled", .boolean), Attribute("IsSoftDeleted", .boolean), Attribute("objectId"),
                Attribute("userPrincipalName"), Attribute("mailNickname"), Attribute("displayName"),
                Attribute("givenName"), Attribute("surname"), Attribute("mail"), Attribute("otherMails", multiValued: true),
                Attribute("proxyAddresses", multiValued: true), Attribute("jobTitle"), Attribute("department"),
                Attribute("companyName"), Attribute("employeeId"), Attribute("employeeType"),
                Attribute("employeeHireDate", .dateTime), Attribute("employeeLeaveDateTime", .dateTime),
                Attribute("manager", .reference), Attribute("physicalDeliveryOfficeName"), Attribute("streetAddress"),
                Attribute("city"), Attribute("state"), Attribute("postalCode"), Attribute("country"),
                Attribute("usageLocation"), Attribute("telephoneNumber"), Attribute("mobile"),
                Attribute("facsimileTelephoneNumber"), Attribute("preferredLanguage"), Attribute("userType"),
                Attribute("createdDateTime", .dateTime), Attribute("onPremisesSamAccountName"),
                Attribute("onPremisesImmutableId"), Attribute("onPremisesDistinguishedName"),
                Attribute("onPremisesDomainName"), Attribute("onPremisesSecurityIdentifier"),
                Attribute("onPremisesUserPrincipalName"), Attribute("appRoleAssignments", .complex, multiValued: true),
            ] + (1...15).map { Attribute("extensionAttribute\($0)") },
            "group": [
                Attribute("objectId"), Attribute("displayName"), Attribute("description"), Attribute("mail"),
                Attribute("mailNickname"), Attribute("mailEnabled", .boolean), Attribute("securityEnabled", .boolean),
                Attribute("members", .reference, multiValued: true), Attribute("IsSoftDeleted", .boolean),
                Attribute("onPremisesSamAccountName"), Attribute("onPremisesSecurityIdentifier"),
                Attribute("appRoleAssignments", .complex, multiValued: true),
            ],
        ],
        isSCIM: false, isCustom: false)

    /// Okta users and groups as Okta's Users and Groups API returns them: the object's own `id`, `status` and
    /// timestamps, and its profile attributes under `profile` (`profile.login`). A group's `members` (the
    /// API lists them apart) are its members' ids, added by whatever exports the groups.
    public static let okta = SourceCatalogue(
        system: "okta",
        objects: [
            "user": [
                Attribute("id"), Attribute("status"), Attribute("created", .dateTime), Attribute("activated", .dateTime),
                Attribute("statusChanged", .dateTime), Attribute("lastLogin", .dateTime), Attribute("lastUpdated", .dateTime),
                Attribute("passwordChanged", .dateTime),
            ] + [
                Attribute("login"), Attribute("email"), Attribute("secondEmail"), Attribute("firstName"), Attribute("lastName"),
                Attribute("middleName"), Attribute("honorificPrefix"), Attribute("honorificSuffix"), Attribute("title"),
                Attribute("displayName"), Attribute("nickName"), Attribute("profileUrl", .reference), Attribute("primaryPhone"),
                Attribute("mobilePhone"), Attribute("streetAddress"), Attribute("city"), Attribute("state"),
                Attribute("zipCode"), Attribute("postalAddress"), Attribute("countryCode"), Attribute("preferredLanguage"),
                Attribute("locale"), Attribute("timezone"), Attribute("userType"), Attribute("employeeNumber"),
                Attribute("costCenter"), Attribute("organization"), Attribute("division"), Attribute("department"),
                Attribute("managerId"), Attribute("manager"),
            ].map(profile),
            "group": [
                Attribute("id"), Attribute("type"), Attribute("created", .dateTime), Attribute("lastUpdated", .dateTime),
                Attribute("lastMembershipUpdated", .dateTime), profile(Attribute("name")), profile(Attribute("description")),
                Attribute("members", .reference, multiValued: true),
            ],
        ],
        isSCIM: false, isCustom: false)

    private static func profile(_ attribute: Attribute) -> Attribute {
        var nested = attribute
        nested.name = "profile." + attribute.name
        return nested
    }

    /// Stored SCIM resources; attribute names are paths checked against the resource type's schemas.
    public static let scim = SourceCatalogue(system: "scim", objects: [:], isSCIM: true, isCustom: false)

    /// Any other source: every attribute is declared in the file.
    public static let custom = SourceCatalogue(system: "custom", objects: [:], isSCIM: false, isCustom: true)
}
