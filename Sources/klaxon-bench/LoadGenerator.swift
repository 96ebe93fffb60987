import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization

/// Sends HTTP requests from a fixed number of concurrent workers for a fixed time (or a fixed number of
/// requests), over keep-alive connections, and reports throughput and latency percentiles.
struct LoadGenerator: Sendable {
    struct Result: Sendable {
        var requests: Int
        var failures: Int
        var seconds: Double
        var latencies: [Double]

        var rate: Double { Double(requests) / seconds }

        func percentile(_ p: Double) -> Double {
            guard !latencies.isEmpty else { return .nan }
            let sorted = latencies.sorted()
            return sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
        }
    }

    /// One request: method, path relative to the base URL, optional JSON body.
    struct Call: Sendable {
        var method: HTTPMethod
        var url: String
        var body: String?
    }

    let client: HTTPClient
    let token: String?
    let concurrency: Int

    init(client: HTTPClient, token: String?, concurrency: Int) {
        self.client = client
        self.token = token
        self.concurrency = concurrency
    }

    /// Runs until `seconds` have passed or `limit` calls were made; `next(i)` makes the i-th call.
    func run(seconds: Double, limit: Int = .max, _ next: @escaping @Sendable (Int) -> Call) async -> Result {
        let counter = Counter()
        let start = ContinuousClock.now
        let deadline = start + .milliseconds(Int(seconds * 1000))
        let results = await withTaskGroup(of: ([Double], Int).self) { group in
            for _ in 0..<concurrency {
                group.addTask {
                    var latencies: [Double] = []
                    var failures = 0
                    while ContinuousClock.now < deadline {
                        let index = counter.next()
                        guard index < limit else { break }
                        let began = ContinuousClock.now
                        let ok = await send(next(index))
                        if ok { latencies.append((ContinuousClock.now - began).seconds) } else { failures += 1 }
                    }
                    return (latencies, failures)
                }
            }
            var all: [Double] = []
            var failures = 0
            for await (latencies, failed) in group {
                all += latencies
                failures += failed
            }
            return (all, failures)
        }
        let elapsed = (ContinuousClock.now - start).seconds
        return Result(requests: results.0.count, failures: results.1, seconds: elapsed, latencies: results.0)
    }

    /// Sends one call; true for a 2xx answer.
    func send(_ call: Call) async -> Bool {
        guard let (status, _) = try? await execute(call) else { return false }
        return (200..<300).contains(status)
    }

    /// Sends a call and returns its status and body.
    func execute(_ call: Call) async throws -> (status: Int, body: ByteBuffer) {
        var request = HTTPClientRequest(url: call.url)
        request.method = call.method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let body = call.body {
            request.headers.add(name: "Content-Type", value: "application/scim+json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await client.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 64 << 20)
        return (Int(response.status.code), body)
    }
}

/// A shared request counter.
final class Counter: Sendable {
    private let value = Mutex(0)
    func next() -> Int { value.withLock { current in defer { current += 1 }; return current } }
}

extension Duration {
    var seconds: Double {
        let (whole, attoseconds) = components
        return Double(whole) + Double(attoseconds) / 1e18
    }
}
