import Foundation
import SCIM

/// What `--notify-webhook` tells someone about a run that failed: when and what it ran, its counts, and the
/// first failures with their reasons. It never holds a token; URLs lose their user info and query, and
/// anything in a reason that looks like a phone number is masked.
///
/// ```swift
/// let summary = SyncRunSummary(startedAt: start, source: "export.json", target: url, report: report)
/// if summary.failed { try await WebhookNotifier(url: hook).notify(summary) }
/// ```
public struct SyncRunSummary: Sendable {
    /// A new UUID per run, to tell runs apart in whatever receives the webhook.
    public var runID: String
    public var startedAt: Date
    public var finishedAt: Date
    /// The source file or URL, as given.
    public var source: String
    /// The target endpoint's URL.
    public var target: String
    /// The run sent nothing (`--dry-run`).
    public var dryRun: Bool
    /// The run's report; nil when the run could not start.
    public var report: SyncReport?
    /// Why the run could not run at all.
    public var error: String?

    public init(
        runID: String = UUID().uuidString, startedAt: Date, finishedAt: Date = Date(), source: String, target: String,
        dryRun: Bool = false, report: SyncReport?, error: String? = nil
    ) {
        self.runID = runID
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.source = source
        self.target = target
        self.dryRun = dryRun
        self.report = report
        self.error = error
    }

    /// A run with any failure, or one that could not run, is worth telling someone about.
    public var failed: Bool { error != nil || (report?.failed ?? 0) > 0 }

    /// The JSON posted: `event`, `runId`, `startedAt`, `finishedAt`, `source`, `target`, `dryRun`, `error`
    /// (if the run could not run), `counts`, the first `maxFailures` `failures` (`object`, `line`, `reason`),
    /// `moreFailures`, and a one-line `text` that chat webhooks (Slack, Teams, Mattermost) show as it is.
    public func payload(maxFailures: Int = 20) -> JSONValue {
        let source = Self.withoutCredentials(source)
        let target = Self.withoutCredentials(target)
        var object: JSONObject = [
            "event": "klaxon-sync.run.failed", "runId": .string(runID),
            "startedAt": .string(startedAt.formatted(.iso8601)), "finishedAt": .string(finishedAt.formatted(.iso8601)),
            "source": .string(source), "target": .string(target), "dryRun": .bool(dryRun),
        ]
        var text = "klaxon-sync: the sync from \(source) into \(target)"
        if let error {
            object["error"] = .string(Self.maskingNumbers(error))
            text += " could not run: \(Self.maskingNumbers(error))"
        }
        if let report {
            object["counts"] = [
                "created": .integer(report.created), "updated": .integer(report.updated),
                "disabled": .integer(report.disabled), "deleted": .integer(report.deleted),
                "skipped": .integer(report.skipped), "failed": .integer(report.failed),
            ]
            let shown = report.failures.prefix(max(0, maxFailures))
            object["failures"] = .array(shown.map { failure in
                ["object": .string(failure.object), "line": .integer(failure.line), "reason": .string(Self.maskingNumbers(failure.reason))]
            })
            object["moreFailures"] = .integer(report.failures.count - shown.count)
            if error == nil { text += " had \(report.failed) failure\(report.failed == 1 ? "" : "s")" }
            text += " (created \(report.created), updated \(report.updated), disabled \(report.disabled), "
                + "deleted \(report.deleted), skipped \(report.skipped), failed \(report.failed))"
        }
        object["text"] = .string(text)
        return .object(object)
    }

    /// A URL without user info, query or fragment (where tokens hide); anything else as it is.
    static func withoutCredentials(_ text: String) -> String {
        guard var parts = URLComponents(string: text), parts.scheme != nil, parts.host != nil else { return text }
        parts.user = nil
        parts.password = nil
        parts.query = nil
        parts.fragment = nil
        return parts.string ?? text
    }

    /// Only a URL's scheme, host and port: what may be shown of a webhook, whose path is often its secret
    /// (Slack, Teams and Discord incoming webhooks).
    static func origin(_ text: String) -> String {
        guard let parts = URLComponents(string: text), let scheme = parts.scheme, let host = parts.host else { return "the webhook" }
        return "\(scheme)://\(host)" + (parts.port.map { ":\($0)" } ?? "")
    }

    /// `text` with every run of characters that looks like a phone number (seven digits or more, with
    /// spaces, dots, dashes, parentheses or a leading `+` between them) replaced by `[number]`.
    static func maskingNumbers(_ text: String) -> String {
        var result = ""
        var run = ""
        var digits = 0
        func flush() {
            if digits >= 7 {
                let trailing = run.reversed().prefix { !$0.isASCII || !$0.isNumber }
                result += "[number]" + String(trailing.reversed())
            } else {
                result += run
            }
            run = ""
            digits = 0
        }
        for character in text {
            if character.isASCII, character.isNumber {
                run.append(character)
                digits += 1
            } else if !run.isEmpty || character == "+", " .-()+".contains(character) {
                run.append(character)
            } else {
                flush()
                result.append(character)
            }
        }
        flush()
        return result
    }
}
