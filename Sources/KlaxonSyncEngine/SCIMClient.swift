import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SCIM

/// A SCIM 2.0 client for one endpoint: bearer token, pooled keep-alive connections, retries on 429 (waiting
/// the `Retry-After` seconds, up to five minutes) and on 5xx and transport errors (exponential backoff with
/// jitter), and a timeout per attempt.
///
/// ```swift
/// let client = SCIMClient(baseURL: "https://klaxon.example/scim/v2/acme", token: token)
/// let reply = try await client.send(.GET, "/Users?filter=userName%20eq%20%22zoe%22")
/// try await client.shutdown()
/// ```
public final class SCIMClient: Sendable {
    /// An answer: its status and parsed body (nil when empty or not JSON).
    public struct Reply: Sendable {
        public var status: Int
        public var body: JSONValue?
    }

    /// How hard to try before a request counts as failed.
    public struct RetryPolicy: Sendable {
        /// Attempts per request, the first included.
        public var maxAttempts: Int
        /// The wait before the second attempt; it doubles for each attempt after.
        public var baseDelay: Duration
        /// The longest backoff wait (a `Retry-After` is honoured as given).
        public var maxDelay: Duration
        /// The time one attempt may take.
        public var timeout: Duration

        public init(maxAttempts: Int = 5, baseDelay: Duration = .milliseconds(100), maxDelay: Duration = .seconds(10), timeout: Duration = .seconds(30)) {
            self.maxAttempts = maxAttempts
            self.baseDelay = baseDelay
            self.maxDelay = maxDelay
            self.timeout = timeout
        }
    }

    public let baseURL: String
    private let token: String
    private let http: HTTPClient
    private let policy: RetryPolicy

    /// A client for `baseURL` (the endpoint, without a trailing `/Users`) keeping up to `concurrency`
    /// connections open; callers bound the requests in flight (``SyncEngine`` runs that many workers).
    public init(baseURL: String, token: String, concurrency: Int = 8, policy: RetryPolicy = RetryPolicy()) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.token = token
        self.policy = policy
        self.http = HTTPClient(
            eventLoopGroupProvider: .singleton,
            configuration: .init(
                connectionPool: .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: max(1, concurrency))))
    }

    /// Closes the connections. Call once, after the last request.
    public func shutdown() async throws {
        try await http.shutdown()
    }

    /// Sends a request to `baseURL + path`, retrying 429, 5xx and transport errors. Any other status is
    /// returned as is; ``SyncFailure`` is thrown once the attempts are used up.
    public func send(_ method: HTTPMethod, _ path: String, body: JSONValue? = nil) async throws(SyncFailure) -> Reply {
        var attempt = 0
        while true {
            attempt += 1
            var delay = backoff(attempt)
            let outcome: String
            do {
                var request = HTTPClientRequest(url: baseURL + path)
                request.method = method
                request.headers.add(name: "Authorization", value: "Bearer \(token)")
                request.headers.add(name: "Accept", value: "application/scim+json")
                if let body {
                    request.headers.add(name: "Content-Type", value: "application/scim+json")
                    request.body = .bytes(ByteBuffer(bytes: JSONWriter.bytes(from: body)))
                }
                let response = try await http.execute(request, timeout: .seconds(max(1, policy.timeout.components.seconds)))
                let bytes = try await response.body.collect(upTo: 64 << 20)
                let status = Int(response.status.code)
                let parsed = bytes.readableBytes == 0 ? nil : try? JSONParser.parse(Array(bytes.readableBytesView), limits: .init(maxBytes: 64 << 20))
                guard status == 429 || status >= 500 else { return Reply(status: status, body: parsed) }
                if status == 429, let retryAfter = response.headers.first(name: "Retry-After").flatMap({ Int($0) }) {
                    delay = .seconds(min(max(retryAfter, 0), 300))
                }
                outcome = "\(method.rawValue) \(path) answered \(status)\(parsed?["detail"]?.stringValue.map { ": \($0)" } ?? "")"
            } catch {
                outcome = "\(method.rawValue) \(path) failed: \(error)"
            }
            guard attempt < policy.maxAttempts else {
                throw SyncFailure("\(outcome) (after \(attempt) attempts)")
            }
            try? await Task.sleep(for: delay)
        }
    }

    /// Exponential backoff with jitter, capped.
    private func backoff(_ attempt: Int) -> Duration {
        let base = policy.baseDelay * (1 << min(attempt - 1, 10))
        let capped = min(base, policy.maxDelay)
        return capped * Double.random(in: 0.5...1.0)
    }
}

/// Why one record (or one request) could not be synchronised.
public struct SyncFailure: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    /// The HTTP status the target answered, when the failure is an answer.
    public var status: Int?

    public init(_ message: String, status: Int? = nil) {
        self.message = message
        self.status = status
    }

    public var description: String { message }
}
