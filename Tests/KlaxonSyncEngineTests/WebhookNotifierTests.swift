import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
@testable import KlaxonSyncEngine
import NIOCore
import SCIM
import Synchronization
import Testing

/// `--notify-webhook`: what is posted about a failed run, and that a loopback receiver gets it for a failing
/// run and nothing for a clean one.
@Suite struct WebhookNotifierTests {
    static func failure(_ object: String, _ line: Int, _ reason: String) -> SyncReport.Failure {
        SyncReport.Failure(object: object, line: line, reason: reason)
    }

    @Test func payloadOfAFailedRun() throws {
        var report = SyncReport()
        report.created = 3
        report.skipped = 1
        report.failures = [
            Self.failure("user:u-7", 12, "POST /Users answered 400 (invalidValue): notificationPhoneNumber is not a phone number"),
            Self.failure("line", 40, "'mobile 07911 123456' has no ':'"),
            Self.failure("user:u-9", 41, "POST /Users answered 409 (uniqueness)"),
        ]
        let summary = SyncRunSummary(
            runID: "run-1", startedAt: RetryAfterTests.example, finishedAt: RetryAfterTests.example.addingTimeInterval(61),
            source: "https://reader:s3cret@old.example/scim/v2?token=abc", target: "https://klaxon.example/scim/v2/acme", report: report)
        #expect(summary.failed)
        let payload = summary.payload(maxFailures: 2)
        #expect(payload == [
            "event": "klaxon-sync.run.failed", "runId": "run-1", "startedAt": "1994-11-06T08:49:37Z", "finishedAt": "1994-11-06T08:50:38Z",
            "source": "https://old.example/scim/v2", "target": "https://klaxon.example/scim/v2/acme", "dryRun": false,
            "counts": ["created": 3, "updated": 0, "disabled": 0, "deleted": 0, "skipped": 1, "failed": 3],
            "failures": [
                ["object": "user:u-7", "line": 12, "reason": "POST /Users answered 400 (invalidValue): notificationPhoneNumber is not a phone number"],
                ["object": "line", "line": 40, "reason": "'mobile [number]' has no ':'"],
            ],
            "moreFailures": 1,
            "text": "klaxon-sync: the sync from https://old.example/scim/v2 into https://klaxon.example/scim/v2/acme had 3 failures (created 3, updated 0, disabled 0, deleted 0, skipped 1, failed 3)",
        ])
        #expect(!JSONWriter.string(from: payload).contains("s3cret"))
    }

    @Test func payloadOfARunThatCouldNotRun() {
        let summary = SyncRunSummary(
            runID: "run-2", startedAt: RetryAfterTests.example, finishedAt: RetryAfterTests.example, source: "export.json",
            target: "https://klaxon.example/scim/v2/acme", report: nil, error: "cannot open export.json")
        #expect(summary.failed)
        #expect(summary.payload()["error"] == "cannot open export.json")
        #expect(summary.payload()["counts"] == nil)
        #expect(summary.payload()["text"] == "klaxon-sync: the sync from export.json into https://klaxon.example/scim/v2/acme could not run: cannot open export.json")
    }

    @Test func aCleanRunIsNotAFailure() {
        var report = SyncReport()
        report.created = 5
        #expect(!SyncRunSummary(startedAt: Date(), source: "a.csv", target: "http://127.0.0.1/scim", report: report).failed)
    }

    @Test(arguments: [
        ("call 07911 123456 now", "call [number] now"),
        ("(+44 7911 123456)", "([number])"),
        ("+1-555-010-9999.", "[number]."),
        ("answered 500 after 10 attempts", "answered 500 after 10 attempts"),
        ("record 123456 at line 42", "record 123456 at line 42"),
        ("id 5f2c9a1e-0b7d-4c1e-9a55-3f0d7c1b2a90", "id 5f2c9a1e-0b7d-4c1e-9a55-3f0d7c1b2a90"),
        ("a + b", "a + b"),
    ])
    func phoneNumbersAreMasked(text: String, masked: String) {
        #expect(SyncRunSummary.maskingNumbers(text) == masked)
    }

    /// A loopback receiver that keeps each body posted to /hook, and answers /broken 500 and /slow late.
    static func receiver(_ bodies: RequestLog) -> some ApplicationProtocol {
        let router = Router()
        router.post("/hook") { request, _ -> HTTPResponse.Status in
            var request = request
            let body = try await request.collectBody(upTo: 1 << 20)
            bodies.entries.withLock { $0.append(String(buffer: body)) }
            return .noContent
        }
        router.post("/broken") { _, _ -> HTTPResponse.Status in .internalServerError }
        router.post("/slow") { _, _ -> HTTPResponse.Status in
            try await Task.sleep(for: .seconds(1))
            return .noContent
        }
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
    }

    @Test func aFailingRunIsPostedAndACleanOneIsNot() async throws {
        let bodies = RequestLog()
        try await Self.receiver(bodies).test(.live) { receiverClient in
            let hook = WebhookNotifier(url: "http://127.0.0.1:\(try #require(receiverClient.port))/hook", timeout: .seconds(5))
            try await SyncTarget.run { target in
                let users = [
                    EntraSyncTests.ExportUser(id: "u-1", upn: "zoe@contoso.com", given: "Zoë", surname: "Hart", city: "Leeds", mobile: "07911 123456")
                ]
                let broken = EntraSyncTests.export(users, []).replacingOccurrences(of: "]}", with: #",{"id":"u-2","mobile":"07911 654321",}]}"#)
                let started = Date()
                let failing = try await target.sync(
                    mapping: shippedMapping("entra-id.yaml"), source: try target.file("export.json", broken), format: .json)
                #expect(failing.created == 1)
                #expect(failing.failed == 1)
                // A target written with credentials in it: the webhook must not receive them.
                let withCredentials = target.baseURL.replacingOccurrences(of: "http://", with: "http://admin:hunter2@") + "?token=klx_abc"
                let posted = try await hook.notifyIfFailed(
                    SyncRunSummary(startedAt: started, source: "export.json", target: withCredentials, report: failing))
                #expect(posted)

                let clean = try await target.sync(
                    mapping: shippedMapping("entra-id.yaml"), source: try target.file("export.json", EntraSyncTests.export(users, [])), format: .json)
                #expect(clean.failed == 0)
                #expect(try await !hook.notifyIfFailed(SyncRunSummary(startedAt: started, source: "export.json", target: target.baseURL, report: clean)))

                let received = bodies.entries.withLock { $0 }
                #expect(received.count == 1)
                let body = try JSONParser.parse(try #require(received.first))
                #expect(body["event"] == "klaxon-sync.run.failed")
                #expect(body["source"] == "export.json")
                #expect(body["target"] == .string(target.baseURL))
                #expect(body["counts"]?["created"] == 1)
                #expect(body["counts"]?["failed"] == 1)
                #expect(body["failures"] == [["object": "line", "line": 3, "reason": "record 2 is not valid JSON: expected a member name in double quotes"]])
                #expect(received.first?.contains(target.token) == false)
                #expect(received.first?.contains("hunter2") == false)
                #expect(received.first?.contains("klx_abc") == false)
            }
        }
    }

    @Test func aRunThatCannotStartIsPosted() async throws {
        let bodies = RequestLog()
        try await Self.receiver(bodies).test(.live) { receiverClient in
            let hook = WebhookNotifier(url: "http://127.0.0.1:\(try #require(receiverClient.port))/hook")
            let client = SCIMClient(baseURL: "http://127.0.0.1:9/scim", token: "klx_secret")
            let started = Date()
            do throws(SyncFailure) {
                _ = try SyncEngine(mappingFile: "/nonexistent/entra-id.yaml", client: client)
                Issue.record("a missing mapping file was accepted")
            } catch {
                try await hook.notify(
                    SyncRunSummary(startedAt: started, source: "export.json", target: client.baseURL, report: nil, error: error.message))
            }
            try await client.shutdown()
            let received = bodies.entries.withLock { $0 }
            #expect(received.count == 1)
            let body = try JSONParser.parse(try #require(received.first))
            #expect(body["error"]?.stringValue?.contains("/nonexistent/entra-id.yaml") == true)
            #expect(received.first?.contains("klx_secret") == false)
        }
    }

    @Test func aWebhookThatFailsIsReported() async throws {
        let bodies = RequestLog()
        try await Self.receiver(bodies).test(.live) { receiverClient in
            let port = try #require(receiverClient.port)
            let summary = SyncRunSummary(startedAt: Date(), source: "a.csv", target: "http://127.0.0.1/scim", report: nil, error: "x")
            // Only the webhook's origin is shown: its path is often its secret.
            await #expect(throws: SyncFailure("the webhook at http://127.0.0.1:\(port) answered 500", status: 500)) {
                try await WebhookNotifier(url: "http://127.0.0.1:\(port)/broken").notify(summary)
            }
            do throws(SyncFailure) {
                try await WebhookNotifier(url: "http://127.0.0.1:\(port)/slow", timeout: .milliseconds(200)).notify(summary)
                Issue.record("a webhook slower than the timeout was not reported")
            } catch {
                #expect(error.message.hasPrefix("POST to the webhook at http://127.0.0.1:\(port) failed: "))
                #expect(!error.message.contains("/slow"))
                #expect(error.status == nil)
            }
        }
    }
}
