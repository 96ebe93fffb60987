import Foundation
import HTTPTypes
import KlaxonTestSupport
import Testing

/// HEAD answers as GET would, with the same status and headers and no body (RFC 9110 §9.3.2), errors included.
@Suite struct HeadRequestTests {
    @Test func headAnswersLikeGetWithoutTheBody() async throws {
        try await TestBackend.sqlite.withScratchDatabase { database in
            try await TestServer.run(on: database) { server in
                let id = try await server.createUser("head@example.com")
                let get = try await server.scim(.get, "/Users/\(id)")
                #expect(get.status == 200)
                let auth = "Authorization: Bearer \(server.acmeToken)\r\n"
                let cases: [(request: String, status: Int, length: Int?)] = [
                    ("HEAD /scim/v2/acme/Users/\(id) HTTP/1.1\r\nHost: localhost\r\n\(auth)\r\n", 200, get.text.utf8.count),
                    ("HEAD /scim/v2/acme/Users/\(id)?attributes=userName HTTP/1.1\r\nHost: localhost\r\n\(auth)\r\n", 200, nil),
                    ("HEAD /scim/v2/acme/Users HTTP/1.1\r\nHost: localhost\r\n\(auth)\r\n", 200, nil),
                    ("HEAD /scim/v2/acme/Users/unknown HTTP/1.1\r\nHost: localhost\r\n\(auth)\r\n", 404, nil),
                    ("HEAD /scim/v2/acme/Users/\(id) HTTP/1.1\r\nHost: localhost\r\n\r\n", 401, nil),
                    ("HEAD /scim/v2/acme/Nope HTTP/1.1\r\nHost: localhost\r\n\(auth)\r\n", 404, nil),
                    ("HEAD /admin/nope HTTP/1.1\r\nHost: localhost\r\n\r\n", 404, nil),
                    ("HEAD /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n", 200, nil),
                ]
                for (request, status, length) in cases {
                    let connection = try await RawConnection.open(port: server.port)
                    // The HEAD, then a GET on the same connection: had the HEAD's answer carried a body, the GET's
                    // status line would not follow its blank line.
                    try await connection.send(request)
                    #expect(await connection.answers(1, within: .seconds(10), status: status), "\(request)")
                    try await connection.send("GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
                    #expect(await connection.answers(1, within: .seconds(10), status: 200, after: status), "\(request)")
                    let text = connection.received
                    let headEnd = try #require(text.range(of: "\r\n\r\n"))
                    let head = text[..<headEnd.lowerBound]
                    #expect(head.hasPrefix("HTTP/1.1 \(status)"), "\(request): \(head)")
                    #expect(text[headEnd.upperBound...].hasPrefix("HTTP/1.1 200"), "\(request): a body followed the head: \(text)")
                    let announced = head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
                        .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) }
                    #expect((announced ?? 0) > 0, "\(request): the length GET would send is announced")
                    if let length { #expect(announced == length) }
                    if status == 401 { #expect(head.lowercased().contains("www-authenticate: bearer")) }
                    if status == 200, request.contains("/Users/") { #expect(head.lowercased().contains("etag:")) }
                    try await connection.close()
                }
            }
        }
    }
}
