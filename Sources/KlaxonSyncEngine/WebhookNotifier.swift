import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import SCIM

/// Tells a webhook that a run failed: POSTs ``SyncRunSummary/payload(maxFailures:)`` as JSON, with a short
/// timeout and no retries, so a webhook that is down delays the end of a run by `timeout` at most.
///
/// ```swift
/// let notifier = WebhookNotifier(url: "https://hooks.example/klaxon")
/// try await notifier.notifyIfFailed(summary)
/// ```
public struct WebhookNotifier: Sendable {
    /// Where the summary is posted.
    public let url: String
    /// How long the POST may take, connecting included.
    public let timeout: Duration

    public init(url: String, timeout: Duration = .seconds(10)) {
        self.url = url
        self.timeout = timeout
    }

    /// Posts `summary` if the run failed or could not run; returns whether it posted.
    @discardableResult
    public func notifyIfFailed(_ summary: SyncRunSummary) async throws(SyncFailure) -> Bool {
        guard summary.failed else { return false }
        try await notify(summary)
        return true
    }

    /// Posts `summary`. An answer outside 2xx, a timeout or a refused connection throws ``SyncFailure``.
    public func notify(_ summary: SyncRunSummary) async throws(SyncFailure) {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "klaxon-sync")
        request.body = .bytes(ByteBuffer(bytes: JSONWriter.bytes(from: summary.payload())))
        let status: UInt
        do {
            let milliseconds = Int64(max(1, timeout / .milliseconds(1)))
            let response = try await HTTPClient.shared.execute(request, timeout: .milliseconds(milliseconds))
            status = response.status.code
            _ = try await response.body.collect(upTo: 1 << 20)
        } catch {
            throw SyncFailure("POST to the webhook at \(SyncRunSummary.origin(url)) failed: \(error)")
        }
        guard (200..<300).contains(status) else {
            throw SyncFailure("the webhook at \(SyncRunSummary.origin(url)) answered \(status)", status: Int(status))
        }
    }
}
