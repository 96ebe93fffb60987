import Foundation
import HTTPTypes
import KlaxonDirectory
import KlaxonServer
import Testing

/// A cookie-keeping client for the admin pages of a ``TestServer``, as a browser would use them.
struct AdminBrowser {
    let server: TestServer
    /// Cookies by name, as the server last set them.
    var cookies: [String: String] = [:]

    init(_ server: TestServer) {
        self.server = server
    }

    @discardableResult
    mutating func get(_ path: String) async throws -> TestServer.Reply {
        try await send(.get, path, nil)
    }

    /// POSTs a form; `csrf` is added from the page unless the fields name it.
    @discardableResult
    mutating func post(_ path: String, _ fields: [(String, String)]) async throws -> TestServer.Reply {
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
        let body = fields.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }.joined(separator: "&")
        return try await send(.post, path, body)
    }

    private mutating func send(_ method: HTTPRequest.Method, _ path: String, _ body: String?) async throws -> TestServer.Reply {
        var headers: HTTPFields = [:]
        if !cookies.isEmpty {
            headers[.cookie] = cookies.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: "; ")
        }
        if body != nil { headers[.contentType] = "application/x-www-form-urlencoded" }
        let reply = try await server.raw(method, path, body, headers: headers)
        for field in reply.headers[values: .setCookie] {
            let pair = field.split(separator: ";")[0].split(separator: "=", maxSplits: 1)
            let name = String(pair[0])
            let value = pair.count > 1 ? String(pair[1]) : ""
            if value.isEmpty || field.contains("Max-Age=0") { cookies[name] = nil } else { cookies[name] = value }
        }
        return reply
    }

    /// The value of the first `<input name="…">` on a page.
    static func field(_ name: String, in html: String) -> String? {
        guard let range = html.range(of: #"name="\#(name)" value=""#) else { return nil }
        let rest = html[range.upperBound...]
        return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
    }

    /// Signs in through the sign-in page; returns the final reply.
    @discardableResult
    mutating func signIn(_ login: String, _ password: String) async throws -> TestServer.Reply {
        let page = try await get("/admin/sign-in")
        let csrf = try #require(Self.field("csrf", in: page.text))
        return try await post("/admin/sign-in", [("csrf", csrf), ("login", login), ("password", password)])
    }

    /// The anti-forgery token of the signed-in session, from the Synchronisation page.
    mutating func csrf() async throws -> String {
        try #require(Self.field("csrf", in: try await get("/admin/synchronisation").text))
    }
}

extension TestServer {
    /// Creates a Site Administrator with a password (bcrypt at the lowest cost, for speed).
    func createAdministrator(_ login: String, password: String, in organisation: Int64) async throws {
        let hash = try await AdminPasswords(cost: 4).hash(password)
        _ = try await directory.createAdministrator(login: login, passwordHash: hash, in: organisation)
    }
}
