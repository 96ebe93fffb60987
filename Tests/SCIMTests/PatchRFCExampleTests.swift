import Testing
@testable import SCIM

/// RFC 7644 §3.5.2.1–3: every example of the RFC, applied. The RFC elides member ids ("2819c223...413861904646");
/// they are written out here. Otherwise the bodies are the RFC's.
@Suite struct PatchRFCExampleTests {
    typealias F = PatchFixtures

    @Test func addMemberToGroup() throws {
        var group = try F.tourGuides()
        group["members"] = .array(Array(group["members"]?.arrayValue?.suffix(1) ?? []))
        let body = #"""
            { "schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
              "Operations":[
                {
                 "op":"add",
                 "path":"members",
                 "value":[
                  {
                    "display": "Babs Jensen",
                    "$ref":
            "https://example.com/v2/Users/2819c223...413861904646",
                    "value": "2819c223-7f76-453a-919d-413861904646"
                  }
                 ]
                }
              ]
            }
            """#
        let patched = try F.patch(body: body, group, F.groups)
        #expect(F.memberIDs(patched) == [F.mandy, F.babs])
        #expect(patched["members"]?.arrayValue?.last == ["display": "Babs Jensen", "$ref": "https://example.com/v2/Users/2819c223...413861904646", "value": .string(F.babs)])
        // "If the target location already contains the value specified, no changes SHOULD be made."
        #expect(try F.patch(body: body, patched, F.groups) == patched)
    }

    @Test func addAttributesWithoutPath() throws {
        var user = try F.bjensen()
        user["emails"] = [["value": "bjensen@example.com", "type": "work", "primary": true]]
        let patched = try F.patch(body: #"""
            { "schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
              "Operations":[{
                "op":"add",
                "value":{
                  "emails":[
                    {
                      "value":"babs@jensen.org",
                      "type":"home"
                    }
                  ],
                  "nickname":"Babs"
              }}]
            }
            """#, user)
        #expect(patched["emails"] == [["value": "bjensen@example.com", "type": "work", "primary": true], ["value": "babs@jensen.org", "type": "home"]])
        #expect(patched["nickName"] == "Babs")
        #expect(patched.keys.contains("nickName"), "a new attribute is stored under its schema name")
    }

    @Test func removeSingleMember() throws {
        let patched = try F.patch(body: #"""
            { "schemas":
                ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
              "Operations":[{
                "op":"remove",
                "path":"members[value eq \"2819c223-7f76-453a-919d-413861904646\"]"
              }]
            }
            """#, try F.tourGuides(), F.groups)
        #expect(F.memberIDs(patched) == [F.mandy])
    }

    @Test func removeAllMembers() throws {
        let patched = try F.patch(body: #"""
            { "schemas":
                ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
              "Operations":[{
                "op":"remove","path":"members"
              }]
            }
            """#, try F.tourGuides(), F.groups)
        #expect(patched["members"] == nil)
        #expect(patched["displayName"] == "Tour Guides")
    }

    @Test func removeValuesMatchingComplexFilter() throws {
        let patched = try F.patch(body: #"""
            { "schemas":
                ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
              "Operations": [{
                "op":"remove",
                "path":"emails[type eq \"work\" and value ew \"example.com\"]"
              }]
            }
            """#, try F.bjensen())
        #expect(patched["emails"] == [["value": "babs@jensen.org", "type": "home"]])
    }

    @Test func removeOneMemberAndAddAnother() throws {
        // The RFC writes `eq"…"` without a space; the filter grammar accepts it.
        let patched = try F.patch(body: #"""
            { "schemas":
                ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
              "Operations": [
                {
                  "op":"remove",
                  "path":
                    "members[value eq\"2819c223-7f76-453a-919d-413861904646\"]"
                },
                {
                  "op":"add",
                  "path":"members",
                  "value": [{
                    "display": "James Smith",
                    "$ref":
            "https://example.com/v2/Users/08e1d05d...473d93df9210",
                    "value": "08e1d05d-121c-4561-8b96-473d93df9210"
                  }]
                }
              ]
            }
            """#, try F.tourGuides(), F.groups)
        #expect(F.memberIDs(patched) == [F.mandy, F.james])
    }

    static let babsAndJames = #"""
        [
          {
            "display": "Babs Jensen",
            "$ref":
        "https://example.com/v2/Users/2819c223...413861904646",
            "value": "2819c223-7f76-453a-919d-413861904646"
          },
          {
            "display": "James Smith",
            "$ref":
        "https://example.com/v2/Users/08e1d05d...473d93df9210",
            "value": "08e1d05d-121c-4561-8b96-473d93df9210"
          }
        ]
        """#

    @Test func replaceMembersByRemoveThenAdd() throws {
        let patched = try F.patch(body: #"""
            { "schemas":
                ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
              "Operations": [
                {
                  "op":"remove",
                  "path":"members"
                },
                {
                  "op":"add",
                  "path":"members",
                  "value":
            """# + Self.babsAndJames + "}]}", try F.tourGuides(), F.groups)
        #expect(F.memberIDs(patched) == [F.babs, F.james])
        #expect(patched["members"]?.arrayValue?.first?["display"] == "Babs Jensen")
    }

    @Test func replaceMembersInOneOperation() throws {
        let patched = try F.patch(body: #"""
            { "schemas":
                ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
              "Operations": [{
                "op":"replace",
                "path":"members",
                "value":
            """# + Self.babsAndJames + "}]}", try F.tourGuides(), F.groups)
        #expect(F.memberIDs(patched) == [F.babs, F.james])
        #expect(patched["members"]?.arrayValue?.first?["$ref"] == "https://example.com/v2/Users/2819c223...413861904646")
    }

    @Test func replaceWorkAddress() throws {
        let user = try F.bjensen()
        let patched = try F.patch(body: #"""
            { "schemas":
                ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
              "Operations": [{
                "op":"replace",
                "path":"addresses[type eq \"work\"]",
                "value":
                {
                  "type":"work",
                  "streetAddress":"911 Universal City Plaza",
                  "locality":"Hollywood",
                  "region":"CA",
                  "postalCode":"91608",
                  "country":"US",
                  "formatted":
            "911 Universal City Plaza\nHollywood, CA 91608 US",
                  "primary":true
                }
              }]
            }
            """#, user)
        let addresses = try #require(patched["addresses"]?.arrayValue)
        #expect(addresses.count == 2)
        #expect(addresses[0]["streetAddress"] == "911 Universal City Plaza")
        #expect(addresses[0]["country"] == "US")
        #expect(addresses[0]["formatted"] == "911 Universal City Plaza\nHollywood, CA 91608 US")
        #expect(addresses[1] == user["addresses"]?.arrayValue?[1])
    }

    @Test func replaceSubAttributeOfFilteredValue() throws {
        let user = try F.bjensen()
        let patched = try F.patch(body: #"""
            { "schemas":
                ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
              "Operations": [{
                "op":"replace",
                "path":"addresses[type eq \"work\"].streetAddress",
                "value":"1010 Broadway Ave"
              }]
            }
            """#, user)
        var expected = try #require(user["addresses"]?.arrayValue)
        expected[0]["streetAddress"] = "1010 Broadway Ave"
        #expect(patched["addresses"] == .array(expected))
    }

    @Test func replaceAttributesWithoutPath() throws {
        let patched = try F.patch(body: #"""
            { "schemas":
                ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
              "Operations": [{
                "op":"replace",
                "value":{
                  "emails":[
                    {
                      "value":"bjensen@example.com",
                      "type":"work",
                      "primary":true
                    },
                    {
                      "value":"babs@jensen.org",
                      "type":"home"
                    }
                  ],
                  "nickname":"Babs"
              }
              }]
            }
            """#, try F.bjensen())
        #expect(patched["emails"] == [["value": "bjensen@example.com", "type": "work", "primary": true], ["value": "babs@jensen.org", "type": "home"]])
        #expect(patched["nickName"] == "Babs")
    }
}
