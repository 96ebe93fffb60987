import Testing
@testable import SCIM

@Suite struct MembershipPatchTests {
    typealias F = PatchFixtures

    static func split(_ operations: String) throws -> (membership: MembershipPatch, others: PatchRequest)? {
        try F.operations(operations, for: F.groups).splitMembership()
    }

    /// Applies the request both ways, in full and split, and checks that they agree.
    static func expectSplitAgrees(_ operations: String, on group: JSONObject, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let request = try F.operations(operations, for: F.groups)
        let full = try PatchApplier.apply(request, to: group, for: F.groups)
        let (membership, others) = try #require(request.splitMembership(), sourceLocation: sourceLocation)
        var withoutMembers = group
        withoutMembers["members"] = nil
        var split = try PatchApplier.apply(others, to: withoutMembers, for: F.groups)
        #expect(split["members"] == nil, "the other operations never touch members", sourceLocation: sourceLocation)
        let members = membership.applied(to: (group["members"]?.arrayValue ?? []).compactMap(\.objectValue))
        split["members"] = members.isEmpty ? .none : .array(members.map(JSONValue.object))
        #expect(split == full, sourceLocation: sourceLocation)
    }

    @Test func entraAddsSeveralMembers() throws {
        let (membership, others) = try #require(try Self.split(#"[{"op":"Add","path":"members","value":[{"$ref":null,"value":"u1"},{"$ref":null,"value":"u2"},{"$ref":null,"value":"u1"}]}]"#))
        #expect(membership == MembershipPatch(add: [["value": "u1"], ["value": "u2"]]))
        #expect(others.operations.isEmpty)
    }

    @Test func oktaAddKeepsDisplay() throws {
        let (membership, _) = try #require(try Self.split(#"[{"op":"add","path":"members","value":[{"value":"<id>","display":"user@x"}]}]"#))
        #expect(membership.add == [["value": "<id>", "display": "user@x"]])
    }

    @Test(arguments: [
        #"[{"op":"Remove","path":"members","value":[{"$ref":null,"value":"u1"},{"value":"u2"}]}]"#,
        #"[{"op":"remove","path":"members[value eq \"u1\"]"},{"op":"remove","path":"members[value eq \"u2\"]"}]"#,
        #"[{"op":"remove","path":"members[value eq \"u1\" or value eq \"u2\"]"}]"#,
    ])
    func removesByID(operations: String) throws {
        let (membership, others) = try #require(try Self.split(operations))
        #expect(membership == MembershipPatch(remove: ["u1", "u2"]))
        #expect(others.operations.isEmpty)
    }

    @Test func removeWithoutValueClears() throws {
        let (membership, _) = try #require(try Self.split(#"[{"op":"remove","path":"members"}]"#))
        #expect(membership == MembershipPatch(clearAll: true))
    }

    @Test func replaceSetsTheList() throws {
        let (membership, _) = try #require(try Self.split(#"[{"op":"replace","path":"members","value":[{"value":"u1"},{"value":"u2","display":"Two"}]}]"#))
        #expect(membership == MembershipPatch(replaceAll: [["value": "u1"], ["value": "u2", "display": "Two"]]))
        let (emptied, _) = try #require(try Self.split(#"[{"op":"replace","path":"members","value":[]}]"#))
        #expect(emptied == MembershipPatch(clearAll: true))
    }

    @Test func oktaPathlessReplaceSplitsFromTheRename() throws {
        let (membership, others) = try #require(try Self.split(#"[{"op":"replace","value":{"id":"<groupId>","displayName":"Renamed","members":[{"value":"u1"}]}}]"#))
        #expect(membership == MembershipPatch(replaceAll: [["value": "u1"]]))
        #expect(others.operations == [PatchOperation(.replace, value: ["id": "<groupId>", "displayName": "Renamed"])])
    }

    @Test func oktaRenameThenMembershipUpdate() throws {
        let (membership, others) = try #require(try Self.split(#"""
            [{"op":"replace","value":{"id":"<groupId>","displayName":"Test SCIMv2"}},
             {"op":"remove","path":"members[value eq \"<id>\"]"},
             {"op":"add","path":"members","value":[{"value":"<id2>","display":"user@x"}]}]
            """#))
        #expect(membership == MembershipPatch(add: [["value": "<id2>", "display": "user@x"]], remove: ["<id>"]))
        #expect(others.operations.count == 1)
        #expect(others.operations.first?.path == nil)
    }

    @Test func operationsFoldInOrder() throws {
        let (removeThenAdd, _) = try #require(try Self.split(#"[{"op":"remove","path":"members[value eq \"u1\"]"},{"op":"add","path":"members","value":[{"value":"u1","display":"New"}]}]"#))
        #expect(removeThenAdd == MembershipPatch(add: [["value": "u1", "display": "New"]], remove: ["u1"]))
        let (addThenRemove, _) = try #require(try Self.split(#"[{"op":"add","path":"members","value":[{"value":"u1"}]},{"op":"remove","path":"members","value":[{"value":"u1"}]}]"#))
        #expect(addThenRemove == MembershipPatch(remove: ["u1"]))
        let (clearThenAdd, _) = try #require(try Self.split(#"[{"op":"add","path":"members","value":[{"value":"u0"}]},{"op":"remove","path":"members"},{"op":"add","path":"members","value":[{"value":"u1"}]},{"op":"remove","path":"members[value eq \"u9\"]"}]"#))
        #expect(clearThenAdd == MembershipPatch(add: [["value": "u1"]], clearAll: true))
        let (replaceThenChange, _) = try #require(try Self.split(#"[{"op":"replace","path":"members","value":[{"value":"u1"},{"value":"u2"}]},{"op":"remove","path":"members[value eq \"u1\"]"},{"op":"add","path":"members","value":[{"value":"u2"},{"value":"u3"}]}]"#))
        #expect(replaceThenChange == MembershipPatch(replaceAll: [["value": "u2"], ["value": "u3"]]))
    }

    @Test(arguments: [
        #"[{"op":"remove","path":"members[type eq \"User\"]"}]"#,
        #"[{"op":"remove","path":"members[display co \"Babs\"]"}]"#,
        #"[{"op":"remove","path":"members[value eq \"u1\" and type eq \"User\"]"}]"#,
        #"[{"op":"replace","path":"members[value eq \"u1\"].display","value":"B"}]"#,
        #"[{"op":"add","path":"members[value eq \"u1\"]","value":{"display":"B"}}]"#,
        #"[{"op":"remove","path":"members.display"}]"#,
        #"[{"op":"add","path":"members","value":[{"display":"no id"}]}]"#,
        #"[{"op":"add","path":"members","value":"u1"}]"#,
        #"[{"op":"add","path":"members"}]"#,
        #"[{"op":"replace","value":{"members.display":"x"}}]"#,
        #"[{"op":"replace","value":{"urn:ietf:params:scim:schemas:core:2.0:Group":{"members":[]}}}]"#,
        #"[{"op":"remove","path":"urn:ietf:params:scim:schemas:core:2.0:Group:members[display eq \"x\"]"}]"#,
    ])
    func needsTheFullList(operations: String) throws {
        #expect(try Self.split(operations) == nil)
    }

    @Test func otherOperationsPassThroughUnchanged() throws {
        let operations = #"[{"op":"Replace","path":"displayName","value":"Ops"},{"op":"remove"},{"op":"Add","path":"urn:ietf:params:scim:schemas:core:2.0:Group:members","value":[{"value":"u1"}]}]"#
        let (membership, others) = try #require(try Self.split(operations))
        #expect(membership.add == [["value": "u1"]])
        #expect(others.operations.map(\.op) == [.replace, .remove])
        #expect(!membership.isEmpty)
        #expect(MembershipPatch().isEmpty)
    }

    @Test(arguments: [
        #"[{"op":"Add","path":"members","value":[{"$ref":null,"value":"u1"},{"$ref":null,"value":"2819c223-7f76-453a-919d-413861904646"}]}]"#,
        #"[{"op":"Remove","path":"members","value":[{"$ref":null,"value":"2819c223-7f76-453a-919d-413861904646"}]}]"#,
        #"[{"op":"remove","path":"members[value eq \"902c246b-6245-4190-8e05-00816be7344a\"]"},{"op":"add","path":"members","value":[{"value":"902c246b-6245-4190-8e05-00816be7344a","display":"Mandy"}]}]"#,
        #"[{"op":"add","path":"members","value":[{"value":"u1"}]},{"op":"remove","path":"members[value eq \"u1\"]"}]"#,
        #"[{"op":"remove","path":"members"},{"op":"add","path":"members","value":[{"value":"u1"}]}]"#,
        #"[{"op":"replace","path":"members","value":[{"value":"u1"}]},{"op":"remove","path":"members","value":[{"value":"u1"}]}]"#,
        #"[{"op":"replace","value":{"displayName":"Renamed","members":[{"value":"u1"},{"value":"u1"}]}},{"op":"add","path":"members","value":[{"value":"u2"}]}]"#,
        #"[{"op":"replace","value":{"id":"x","displayName":"Renamed"}},{"op":"remove","path":"members","value":[{"value":"nobody"}]}]"#,
        #"[{"op":"replace","path":"members","value":null},{"op":"add","path":"members","value":null}]"#,
    ])
    func splitAndFullApplicationAgree(operations: String) throws {
        try Self.expectSplitAgrees(operations, on: try F.tourGuides())
        var empty = try F.tourGuides()
        empty["members"] = nil
        try Self.expectSplitAgrees(operations, on: empty)
    }
}
