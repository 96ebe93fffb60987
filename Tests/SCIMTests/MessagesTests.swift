import Testing
@testable import SCIM

@Suite struct MessagesTests {
    // MARK: ListResponse

    @Test func emptyListResponseHasIntegerPagingAndResources() {
        let page = ListResponse(totalResults: 0, startIndex: 1, resources: [])
        #expect(JSONWriter.string(from: page.json)
            == #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":0,"startIndex":1,"itemsPerPage":0,"Resources":[]}"#)
    }

    @Test func listResponsePage() {
        let page = ListResponse(totalResults: 250, startIndex: 101, resources: [["id": "a"], ["id": "b"]])
        #expect(page.itemsPerPage == 2)
        #expect(page.json["totalResults"] == .integer(250))
        #expect(page.json["startIndex"] == .integer(101))
        #expect(page.json["itemsPerPage"] == .integer(2))
        #expect(page.json["Resources"] == [["id": "a"], ["id": "b"]])
    }

    // MARK: ListQuery

    @Test func oktaAndEntraQueries() throws {
        let users = try #require(SchemaRegistry.standard.resourceSchema(for: "User"))
        let okta = try ListQuery(parameters: ["filter": #"userName eq "test.user@okta.local""#, "startIndex": "1", "count": "100"], in: users)
        #expect(okta.filter?.description == #"userName eq "test.user@okta.local""#)
        #expect(okta.startIndex == 1)
        #expect(okta.count == 100)

        let groups = try #require(SchemaRegistry.standard.resourceSchema(for: "Group"))
        let entra = try ListQuery(
            parameters: ["excludedAttributes": "members", "filter": #"displayName eq "displayName""#, "aadOptscim062020": ""], in: groups)
        #expect(entra.excludedAttributes == ["members"])
        #expect(entra.filter?.description == #"displayName eq "displayName""#)
        #expect(entra.count == 100)
    }

    @Test func defaults() throws {
        let query = try ListQuery(parameters: [:])
        #expect(query.filter == nil)
        #expect(query.startIndex == 1)
        #expect(query.count == 100)
        #expect(query.sortBy == nil)
        #expect(query.sortOrder == .ascending)
        #expect(query.attributes.isEmpty && query.excludedAttributes.isEmpty)
    }

    @Test(arguments: [
        (["startIndex": "0"], 1, 100), (["startIndex": "-5"], 1, 100), (["startIndex": " 7 "], 7, 100),
        (["count": "-1"], 1, 0), (["count": "0"], 1, 0), (["count": "2"], 1, 2), (["count": "5000"], 1, 1000),
        (["StartIndex": "3", "COUNT": "4"], 3, 4),
    ])
    func pagingIsNormalised(parameters: [String: String], startIndex: Int, count: Int) throws {
        let query = try ListQuery(parameters: parameters)
        #expect(query.startIndex == startIndex)
        #expect(query.count == count)
    }

    @Test func limitsAreConfigurable() throws {
        let limits = ListQuery.Limits(defaultCount: 20, maxResults: 50)
        #expect(try ListQuery(parameters: [:], limits: limits).count == 20)
        #expect(try ListQuery(parameters: ["count": "51"], limits: limits).count == 50)
    }

    @Test func sortingAndAttributes() throws {
        let users = try #require(SchemaRegistry.standard.resourceSchema(for: "User"))
        let query = try ListQuery(
            parameters: [
                "sortBy": "urn:ietf:params:scim:schemas:extension:klaxon:2.0:User:location", "sortOrder": "Descending",
                "attributes": "userName, emails ,,name.givenName", "filter": "  ",
            ], in: users)
        #expect(query.sortBy == AttributePath(schema: SchemaURN.klaxonUser, name: "location"))
        #expect(query.sortOrder == .descending)
        #expect(query.attributes == ["userName", "emails", "name.givenName"])
        #expect(query.filter == nil)
    }

    @Test(arguments: [
        (["startIndex": "abc"], SCIMError.ScimType.invalidValue, "startIndex must be an integer, not 'abc'"),
        (["count": "1.5"], .invalidValue, "count must be an integer, not '1.5'"),
        (["count": "99999999999999999999"], .invalidValue, "count must be an integer"),
        (["sortBy": "userName", "sortOrder": "up"], .invalidValue, "sortOrder must be 'ascending' or 'descending', not 'up'"),
        (["sortBy": "name..givenName"], .invalidPath, "'name..givenName' is not a valid attribute path"),
        (["filter": "test.user@okta.local"], .invalidFilter, ""),
        (["filter": #"userName eq "a" and"#], .invalidFilter, ""),
    ])
    func badParameters(parameters: [String: String], scimType: SCIMError.ScimType, message: String) {
        let error = #expect(throws: SCIMError.self) { try ListQuery(parameters: parameters) }
        #expect(error?.status == .badRequest)
        #expect(error?.scimType == scimType)
        #expect(error?.detail.contains(message) == true, "\(String(describing: error))")
    }

    // MARK: SearchRequest

    @Test func searchRequestBody() throws {
        let users = try #require(SchemaRegistry.standard.resourceSchema(for: "User"))
        let body = try JSONParser.parse(#"""
            {"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
             "attributes":["displayName","userName"],"excludedAttributes":"emails, phoneNumbers",
             "filter":"displayName sw \"smith\"","sortBy":"userName","sortOrder":"descending",
             "startIndex":1,"count":10,"unknown":true}
            """#)
        let query = try SearchRequest.query(from: body, in: users)
        #expect(query == (try ListQuery(
            parameters: [
                "attributes": "displayName,userName", "excludedAttributes": "emails,phoneNumbers", "filter": #"displayName sw "smith""#,
                "sortBy": "userName", "sortOrder": "descending", "startIndex": "1", "count": "10",
            ], in: users)))
        #expect(query.attributes == ["displayName", "userName"])
        #expect(query.count == 10)
    }

    @Test func searchRequestDefaultsAndCap() throws {
        let query = try SearchRequest.query(
            from: ["schemas": [.string(SchemaURN.searchRequest)], "count": 5000, "startIndex": 0, "filter": nil])
        #expect(query.startIndex == 1)
        #expect(query.count == 1000)
        #expect(query.filter == nil)
    }

    @Test(arguments: [
        (#"["x"]"#, SCIMError.ScimType.invalidSyntax, "must be a JSON object"),
        (#"{"filter":"userName pr"}"#, .invalidSyntax, "'schemas' must be [\"urn:ietf:params:scim:api:messages:2.0:SearchRequest\"]"),
        (#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"]}"#, .invalidSyntax, "SearchRequest"),
        (#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],"count":"10"}"#, .invalidValue, "'count' must be an integer, not string"),
        (#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],"startIndex":1.5}"#, .invalidValue, "'startIndex' must be an integer"),
        (#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],"filter":5}"#, .invalidValue, "'filter' must be a string"),
        (#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],"attributes":[1]}"#, .invalidValue, "'attributes' must be an array of attribute names"),
        (#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],"excludedAttributes":{}}"#, .invalidValue, "'excludedAttributes' must be an array"),
        (#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],"sortOrder":"sideways"}"#, .invalidValue, "sortOrder must be"),
        (#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],"filter":"userName"}"#, .invalidFilter, ""),
    ])
    func badSearchRequests(json: String, scimType: SCIMError.ScimType, message: String) throws {
        let body = try JSONParser.parse(json)
        let error = #expect(throws: SCIMError.self) { try SearchRequest.query(from: body) }
        #expect(error?.status == .badRequest)
        #expect(error?.scimType == scimType)
        #expect(error?.detail.contains(message) == true, "\(String(describing: error))")
    }

    // MARK: ETag

    @Test func weakTagFromVersion() throws {
        #expect(ETag(version: 3).description == #"W/"3""#)
        #expect(ETag(version: 3).version == 3)
        #expect(try ETag(parsing: #"W/"3""#) == ETag(version: 3))
        #expect(try ETag(parsing: #""abc""#) == ETag(tag: "abc", isWeak: false))
        #expect(try ETag(parsing: #"W/"abc""#).version == nil)
    }

    @Test(arguments: [
        ("*", 7, true),
        (#"W/"3""#, 3, true),
        (#"W/"3""#, 4, false),
        (#""3""#, 3, true),
        ("3", 3, true),
        (#"W/"1", "2" ,W/"3""#, 3, true),
        (#"W/"1",,W/"2""#, 3, false),
        (#""a,b", W/"5""#, 5, true),
    ])
    func conditions(header: String, version: Int, matches: Bool) throws {
        #expect(try ETag.Condition(header: header).matches(version: version) == matches)
    }

    @Test func conditionLists() throws {
        #expect(try ETag.Condition(header: " * ") == .any)
        #expect(try ETag.Condition(header: #"W/"1", "a,b""#) == .tags([ETag(tag: "1", isWeak: true), ETag(tag: "a,b", isWeak: false)]))
    }

    @Test(arguments: ["", "  ", ",", #"W/"3"#, #""3"x"#, #"*, "3""#, "W/", #"3""#])
    func malformedConditions(header: String) {
        let error = #expect(throws: SCIMError.self) { try ETag.Condition(header: header) }
        #expect(error?.status == .badRequest)
        #expect(error?.scimType == .invalidSyntax)
    }

    @Test func aSingleTagIsExpected() {
        let error = #expect(throws: SCIMError.self) { try ETag(parsing: #"W/"1", W/"2""#) }
        #expect(error?.status == .badRequest)
        #expect(error?.scimType == .invalidSyntax)
    }

    // MARK: BulkRequest

    static let bulkBody = #"""
        {"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],
         "failOnErrors":1,
         "Operations":[
           {"method":"POST","path":"/Users","bulkId":"qwerty",
            "data":{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"Alice"}},
           {"method":"post","path":"/Groups","bulkId":"ytrewq",
            "data":{"displayName":"Tour Guides","members":[{"type":"User","value":"bulkId:qwerty"}]}},
           {"method":"PUT","path":"/Users/b7c14771-226c-4d05-8860-134711653041","version":"W\/\"3\"",
            "data":{"userName":"Bob"}},
           {"method":"PATCH","path":"/Groups/bulkId:ytrewq",
            "data":{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"members","value":[{"value":"bulkId:qwerty"}]}]}},
           {"method":"DELETE","path":"/Users/e9e30dba-f08f-4109-8486-d5c6a331660a","version":"W\/\"0\""}
         ]}
        """#

    @Test func parsesABulkRequest() throws {
        let request = try BulkRequest(bytes: Array(Self.bulkBody.utf8))
        #expect(request.failOnErrors == 1)
        #expect(request.operations.map(\.method) == [.post, .post, .put, .patch, .delete])
        #expect(request.operations.map(\.bulkId) == ["qwerty", "ytrewq", nil, nil, nil])
        #expect(request.operations[2].version == ETag(version: 3))
        #expect(request.operations[2].data == ["userName": "Bob"])
        #expect(request.operations[4].data == nil)
        #expect(request.operations[4].path == "/Users/e9e30dba-f08f-4109-8486-d5c6a331660a")
    }

    @Test func resolvesBulkIdReferences() throws {
        let request = try BulkRequest(bytes: Array(Self.bulkBody.utf8))
        let ids = ["qwerty": "92b725cd", "ytrewq": "e9e30dba"]
        let group = try request.operations[1].resolvingBulkIds(ids)
        #expect(group.data?["members"] == [["type": "User", "value": "92b725cd"]])
        #expect(group.path == "/Groups")
        let patch = try request.operations[3].resolvingBulkIds(ids)
        #expect(patch.path == "/Groups/e9e30dba")
        #expect(patch.data?["Operations"] == [["op": "add", "path": "members", "value": [["value": "92b725cd"]]]])
        #expect(try BulkRequest.resolvingBulkIds(in: ["note": "bulkId is a word", "n": 1], ids) == ["note": "bulkId is a word", "n": 1])

        let error = #expect(throws: SCIMError.self) { try request.operations[3].resolvingBulkIds(["qwerty": "92b725cd"]) }
        #expect(error?.status == .conflict)
        #expect(error?.scimType == nil)
        #expect(error?.detail == "'bulkId:ytrewq' refers to no resource created in this bulk request")
    }

    @Test func payloadLimits() throws {
        let bytes = Array(Self.bulkBody.utf8)
        let size = #expect(throws: SCIMError.self) { try BulkRequest(bytes: bytes, limits: .init(maxPayloadSize: bytes.count - 1)) }
        #expect(size?.status == .payloadTooLarge)
        #expect(size?.scimType == nil)
        #expect(size?.detail == "The size of the bulk operation (\(bytes.count) bytes) exceeds the maxPayloadSize (\(bytes.count - 1)).")
        #expect(size?.body["status"] == "413")

        #expect(try BulkRequest(bytes: bytes, limits: .init(maxOperations: 5, maxPayloadSize: bytes.count)).operations.count == 5)
        let count = #expect(throws: SCIMError.self) { try BulkRequest(bytes: bytes, limits: .init(maxOperations: 4)) }
        #expect(count?.status == .payloadTooLarge)
        #expect(count?.scimType == nil)
        #expect(count?.detail == "The bulk request has 5 operations, more than the maxOperations (4).")
    }

    @Test func invalidJSONIsInvalidSyntax() {
        let error = #expect(throws: SCIMError.self) { try BulkRequest(bytes: Array(#"{"schemas":["#.utf8)) }
        #expect(error?.status == .badRequest)
        #expect(error?.scimType == .invalidSyntax)
        #expect(error?.detail.contains("not valid JSON") == true)
    }

    static let bulkSchemas = #""schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"]"#

    @Test(arguments: [
        (#"[]"#, SCIMError.ScimType.invalidSyntax, "must be a JSON object"),
        (#"{"Operations":[]}"#, .invalidSyntax, "'schemas' must be"),
        ("{\(bulkSchemas)}", .invalidSyntax, "needs an 'Operations' array"),
        ("{\(bulkSchemas),\"failOnErrors\":0,\"Operations\":[]}", .invalidValue, "'failOnErrors' must be a positive integer, not 0"),
        ("{\(bulkSchemas),\"failOnErrors\":\"1\",\"Operations\":[]}", .invalidValue, "'failOnErrors' must be a positive integer"),
        ("{\(bulkSchemas),\"Operations\":[1]}", .invalidSyntax, "operation 1 must be an object"),
        ("{\(bulkSchemas),\"Operations\":[{\"method\":\"GET\",\"path\":\"/Users\"}]}", .invalidSyntax, "'method' must be POST, PUT, PATCH or DELETE, not 'GET'"),
        ("{\(bulkSchemas),\"Operations\":[{\"path\":\"/Users\"}]}", .invalidSyntax, "'method' must be"),
        ("{\(bulkSchemas),\"Operations\":[{\"method\":\"DELETE\",\"path\":\"Users/1\"}]}", .invalidSyntax, "operation 1: 'path' must be a resource path"),
        ("{\(bulkSchemas),\"Operations\":[{\"method\":\"DELETE\",\"path\":5}]}", .invalidSyntax, "'path' must be a string"),
        ("{\(bulkSchemas),\"Operations\":[{\"method\":\"POST\",\"path\":\"/Users\",\"data\":{}}]}", .invalidSyntax, "a POST needs a 'bulkId'"),
        ("{\(bulkSchemas),\"Operations\":[{\"method\":\"PUT\",\"path\":\"/Users/1\"}]}", .invalidSyntax, "a PUT needs a 'data' object"),
        ("{\(bulkSchemas),\"Operations\":[{\"method\":\"PATCH\",\"path\":\"/Users/1\",\"data\":[]}]}", .invalidSyntax, "a PATCH needs a 'data' object"),
        ("{\(bulkSchemas),\"Operations\":[{\"method\":\"DELETE\",\"path\":\"/Users/1\",\"version\":\"W/\\\"1\"}]}", .invalidSyntax, "closing quote"),
        (
            "{\(bulkSchemas),\"Operations\":[{\"method\":\"POST\",\"path\":\"/Users\",\"bulkId\":\"a\",\"data\":{}},{\"method\":\"POST\",\"path\":\"/Users\",\"bulkId\":\"a\",\"data\":{}}]}",
            .invalidSyntax, "operation 2 repeats the bulkId 'a'"
        ),
    ])
    func malformedBulkRequests(json: String, scimType: SCIMError.ScimType, message: String) {
        let error = #expect(throws: SCIMError.self) { try BulkRequest(bytes: Array(json.utf8)) }
        #expect(error?.status == .badRequest)
        #expect(error?.scimType == scimType)
        #expect(error?.detail.contains(message) == true, "\(String(describing: error))")
    }

    // MARK: BulkResponse

    @Test func bulkResponse() {
        var response = BulkResponse()
        response.append(.init(
            method: .post, bulkId: "qwerty", location: "https://example.com/v2/Users/92b725cd", version: ETag(version: 1), status: 201))
        response.append(.init(method: .post, bulkId: "ytrewq", error: .invalidValue("'displayName' is required and must not be empty")))
        response.append(.init(method: .delete, location: "https://example.com/v2/Users/b7c1", status: 204))
        #expect(JSONWriter.string(from: response.json) == #"""
            {"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkResponse"],"Operations":[\#
            {"location":"https://example.com/v2/Users/92b725cd","method":"POST","bulkId":"qwerty","version":"W/\"1\"","status":"201"},\#
            {"method":"POST","bulkId":"ytrewq","status":"400","response":{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],\#
            "status":"400","scimType":"invalidValue","detail":"'displayName' is required and must not be empty"}},\#
            {"location":"https://example.com/v2/Users/b7c1","method":"DELETE","status":"204"}]}
            """#)
    }
}
