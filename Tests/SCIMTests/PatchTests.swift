import Testing
@testable import SCIM

/// Schemas, resources and helpers shared by the PATCH suites.
enum PatchFixtures {
    static let users = SchemaRegistry.standard.resourceSchema(for: "User")!
    static let groups = SchemaRegistry.standard.resourceSchema(for: "Group")!
    static let enterprise = SchemaURN.enterpriseUser
    static let klaxon = SchemaURN.klaxonUser

    static let babs = "2819c223-7f76-453a-919d-413861904646"
    static let james = "08e1d05d-121c-4561-8b96-473d93df9210"
    static let mandy = "902c246b-6245-4190-8e05-00816be7344a"

    /// The RFC 7643 §8.2 user, trimmed.
    static func bjensen() throws -> JSONObject {
        try object(#"""
            {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],
             "id":"2819c223-7f76-453a-919d-413861904646","externalId":"bjensen",
             "meta":{"resourceType":"User","created":"2011-08-01T18:29:49.793Z","lastModified":"2011-08-01T18:29:49.793Z"},
             "userName":"bjensen","active":true,
             "name":{"formatted":"Ms. Barbara J Jensen III","familyName":"Jensen","givenName":"Barbara"},
             "emails":[{"value":"bjensen@example.com","type":"work","primary":true},{"value":"babs@jensen.org","type":"home"}],
             "addresses":[
               {"type":"work","streetAddress":"100 Universal City Plaza","locality":"Hollywood","region":"CA","postalCode":"91608","country":"USA","primary":true},
               {"type":"home","streetAddress":"456 Hollywood Blvd","locality":"Hollywood","region":"CA","postalCode":"91608","country":"USA"}],
             "phoneNumbers":[{"value":"555-555-5555","type":"work"}]}
            """#)
    }

    /// A group with Babs and Mandy.
    static func tourGuides() throws -> JSONObject {
        try object(#"""
            {"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"id":"e9e30dba-f08f-4109-8486-d5c6a331660a",
             "displayName":"Tour Guides","meta":{"resourceType":"Group"},
             "members":[
               {"value":"2819c223-7f76-453a-919d-413861904646","$ref":"https://example.com/v2/Users/2819c223-7f76-453a-919d-413861904646","display":"Babs Jensen"},
               {"value":"902c246b-6245-4190-8e05-00816be7344a","$ref":"https://example.com/v2/Users/902c246b-6245-4190-8e05-00816be7344a","display":"Mandy Pepperidge"}]}
            """#)
    }

    static func object(_ text: String) throws -> JSONObject {
        try #require(JSONParser.parse(text).objectValue)
    }

    /// Parses a complete PatchOp body.
    static func request(_ body: String, for schema: ResourceSchema = users) throws -> PatchRequest {
        try PatchRequest(json: JSONParser.parse(body), for: schema)
    }

    /// Parses a PatchOp body made of these operations (a JSON array).
    static func operations(_ operations: String, for schema: ResourceSchema = users) throws -> PatchRequest {
        try request(#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":"# + operations + "}", for: schema)
    }

    /// Applies a PatchOp body made of these operations.
    static func patch(_ operations: String, _ resource: JSONObject, _ schema: ResourceSchema = users) throws -> JSONObject {
        try PatchApplier.apply(Self.operations(operations, for: schema), to: resource, for: schema)
    }

    /// Applies a complete PatchOp body.
    static func patch(body: String, _ resource: JSONObject, _ schema: ResourceSchema = users) throws -> JSONObject {
        try PatchApplier.apply(request(body, for: schema), to: resource, for: schema)
    }

    static func memberIDs(_ resource: JSONObject) -> [String] {
        (resource["members"]?.arrayValue ?? []).compactMap { $0["value"]?.stringValue }
    }
}

/// Checks that `body` throws a `SCIMError` with this status and scimType (and a detail containing `fragment`).
func expectSCIMError(
    _ status: SCIMError.Status, _ scimType: SCIMError.ScimType?, mentioning fragment: String? = nil,
    sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void
) {
    do {
        try body()
        Issue.record("expected \(status.rawValue) \(scimType?.rawValue ?? "-"), but it succeeded", sourceLocation: sourceLocation)
    } catch let error as SCIMError {
        #expect(error.status == status, "\(error)", sourceLocation: sourceLocation)
        #expect(error.scimType == scimType, "\(error)", sourceLocation: sourceLocation)
        if let fragment {
            #expect(error.detail.contains(fragment), "\(error.detail)", sourceLocation: sourceLocation)
        }
    } catch {
        Issue.record("expected a SCIMError, got \(error)", sourceLocation: sourceLocation)
    }
}

/// RFC 7644 §3.5.2 semantics beyond the printed examples.
@Suite struct PatchTests {
    typealias F = PatchFixtures

    @Test func replaceAndAddSimpleAttributes() throws {
        let patched = try F.patch(#"[{"op":"replace","path":"userName","value":"babs"},{"op":"add","path":"title","value":"Tour Guide"},{"op":"add","path":"userName","value":"bj"}]"#, try F.bjensen())
        #expect(patched["userName"] == "bj")
        #expect(patched["title"] == "Tour Guide")
    }

    @Test func complexValuesMergeTheirSubAttributes() throws {
        let user = try F.bjensen()
        let replaced = try F.patch(#"[{"op":"replace","path":"name","value":{"givenName":"Babs","middleName":"J"}}]"#, user)
        #expect(replaced["name"] == ["formatted": "Ms. Barbara J Jensen III", "familyName": "Jensen", "givenName": "Babs", "middleName": "J"])
        let added = try F.patch(#"[{"op":"add","value":{"name":{"honorificSuffix":"III"}}}]"#, user)
        #expect(added["name"]?["honorificSuffix"] == "III")
        #expect(added["name"]?["familyName"] == "Jensen")
    }

    @Test func subAttributePaths() throws {
        var user = try F.bjensen()
        user["name"] = nil
        let added = try F.patch(#"[{"op":"add","path":"name.givenName","value":"Barbara"},{"op":"replace","path":"NAME.FAMILYNAME","value":"Jensen"}]"#, user)
        #expect(added["name"] == ["givenName": "Barbara", "familyName": "Jensen"])
        let removed = try F.patch(#"[{"op":"remove","path":"name.givenName"}]"#, added)
        #expect(removed["name"] == ["familyName": "Jensen"])
        let emptied = try F.patch(#"[{"op":"remove","path":"name.familyName"}]"#, removed)
        #expect(emptied["name"] == nil, "a complex attribute left without sub-attributes is unassigned")
    }

    @Test(arguments: ["nickName", "name.middleName", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department", "emails[type eq \"other\"]", "emails[type eq \"work\"].display", "x509Certificates"])
    func removingWhatIsNotThereChangesNothing(path: String) throws {
        let user = try F.bjensen()
        let operation = JSONValue.object(["op": "remove", "path": .string(path)])
        #expect(try F.patch("[\(operation)]", user) == user)
    }

    @Test func addToMultiValuedAppendsWithoutDuplicates() throws {
        let user = try F.bjensen()
        let patched = try F.patch(#"""
            [{"op":"add","path":"emails","value":[{"value":"babs@jensen.org","type":"home"},{"value":"b@klaxon.example","type":"other"},{"value":"b@klaxon.example","type":"other"}]},
             {"op":"add","path":"phoneNumbers","value":{"value":"+44 113 496 0000","type":"mobile"}}]
            """#, user)
        #expect(patched["emails"]?.arrayValue?.count == 3)
        #expect(patched["emails"]?.arrayValue?.last == ["value": "b@klaxon.example", "type": "other"])
        #expect(patched["phoneNumbers"]?.arrayValue?.count == 2, "a single value for a multi-valued attribute is one more value")
    }

    @Test func replaceMultiValuedReplacesTheList() throws {
        let patched = try F.patch(#"[{"op":"replace","path":"emails","value":[{"value":"new@example.com","type":"work"}]}]"#, try F.bjensen())
        #expect(patched["emails"] == [["value": "new@example.com", "type": "work"]])
        let cleared = try F.patch(#"[{"op":"replace","path":"emails","value":[]}]"#, patched)
        #expect(cleared["emails"] == nil)
    }

    @Test func aNewPrimaryValueClearsTheOldOne() throws {
        let patched = try F.patch(#"[{"op":"add","path":"emails","value":[{"value":"b@klaxon.example","type":"other","primary":"True"}]}]"#, try F.bjensen())
        let emails = try #require(patched["emails"]?.arrayValue)
        #expect(emails.map { $0["primary"] } == [.bool(false), nil, .bool(true)])
        let viaFilter = try F.patch(#"[{"op":"replace","path":"emails[type eq \"home\"].primary","value":true}]"#, try F.bjensen())
        #expect(viaFilter["emails"]?.arrayValue?.map { $0["primary"] } == [.bool(false), .bool(true)])
    }

    @Test func filteredValuesAreReplacedWholeOrMergedByAdd() throws {
        let user = try F.bjensen()
        let replaced = try F.patch(#"[{"op":"replace","path":"emails[type eq \"work\"]","value":{"value":"b@work.example","type":"work"}}]"#, user)
        #expect(replaced["emails"]?.arrayValue?.first == ["value": "b@work.example", "type": "work"])
        let added = try F.patch(#"[{"op":"add","path":"emails[type eq \"work\"]","value":{"display":"Work"}}]"#, user)
        #expect(added["emails"]?.arrayValue?.first == ["value": "bjensen@example.com", "type": "work", "primary": true, "display": "Work"])
    }

    @Test func anEqualityFilterWithNoMatchSeedsANewValue() throws {
        let patched = try F.patch(#"[{"op":"replace","path":"addresses[type eq \"other\"].locality","value":"Leeds"},{"op":"add","path":"emails[type eq \"other\" and display eq \"Alerts\"]","value":{"value":"alerts@example.com"}}]"#, try F.bjensen())
        #expect(patched["addresses"]?.arrayValue?.last == ["type": "other", "locality": "Leeds"])
        #expect(patched["emails"]?.arrayValue?.last == ["type": "other", "display": "Alerts", "value": "alerts@example.com"])
    }

    @Test func removeSubAttributeOfSelectedValues() throws {
        let patched = try F.patch(#"[{"op":"remove","path":"emails[type eq \"work\"].primary"},{"op":"remove","path":"addresses.region"}]"#, try F.bjensen())
        #expect(patched["emails"]?.arrayValue?.first == ["value": "bjensen@example.com", "type": "work"])
        #expect(patched["addresses"]?.arrayValue?.allSatisfy { $0["region"] == nil } == true)
    }

    @Test func nullOnReplaceRemovesAndOnAddChangesNothing() throws {
        let user = try F.bjensen()
        let patched = try F.patch(#"[{"op":"replace","path":"name","value":null},{"op":"replace","value":{"externalId":null}},{"op":"add","path":"userName","value":null}]"#, user)
        #expect(patched["name"] == nil)
        #expect(patched["externalId"] == nil)
        #expect(patched["userName"] == "bjensen")
    }

    @Test func extensionAttributesCreateAndRemoveTheirObject() throws {
        let user = try F.bjensen()
        let added = try F.patch(#"[{"op":"add","path":"urn:ietf:params:scim:schemas:extension:klaxon:2.0:User:location","value":"Leeds"}]"#, user)
        #expect(added[F.klaxon] == ["location": "Leeds"])
        #expect(added["schemas"] == [.string(SchemaURN.user), .string(F.klaxon)])
        let removed = try F.patch(#"[{"op":"remove","path":"urn:ietf:params:scim:schemas:extension:klaxon:2.0:User:location"}]"#, added)
        #expect(removed == user, "the empty extension and its URN are removed")
    }

    @Test func wholeExtensionPaths() throws {
        let user = try F.bjensen()
        let replaced = try F.patch(#"[{"op":"replace","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User","value":{"employeeNumber":"701984","manager":{"value":"26118915-6090-4610-87e4-49d8ca9f808d"}}}]"#, user)
        #expect(replaced[F.enterprise] == ["employeeNumber": "701984", "manager": ["value": "26118915-6090-4610-87e4-49d8ca9f808d"]])
        #expect(replaced["schemas"]?.arrayValue?.contains(.string(F.enterprise)) == true)
        let removed = try F.patch(#"[{"op":"remove","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"}]"#, replaced)
        #expect(removed == user)
    }

    @Test func anExtensionObjectMissingFromSchemasIsFoundAndListedOnWrite() throws {
        var user = try F.bjensen()
        user[F.klaxon] = ["location": "Leeds"]
        let patched = try F.patch(#"[{"op":"replace","path":"urn:ietf:params:scim:schemas:extension:klaxon:2.0:User:notificationPhoneNumber","value":"+44 (0)113 496 0000"}]"#, user)
        #expect(patched[F.klaxon] == ["location": "Leeds", "notificationPhoneNumber": "+44 (0)113 496 0000"])
        #expect(patched["schemas"]?.arrayValue?.contains(.string(F.klaxon)) == true)
    }

    @Test func anUnqualifiedExtensionAttributeResolvesToItsExtension() throws {
        let patched = try F.patch(#"[{"op":"add","path":"employeeNumber","value":"42"}]"#, try F.bjensen())
        #expect(patched[F.enterprise] == ["employeeNumber": "42"])
    }

    @Test func attributeNamesAndCoreURNPathsAreCaseInsensitive() throws {
        let patched = try F.patch(#"[{"op":"REPLACE","path":"urn:ietf:params:scim:schemas:core:2.0:User:DisplayName","value":"Babs"},{"op":"Replace","path":"EMAILS[TYPE EQ \"WORK\"].VALUE","value":"b@work.example"}]"#, try F.bjensen())
        #expect(patched["displayName"] == "Babs")
        #expect(patched["emails"]?.arrayValue?.first?["value"] == "b@work.example")
    }

    @Test func readOnlyKeysInAPathlessValueAreIgnored() throws {
        let user = try F.bjensen()
        let patched = try F.patch(#"""
            [{"op":"replace","value":{"id":"other","meta":{"resourceType":"Group"},"schemas":["urn:x:y"],"groups":[{"value":"g1"}],"displayName":"Babs"}}]
            """#, user)
        var expected = user
        expected["displayName"] = "Babs"
        #expect(patched == expected)
    }

    @Test func readOnlySubAttributesInAValueAreDropped() throws {
        let patched = try F.patch(#"[{"op":"add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager","value":{"value":"m1","displayName":"The Boss"}}]"#, try F.bjensen())
        #expect(patched[F.enterprise] == ["manager": ["value": "m1"]])
    }

    @Test(arguments: [
        #"{"op":"replace","path":"id","value":"x"}"#,
        #"{"op":"remove","path":"id"}"#,
        #"{"op":"replace","path":"meta.lastModified","value":"2020-01-01T00:00:00Z"}"#,
        #"{"op":"add","path":"groups","value":[{"value":"g1"}]}"#,
        #"{"op":"remove","path":"groups[value eq \"g1\"]"}"#,
        #"{"op":"replace","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.displayName","value":"x"}"#,
        #"{"op":"add","path":"schemas","value":["urn:ietf:params:scim:schemas:extension:klaxon:2.0:User"]}"#,
    ])
    func namingAReadOnlyAttributeIsAMutabilityError(operation: String) throws {
        let user = try F.bjensen()
        expectSCIMError(.badRequest, .mutability) { _ = try F.patch("[\(operation)]", user) }
    }

    static let badges: ResourceSchema = {
        var registry = SchemaRegistry.standard
        do {
            try registry.declareExtension(
                Schema(
                    id: "urn:ietf:params:scim:schemas:extension:acme:2.0:User", name: "AcmeUser", description: "",
                    attributes: [
                        SchemaAttribute(name: "badge", type: .string, mutability: .immutable),
                        SchemaAttribute(name: "hired", type: .dateTime),
                        SchemaAttribute(name: "level", type: .integer),
                        SchemaAttribute(name: "rating", type: .decimal),
                        SchemaAttribute(name: "tags", type: .string, multiValued: true),
                    ]),
                on: "User")
        } catch {
            Issue.record("\(error)")
        }
        return registry.resourceSchema(for: "User")!
    }()

    @Test func immutableAttributesMayBeSetOnceButNotChanged() throws {
        let acme = Self.badges
        let set = try F.patch(#"[{"op":"add","path":"urn:ietf:params:scim:schemas:extension:acme:2.0:User:badge","value":"B-1"}]"#, try F.bjensen(), acme)
        #expect(set["urn:ietf:params:scim:schemas:extension:acme:2.0:User"] == ["badge": "B-1"])
        #expect(try F.patch(#"[{"op":"replace","path":"badge","value":"B-1"}]"#, set, acme) == set, "the same value is no change")
        expectSCIMError(.badRequest, .mutability, mentioning: "badge") { _ = try F.patch(#"[{"op":"replace","path":"badge","value":"B-2"}]"#, set, acme) }
        expectSCIMError(.badRequest, .mutability, mentioning: "badge") { _ = try F.patch(#"[{"op":"remove","path":"badge"}]"#, set, acme) }
        expectSCIMError(.badRequest, .mutability, mentioning: "badge") { _ = try F.patch(#"[{"op":"replace","value":{"badge":"B-3"}}]"#, set, acme) }
    }

    @Test func immutableMemberSubAttributesCannotChange() throws {
        let group = try F.tourGuides()
        expectSCIMError(.badRequest, .mutability, mentioning: "display") {
            _ = try F.patch(#"[{"op":"replace","path":"members[value eq \"2819c223-7f76-453a-919d-413861904646\"].display","value":"B"}]"#, group, F.groups)
        }
        // A member without a display may get one.
        var bare = group
        bare["members"] = [["value": .string(F.babs)]]
        let patched = try F.patch(#"[{"op":"add","path":"members[value eq \"2819c223-7f76-453a-919d-413861904646\"]","value":{"display":"Babs"}}]"#, bare, F.groups)
        #expect(patched["members"] == [["value": .string(F.babs), "display": "Babs"]])
    }

    @Test func typedValuesAreCheckedAndNumbersNormalised() throws {
        let acme = Self.badges
        let patched = try F.patch(#"[{"op":"add","value":{"urn:ietf:params:scim:schemas:extension:acme:2.0:User:hired":"2024-02-29T09:00:00Z","level":3.0,"rating":4,"tags":["a","b","a"]}}]"#, try F.bjensen(), acme)
        #expect(patched["urn:ietf:params:scim:schemas:extension:acme:2.0:User"] == ["hired": "2024-02-29T09:00:00Z", "level": .integer(3), "rating": 4, "tags": ["a", "b"]])
        let removedTag = try F.patch(#"[{"op":"remove","path":"tags[value eq \"a\"]"}]"#, patched, acme)
        #expect(removedTag["urn:ietf:params:scim:schemas:extension:acme:2.0:User"]?["tags"] == ["b"])
    }

    @Test(arguments: [
        (#"{"op":"replace","path":"active","value":"yes"}"#, "active"),
        (#"{"op":"replace","path":"active","value":1}"#, "active"),
        (#"{"op":"replace","path":"userName","value":true}"#, "userName"),
        (#"{"op":"replace","path":"userName","value":["bjensen"]}"#, "userName"),
        (#"{"op":"replace","path":"name","value":"Barbara Jensen"}"#, "name"),
        (#"{"op":"add","path":"emails","value":"b@example.com"}"#, "emails"),
        (#"{"op":"add","path":"emails","value":[{"value":5}]}"#, "emails.value"),
        (#"{"op":"add","path":"emails","value":[{"value":"b@example.com","bogus":1}]}"#, "bogus"),
        (#"{"op":"replace","path":"emails[type eq \"work\"].primary","value":"maybe"}"#, "primary"),
        (#"{"op":"replace","path":"emails[type eq \"work\"]","value":"b@example.com"}"#, "emails"),
        (#"{"op":"replace","path":"emails","value":[{"value":"a@x","primary":true},{"value":"b@x","primary":true}]}"#, "primary"),
        (#"{"op":"replace","value":{"active":"False","name":{"givenName":7}}}"#, "name.givenName"),
        (#"{"op":"add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager","value":[{"value":"a"},{"value":"b"}]}"#, "manager"),
        (#"{"op":"add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User","value":"x"}"#, "enterprise"),
        (#"{"op":"replace","value":"bjensen"}"#, "without a path"),
        (#"{"op":"add","path":"nickName"}"#, "value"),
        (#"{"op":"add","path":"emails[type eq \"work\"]","value":{}}"#, "empty"),
    ])
    func wrongValuesAreInvalidValue(operation: String, named: String) throws {
        let user = try F.bjensen()
        expectSCIMError(.badRequest, .invalidValue, mentioning: named) { _ = try F.patch("[\(operation)]", user) }
    }

    @Test(arguments: [
        (#"{"op":"replace","path":"urn:ietf:params:scim:schemas:extension:acme:2.0:User:level","value":"3"}"#, "level"),
        (#"{"op":"replace","path":"urn:ietf:params:scim:schemas:extension:acme:2.0:User:level","value":3.5}"#, "level"),
        (#"{"op":"replace","path":"urn:ietf:params:scim:schemas:extension:acme:2.0:User:rating","value":"high"}"#, "rating"),
        (#"{"op":"replace","path":"urn:ietf:params:scim:schemas:extension:acme:2.0:User:hired","value":"yesterday"}"#, "hired"),
    ])
    func wrongTypedValuesAreInvalidValue(operation: String, named: String) throws {
        let user = try F.bjensen()
        expectSCIMError(.badRequest, .invalidValue, mentioning: named) { _ = try F.patch("[\(operation)]", user, Self.badges) }
    }

    @Test func groupMembersNeedAnID() throws {
        expectSCIMError(.badRequest, .invalidValue, mentioning: "members") {
            _ = try F.patch(#"[{"op":"add","path":"members","value":[{"display":"Nobody"}]}]"#, try F.tourGuides(), F.groups)
        }
    }

    @Test(arguments: [
        (#"{"op":"replace","path":"shoeSize","value":"9"}"#, "shoeSize"),
        (#"{"op":"replace","path":"name.nickname","value":"x"}"#, "nickname"),
        (#"{"op":"replace","path":"userName.first","value":"x"}"#, "userName"),
        (#"{"op":"replace","path":"emails[kind eq \"work\"].value","value":"x"}"#, "kind"),
        (#"{"op":"replace","path":"emails[type eq \"work\"].label","value":"x"}"#, "label"),
        (#"{"op":"replace","path":"userName[value eq \"x\"]","value":"x"}"#, "userName"),
        (#"{"op":"replace","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:shoeSize","value":"9"}"#, "shoeSize"),
        (#"{"op":"replace","path":"urn:ietf:params:scim:schemas:extension:acme:2.0:User:badge","value":"9"}"#, "acme"),
        (#"{"op":"replace","value":{"shoeSize":"9"}}"#, "shoeSize"),
        (#"{"op":"replace","value":{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"shoeSize":"9"}}}"#, "shoeSize"),
        (#"{"op":"replace","value":{"name..givenName":"x"}}"#, "name..givenName"),
        (#"{"op":"remove","path":"urn:ietf:params:scim:schemas:core:2.0:User"}"#, "core"),
        (#"{"op":"replace","path":"emails[type eq \"work\"","value":"x"}"#, "]"),
        (#"{"op":"remove","path":"members"}"#, "members"),
    ])
    func unknownPathsAreInvalidPath(operation: String, named: String) throws {
        let user = try F.bjensen()
        expectSCIMError(.badRequest, .invalidPath, mentioning: named) { _ = try F.patch("[\(operation)]", user) }
    }

    @Test func aBadFilterIsInvalidFilter() throws {
        let user = try F.bjensen()
        expectSCIMError(.badRequest, .invalidFilter) { _ = try F.patch(#"[{"op":"remove","path":"emails[type eq]"}]"#, user) }
    }

    @Test func noTargetCases() throws {
        let user = try F.bjensen()
        expectSCIMError(.badRequest, .noTarget, mentioning: "path") { _ = try F.patch(#"[{"op":"remove"}]"#, user) }
        expectSCIMError(.badRequest, .noTarget, mentioning: "emails") {
            _ = try F.patch(#"[{"op":"replace","path":"emails[value ew \"example.org\"].type","value":"other"}]"#, user)
        }
        expectSCIMError(.badRequest, .noTarget, mentioning: "emails") {
            _ = try F.patch(#"[{"op":"add","path":"emails[type eq \"work\" or type eq \"home\"]","value":{"value":"x@y"}}]"#, [:])
        }
    }

    @Test func aFailingOperationLeavesTheInputUnchangedAndIsNamed() throws {
        let user = try F.bjensen()
        let copy = user
        do {
            _ = try F.patch(#"[{"op":"remove","path":"emails"},{"op":"replace","path":"active","value":"maybe"},{"op":"replace","path":"displayName","value":"Babs"}]"#, user)
            Issue.record("expected an error")
        } catch let error as SCIMError {
            #expect(error.status == .badRequest)
            #expect(error.scimType == .invalidValue)
            #expect(error.detail.hasPrefix("operation 2 (replace active): "), "\(error.detail)")
        }
        #expect(user == copy)
        #expect(user["emails"]?.arrayValue?.count == 2)
    }
}

/// The work one PATCH may make its filters do is bounded: the operation and value limits alone allowed ten
/// million comparisons (9 s on the directory's one writer, found by a review).
@Suite struct PatchBudgetTests {
    @Test func filtersComparedWithTooManyValuesAreRefusedBeforeTheyRun() throws {
        var user = try PatchFixtures.bjensen()
        user["emails"] = .array((0..<1000).map { .object(["value": .string("user\($0)@example.com"), "type": "other"]) })
        func request(_ operations: Int) throws -> PatchRequest {
            PatchRequest(operations: try (0..<operations).map { index in
                PatchOperation(.replace, path: try PatchPath(parsing: #"emails[value co "user\#(index)@"].type"#, in: PatchFixtures.users), value: "work")
            })
        }
        // 250 operations over 1,000 emails: exactly the budget, and every one applied.
        let patched = try PatchApplier.apply(try request(250), to: user, for: PatchFixtures.users)
        let work = patched["emails"]?.arrayValue?.filter { $0["type"] == "work" } ?? []
        #expect(work.count == 250)
        let tooMany = try request(251)
        let error = try #require(throws: SCIMError.self) { _ = try PatchApplier.apply(tooMany, to: user, for: PatchFixtures.users) }
        #expect(error.status == .badRequest && error.scimType == .tooMany)
        #expect(error.detail.contains("operation 251"), "refused before the operation that would pass the budget runs")

        // Values listed for removal are compared with every stored one (a review's single 1 MB PATCH listing
        // 50,000 emails took 17 s): 251 listed × 1,000 stored is past the budget, 250 is not.
        func removal(_ count: Int) throws -> PatchRequest {
            let listed = JSONValue.array((0..<count).map { .object(["value": .string("nobody\($0)@example.com")]) })
            return PatchRequest(operations: [PatchOperation(.remove, path: try PatchPath(parsing: "emails", in: PatchFixtures.users), value: listed)])
        }
        #expect(try PatchApplier.apply(try removal(250), to: user, for: PatchFixtures.users)["emails"]?.arrayValue?.count == 1000)
        let listedTooMany = try removal(251)
        let removalError = try #require(throws: SCIMError.self) { _ = try PatchApplier.apply(listedTooMany, to: user, for: PatchFixtures.users) }
        #expect(removalError.scimType == .tooMany)
    }
}
