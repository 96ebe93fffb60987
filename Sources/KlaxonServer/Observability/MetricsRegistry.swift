import Foundation
import Synchronization

/// Request counts by route, method and status, a latency histogram and the connections closed by the server's
/// limits, in Prometheus' text format.
///
/// Small and lock-based on purpose: one mutex-protected update per request costs far less than the request.
public final class MetricsRegistry: Sendable {
    private struct Key: Hashable {
        var route: String
        var method: String
        var status: Int
    }

    private struct State {
        var requests: [Key: Int] = [:]
        var bucketCounts: [Int]
        var latencySum = 0.0
        var latencyCount = 0
        var refusedConnections = 0
        var timedOutRequests = 0
        var unreadAnswers = 0
    }

    /// Upper bounds of the latency buckets, in seconds.
    public static let buckets: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]

    private let state = Mutex(State(bucketCounts: Array(repeating: 0, count: MetricsRegistry.buckets.count)))

    public init() {}

    public func record(route: String, method: String, status: Int, seconds: Double) {
        let bucket = Self.buckets.firstIndex { seconds <= $0 }
        state.withLock { state in
            state.requests[Key(route: route, method: method, status: status), default: 0] += 1
            if let bucket { state.bucketCounts[bucket] += 1 }
            state.latencySum += seconds
            state.latencyCount += 1
        }
    }

    /// A connection was closed at once: its address already had the most connections open that one may.
    public func recordRefusedConnection() {
        state.withLock { $0.refusedConnections += 1 }
    }

    /// A connection was closed because a request on it did not arrive whole in time.
    public func recordTimedOutRequest() {
        state.withLock { $0.timedOutRequests += 1 }
    }

    /// A connection was closed because the client did not read its answer within the idle timeout.
    public func recordUnreadAnswer() {
        state.withLock { $0.unreadAnswers += 1 }
    }

    /// The metrics in the Prometheus text exposition format.
    public func render() -> String {
        let snapshot = state.withLock { $0 }
        var lines = [
            "# HELP klaxon_http_requests_total HTTP requests by route, method and status.",
            "# TYPE klaxon_http_requests_total counter",
        ]
        for (key, count) in snapshot.requests.sorted(by: { ($0.key.route, $0.key.method, $0.key.status) < ($1.key.route, $1.key.method, $1.key.status) }) {
            lines.append(#"klaxon_http_requests_total{route="\#(escape(key.route))",method="\#(key.method)",status="\#(key.status)"} \#(count)"#)
        }
        lines.append("# HELP klaxon_http_request_duration_seconds HTTP request latency.")
        lines.append("# TYPE klaxon_http_request_duration_seconds histogram")
        var cumulative = 0
        for (index, bound) in Self.buckets.enumerated() {
            cumulative += snapshot.bucketCounts[index]
            lines.append(#"klaxon_http_request_duration_seconds_bucket{le="\#(bound)"} \#(cumulative)"#)
        }
        lines.append(#"klaxon_http_request_duration_seconds_bucket{le="+Inf"} \#(snapshot.latencyCount)"#)
        lines.append("klaxon_http_request_duration_seconds_sum \(snapshot.latencySum)")
        lines.append("klaxon_http_request_duration_seconds_count \(snapshot.latencyCount)")
        lines += [
            "# HELP klaxon_http_connections_refused_total Connections closed at once because their address had the most open already.",
            "# TYPE klaxon_http_connections_refused_total counter",
            "klaxon_http_connections_refused_total \(snapshot.refusedConnections)",
            "# HELP klaxon_http_request_timeouts_total Connections closed because a request did not arrive whole in time.",
            "# TYPE klaxon_http_request_timeouts_total counter",
            "klaxon_http_request_timeouts_total \(snapshot.timedOutRequests)",
            "# HELP klaxon_http_answer_timeouts_total Connections closed because the client did not read an answer in time.",
            "# TYPE klaxon_http_answer_timeouts_total counter",
            "klaxon_http_answer_timeouts_total \(snapshot.unreadAnswers)",
        ]
        return lines.joined(separator: "\n") + "\n"
    }

    private func escape(_ label: String) -> String {
        label.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
    }
}
