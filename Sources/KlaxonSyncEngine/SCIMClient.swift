import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SCIM

/// A SCIM 2.0 client for one endpoint: bearer token, pooled keep-alive connections, retries on 429 and 5xx
/// and transport errors (exponential backoff with jitter; a 429 or 503 with `Retry-After`, in seconds or as
/// an HTTP date, waits as long as it says, up to five minutes), and a timeout per attempt.
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
                if status == 429 || status == 503, let header = response.headers.first(name: "Retry-After"),
                    let wait = Self.retryAfter(header, now: Date())
                {
                    delay = min(wait, .seconds(300))
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

    /// The wait a `Retry-After` header asks for (RFC 9110 §10.2.3): delay-seconds, or an HTTP date (the
    /// IMF-fixdate `Sun, 06 Nov 1994 08:49:37 GMT`, or the obsolete RFC 850 `Sunday, 06-Nov-94 08:49:37 GMT`
    /// and asctime `Sun Nov  6 08:49:37 1994` forms) less `now`; a date in the past waits nothing. Nil when
    /// the header is neither.
    ///
    /// ```swift
    /// SCIMClient.retryAfter("120", now: now)                              // .seconds(120)
    /// SCIMClient.retryAfter("Sun, 06 Nov 1994 08:49:37 GMT", now: now)    // the time until then, or .zero
    /// ```
    public static func retryAfter(_ header: String, now: Date) -> Duration? {
        let text = header.trimming(" \t")
        if !text.isEmpty, text.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) {
            return .seconds(Int(text) ?? Int.max)
        }
        guard let date = httpDate(text, now: now) else { return nil }
        let seconds = date.timeIntervalSince(now)
        return seconds > 0 ? .milliseconds(Int64((seconds * 1000).rounded(.up))) : .zero
    }

    /// An HTTP date in any of RFC 9110's three forms (§5.6.7); nil if `text` is none of them. A two-digit
    /// RFC 850 year more than 50 years after `now` is taken as the century before.
    public static func httpDate(_ text: String, now: Date) -> Date? {
        let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
        let weekdays = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        let longWeekdays = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
        let words = text.split(separator: " ", omittingEmptySubsequences: true).map { $0.lowercased() }
        var day: Int?, month: Int?, year: Int?, clock: Substring?
        if words.count == 6, words[0].hasSuffix(","), weekdays.contains(String(words[0].dropLast())), words[5] == "gmt" {
            // IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT
            guard words[1].count == 2, words[3].count == 4 else { return nil }
            day = Int(words[1])
            month = months.firstIndex(of: words[2]).map { $0 + 1 }
            year = Int(words[3])
            clock = Substring(words[4])
        } else if words.count == 4, words[0].hasSuffix(","), longWeekdays.contains(String(words[0].dropLast())), words[3] == "gmt" {
            // RFC 850: Sunday, 06-Nov-94 08:49:37 GMT
            let parts = words[1].split(separator: "-", omittingEmptySubsequences: false)
            guard parts.count == 3, parts[0].count == 2, parts[2].count == 2, let short = Int(parts[2]) else { return nil }
            day = Int(parts[0])
            month = months.firstIndex(of: String(parts[1])).map { $0 + 1 }
            let currentYear = CivilDate.civil(fromDays: Int((now.timeIntervalSince1970 / 86_400).rounded(.down))).year
            var full = currentYear - currentYear % 100 + short
            if full > currentYear + 50 { full -= 100 }
            year = full
            clock = Substring(words[2])
        } else if words.count == 5, weekdays.contains(words[0]) {
            // asctime: Sun Nov  6 08:49:37 1994
            guard words[4].count == 4 else { return nil }
            month = months.firstIndex(of: words[1]).map { $0 + 1 }
            day = Int(words[2])
            clock = Substring(words[3])
            year = Int(words[4])
        }
        guard let day, let month, let year, let clock else { return nil }
        let time = clock.split(separator: ":", omittingEmptySubsequences: false)
        guard time.count == 3, time.allSatisfy({ $0.count == 2 }),
            let hour = Int(time[0]), let minute = Int(time[1]), let second = Int(time[2]),
            (0...23).contains(hour), (0...59).contains(minute), (0...60).contains(second),
            (1...CivilDate.daysIn(month: month, year: year)).contains(day)
        else { return nil }
        let days = CivilDate.days(year: year, month: month, day: day)
        return Date(timeIntervalSince1970: TimeInterval(days * 86_400 + hour * 3_600 + minute * 60 + second))
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
    /// The source line the failure is at, when it is a source that cannot be read on.
    public var line: Int?

    public init(_ message: String, status: Int? = nil, line: Int? = nil) {
        self.message = message
        self.status = status
        self.line = line
    }

    public var description: String { message }
}
