import Testing
@testable import SCIM

/// Parsing the PatchOp message (RFC 7644 §3.5.2).
@Suite struct PatchRequestTests {
    typealias F = PatchFixtures

    @Test func parsesOperationsInAnyCaseWithURNPaths() throws {
        let request = try F.request(#"""
            {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[
              {"op":"Add","path":"urn:ietf:params:scim:schemas:extension:klaxon:2.0:User:location","value":"Leeds"},
              {"op":"REPLACE","path":"emails[type eq \"work\"].value","value":"x"},
              {"op":"remove","path":"nickName"},
              {"op":"replace","path":null,"value":{"active":false}},
              {"op":"replace","path":"  ","value":{"active":true}}]}
            """#)
        #expect(request.operations.map(\.op) == [.add, .replace, .remove, .replace, .replace])
        let location = try #require(request.operations[0].path?.attribute)
        #expect(location.schema == F.klaxon)
        #expect(location.name == "location")
        #expect(request.operations[1].path?.subAttribute == "value")
        #expect(request.operations[2].value == nil)
        #expect(request.operations[3].path == nil)
        #expect(request.operations[4].path == nil)
    }

    @Test(arguments: [
        (#"[]"#, SCIMError.ScimType.invalidSyntax, "object"),
        (#"{"Operations":[{"op":"add","path":"nickName","value":"x"}]}"#, .invalidSyntax, "PatchOp"),
        (#"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"Operations":[{"op":"add","path":"nickName","value":"x"}]}"#, .invalidSyntax, "PatchOp"),
        (#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"]}"#, .invalidSyntax, "Operations"),
        (#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[]}"#, .invalidSyntax, "Operations"),
        (#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":{"op":"add"}}"#, .invalidSyntax, "Operations"),
        (#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":["add"]}"#, .invalidSyntax, "operation 1"),
        (#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"path":"nickName","value":"x"}]}"#, .invalidSyntax, "op"),
        (#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"delete","path":"nickName"}]}"#, .invalidSyntax, "delete"),
        (#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":5}]}"#, .invalidSyntax, "op"),
        (#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":5,"value":"x"}]}"#, .invalidSyntax, "path"),
        (#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"emails[","value":"x"}]}"#, .invalidPath, "["),
        (#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"emails[type xx \"work\"]","value":"x"}]}"#, .invalidFilter, "xx"),
    ])
    func rejectsMalformedBodies(body: String, scimType: SCIMError.ScimType, fragment: String) throws {
        expectSCIMError(.badRequest, scimType, mentioning: fragment) { _ = try F.request(body) }
    }

    @Test func boundsOperationsAndValues() throws {
        let schema = F.users
        let one: JSONValue = ["op": "add", "path": "nickName", "value": "x"]
        let many: JSONValue = ["schemas": [.string(SchemaURN.patchOp)], "Operations": .array(Array(repeating: one, count: 11))]
        let limits = PatchRequest.Limits(maxOperations: 10, maxValuesPerOperation: 3)
        expectSCIMError(.badRequest, .tooMany, mentioning: "11 operations") { _ = try PatchRequest(json: many, for: schema, limits: limits) }
        let big: JSONValue = ["schemas": [.string(SchemaURN.patchOp)], "Operations": [["op": "add", "value": ["emails": [["value": "a"], ["value": "b"]], "phoneNumbers": [["value": "1"], ["value": "2"]]]]]]
        expectSCIMError(.badRequest, .tooMany, mentioning: "4 elements") { _ = try PatchRequest(json: big, for: schema, limits: limits) }
        let fits: JSONValue = ["schemas": [.string(SchemaURN.patchOp)], "Operations": .array(Array(repeating: one, count: 10))]
        #expect(try PatchRequest(json: fits, for: schema, limits: limits).operations.count == 10)
        #expect(PatchRequest.Limits.default.maxOperations == 1000)
    }
}
