import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KlaxonSyncEngine
import NIOCore
import NIOHTTP1
import SCIM
import Synchronization
import Testing

/// Synchronising through a loopback proxy that answers 429 and 500 now and then, always 500 for one user's
/// creation, and loses the answer to another's first creation.
@Suite struct FlakyTargetTests {
    /// Forwards to `upstream`, but answers the n-th request 429 (Retry-After: 0) when n % 4 == 1, 500 when
    /// n % 7 == 3, and 500 to any request whose body mentions `doomed@`.
    static func proxy(to upstream: String, http: HTTPClient, faults: FaultLog) -> some ApplicationProtocol {
        let router = Router()
        let counter = Mutex(0)
        let forward: @Sendable (Request, BasicRequestContext) async throws -> Response = { request, _ in
            var request = request
            let body = try await request.collectBody(upTo: 16 << 20)
            if String(buffer: body).contains("doomed@") {
                faults.statuses.withLock { $0.append(500) }
                return Response(status: .internalServerError)
            }
            // The first POST of `lost@` reaches the server but its answer is lost: the retry gets 409.
            if request.method == .post, String(buffer: body).contains("lost@"), faults.lostOnce.withLock({ $0.insert("lost").inserted }) {
                _ = try await send(request, body, to: upstream, http: http)
                faults.statuses.withLock { $0.append(502) }
                return Response(status: .badGateway)
            }
            let n = counter.withLock { value in
                value += 1
                return value
            }
            if n % 4 == 1 {
                faults.statuses.withLock { $0.append(429) }
                return Response(status: .tooManyRequests, headers: [HTTPField.Name("Retry-After")!: "0"])
            }
            if n % 7 == 3 {
                faults.statuses.withLock { $0.append(500) }
                return Response(status: .internalServerError)
            }
            let (status, answer) = try await send(request, body, to: upstream, http: http)
            return Response(
                status: HTTPResponse.Status(code: status), headers: [.contentType: "application/scim+json"],
                body: ResponseBody(byteBuffer: answer))
        }
        for method in [HTTPRequest.Method.get, .post, .patch, .delete, .put] {
            router.on("**", method: method, use: forward)
        }
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
    }

    /// Forwards a request upstream and returns the answer.
    static func send(_ request: Request, _ body: ByteBuffer, to upstream: String, http: HTTPClient) async throws -> (Int, ByteBuffer) {
        let query = request.uri.query.map { "?\($0)" } ?? ""
        var outgoing = HTTPClientRequest(url: upstream + request.uri.path + query)
        outgoing.method = HTTPMethod(rawValue: request.method.rawValue)
        if let authorization = request.headers[.authorization] { outgoing.headers.add(name: "Authorization", value: authorization) }
        if body.readableBytes > 0 {
            outgoing.headers.add(name: "Content-Type", value: "application/scim+json")
            outgoing.body = .bytes(body)
        }
        let response = try await http.execute(outgoing, timeout: .seconds(30))
        return (Int(response.status.code), try await response.body.collect(upTo: 16 << 20))
    }

    @Test func retriesAndIsolatedFailures() async throws {
        try await SyncTarget.run { target in
            let http = HTTPClient(eventLoopGroupProvider: .singleton)
            let faults = FaultLog()
            let upstream = target.baseURL.replacingOccurrences(of: "/scim/v2/acme", with: "")
            do {
                try await Self.proxy(to: upstream, http: http, faults: faults).test(.live) { proxyClient in
                    let port = try #require(proxyClient.port)
                    let client = SCIMClient(
                        baseURL: "http://127.0.0.1:\(port)/scim/v2/acme", token: target.token, concurrency: 4,
                        policy: .init(maxAttempts: 10, baseDelay: .milliseconds(5), maxDelay: .milliseconds(50)))
                    let users = (1...12).map { index in
                        EntraSyncTests.ExportUser(
                            id: "u-\(index)", upn: index == 7 ? "doomed@contoso.com" : index == 3 ? "lost@contoso.com" : "user\(index)@contoso.com", given: "User",
                            surname: "\(index)", city: "Leeds")
                    }
                    let export = EntraSyncTests.export(users, [EntraSyncTests.ExportGroup(id: "g-1", name: "All", members: users.map(\.id))])
                    let report = try await target.sync(
                        mapping: shippedMapping("entra-id.yaml"), source: try target.file("export.json", export), format: .json, client: client)
                    try await client.shutdown()
                    #expect(report.created == 11, "10 users and the group")
                    #expect(report.skipped == 1, "lost@: the retried POST got 409, and the user found was already as wanted")
                    #expect(report.failures.count == 1)
                    #expect(report.failures.first?.object == "user:u-7")
                    #expect(report.failures.first?.reason.contains("answered 500") == true)
                    #expect(report.failures.first?.reason.contains("after 10 attempts") == true)
                }
                try await http.shutdown()
            } catch {
                try? await http.shutdown()
                throw error
            }
            let seen = faults.statuses.withLock { $0 }
            #expect(seen.contains(429))
            #expect(seen.contains(500))
            #expect(seen.contains(502))
            #expect(try await target.all("/Users").count == 11)
            let group = try await target.group("All")
            #expect(group["members"]?.arrayValue?.count == 11)
        }
    }
}

/// The fault statuses the proxy answered.
final class FaultLog: Sendable {
    let statuses = Mutex<[Int]>([])
    let lostOnce = Mutex<Set<String>>([])
}

extension FlakyTargetTests {
    /// The first request is answered 429 with `Retry-After` as an HTTP date two seconds ahead; the client
    /// waits until then (at least a second, as the date has whole seconds) before it tries again, where its
    /// own backoff would have waited 5 ms.
    @Test func retryAfterAnHTTPDate() async throws {
        try await SyncTarget.run { target in
            let http = HTTPClient(eventLoopGroupProvider: .singleton)
            let arrivals = Mutex<[ContinuousClock.Instant]>([])
            let upstream = target.baseURL.replacingOccurrences(of: "/scim/v2/acme", with: "")
            let router = Router()
            router.on("**", method: .post) { request, _ -> Response in
                let first = arrivals.withLock { list in
                    list.append(.now)
                    return list.count == 1
                }
                var request = request
                let body = try await request.collectBody(upTo: 1 << 20)
                if first {
                    return Response(status: .tooManyRequests, headers: [HTTPField.Name("Retry-After")!: Self.imfFixdate(Date().addingTimeInterval(2))])
                }
                let (status, answer) = try await Self.send(request, body, to: upstream, http: http)
                return Response(
                    status: HTTPResponse.Status(code: status), headers: [.contentType: "application/scim+json"], body: ResponseBody(byteBuffer: answer))
            }
            router.on("**", method: .get) { request, _ -> Response in
                let (status, answer) = try await Self.send(request, ByteBuffer(), to: upstream, http: http)
                return Response(
                    status: HTTPResponse.Status(code: status), headers: [.contentType: "application/scim+json"], body: ResponseBody(byteBuffer: answer))
            }
            do {
                try await Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0))).test(.live) { proxyClient in
                    let port = try #require(proxyClient.port)
                    let client = SCIMClient(
                        baseURL: "http://127.0.0.1:\(port)/scim/v2/acme", token: target.token, concurrency: 1,
                        policy: .init(maxAttempts: 3, baseDelay: .milliseconds(5), maxDelay: .milliseconds(5)))
                    let users = [EntraSyncTests.ExportUser(id: "u-1", upn: "zoe@contoso.com", given: "Zoë", surname: "Hart", city: "Leeds")]
                    let report = try await target.sync(
                        mapping: shippedMapping("entra-id.yaml"), source: try target.file("export.json", EntraSyncTests.export(users, [])),
                        format: .json, client: client)
                    try await client.shutdown()
                    #expect(report.failures == [])
                    #expect(report.created == 1)
                }
                try await http.shutdown()
            } catch {
                try? await http.shutdown()
                throw error
            }
            let seen = arrivals.withLock { $0 }
            #expect(seen.count == 2)
            if seen.count == 2 { #expect(seen[1] - seen[0] >= .seconds(1)) }
            #expect(try await target.user("zoe@contoso.com")["active"] == true)
        }
    }

    /// `Sun, 06 Nov 1994 08:49:37 GMT`.
    static func imfFixdate(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter.string(from: date)
    }
}
