import Testing
@testable import SCIM

/// The PATCH bodies Entra ID and Okta send (reference/idp-behaviour.md §1–6), copied verbatim, placeholders
/// such as `<userId>` and `"..."` included. Only abbreviations that are not JSON (`urn:...:enterprise:…`,
/// `[...PatchOp]`) are written out, and fragments get the PatchOp envelope.
@Suite struct PatchEntraTests {
    typealias F = PatchFixtures

    static func envelope(_ operations: String) -> String {
        #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":"# + operations + "}"
    }

    /// A group holding the ids the reference's examples name.
    static func entraGroup() throws -> JSONObject {
        try F.object(#"""
            {"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group","http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"],
             "id":"g-1","externalId":"00000000-0000-0000-0000-000000000001","displayName":"Alerting","meta":{"resourceType":"Group"},
             "members":[{"value":"<userId>"},{"value":"u1091"},{"value":"7f4b..."},{"value":"kept"}]}
            """#)
    }

    // §1.7
    @Test func updateUser() throws {
        let patched = try F.patch(body: Self.envelope(#"[{"op":"Replace","path":"emails[type eq \"work\"].value","value":"updatedEmail@microsoft.com"},{"op":"Replace","path":"name.familyName","value":"updatedFamilyName"}]"#), try F.bjensen())
        #expect(patched["emails"]?.arrayValue?.first == ["value": "updatedEmail@microsoft.com", "type": "work", "primary": true])
        #expect(patched["name"]?["familyName"] == "updatedFamilyName")
        #expect(patched["name"]?["givenName"] == "Barbara")
    }

    @Test func singleValuedReplaceAndAdd() throws {
        let replaced = try F.patch(body: Self.envelope(#"[{"op":"Replace","path":"userName","value":"..."}]"#), try F.bjensen())
        #expect(replaced["userName"] == "...")
        let added = try F.patch(body: Self.envelope(#"[{"op":"Add","path":"nickName","value":"Babs"}]"#), try F.bjensen())
        #expect(added["nickName"] == "Babs")
    }

    @Test func extensionAttributeByURNPath() throws {
        let patched = try F.patch(body: Self.envelope(#"[{"op":"Add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber","value":"701984"},{"op":"Replace","path":"urn:ietf:params:scim:schemas:extension:klaxon:2.0:User:location","value":"Leeds"},{"op":"Add","path":"urn:ietf:params:scim:schemas:extension:klaxon:2.0:User:notificationPhoneNumber","value":"+44 (0)113 496 0000"}]"#), try F.bjensen())
        #expect(patched[F.enterprise] == ["employeeNumber": "701984"])
        #expect(patched[F.klaxon] == ["location": "Leeds", "notificationPhoneNumber": "+44 (0)113 496 0000"], "phone numbers are stored as sent")
        #expect(patched["schemas"] == [.string(SchemaURN.user), .string(F.enterprise), .string(F.klaxon)])
    }

    @Test func managerAsABareID() throws {
        let set = try F.patch(body: Self.envelope(#"[{"op":"Add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager","value":"<id>"}]"#), try F.bjensen())
        #expect(set[F.enterprise] == ["manager": ["value": "<id>"]])
        // A new manager replaces the whole value, not just its id.
        var withRef = set
        withRef[F.enterprise] = ["manager": ["value": "<id>", "$ref": "../Users/<id>"]]
        let changed = try F.patch(body: Self.envelope(#"[{"op":"Replace","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager","value":"m2"}]"#), withRef)
        #expect(changed[F.enterprise] == ["manager": ["value": "m2"]])
        // SCIM-SDK PR #653: Entra clears the manager with "".
        let cleared = try F.patch(body: Self.envelope(#"[{"op":"Replace","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager","value":""}]"#), set)
        #expect(cleared == (try F.bjensen()))
        // An empty array is unassigned too: add assigns nothing, replace removes.
        #expect(try F.patch(#"[{"op":"add","path":"manager","value":[]}]"#, set) == set)
        #expect(try F.patch(#"[{"op":"replace","path":"manager","value":[]}]"#, set) == (try F.bjensen()))
    }

    @Test func managerInTheOldDocumentedForm() throws {
        let patched = try F.patch(body: Self.envelope(#"[{"op":"Add","path":"manager","value":[{"$ref":"https://example.com/v2/Users/26118915","value":"26118915"}]}]"#), try F.bjensen())
        #expect(patched[F.enterprise] == ["manager": ["value": "26118915", "$ref": "https://example.com/v2/Users/26118915"]])
    }

    @Test func managerRemovedByAValueFilter() throws {
        // scim-patch #453.
        var user = try F.bjensen()
        user[F.enterprise] = ["employeeNumber": "1", "manager": ["value": "m1"]]
        let other = try F.patch(body: Self.envelope(#"[{"op":"remove","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager[value eq \"m2\"]"}]"#), user)
        #expect(other == user)
        let removed = try F.patch(body: Self.envelope(#"[{"op":"remove","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager[value eq \"m1\"]"}]"#), user)
        #expect(removed[F.enterprise] == ["employeeNumber": "1"])
    }

    // §1.8
    @Test func disableAndEnableWithStringBooleans() throws {
        let disabled = try F.patch(body: #"{"Operations":[{"op":"Replace","path":"active","value":"False"}],"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"]}"#, try F.bjensen())
        #expect(disabled["active"] == false)
        let enabled = try F.patch(body: #"{"Operations":[{"op":"Replace","path":"active","value":"True"}],"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"]}"#, disabled)
        #expect(enabled["active"] == true)
    }

    @Test(arguments: [("True", true), ("TRUE", true), ("true", true), ("False", false), ("false", false), ("fAlSe", false)])
    func booleanStringsInAnyCase(text: String, flag: Bool) throws {
        let value = JSONValue.string(text)
        let patched = try F.patch(#"[{"op":"Replace","path":"active","value":\#(value)},{"op":"Replace","path":"emails[type eq \"home\"].primary","value":\#(value)}]"#, try F.bjensen())
        #expect(patched["active"] == .bool(flag))
        #expect(patched["emails"]?.arrayValue?[1]["primary"] == .bool(flag))
    }

    // §1.16 and checklist item 7
    @Test func addMembersWithNullRef() throws {
        var group = try Self.entraGroup()
        group["members"] = nil
        let patched = try F.patch(body: Self.envelope(#"[{"op":"Add","path":"members","value":[{"$ref":null,"value":"<userId>"}]}]"#), group, F.groups)
        #expect(patched["members"] == [["value": "<userId>"]], "$ref: null is dropped")
        let several = try F.patch(body: Self.envelope(#"[{"op":"Add","path":"members","value":[{"$ref":null,"value":"<userId>"},{"$ref":null,"value":"u2"},{"$ref":null,"value":"u2"},{"$ref":null,"value":"U2"}]}]"#), patched, F.groups)
        #expect(F.memberIDs(several) == ["<userId>", "u2", "U2"], "present and repeated members are ignored; ids compare exactly")
    }

    // §1.17 and the flag form of §2
    @Test(arguments: [
        #"[{"op":"Remove","path":"members","value":[{"$ref":null,"value":"<userId>"}]}]"#,
        #"[{"op":"Remove","path":"members","value":[{"value":"u1091"}]}]"#,
        #"[{"op":"remove","path":"members[value eq \"7f4b...\"]"}]"#,
    ])
    func removeOneMember(operations: String) throws {
        let group = try Self.entraGroup()
        let patched = try F.patch(body: Self.envelope(operations), group, F.groups)
        #expect(F.memberIDs(patched).count == 3)
        #expect(F.memberIDs(patched).contains("kept"))
        #expect(try F.patch(body: Self.envelope(operations), patched, F.groups) == patched, "a repeated removal succeeds and changes nothing")
    }

    // §1.18
    @Test func renameGroupAndAddExternalID() throws {
        let patched = try F.patch(body: Self.envelope(#"[{"op":"Replace","path":"displayName","value":"..."},{"op":"Add","path":"externalId","value":"ext-2"}]"#), try Self.entraGroup(), F.groups)
        #expect(patched["displayName"] == "...")
        #expect(patched["externalId"] == "ext-2")
        #expect(patched["schemas"] == (try Self.entraGroup())["schemas"], "the ADSCIM schema URI is kept as sent")
    }

    // §2: the same change in the default form and with aadOptscim062020 gives the same resource.
    @Test func defaultAndFlaggedFormsAgree() throws {
        let user = try F.bjensen()
        let flagged = try F.patch(body: Self.envelope(#"""
            [{"op":"replace","path":"emails[type eq \"work\"].value","value":"bjfe@example.com"},
             {"op":"replace","value":{"displayName":"Bjfe","name.givenName":"Kkom","name.familyName":"Unua","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber":"Aklq"}},
             {"op":"replace","path":"active","value":false},
             {"op":"add","path":"nickName","value":"Babs"}]
            """#), user)
        let legacy = try F.patch(body: Self.envelope(#"""
            [{"op":"Replace","path":"displayName","value":"Bjfe"},
             {"op":"Replace","path":"emails[type eq \"work\"].value","value":"bjfe@example.com"},
             {"op":"Replace","path":"name.givenName","value":"Kkom"},
             {"op":"Replace","path":"name.familyName","value":"Unua"},
             {"op":"Replace","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber","value":"Aklq"},
             {"op":"Replace","path":"active","value":"False"},
             {"op":"Add","path":"nickName","value":"Babs"}]
            """#), user)
        #expect(flagged == legacy)
        #expect(flagged["displayName"] == "Bjfe")
        #expect(flagged["name"]?["givenName"] == "Kkom")
        #expect(flagged[F.enterprise] == ["employeeNumber": "Aklq"])
        #expect(flagged["name.givenName"] == nil, "dotted keys are expanded, never stored")
        #expect(flagged["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber"] == nil)
    }

    @Test func pathlessValueWithCustomExtensionKeys() throws {
        let patched = try F.patch(body: Self.envelope(#"[{"op":"add","value":{"urn:ietf:params:scim:schemas:extension:klaxon:2.0:User:location":"Leeds","urn:ietf:params:scim:schemas:extension:klaxon:2.0:User:notificationPhoneNumber":"07700 900123","active":"True"}}]"#), try F.bjensen())
        #expect(patched[F.klaxon] == ["location": "Leeds", "notificationPhoneNumber": "07700 900123"])
        #expect(patched["active"] == true)
        #expect(patched.keys.allSatisfy { !$0.contains(":location") })
    }

    // Checklist item 5
    @Test(arguments: ["Add", "Replace"])
    func valueFilterPathsCreateTheMissingValue(op: String) throws {
        var user = try F.bjensen()
        user["emails"] = nil
        let patched = try F.patch(body: Self.envelope(#"[{"op":"\#(op)","path":"emails[type eq \"work\"].value","value":"b@work.example"},{"op":"\#(op)","path":"phoneNumbers[type eq \"mobile\"].value","value":"+44 7700 900123"}]"#), user)
        #expect(patched["emails"] == [["type": "work", "value": "b@work.example"]])
        #expect(patched["phoneNumbers"] == [["value": "555-555-5555", "type": "work"], ["type": "mobile", "value": "+44 7700 900123"]])
        let again = try F.patch(body: Self.envelope(#"[{"op":"\#(op)","path":"phoneNumbers[type eq \"mobile\"].value","value":"+44 7700 900456"}]"#), patched)
        #expect(again["phoneNumbers"]?.arrayValue?.count == 2, "the second time the value exists and is replaced")
        #expect(again["phoneNumbers"]?.arrayValue?.last?["value"] == "+44 7700 900456")
    }

    // Checklist item 9
    @Test func rolesAreStoredAsSent() throws {
        let operations = #"[{"op":"Add","path":"roles","value":[{"value":"{\"id\":...,\"value\":...,\"displayName\":...}"}]}]"#
        let patched = try F.patch(body: Self.envelope(operations), try F.bjensen())
        #expect(patched["roles"] == [["value": #"{"id":...,"value":...,"displayName":...}"#]])
    }
}

/// What Okta sends (reference §4).
@Suite struct PatchOktaTests {
    typealias F = PatchFixtures

    static func envelope(_ operations: String) -> String { PatchEntraTests.envelope(operations) }

    static func oktaGroup() throws -> JSONObject {
        try F.object(#"""
            {"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"id":"<groupId>","displayName":"Test SCIMv2",
             "members":[{"value":"<id>","display":"old@x"},{"value":"other","display":"other@x"}]}
            """#)
    }

    // §4.7
    @Test func deactivateAndReactivateWithoutPath() throws {
        let deactivated = try F.patch(body: #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":false}}]}"#, try F.bjensen())
        var expected = try F.bjensen()
        expected["active"] = false
        #expect(deactivated == expected)
        let reactivated = try F.patch(body: #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":true}}]}"#, deactivated)
        #expect(reactivated == (try F.bjensen()))
    }

    // §4.10
    @Test func renameIgnoresTheReadOnlyID() throws {
        let group = try Self.oktaGroup()
        let patched = try F.patch(body: Self.envelope(#"[{"op":"replace","value":{"id":"<groupId>","displayName":"..."}}]"#), group, F.groups)
        var expected = group
        expected["displayName"] = "..."
        #expect(patched == expected)
        let otherID = try F.patch(body: Self.envelope(#"[{"op":"replace","value":{"id":"something-else","displayName":"Renamed"}}]"#), group, F.groups)
        #expect(otherID["id"] == "<groupId>")
    }

    // §4.11
    @Test func membershipUpdateByRemoveThenAdd() throws {
        let patched = try F.patch(body: Self.envelope(#"[{"op":"remove","path":"members[value eq \"<id>\"]"},{"op":"add","path":"members","value":[{"value":"<id>","display":"user@x"}]}]"#), try Self.oktaGroup(), F.groups)
        #expect(patched["members"] == [["value": "other", "display": "other@x"], ["value": "<id>", "display": "user@x"]])
    }

    @Test(arguments: [
        #"[{"op":"replace","path":"members","value":[{"value":"<id>","display":"user@x"},{"value":"u3","display":"u3@x"}]}]"#,
        #"[{"op":"replace","value":{"members":[{"value":"<id>","display":"user@x"},{"value":"u3","display":"u3@x"}]}}]"#,
    ])
    func replaceTheMemberList(operations: String) throws {
        let patched = try F.patch(body: Self.envelope(operations), try Self.oktaGroup(), F.groups)
        #expect(patched["members"] == [["value": "<id>", "display": "user@x"], ["value": "u3", "display": "u3@x"]])
        #expect(patched["displayName"] == "Test SCIMv2")
    }

    // §4.14: custom attributes arrive nested under their namespace, listed in schemas or not.
    @Test(arguments: [
        #"{"urn:ietf:params:scim:schemas:extension:klaxon:2.0:User":{"location":"Leeds"}}"#,
        #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:klaxon:2.0:User"],"urn:ietf:params:scim:schemas:extension:klaxon:2.0:User":{"location":"Leeds"}}"#,
    ])
    func namespacedCustomAttributes(value: String) throws {
        let patched = try F.patch(body: Self.envelope(#"[{"op":"replace","value":"# + value + "}]"), try F.bjensen())
        #expect(patched[F.klaxon] == ["location": "Leeds"])
        #expect(patched["schemas"] == [.string(SchemaURN.user), .string(F.klaxon)])
    }
}
